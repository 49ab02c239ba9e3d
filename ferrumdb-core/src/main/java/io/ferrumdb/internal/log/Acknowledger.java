package io.ferrumdb.internal.log;

import io.ferrumdb.internal.log.CycleIo.Sealing;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;

/**
 * The log writer's second thread: completes the futures of fsynced batches in cycle order, then runs the
 * after-cycle work (the key directory's queued ordered-set changes), while the flusher writes and fsyncs the next
 * batch. Waking writers is the slow part of acknowledging (each woken thread may preempt the waker on a busy
 * machine), so it is kept off the flusher's cycle. Batches queued meanwhile are acknowledged together, with one
 * after-cycle run.
 *
 * <p>Under {@code never()} and {@code periodic()} it also seals the segments a cycle rolled (their hint files, then
 * the memory map), after the cycle has written and fsynced them: on the cycle, the hint file of a full segment held
 * every later write back for as long as it took to encode, write and fsync it (about 90 ms for a 64 MiB segment of
 * small records), and a writer that filled the pending bytes meanwhile waited. A batch's waiters are completed after
 * its seals, and batches in cycle order, so a {@code rollAndSync} still returns with its segment sealed (or finds
 * it unsealed after a failed seal, and throws). Before a
 * batch's seals it fsyncs the active segment every few MiB written ({@link EarlyWriteback}), so that a seal's fsync
 * finds little left to write.
 */
final class Acknowledger {
    /**
     * One cycle's waiters, the segments it rolled that are still to be sealed here (none under always()), and the
     * active segment it wrote, for the early writeback (null under always(), whose cycles fsync it).
     */
    private record Batch(List<CompletableFuture<Void>> waiters, List<Sealing> sealing, Segment written) {
    }

    /** Ends the thread once every batch queued before it is acknowledged. */
    private static final Batch LAST_BATCH = new Batch(List.of(), List.of(), null);

    private final LinkedBlockingQueue<Batch> batches = new LinkedBlockingQueue<>();
    private final Runnable afterCycle;
    /** Seals the segments of a batch (its {@link CycleIo#sealed}). */
    private final CycleIo sealer;
    private final EarlyWriteback writeback = new EarlyWriteback();
    private final BiConsumer<Throwable, List<CompletableFuture<Void>>> onFailure;
    /** Set by the first failed seal: later batches' seals are skipped. This thread only. */
    private Throwable sealFailure;
    private final Thread thread;
    /** The writer's lock, which {@link #startWith} and {@link #started} require (asserted). */
    private final ReentrantLock writerLock;

    /**
     * @param afterCycle run after each group of batches, one call at a time
     * @param sealer     seals the segments of a batch (writes their hint files)
     * @param onFailure  told of a throwable, with the waiters to fail: the writer stops taking writes (it is not
     *                   trusted with more). With none, both from the after-cycle work (acknowledging goes on so
     *                   that no writer waits forever) and from a seal: a batch's waiters are those of a cycle that
     *                   fsynced their records, so they succeed whatever its seals did (later seals are skipped)
     * @param writerLock the writer's lock
     */
    Acknowledger(Runnable afterCycle, CycleIo sealer,
                 BiConsumer<Throwable, List<CompletableFuture<Void>>> onFailure, ReentrantLock writerLock) {
        this.afterCycle = afterCycle;
        this.writerLock = writerLock;
        this.sealer = sealer;
        this.onFailure = onFailure;
        // A class, not this::run: a fresh JVM spins a class and method-handle forms for a method reference at its
        // first use, 3-5x what loading a small class costs (ARCHITECTURE.md, "Start-up cost"); every open makes one.
        this.thread = new Thread(new Loop(), "ferrumdb-acknowledger");
        this.thread.setDaemon(true);
    }

    /**
     * Starts this thread and the writer's {@code flusher} together, at the writer's first work for them (its first
     * segment, or a sync that must wait): an open that never writes starts neither, and its close waits for
     * neither to wake up and end. Later calls do nothing. REQUIRES the writer's lock.
     */
    void startWith(Thread flusher) {
        assert writerLock.isHeldByCurrentThread() : "starting the writer's threads requires the writer's lock";
        if (thread.getState() == Thread.State.NEW) {
            thread.start();
            flusher.start();
        }
    }

    /** Whether {@link #startWith} ran (the threads may have ended since). REQUIRES the writer's lock. */
    boolean started() {
        assert writerLock.isHeldByCurrentThread() : "asking whether the threads started requires the writer's lock";
        return thread.getState() != Thread.State.NEW;
    }

    /**
     * Queues the waiters of one fsynced cycle (empty: still runs the after-cycle work) and the segments it rolled,
     * written and fsynced, to seal before the waiters are completed; {@code written}: the active segment the cycle
     * wrote, for {@link EarlyWriteback} (null: none).
     */
    void acknowledge(List<CompletableFuture<Void>> fsynced, List<Sealing> sealing, Segment written) {
        batches.add(new Batch(fsynced, sealing, written));
    }

    /** Queues the end: the thread stops after acknowledging everything queued before. Called once, by the flusher. */
    void finish() {
        batches.add(LAST_BATCH);
    }

    Thread thread() {
        return thread;
    }

    /** The thread's body. */
    private final class Loop implements Runnable {
        @Override
        public void run() {
            acknowledgeUntilLast();
        }
    }

    private void acknowledgeUntilLast() {
        List<Batch> taken = new ArrayList<>();
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
                for (Batch batch : taken) {
                    last |= batch == LAST_BATCH;
                    seal(batch);
                    completeAll(batch.waiters());
                }
                afterCycle.run();
            } catch (Throwable e) {
                onFailure.accept(e, List.of());
                // Their records were fsynced: success is the truth for every waiter the throwable interrupted.
                taken.forEach(b -> completeAll(b.waiters()));
            }
        }
    }

    /**
     * Writes the batch's active segment back early ({@link EarlyWriteback}) and seals the batch's segments, unless
     * that failed in an earlier batch. A failure stops the writer (the next write, sync or close reports it) but
     * fails none of the batch's waiters: their cycle fsynced their records. A caller of rollAndSync, promised a
     * sealed segment, finds it unsealed and throws.
     */
    private void seal(Batch batch) {
        if (sealFailure != null) {
            return;
        }
        try {
            writeback.written(batch.written());
            sealer.sealed(batch.sealing());
        } catch (Throwable e) {
            sealFailure = e;
            onFailure.accept(e, List.of());
        }
    }

    private static void completeAll(List<CompletableFuture<Void>> batch) {
        for (CompletableFuture<Void> waiter : batch) {
            waiter.complete(null);
        }
    }
}
