package io.ferrumdb.internal.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.internal.log.CycleIo.Cycle;
import io.ferrumdb.internal.log.GroupCommit.Ticket;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link CycleTurns} over a stand-in for the writer's pending state and cycles with no records (so that the file work
 * is empty): who takes a cycle, when the flusher runs, and the hand-off of the token and of the acknowledgements.
 * The writer's own tests (LeaderHandOffTest, LogWriterTest, WriteFailureTest) cover the same paths with files.
 */
@Timeout(120)
class CycleTurnsTest {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final FakePending pending = new FakePending();
    private final GroupCommit commit = new GroupCommit(TimeUnit.MILLISECONDS.toNanos(1));
    private final CycleIo io = new CycleIo((segment, hint) -> { }, true, 1 << 20, 0);
    private final CycleTurns turns = new CycleTurns(lock, work, true, pending, commit,
            new FlushSchedule(false, TimeUnit.MILLISECONDS.toNanos(1), 0), io, new DurablePositions(),
            new Acknowledger(() -> { }, io, (e, held) -> { }, lock));

    @Test
    void aLeaderCompletesItsWholeGroupAndTheNextWaitingWriterLeadsItsOwn() throws Exception {
        Ticket leader = new Ticket();
        CompletableFuture<Void> async = new CompletableFuture<>();
        registered(leader);
        pending.waiters.add(async);
        CompletableFuture<Ticket> made = new CompletableFuture<>();
        Thread follower = new Thread(() -> {
            Ticket own = new Ticket(); // a ticket belongs to the thread that makes it
            made.complete(own);
            GroupCommit.await(own, turns::lead);
        });
        follower.start();
        Ticket next = made.get(60, TimeUnit.SECONDS);
        pending.afterTake = () -> {
            if (pending.takes == 1) { // a writer that appends while the leader's cycle runs: it will lead next
                pending.waiters.add(next);
                commit.arrived(next, pending.waiters.size());
            }
        };

        AtomicReference<Thread> completer = new AtomicReference<>();
        async.thenRun(() -> completer.set(Thread.currentThread()));

        assertThat(turns.lead(leader)).isZero();
        // The ending leader completed its whole group, the asynchronous put too, before it returned.
        assertThat(leader).isCompleted();
        assertThat(async).isCompleted();
        assertThat(completer.get()).isSameAs(Thread.currentThread());
        next.get(60, TimeUnit.SECONDS);
        follower.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(pending.taken).containsExactly(List.of(leader, async), List.of(next));
        lock.lock();
        try {
            assertThat(commit.running()).as("the token is free once nobody waits").isFalse();
        } finally {
            lock.unlock();
        }
    }

    @Test
    void aLeaderOfAStoppedWriterTakesNothingAndFreesTheToken() {
        Ticket leader = new Ticket();
        registered(leader);
        // As the writer stops: every waiting future failed, its own ticket too, and none left waiting.
        pending.failure = new IllegalStateException("stopped");
        leader.completeExceptionally(pending.failure);
        pending.waiters.clear();

        assertThat(turns.lead(leader)).isZero();

        assertThat(pending.taken).isEmpty();
        lock.lock();
        try {
            assertThat(commit.running()).isFalse();
        } finally {
            lock.unlock();
        }
    }

    @Test
    void theFlusherRunsNothingWhileALeaderHoldsTheTokenAndEndsAtCloseOnceItIsFree() throws Exception {
        Ticket leader = new Ticket();
        registered(leader);
        lock.lock();
        try {
            pending.closing = true;
            pending.records = true;
        } finally {
            lock.unlock();
        }
        Thread flusher = new Thread(turns.flusherLoop(), "test-flusher");
        flusher.start();
        // The flusher runs nothing while the leader holds the token: it parks on the writer's condition (with the
        // records and the close pending it would run a cycle at once otherwise), however long the token is held.
        awaitWaitingForWork(flusher);
        assertThat(flusher.isAlive()).isTrue();
        assertThat(pending.taken).isEmpty();

        lock.lock();
        try {
            pending.waiters.clear(); // as the leader's take does
            assertThat(commit.handOff(pending.waiters, 0, 1, 0, System.nanoTime())).isNull();
            pending.records = false;
            work.signal();
        } finally {
            lock.unlock();
        }
        flusher.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(flusher.isAlive()).isFalse();
        assertThat(pending.takes).isZero(); // nothing was left to write at close
    }

    @Test
    void aThrowableTakingTheFlushersCycleStopsTheWriterWithIt() {
        pending.closing = true;
        pending.records = true;
        OutOfMemoryError copying = new OutOfMemoryError("copying the batch");
        pending.beforeTake = () -> {
            throw copying;
        };

        turns.flusherLoop().run(); // on this thread: it ends at once with the failure

        assertThat(pending.failedTaken).containsExactly(copying);
    }

    @Test
    void aCloseWithNothingPendingEndsTheFlusherWithoutACycle() {
        pending.closing = true;

        turns.flusherLoop().run();

        assertThat(pending.takes).isZero();
        assertThat(pending.failedTaken).isEmpty();
    }

    @Test
    void aFailureThatLeftTheFilesSoundGetsOneLastForcedCycleThenTheFlusherEnds() {
        pending.failure = new java.io.IOException("could not create the next segment");
        pending.records = true;
        pending.lastCycle = true;

        turns.flusherLoop().run(); // on this thread: the last cycle, then the end

        assertThat(pending.forced).containsExactly(true);
        assertThat(pending.failedTaken).isEmpty();
    }

    @Test
    void aFailureWithoutALastCycleEndsTheFlusherWithoutOne() {
        pending.failure = new java.io.IOException("fsync failed");
        pending.records = true;

        turns.flusherLoop().run();

        assertThat(pending.takes).isZero();
    }

    /** Until {@code thread} waits on the writer's work condition, or has ended (no time bound: the class's timeout). */
    private void awaitWaitingForWork(Thread thread) {
        while (thread.isAlive()) {
            lock.lock();
            try {
                if (lock.hasWaiters(work)) {
                    return;
                }
            } finally {
                lock.unlock();
            }
            Thread.yield();
        }
    }

    private void registered(Ticket ticket) {
        lock.lock();
        try {
            pending.waiters.add(ticket);
            commit.arrived(ticket, pending.waiters.size());
        } finally {
            lock.unlock();
        }
    }

    /** The writer's pending state reduced to its futures and flags; its cycles hold no records. */
    private static final class FakePending implements CycleTurns.Pending {
        final ArrayDeque<CompletableFuture<Void>> waiters = new ArrayDeque<>();
        final List<List<CompletableFuture<Void>>> taken = new CopyOnWriteArrayList<>();
        final List<Throwable> failedTaken = new CopyOnWriteArrayList<>();
        volatile Throwable failure;
        volatile boolean closing;
        volatile boolean records;
        volatile int takes;
        /** What {@link #lastCycle} answers once. */
        volatile boolean lastCycle;
        final List<Boolean> forced = new CopyOnWriteArrayList<>();
        /** Run by take before it takes the waiters, and after (with the lock held, as the writer's take). */
        volatile Runnable beforeTake = () -> { };
        volatile Runnable afterTake = () -> { };

        @Override
        public Throwable failure() {
            return failure;
        }

        @Override
        public boolean closing() {
            return closing;
        }

        @Override
        public ArrayDeque<CompletableFuture<Void>> waiters() {
            return waiters;
        }

        @Override
        public boolean otherWork() {
            return false;
        }

        @Override
        public boolean syncRequested() {
            return false;
        }

        @Override
        public boolean hasRecords() {
            return records;
        }

        @Override
        public long recordsSince() {
            return 0;
        }

        @Override
        public Cycle take(boolean force) {
            takes++;
            forced.add(force);
            beforeTake.run();
            List<CompletableFuture<Void>> done = new ArrayList<>(waiters);
            waiters.clear();
            records = false;
            taken.add(done);
            afterTake.run();
            return new Cycle(List.of(), List.of(), done, null, 0, 0, force);
        }

        @Override
        public void written(Cycle c) {
        }

        @Override
        public void fail(Throwable e) {
            failure = e;
        }

        @Override
        public void failTaken(Throwable e) {
            failure = e;
            failedTaken.add(e);
        }

        @Override
        public boolean lastCycle() {
            boolean last = lastCycle;
            lastCycle = false;
            return last;
        }
    }
}
