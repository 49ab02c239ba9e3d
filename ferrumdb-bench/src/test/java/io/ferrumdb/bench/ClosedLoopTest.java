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
            assertThat(first.ops()).isPositive().isEqualTo(afterFirst);
            assertThat(second.ops()).isPositive().isEqualTo(store.puts.get() - afterFirst);
            assertThat(first.seconds()).isGreaterThanOrEqualTo(0.05);
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
