package io.ferrumdb.internal.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.internal.log.GroupCommit.Ticket;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The leaders' wait for their group ({@link GroupCommit} with {@link GroupGather}), driven with explicit clock
 * values: a leader does not take a group of one while the writers it just acknowledged are coming back.
 */
@Timeout(30)
class GroupCommitGatherTest {
    private static final long MAX = 1_000_000;
    private static final long FSYNC = 400_000;

    private final GroupCommit commit = new GroupCommit(MAX);
    private final ArrayDeque<CompletableFuture<Void>> waiters = new ArrayDeque<>();

    private Ticket arrive() {
        Ticket t = new Ticket();
        waiters.add(t);
        commit.arrived(t, waiters.size());
        return t;
    }

    @Test
    void afterAWholeGroupTheFirstWriterBackLeadsButWaitsUntilTheOthersAreBack() {
        Ticket first = arrive();
        assertThat(commit.running()).isTrue();
        waiters.clear(); // the leader took its group of three, nobody else waits at its end
        assertThat(commit.handOff(waiters, 0, 3, FSYNC, 0)).isNull();
        assertThat(commit.running()).isFalse();

        Ticket back = arrive(); // leads: the token was free
        assertThat(commit.running()).isTrue();
        assertThat(commit.gatherFor(back, waiters.size(), false, 10_000))
                .isEqualTo(FSYNC / GroupGather.FRACTION - 10_000);
        Ticket second = arrive();
        assertThat(commit.backAt(waiters.size())).as("two of three back: the leader sleeps on").isNull();
        assertThat(commit.gatherFor(back, waiters.size(), false, 20_000)).isPositive();
        Ticket third = new Ticket();
        waiters.add(third);
        assertThat(commit.backAt(waiters.size())).as("the append that completes the group wakes the leader")
                .isSameAs(back);
        assertThat(commit.gatherFor(back, waiters.size(), false, 30_000)).isZero();
        assertThat(List.of(first, second)).allMatch(t -> !t.isDone());
    }

    @Test
    void urgentWorkEndsTheWaitAndAWaitEndsAtItsDeadline() {
        Ticket leader = arrive();
        waiters.clear();
        assertThat(commit.handOff(waiters, 0, 4, FSYNC, 0)).isNull();
        Ticket back = arrive();
        assertThat(commit.gatherFor(back, waiters.size(), true, 0)).as("a sync, roll or close waits").isZero();

        waiters.clear();
        assertThat(commit.handOff(waiters, 0, 4, FSYNC, 1_000_000)).isNull();
        Ticket again = arrive();
        assertThat(commit.gatherFor(again, waiters.size(), false, 1_000_000)).isPositive();
        assertThat(commit.gatherFor(again, waiters.size(), false, 1_000_000 + FSYNC)).as("deadline passed").isZero();
        assertThat(commit.backAt(5)).as("nobody to wake once the leader goes on").isNull();
        assertThat(leader.isDone()).isFalse();
    }

    @Test
    void theNextLeaderChosenAtHandOffTakesWhatQueuedAtOnceWithoutWaitingForTheGroupItFollows() {
        arrive();
        Ticket queued = arrive(); // follows: the token is held
        waiters.remove(waiters.peekFirst()); // the first leader's group: itself; the queued one waits on
        assertThat(commit.handOff(waiters, waiters.size(), 3, FSYNC, 0)).isSameAs(queued);
        assertThat(commit.gatherFor(queued, waiters.size(), false, 0))
                .as("1 of the 4 writers back: the next fsync starts now, the other 3 join the group after").isZero();
        assertThat(commit.backAt(4)).as("no leader waits to be woken").isNull();
    }

    @Test
    void aWaitForTheGroupBeginsOnlyWhenTheTokenIsFreedAndAHandOffEndsIt() {
        Ticket leader = arrive();
        waiters.clear();
        assertThat(commit.handOff(waiters, 0, 3, FSYNC, 0)).isNull();
        Ticket back = arrive(); // leads, and waits for the other two
        Ticket queued = arrive();
        assertThat(commit.gatherFor(back, waiters.size(), false, 0)).isPositive();
        waiters.remove(back); // back's cycle took only itself (an urgent sync, say); queued arrived after the take
        assertThat(commit.handOff(waiters, waiters.size(), 1, FSYNC, 0)).isSameAs(queued);
        assertThat(commit.gatherFor(queued, waiters.size(), false, 0)).as("the hand-off ended the wait").isZero();
        assertThat(leader.isDone()).isFalse();
    }

    @Test
    void awaitCallsTheLeaderAgainAfterEachWaitAndStopsLeadingOnceItRan() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger result = new AtomicInteger();
        Thread t = new Thread(() -> {
            Ticket ticket = new Ticket();
            commit.arrived(ticket, 1);
            GroupCommit.await(ticket, led -> {
                if (calls.incrementAndGet() < 3) {
                    return 1_000; // wait 1 us, then ask again
                }
                led.complete(null); // the cycle ran and completed its own ticket
                return 0;
            });
            result.set(calls.get());
        });
        t.start();
        t.join();
        assertThat(result.get()).isEqualTo(3);
    }

    @Test
    void registerGivesAWaitingCallerATicketAndWakesTheFlusherWhenItsGroupIsBack() throws Exception {
        ReentrantLock lock = new ReentrantLock();
        Condition work = lock.newCondition();
        GroupGather flusherGather = new GroupGather(MAX);
        lock.lock();
        try {
            CompletableFuture<Void> leads = commit.register(waiters, true, flusherGather, work);
            assertThat(leads).isInstanceOf(Ticket.class);
            assertThat(commit.running()).as("no cycle ran: the ticket leads").isTrue();
            CompletableFuture<Void> async = commit.register(waiters, false, flusherGather, work);
            assertThat(async).isNotInstanceOf(Ticket.class);
            assertThat(waiters).containsExactly(leads, async);
            waiters.clear();
            flusherGather.start(0, 2, FSYNC, 0); // the flusher waits for the 2 writers it acknowledged
        } finally {
            lock.unlock();
        }
        AtomicBoolean signalled = new AtomicBoolean();
        Thread flusher = new Thread(() -> {
            lock.lock();
            try {
                signalled.set(work.await(20, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        });
        flusher.start();
        while (true) {
            lock.lock();
            try {
                if (lock.hasWaiters(work)) {
                    commit.register(waiters, false, flusherGather, work);
                    assertThat(lock.hasWaiters(work)).as("one of two back: no signal").isTrue();
                    commit.register(waiters, false, flusherGather, work);
                    break;
                }
            } finally {
                lock.unlock();
            }
            Thread.sleep(1);
        }
        flusher.join();
        assertThat(signalled).as("the append that completed the group signalled the flusher").isTrue();
    }
}
