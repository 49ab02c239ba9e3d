package io.ferrumdb.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.bench.Harness.Load;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ClosedLoopTest {
    /** Counts puts and remembers which threads made them. */
    private static final class CountingStore implements Store {
        final AtomicLong puts = new AtomicLong();
        final Set<Thread> threads = ConcurrentHashMap.newKeySet();
        volatile RuntimeException failWith;

        @Override
        public byte[] get(byte[] key) {
            return null;
        }

        @Override
        public void put(byte[] key, byte[] value) {
            if (failWith != null) {
                throw failWith;
            }
            threads.add(Thread.currentThread());
            puts.incrementAndGet();
            Thread.yield();
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    @Test
    void everyRoundCountsItsOwnPutsOnTheSameThreads() throws Exception {
        CountingStore store = new CountingStore();
        try (ClosedLoop loop = new ClosedLoop(store, 4, Data.valuePool(10))) {
            Load first = loop.round(0.05);
            long afterFirst = store.puts.get();
            Load second = loop.round(0.05);
            assertThat(first.threadOps()).isEqualTo(afterFirst);
            assertThat(second.threadOps()).isEqualTo(store.puts.get() - afterFirst);
            // Each writer's last put ends at or after the deadline, outside the window; so do the ramp's puts.
            assertThat(first.ops()).isPositive().isLessThanOrEqualTo(first.threadOps() - 4);
            assertThat(second.ops()).isPositive().isLessThanOrEqualTo(second.threadOps() - 4);
            assertThat(first.seconds()).isEqualTo(0.05);
            assertThat(first.threadSeconds()).isGreaterThan(first.seconds()); // the ramp and the drain
            assertThat(store.threads).hasSize(4); // the same four threads in both rounds
            assertThat(second.latenciesNs()).hasSize((int) Math.min(second.ops(), 4L << 16));
        }
        assertThat(store.threads).allMatch(t -> !t.isAlive());
    }

    @Test
    void aFailedPutFailsTheRoundAndTheLoopStillCloses() throws Exception {
        CountingStore store = new CountingStore();
        store.failWith = new IllegalStateException("disk gone");
        ClosedLoop loop = new ClosedLoop(store, 3, Data.valuePool(10));
        assertThatThrownBy(() -> loop.round(0.02)).isInstanceOf(BenchException.class).hasRootCauseMessage("disk gone");
        loop.close();
    }
}
