package io.ferrumdb.internal.log;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

/**
 * Under {@code always()}: group commit led by the writers themselves, as LevelDB's {@code BuildBatchGroup} and
 * RocksDB's {@code WriteThread} do. One token says that a write-and-fsync cycle is running; only its holder calls
 * the {@link CycleIo}. A writer that waits for its own record ({@link Ticket}) and finds no cycle running takes the
 * token and becomes the leader: on its own thread it takes everything pending (its record, the followers' and any
 * {@code putAsync} or {@code sync()} futures), writes it, fsyncs once, and completes every future of the group.
 * Writers that arrive meanwhile wait as followers; the ending leader hands the token to the first of them, which
 * leads the next group. The flusher thread takes the token too, for the work no waiting writer leads (asynchronous
 * futures alone, syncs, close, and every cycle of the periodic and never policies).
 *
 * <p>Why: with a flusher, every group needs a second thread scheduled between the last append and the fsync, and
 * on a busy 2-CPU machine that wait for a CPU was 44-48% of the flusher's cycle (docs/benchmarks.md, issue 23).
 * A leader is a writer that is already running when it appends.
 *
 * <p>Invariant: while the token is free, no ticket waits unled (a ticket registered with the token free leads at
 * once; the token's holder hands it to a waiting ticket before freeing it). Not thread-safe: every method but
 * {@link #await} REQUIRES the writer's lock.
 */
final class GroupCommit {
    /** The durability future of a caller that waits for it on its own thread, which may be made the leader. */
    static final class Ticket extends CompletableFuture<Void> {
        private final Thread thread = Thread.currentThread();
        /** Set under the writer's lock when this ticket's thread is to run the next cycle. */
        private volatile boolean lead;

        @Override
        public boolean complete(Void value) {
            boolean completed = super.complete(value);
            LockSupport.unpark(thread);
            return completed;
        }

        @Override
        public boolean completeExceptionally(Throwable failure) {
            boolean completed = super.completeExceptionally(failure);
            LockSupport.unpark(thread);
            return completed;
        }

        /** Wakes the thread after it was made the leader (after the group's followers were completed). */
        void wake() {
            LockSupport.unpark(thread);
        }
    }

    /** Whether a cycle runs (its holder: a leading writer or the flusher). Guarded by the writer's lock. */
    private boolean running;

    boolean running() {
        return running;
    }

    /** The flusher takes the token; REQUIRES that it is free. */
    void begin() {
        assert !running : "the cycle token is held";
        running = true;
    }

    /** A ticket was registered: it leads when no cycle runs, otherwise it follows. */
    void arrived(Ticket ticket) {
        if (!running) {
            running = true;
            ticket.lead = true;
        }
    }

    /**
     * Ends the holder's cycle: the token passes to the first waiting ticket among {@code waiters}, which the caller
     * wakes with {@link Ticket#wake()} once it has completed its own group, or is freed when none waits.
     *
     * @return the ticket that leads next, or null when the token is free
     */
    Ticket handOff(Iterable<CompletableFuture<Void>> waiters) {
        assert running : "handing off a token nobody holds";
        for (CompletableFuture<Void> w : waiters) {
            if (w instanceof Ticket t && !t.isDone()) {
                t.lead = true;
                return t;
            }
        }
        running = false;
        return null;
    }

    /**
     * Waits on the ticket's own thread, without the lock, until the ticket is complete, running a cycle ({@code
     * lead}, which must not throw and ends with {@link #handOff}) whenever the ticket is made the leader. A leader
     * completes its own ticket with its group. Interrupts do not end the wait; the thread's flag is kept.
     */
    static void await(Ticket ticket, Runnable lead) {
        boolean interrupted = false;
        while (true) {
            if (ticket.lead) {
                ticket.lead = false;
                CycleTrace.resumed();
                lead.run();
            }
            if (ticket.isDone()) {
                break;
            }
            LockSupport.park(ticket);
            interrupted |= Thread.interrupted();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
