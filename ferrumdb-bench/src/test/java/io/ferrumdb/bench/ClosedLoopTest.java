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
    /** Counts puts and remembers which threads made them, in all and since {@link #roundStarts}. */
    private static final class CountingStore implements Store {
        final AtomicLong puts = new AtomicLong();
        final Set<Thread> threads = ConcurrentHashMap.newKeySet();
        final Set<Thread> threadsThisRound = ConcurrentHashMap.newKeySet();
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
            threadsThisRound.add(Thread.currentThread());
            puts.incrementAndGet();
            Thread.yield();
        }

        /** Between rounds: forgets which threads put in the last one. */
        void roundStarts() {
            threadsThisRound.clear();
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    /**
     * Why the windows are 0.2 s and the bound counts the writers that put: on a machine with ten times more runnable
     * threads than CPUs (CI's, once), a writer can wake after a 50 ms window's deadline and put nothing in the round,
     * and all of them can miss a short window; the rule under test is that a writer's last put (which ends at or
     * after the deadline) is never counted, so the window holds at most the round's puts less one per writer that
     * put at all.
     */
    @Test
    void everyRoundCountsItsOwnPutsOnTheSameThreads() throws Exception {
        CountingStore store = new CountingStore();
        try (ClosedLoop loop = new ClosedLoop(store, 4, Data.valuePool(10))) {
            Load first = loop.round(0.2);
            int firstWriters = store.threadsThisRound.size();
            long afterFirst = store.puts.get();
            store.roundStarts();
            Load second = loop.round(0.2);
            int secondWriters = store.threadsThisRound.size();
            assertThat(first.threadOps()).isEqualTo(afterFirst);
            assertThat(second.threadOps()).isEqualTo(store.puts.get() - afterFirst);
            assertThat(first.ops()).isNotNegative().isLessThanOrEqualTo(first.threadOps() - firstWriters);
            assertThat(second.ops()).isNotNegative().isLessThanOrEqualTo(second.threadOps() - secondWriters);
            assertThat(first.ops() + second.ops()).isPositive();
            assertThat(first.seconds()).isEqualTo(0.2);
            assertThat(first.threadSeconds()).isGreaterThan(first.seconds()); // the ramp and the drain
            assertThat(store.threads).hasSizeLessThanOrEqualTo(4); // the same writers in both rounds, none new
            // Each writer keeps its last 2^16 latencies: all of them if no writer counted more, and at least the
            // busiest writer's (which counted a quarter of the window's puts or more) if one did.
            assertThat((long) second.latenciesNs().length).isLessThanOrEqualTo(Math.min(second.ops(), 4L << 16))
                    .isGreaterThanOrEqualTo(Math.min(second.ops() / 4, 1L << 16));
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
