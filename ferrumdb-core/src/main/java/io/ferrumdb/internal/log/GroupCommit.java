package io.ferrumdb.internal.log;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToLongFunction;

/**
 * Under {@code always()}: group commit led by the writers themselves, as LevelDB's {@code BuildBatchGroup} and
 * RocksDB's {@code WriteThread} do. One token says that a write-and-fsync cycle is running; only its holder calls
 * the {@link CycleIo}. A writer that waits for its own record ({@link Ticket}) and finds no cycle running takes the
 * token and becomes the leader: on its own thread it takes everything pending (its record, the followers' and any
 * {@code putAsync} or {@code sync()} futures), writes it and fsyncs once. Writers that arrive meanwhile wait as
 * followers; the ending leader hands the token to the first of them and wakes it, and that next leader takes its
 * group at once, so that its write and fsync run while the ending leader completes its own group's futures ({@link
 * #complete}) and the writers woken by them append for the group after. The flusher thread takes the token too, for
 * the work no waiting writer leads (asynchronous futures alone, syncs, close, and every cycle of the periodic and
 * never policies).
 *
 * <p>Why: with a flusher, every group needs a second thread scheduled between the last append and the fsync, and
 * on a busy 2-CPU machine that wait for a CPU was 44-48% of the flusher's cycle (docs/benchmarks.md, issue 23).
 * A leader is a writer that is already running when it appends.
 *
 * <p>Why the next leader does not wait for the group just completed: completing a group is one unpark a writer,
 * and its writers append again only as each is woken and gets a CPU; a leader that waited for them left the disk
 * idle for that whole return, a third to a half of each cycle (docs/benchmarks.md, issue 23, session 23). Taking
 * what is queued at once keeps the disk busy back to back, and the group's return overlaps the next fsync
 * (RocksDB's pipelined write groups). Closed-loop writers then alternate between two groups, each fsynced as soon as
 * the other's fsync ends (session 24).
 *
 * <p>When nobody queued during a cycle the token is freed, and the first writer back leads but waits, up to half an
 * fsync ({@link GroupGather}, as the flusher does), for the writers of the group just completed to append again;
 * the append that brings them back wakes it. Without that wait the first writer back, usually the ending leader
 * itself, led a group of one while the others queued behind it (15-22% of the cycles at 16 writers fsynced a single
 * record; docs/benchmarks.md, issue 23, session 7).
 *
 * <p>Invariant: while the token is free, no ticket waits unled (a ticket registered with the token free leads at
 * once; the token's holder hands it to a waiting ticket before freeing it). Not thread-safe: every method but
 * {@link #await} and {@link #complete} REQUIRES the writer's lock.
 */
final class GroupCommit {
    /** The durability future of a caller that waits for it on its own thread, which may be made the leader. */
    static final class Ticket extends CompletableFuture<Void> {
        private final Thread thread = Thread.currentThread();
        /** Set under the writer's lock when this ticket's thread is to run the next cycle; cleared when it does. */
        private volatile boolean lead;
        /** A leader waiting for its group that this ticket's append completed: woken by this thread, unlocked. */
        private Ticket gathererToWake;

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

        /** Wakes the thread after it was made the leader, or when the group it waits for is back. */
        void wake() {
            LockSupport.unpark(thread);
        }
    }

    /** Whether a cycle runs (its holder: a leading writer or the flusher). Guarded by the writer's lock. */
    private boolean running;
    /** The leaders' wait for their group (separate from the flusher's). */
    private final GroupGather gather;
    /** The leader parked until its group is back, or null. */
    private Ticket gatherer;

    GroupCommit(long maxGatherNanos) {
        this.gather = new GroupGather(maxGatherNanos);
    }

    boolean running() {
        return running;
    }

    /** The flusher takes the token; REQUIRES that it is free. */
    void begin() {
        assert !running : "the cycle token is held";
        running = true;
    }

    /**
     * Registers the durability future of an append in {@code waiters} and returns it: a {@link Ticket} when the
     * caller waits for it on its own thread ({@code callerWaits}: it leads when no cycle runs, else follows), else a
     * plain future. An append that completes the group being gathered wakes its gatherer: the flusher (its {@code
     * flusherGather}, through {@code work}) or a leader.
     */
    CompletableFuture<Void> register(ArrayDeque<CompletableFuture<Void>> waiters, boolean callerWaits,
                                     GroupGather flusherGather, Condition work) {
        if (callerWaits) {
            Ticket ticket = new Ticket();
            waiters.add(ticket);
            arrived(ticket, waiters.size());
            return ticket;
        }
        CompletableFuture<Void> durable = new CompletableFuture<>();
        waiters.add(durable);
        if (flusherGather.wakes(waiters.size())) {
            work.signal();
        }
        Ticket leader = backAt(waiters.size());
        if (leader != null) {
            leader.wake();
        }
        return durable;
    }

    /**
     * A ticket was registered, {@code waiting} futures in all: it leads when no cycle runs, otherwise it follows;
     * when its append completes the group a leader waits for, its thread wakes that leader ({@link #await}).
     */
    void arrived(Ticket ticket, int waiting) {
        if (!running) {
            running = true;
            ticket.lead = true;
        } else {
            ticket.gathererToWake = backAt(waiting);
        }
    }

    /**
     * An asynchronous future was registered, {@code waiting} in all: returns the leader to wake now when it
     * completes the group that leader waits for, else null.
     */
    Ticket backAt(int waiting) {
        Ticket g = gatherer;
        if (g != null && gather.wakes(waiting)) {
            gatherer = null;
            return g;
        }
        return null;
    }

    /**
     * The leader, before it takes its group: how many nanoseconds it should still wait for the writers of the last
     * group to append again ({@code waiting} futures are registered), or 0 to take the group now. {@code urgent}:
     * other work waits (a sync, a roll, a full chunk, close); take now.
     */
    long gatherFor(Ticket leader, int waiting, boolean urgent, long now) {
        if (urgent) {
            gather.cancel();
        }
        long wait = gather.remaining(waiting, now);
        gatherer = wait > 0 ? leader : null;
        return wait;
    }

    /**
     * Ends the holder's cycle: the token passes to the first waiting ticket among {@code waiters}, which the caller
     * wakes with {@link #complete} and which takes its group at once (see the class comment), or is freed when none
     * waits; the first writer back then waits for the group to come back ({@link #gatherFor}): after a forced cycle
     * that completed {@code acknowledged} futures while {@code waiting} more registered.
     *
     * @param fsyncNanos how long the cycle's fsync took (0: no wait)
     * @return the ticket that leads next, or null when the token is free
     */
    Ticket handOff(Iterable<CompletableFuture<Void>> waiters, int waiting, int acknowledged, long fsyncNanos,
                   long now) {
        assert running : "handing off a token nobody holds";
        gatherer = null;
        for (CompletableFuture<Void> w : waiters) {
            if (w instanceof Ticket t && !t.isDone()) {
                gather.cancel();
                t.lead = true;
                return t;
            }
        }
        gather.start(waiting, acknowledged, fsyncNanos, now);
        running = false;
        return null;
    }

    /**
     * After a cycle, off the lock: wakes the next leader, if any, first (its write and fsync then overlap the
     * completions, as RocksDB's ending leader links the next one before completing its followers), then completes the
     * first {@code here} futures of the group (a leader's whole group, or the flusher's few).
     */
    static void complete(List<CompletableFuture<Void>> done, int here, Ticket next, int traceRow) {
        CycleTrace.mark(traceRow, CycleTrace.HANDED);
        if (next != null) {
            next.wake();
        }
        CycleTrace.mark(traceRow, CycleTrace.WOKEN);
        for (int i = 0; i < here; i++) {
            done.get(i).complete(null);
        }
        CycleTrace.mark(traceRow, CycleTrace.ACKED);
        CycleTrace.count(traceRow, CycleTrace.ACKS, here);
    }

    /**
     * Waits on the ticket's own thread, without the lock, until the ticket is complete. Whenever the ticket is made
     * the leader it calls {@code lead}, which either runs a cycle (and must then not throw and end with {@link
     * #handOff}; it returns 0) or returns the nanoseconds to wait for the group first ({@link #gatherFor}). A leader's
     * own ticket is completed with its group, by itself. Interrupts do not end the wait; the flag is kept.
     */
    static void await(Ticket ticket, ToLongFunction<Ticket> lead) {
        Ticket toWake = ticket.gathererToWake;
        if (toWake != null) {
            ticket.gathererToWake = null;
            toWake.wake();
        }
        boolean interrupted = false;
        while (true) {
            if (ticket.lead) {
                CycleTrace.resumed();
                long wait;
                while ((wait = lead.applyAsLong(ticket)) > 0) {
                    LockSupport.parkNanos(ticket, wait);
                    interrupted |= Thread.interrupted();
                }
                // Its own ticket was in the group it led: no hand-off can choose it again.
                ticket.lead = false;
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
