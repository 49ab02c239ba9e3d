package io.ferrumdb.internal.concurrent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The per-thread count alone: no increment lost across threads, ended threads' counts kept when they are folded. */
class ThreadCountTest {
    @Test
    void everyIncrementOfEveryThreadIsCountedIncludingThoseOfEndedThreads() throws Exception {
        ThreadCount count = new ThreadCount();
        count.increment();
        List<Thread> threads = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        for (int t = 0; t < 8; t++) {
            int n = 10_000 * (t + 1);
            threads.add(new Thread(() -> {
                Uninterruptibly.await(() -> {
                    go.await();
                    return true;
                });
                for (int i = 0; i < n; i++) {
                    count.increment();
                }
            }));
        }
        threads.forEach(Thread::start);
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        long expected = 1 + 10_000L * (1 + 2 + 3 + 4 + 5 + 6 + 7 + 8);
        assertThat(count.sum()).isEqualTo(expected);
        // Threads that ended are folded when another registers; the sum stays.
        Thread late = new Thread(count::increment);
        late.start();
        late.join();
        assertThat(count.sum()).isEqualTo(expected + 1);
        count.increment();
        assertThat(count.sum()).isEqualTo(expected + 2);
    }

    @Test
    void aSumWhileThreadsCountSeesNoMoreThanWasCountedAndNeverGoesBack() throws Exception {
        ThreadCount count = new ThreadCount();
        int perThread = 200_000;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            threads.add(new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    count.increment();
                }
            }));
        }
        threads.forEach(Thread::start);
        long last = 0;
        while (threads.stream().anyMatch(Thread::isAlive)) {
            long s = count.sum();
            assertThat(s).isBetween(last, 3L * perThread);
            last = s;
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(count.sum()).isEqualTo(3L * perThread);
    }
}
