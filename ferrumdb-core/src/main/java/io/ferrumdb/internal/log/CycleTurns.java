package io.ferrumdb.internal.log;

import io.ferrumdb.internal.log.CycleIo.Cycle;
import io.ferrumdb.internal.log.GroupCommit.Ticket;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Whose turn it is to run the next write-and-fsync cycle, and the hand-off at its end: the flusher thread's loop
 * (waiting for work no writer leads, as {@link FlushSchedule} times it) and a leading writer's turn under {@code
 * always()} ({@link GroupCommit}), each taking everything pending and running it ({@link CycleIo}), then passing the
 * token on and completing the cycle's futures. The {@link LogWriter} keeps what is pending; this class decides when
 * a cycle takes it and who acknowledges it. A throwable in a cycle's bookkeeping stops the writer for good, failing
 * the cycle's waiters; a failure of the cycle's records does the same after the file work ({@link #runCycle}).
 */
final class CycleTurns {
    /**
     * Writers the flusher wakes itself after an fsync; the acknowledger wakes the rest. Waking everyone there
     * delayed the next fsync 3x at 64 writers on a busy machine; waking nobody there cost a thread hand-off
     * before the first writer could append again (fewer records per fsync at 16 writers).
     */
    static final int FLUSHER_ACKS = 4;

    /**
     * Under {@code always()}, a cycle that leaves the acknowledger no futures queues the after-cycle work (the key
     * directory's ordered-set merge) only once this many records were fsynced since it was last queued. Queued after
     * every cycle, it woke the acknowledger once a group (every 8-9 puts at 16 writers), under the writer's lock,
     * where the woken thread could preempt the leader holding it while the writers queued behind it; and the merge
     * waits for 256 queued keys anyway (the key directory's {@code OrderedIndex.PENDING_MERGE}), so most of those
     * wake-ups found nothing to do. Once per this many records: 1.75x the puts a second at 16 writers and 1.36x at 64
     * on a busy machine, medians of 10 pairs, about level on a quiet one (docs/benchmarks.md, issue 23, session 25).
     * The other policies' cycles are a millisecond apart or more and each leaves the acknowledger work (the early
     * writeback, seals): they queue it every time.
     */
    static final int AFTER_CYCLE_RECORDS = 256;

    /** The writer's state that cycles take and end; every method REQUIRES the writer's lock. */
    interface Pending {
        /** The failure that stopped the writer, or null. */
        Throwable failure();

        boolean closing();

        /** The futures waiting for the next cycle, in arrival order. */
        ArrayDeque<CompletableFuture<Void>> waiters();

        /** Whether work waits that no group wait may delay: a sync, a roll or seal, a full chunk. */
        boolean otherWork();

        boolean syncRequested();

        /** Whether records are appended but not taken by a cycle, and since when (System.nanoTime). */
        boolean hasRecords();

        long recordsSince();

        /** Takes everything pending into a cycle; REQUIRES the cycle token too. */
        Cycle take(boolean force);

        /** The cycle's file work succeeded: its chunks are written (kept for reads), its waiters no longer held. */
        void written(Cycle c);

        /** Stops the writer with {@code e}, failing every waiting future (the running cycle's are not held here). */
        void fail(Throwable e);

        /** Stops the writer with {@code e}, failing the waiters of the cycle taken last too. */
        void failTaken(Throwable e);

        /**
         * After a failure: whether one last cycle writes out what was appended before it (true at most once; the
         * failure left the files sound, see {@link WriteFailure}).
         */
        boolean lastCycle();
    }

    private final ReentrantLock lock;
    /** Signalled when the flusher has work (a writer's lock condition). */
    private final Condition work;
    private final boolean always;
    private final Pending pending;
    private final GroupCommit commit;
    private final FlushSchedule schedule;
    private final CycleIo io;
    private final DurablePositions positions;
    private final Acknowledger acknowledger;
    /** The last sequence number of the cycle that last queued the after-cycle work. Guarded by the lock. */
    private long afterCycleQueuedAt;

    CycleTurns(ReentrantLock lock, Condition work, boolean always, Pending pending, GroupCommit commit,
               FlushSchedule schedule, CycleIo io, DurablePositions positions, Acknowledger acknowledger) {
        this.lock = lock;
        this.work = work;
        this.always = always;
        this.pending = pending;
        this.commit = commit;
        this.schedule = schedule;
        this.io = io;
        this.positions = positions;
        this.acknowledger = acknowledger;
    }

    /** The flusher thread's body (a class, not a lambda: every open makes a writer; see Acknowledger's thread). */
    Runnable flusherLoop() {
        return new FlushLoop();
    }

    private void flushCycles() {
        while (true) {
            Cycle cycle;
            boolean last = false;
            lock.lock();
            try {
                while (true) {
                    if (commit.running()) {
                        // A writer leads a cycle; it wakes this thread when it leaves work no writer leads.
                        schedule.gather.cancel();
                        work.awaitUninterruptibly();
                        continue;
                    }
                    if (pending.failure() != null) {
                        last = pending.lastCycle();
                        if (last) {
                            break;
                        }
                        return;
                    }
                    long now = System.nanoTime();
                    boolean other = pending.otherWork();
                    boolean closing = pending.closing();
                    int waiting = pending.waiters().size();
                    long gathering = schedule.gathering(waiting, other || closing, now);
                    if (gathering > 0) {
                        FlusherTicks.await(work, gathering, 0);
                        continue;
                    }
                    long next = schedule.next(now, waiting > 0 || other, closing, pending.hasRecords(),
                            pending.recordsSince(), io.hasUnsynced(), io.lastFsyncNanos());
                    if (next == FlushSchedule.RUN) {
                        break;
                    } else if (next == FlushSchedule.END) {
                        return;
                    } else if (next == FlushSchedule.UNTIL_SIGNALLED) {
                        work.awaitUninterruptibly();
                    } else {
                        FlusherTicks.await(work, next, TimeUnit.MICROSECONDS.toNanos(100));
                    }
                }
                commit.begin();
                cycle = pending.take(last || always || pending.syncRequested() || pending.closing()
                        || schedule.periodicFsyncDue(System.nanoTime(), io.lastFsyncNanos()));
            } finally {
                lock.unlock();
            }
            runCycle(cycle, false);
        }
    }

    /**
     * A writer made the leader runs one cycle of everything pending on its own thread (see GroupCommit), or returns
     * how long to wait first for the writers of the last group to append again.
     */
    long lead(Ticket ticket) {
        Cycle cycle = null;
        lock.lock();
        try {
            if (pending.failure() == null) {
                long wait = commit.gatherFor(ticket, pending.waiters().size(),
                        pending.otherWork() || pending.closing(), System.nanoTime());
                if (wait > 0) {
                    return wait;
                }
                cycle = pending.take(true);
            }
        } catch (Throwable e) {
            pending.failTaken(e); // as on the flusher (an OutOfMemoryError copying the batch)
        } finally {
            if (cycle == null && pending.failure() != null) {
                // The writer failed: every waiter is completed (this leader's ticket too); the token is freed.
                commit.handOff(pending.waiters(), 0, 0, 0, 0);
                work.signal();
            }
            lock.unlock();
        }
        if (cycle != null) {
            runCycle(cycle, true);
        }
        return 0;
    }

    /**
     * Runs a taken cycle's file work on this thread, which holds the token, and hands the token on. A leader
     * completes its whole group's futures while the next leader's cycle runs; the flusher wakes the first {@link
     * #FLUSHER_ACKS} and leaves the rest to the acknowledger. A failure of the cycle's records stops the writer: the
     * cycle's futures and every later one fail with it. A failure sealing the segments the cycle rolled (their hint files, under {@code
     * always()}) comes after its records are fsynced: it stops the writer too, but the cycle's futures succeed, as
     * their records are durable (served, and there after reopen); the next write, sync or close reports it.
     */
    private void runCycle(Cycle c, boolean leader) {
        CycleIo.Outcome outcome = io.runAndSeal(c, positions, leader);
        boolean acknowledge = outcome.failed() == null && c.force();
        int here = !acknowledge || !io.sealsOnCycle() ? 0
                : leader ? c.done().size() : Math.min(FLUSHER_ACKS, c.done().size());
        ArrayDeque<CompletableFuture<Void>> waiters = pending.waiters();
        Ticket next;
        lock.lock();
        try {
            if (outcome.failed() != null) {
                // The failed batch stays in flight: readers are refused by mayServe, not by a missing record.
                pending.failTaken(outcome.failed());
            } else {
                pending.written(c);
                if (outcome.sealFailed() != null) {
                    pending.fail(outcome.sealFailed()); // the writers still waiting (not in this cycle) fail with it
                }
                if (!c.force()) {
                    // Only a sync() or an always-policy append registers a waiter, and both force; keep them anyway.
                    waiters.addAll(c.done());
                } else if (!leader && always) {
                    schedule.gather.start(waiters.size(), c.done().size(), io.lastFsyncDuration(), System.nanoTime());
                }
                // Queued under the lock, so that the flusher's end of the acknowledger comes after it.
                List<CompletableFuture<Void>> rest = acknowledge ? c.done().subList(here, c.done().size()) : List.of();
                if (!always || !rest.isEmpty() || c.upTo() - afterCycleQueuedAt >= AFTER_CYCLE_RECORDS) {
                    afterCycleQueuedAt = c.upTo();
                    acknowledger.acknowledge(rest, io.toSeal(c), always ? null : c.current());
                }
            }
            next = commit.handOff(waiters, waiters.size(), acknowledge ? c.done().size() : 0,
                    io.lastFsyncDuration(), System.nanoTime());
            if (next == null && (pending.failure() != null || pending.closing() || !waiters.isEmpty()
                    || pending.otherWork() || pending.hasRecords())) {
                work.signal();
            }
        } finally {
            lock.unlock();
        }
        GroupCommit.complete(c.done(), here, next, outcome.traceRow());
    }

    /**
     * The flusher thread. Any throwable ends it, {@link OutOfMemoryError} included (a large value's buffers are
     * allocated and copied here): the writer then fails, the waiters of the cycle and every later one are failed
     * with it and later appends are refused, so that no writer waits forever for a flusher that is gone.
     */
    private final class FlushLoop implements Runnable {
        @Override
        public void run() {
            try {
                flushCycles();
            } catch (Throwable e) {
                lock.lock();
                try {
                    pending.failTaken(e);
                } finally {
                    lock.unlock();
                }
            } finally {
                acknowledger.finish();
            }
        }
    }
}
