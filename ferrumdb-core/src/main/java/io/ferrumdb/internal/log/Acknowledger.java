package io.ferrumdb.internal.log;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * The log writer's second thread: completes the futures of fsynced batches in cycle order, then runs the
 * after-cycle work (the key directory's queued ordered-set changes), while the flusher writes and fsyncs the next
 * batch. Waking writers is the slow part of acknowledging (each woken thread may preempt the waker on a busy
 * machine), so it is kept off the flusher's cycle. Batches queued meanwhile are acknowledged together, with one
 * after-cycle run.
 */
final class Acknowledger {
    /** Ends the thread once every batch queued before it is acknowledged. */
    private static final List<CompletableFuture<Void>> LAST_BATCH = new ArrayList<>(0);

    private final LinkedBlockingQueue<List<CompletableFuture<Void>>> batches = new LinkedBlockingQueue<>();
    private final Runnable afterCycle;
    private final Consumer<Throwable> onFailure;
    private final Thread thread;

    /**
     * @param afterCycle run after each group of batches, one call at a time
     * @param onFailure  told of a throwable from the after-cycle work: the writer stops taking writes (it is not
     *                   trusted with more), and acknowledging goes on so that no writer waits forever
     */
    Acknowledger(Runnable afterCycle, Consumer<Throwable> onFailure) {
        this.afterCycle = afterCycle;
        this.onFailure = onFailure;
        this.thread = new Thread(this::run, "ferrumdb-acknowledger");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Queues the waiters of one fsynced cycle; an empty list still runs the after-cycle work. */
    void acknowledge(List<CompletableFuture<Void>> fsynced) {
        batches.add(fsynced);
    }

    /** Queues the end: the thread stops after acknowledging everything queued before. Called once, by the flusher. */
    void finish() {
        batches.add(LAST_BATCH);
    }

    Thread thread() {
        return thread;
    }

    private void run() {
        List<List<CompletableFuture<Void>>> taken = new ArrayList<>();
        boolean last = false;
        while (!last) {
            taken.clear();
            try {
                taken.add(batches.take());
            } catch (InterruptedException e) {
                // Nothing interrupts this private thread; a stray interrupt only ends this wait.
                continue;
            }
            batches.drainTo(taken);
            try {
                for (List<CompletableFuture<Void>> batch : taken) {
                    last |= batch == LAST_BATCH;
                    completeAll(batch);
                }
                afterCycle.run();
            } catch (Throwable e) {
                onFailure.accept(e);
                // Their records were fsynced: success is the truth for every waiter the throwable interrupted.
                taken.forEach(Acknowledger::completeAll);
            }
        }
    }

    private static void completeAll(List<CompletableFuture<Void>> batch) {
        for (CompletableFuture<Void> waiter : batch) {
            waiter.complete(null);
        }
    }
}
