package io.ferrumdb.internal.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.internal.log.GroupCommit.Ticket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A completed group's writers wake one another as a tree ({@link GroupCommit#completeAndWake}): the completing
 * thread wakes one, and every writer of the group must return, whatever the group's size, with asynchronous futures
 * and the completing thread's own ticket among them, and also a writer that saw its ticket complete before it parked.
 */
@Timeout(30)
class GroupWakeTreeTest {
    @Test
    void everyWriterOfAGroupReturnsWhenOneIsWoken() throws Exception {
        for (int size : new int[] {1, 2, 3, 7, 32, 45}) {
            assertWholeGroupReturns(size);
        }
    }

    private static void assertWholeGroupReturns(int writers) throws Exception {
        BlockingQueue<Ticket> registered = new LinkedBlockingQueue<>();
        BlockingQueue<Thread> returned = new LinkedBlockingQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            Thread t = new Thread(() -> {
                Ticket ticket = new Ticket();
                registered.add(ticket);
                GroupCommit.await(ticket, leader -> {
                    throw new AssertionError("no ticket of a completed group is made the leader");
                });
                returned.add(Thread.currentThread());
            });
            t.start();
            threads.add(t);
        }
        List<CompletableFuture<Void>> group = new ArrayList<>();
        CompletableFuture<Void> async = new CompletableFuture<>();
        group.add(async);
        Ticket own = new Ticket(); // the completing thread's own, as a leader's is in the group it completes
        group.add(own);
        for (int i = 0; i < writers; i++) {
            group.add(registered.take());
        }
        GroupCommit.completeAndWake(group);
        for (int i = 0; i < writers; i++) {
            assertThat(returned.poll(10, TimeUnit.SECONDS)).as("writer %d of %d returned", i + 1, writers).isNotNull();
        }
        assertThat(group).allMatch(CompletableFuture::isDone);
        assertThat(async).isCompleted();
        for (Thread t : threads) {
            t.join();
        }
    }
}
