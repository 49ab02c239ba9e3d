package io.ferrumdb.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class SchedStatsTest {
    @Test
    void countsTheCpuTimeOfANamedThreadAndOfTheCaller() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/thread-self/schedstat")), "Linux scheduler statistics");
        CountDownLatch spun = new CountDownLatch(1);
        CountDownLatch stop = new CountDownLatch(1);
        Thread busy = new Thread(() -> {
            long end = System.nanoTime() + 20_000_000;
            long x = 0;
            while (System.nanoTime() < end) {
                x += x * 31 + 7;
            }
            spun.countDown();
            try {
                stop.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (x == 42) {
                System.out.print("");
            }
        }, "schedstat-probe-thread");
        Map<String, long[]> before = SchedStats.threads("schedstat-probe");
        long[] self0 = SchedStats.self();
        busy.start();
        spun.await();
        Map<String, long[]> after = SchedStats.threads("schedstat-probe");
        stop.countDown();
        busy.join();
        // Linux keeps 15 characters of a thread's name; the thread did not exist before.
        assertThat(before).doesNotContainKey("schedstat-probe");
        assertThat(after).containsKey("schedstat-probe");
        assertThat(after.get("schedstat-probe")[0]).as("on-CPU ns of a thread that spun 20 ms").isGreaterThan(1_000_000L);
        assertThat(SchedStats.delta(before, after, "schedstat-probe")).isNull();
        long[] self1 = SchedStats.self();
        assertThat(self1[0]).isGreaterThanOrEqualTo(self0[0]);
        assertThat(SchedStats.threads("no-such-thread-name")).isEmpty();
    }

    @Test
    void countsTheCallersVoluntaryContextSwitches() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/thread-self/status")), "Linux task status");
        long[] before = SchedStats.switches();
        for (int i = 0; i < 5; i++) {
            Thread.sleep(2); // each sleep blocks: a voluntary switch
        }
        long[] after = SchedStats.switches();
        assertThat(after[0] - before[0]).as("voluntary switches over five sleeps").isGreaterThanOrEqualTo(5);
        assertThat(after[1]).isGreaterThanOrEqualTo(before[1]);
    }
}
