package io.ferrumdb.internal.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.internal.log.GroupCommit.Ticket;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
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
        assertThat(commit.handOff(waiters, 0, 3, FSYNC, 0, List.of(), 0)).isNull();
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
        assertThat(commit.handOff(waiters, 0, 4, FSYNC, 0, List.of(), 0)).isNull();
        Ticket back = arrive();
        assertThat(commit.gatherFor(back, waiters.size(), true, 0)).as("a sync, roll or close waits").isZero();

        waiters.clear();
        assertThat(commit.handOff(waiters, 0, 4, FSYNC, 1_000_000, List.of(), 0)).isNull();
        Ticket again = arrive();
        assertThat(commit.gatherFor(again, waiters.size(), false, 1_000_000)).isPositive();
        assertThat(commit.gatherFor(again, waiters.size(), false, 1_000_000 + FSYNC)).as("deadline passed").isZero();
        assertThat(commit.backAt(5)).as("nobody to wake once the leader goes on").isNull();
        assertThat(leader.isDone()).isFalse();
    }

    @Test
    void theNextLeaderChosenAtHandOffAlsoWaitsForTheGroupItFollows() {
        arrive();
        Ticket queued = arrive(); // follows: the token is held
        waiters.remove(waiters.peekFirst()); // the first leader's group: itself; the queued one waits on
        assertThat(commit.handOff(waiters, waiters.size(), 1, FSYNC, 0, List.of(), 0)).isSameAs(queued);
        assertThat(commit.gatherFor(queued, waiters.size(), false, 0)).as("1 of 2 back").isPositive();
        assertThat(commit.gatherFor(queued, 2, false, 1)).isZero();
    }

    @Test
    void theNextLeaderCompletesItsShareOfTheEndingGroupBeforeItLeads() {
        Ticket leader = arrive();
        Ticket next = arrive();
        waiters.remove(leader);
        CompletableFuture<Void> follower = new CompletableFuture<>();
        CompletableFuture<Void> asyncPut = new CompletableFuture<>();
        List<CompletableFuture<Void>> group = List.of(leader, new CompletableFuture<>(), follower, asyncPut);
        assertThat(commit.handOff(waiters, waiters.size(), 3, FSYNC, 0, group, 4)).isSameAs(next);
        assertThat(commit.pipelined()).as("one waiter: not enough to pipeline").isFalse();
        assertThat(commit.holderCompletes()).isEqualTo(2);
        assertThat(commit.acknowledgerFrom()).as("nothing of the four for the acknowledger").isEqualTo(4);
        List<Boolean> shareDoneWhenLeading = new java.util.ArrayList<>();
        // next's thread is this one (it was created here): await runs its lead at once.
        GroupCommit.await(next, led -> {
            shareDoneWhenLeading.add(follower.isDone() && asyncPut.isDone());
            led.complete(null);
            return 0;
        });
        assertThat(shareDoneWhenLeading).containsExactly(true);
        assertThat(leader.isDone()).as("the ending leader completes its own half").isFalse();
    }

    @Test
    void whenManyWaitAtTheEndOfAGroupTheNextLeaderLeadsAtOnceAndTheAcknowledgerTakesTheSecondHalf() {
        Ticket leader = arrive();
        waiters.remove(leader);
        List<Ticket> queued = new java.util.ArrayList<>();
        for (int i = 0; i < GroupCommit.PIPELINE_MIN; i++) {
            queued.add(arrive()); // they came back during the fsync: the token is held
        }
        List<CompletableFuture<Void>> group = new java.util.ArrayList<>();
        group.add(leader);
        for (int i = 1; i < 30; i++) {
            group.add(new CompletableFuture<>());
        }
        assertThat(commit.handOff(waiters, waiters.size(), group.size(), FSYNC, 0, group, group.size()))
                .isSameAs(queued.get(0));
        assertThat(commit.pipelined()).isTrue();
        assertThat(commit.holderCompletes()).isEqualTo(15);
        assertThat(commit.acknowledgerFrom()).as("the second half is the acknowledger's").isEqualTo(15);
        assertThat(commit.gatherFor(queued.get(0), waiters.size(), false, 1)).as("no wait for the group").isZero();
        List<Boolean> anyOfTheGroupDoneWhenLeading = new java.util.ArrayList<>();
        GroupCommit.await(queued.get(0), led -> {
            anyOfTheGroupDoneWhenLeading.add(group.stream().anyMatch(CompletableFuture::isDone));
            led.complete(null);
            return 0;
        });
        assertThat(anyOfTheGroupDoneWhenLeading).as("the next leader inherits no share").containsExactly(false);
    }

    @Test
    void aHandOffDoesNotPipelineWithFewerWaitersThanTheMinimumOrAQuarterOfTheGroup() {
        Ticket leader = arrive();
        waiters.remove(leader);
        for (int i = 0; i < GroupCommit.PIPELINE_MIN - 1; i++) {
            arrive();
        }
        commit.handOff(waiters, waiters.size(), 2, FSYNC, 0, List.of(), 0);
        assertThat(commit.pipelined()).as("one fewer than the minimum").isFalse();
        assertThat(commit.gatherFor((Ticket) waiters.peekFirst(), waiters.size(), false, 1)).isPositive();
        commit.gatherFor((Ticket) waiters.peekFirst(), waiters.size(), true, 1); // urgent: ends that wait
        arrive();
        int many = waiters.size() * GroupCommit.PIPELINE_FRACTION + 1;
        commit.handOff(waiters, waiters.size(), many, FSYNC, 0, List.of(), 0);
        assertThat(commit.pipelined()).as("%d waiting after a group of %d", waiters.size(), many).isFalse();
        commit.gatherFor((Ticket) waiters.peekFirst(), waiters.size(), true, 1);
        commit.handOff(waiters, waiters.size(), many - 1, FSYNC, 0, List.of(), 0);
        assertThat(commit.pipelined()).as("a quarter of the group waits").isTrue();
    }

    @Test
    void aGroupBackInTheFirstHalfOfTheCycleMakesTheHandOffGatherInsteadOfPipelining() {
        assertThat(pipelinesWhenTheGroupIsBackAt(1_100)).as("back 100 ns into a cycle of 1,000").isFalse();
        assertThat(pipelinesWhenTheGroupIsBackAt(1_900)).as("back 900 ns into it").isTrue();
        assertThat(pipelinesWhenTheGroupIsBackAt(-1)).as("never all back").isTrue();
    }

    /**
     * A cycle from 1,000 to 2,000 on a test clock after a group of 10; 10 tickets wait at its end, all of them back at
     * {@code backAt} (or 9 of them when negative).
     */
    private static boolean pipelinesWhenTheGroupIsBackAt(long backAt) {
        long[] now = {0};
        GroupCommit c = new GroupCommit(MAX, () -> now[0]);
        ArrayDeque<CompletableFuture<Void>> queue = new ArrayDeque<>();
        c.arrived(new Ticket(), 1); // leads; its group of 10 is taken and completed
        assertThat(c.handOff(queue, 0, 10, FSYNC, 1_000, List.of(), 0)).isNull();
        c.arrived(new Ticket(), 1); // the next leader, whose cycle runs from 1,000 to 2,000
        now[0] = backAt < 0 ? 1_500 : backAt;
        for (int i = 0; i < 10; i++) {
            Ticket t = new Ticket();
            queue.add(t);
            if (backAt < 0 && i == 9) {
                break;
            }
            c.arrived(t, queue.size());
        }
        c.handOff(queue, queue.size(), 10, FSYNC, 2_000, List.of(), 0);
        return c.pipelined();
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
}
