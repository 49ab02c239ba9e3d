package io.ferrumdb.studio;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsTest {
    @TempDir
    Path dir;

    private static final long SECOND = 1_000_000_000L;

    @Test
    @SuppressWarnings("unchecked")
    void ratesAreDifferencesOverTheLastWindowNotLifetimeAverages() {
        AtomicLong now = new AtomicLong(0);
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().fsyncPolicy(FsyncPolicy.never()).build())) {
            Metrics metrics = new Metrics(db, now::get);
            // A burst long ago: 1000 puts in the first second, then quiet.
            metrics.sample();
            put(db, "old", 1000);
            now.addAndGet(SECOND);
            metrics.sample();
            for (int s = 0; s < 10; s++) {
                now.addAndGet(SECOND);
                metrics.sample();
            }
            // Now 20 puts a second for 5 seconds, and 7 gets a second.
            for (int s = 0; s < 5; s++) {
                put(db, "new" + s, 20);
                for (int g = 0; g < 7; g++) {
                    db.get("old0".getBytes(UTF_8));
                }
                now.addAndGet(SECOND);
                metrics.sample();
            }
            Map<String, Object> snapshot = metrics.snapshot();
            Map<String, Object> rates = (Map<String, Object>) snapshot.get("rates");
            assertThat((double) rates.get("seconds")).isEqualTo(5.0);
            assertThat((double) rates.get("putsPerSecond")).isEqualTo(20.0);
            assertThat((double) rates.get("getsPerSecond")).isEqualTo(7.0);
            assertThat((double) rates.get("opsPerSecond")).isEqualTo(27.0);
            List<Map<String, Object>> history = (List<Map<String, Object>>) snapshot.get("history");
            assertThat(history).hasSize(16);
            assertThat(history.get(0).get("putsPerSecond")).isEqualTo(1000.0);
            assertThat(history.get(0).get("t")).isEqualTo(-15.0);
            assertThat(history.get(15).get("putsPerSecond")).isEqualTo(20.0);
            assertThat(history.get(15).get("t")).isEqualTo(0.0);
            assertThat(snapshot.get("liveKeys")).isEqualTo(1100L);
            // History is bounded.
            for (int s = 0; s < Metrics.HISTORY_SECONDS + 10; s++) {
                now.addAndGet(SECOND);
                metrics.sample();
            }
            assertThat((List<?>) metrics.snapshot().get("history")).hasSize(Metrics.HISTORY_SECONDS);
            assertThat((double) ((Map<String, Object>) metrics.snapshot().get("rates")).get("putsPerSecond")).isZero();
        }
    }

    @Test
    void noRateBeforeTheFirstSample() {
        try (FerrumDB db = FerrumDB.open(dir)) {
            assertThat(new Metrics(db, System::nanoTime).snapshot().get("rates")).isNull();
        }
    }

    @Test
    void latencyPercentilesUseOnlyRecentSamples() {
        LatencyRecorder r = new LatencyRecorder();
        for (int i = 0; i < LatencyRecorder.CAPACITY; i++) {
            r.record(1_000_000_000L); // one second: old and slow
        }
        for (int i = 1; i <= LatencyRecorder.CAPACITY; i++) {
            r.record(i * 1000L); // 1..2048 microseconds
        }
        Map<String, Object> s = r.snapshot();
        assertThat(s.get("count")).isEqualTo(2L * LatencyRecorder.CAPACITY);
        assertThat(s.get("window")).isEqualTo(LatencyRecorder.CAPACITY);
        assertThat(s.get("p50Micros")).isEqualTo(1024.0);
        assertThat(s.get("p90Micros")).isEqualTo(1844.0);
        assertThat(s.get("p99Micros")).isEqualTo(2028.0);
        assertThat(s.get("maxMicros")).isEqualTo(2048.0);
        assertThat(new LatencyRecorder().snapshot()).containsOnlyKeys("count", "window");
    }

    /**
     * A writer drives PUTs through the HTTP API at a fixed pace and a reader drives GETs on the database; the
     * rates /api/metrics shows must match what they achieved over the same window within 20%.
     */
    @Test
    void shownRateMatchesADrivenLoadWithin20Percent() throws Exception {
        Options options = Options.builder().fsyncPolicy(FsyncPolicy.never()).build();
        try (Studio studio = Studio.start(StudioConfig.builder(dir).port(0).options(options).build())) {
            TestClient client = new TestClient(studio);
            ConcurrentLinkedDeque<Long> putTimes = new ConcurrentLinkedDeque<>();
            ConcurrentLinkedDeque<Long> getTimes = new ConcurrentLinkedDeque<>();
            AtomicBoolean stop = new AtomicBoolean();
            Thread writer = paced("writer", 100, stop, i -> {
                TestClient.Response r = client.put("/api/kv", "{\"key\":\"load:" + i + "\",\"value\":\"x\"}");
                assertThat(r.status()).isEqualTo(200);
                putTimes.add(System.nanoTime());
            });
            Thread reader = paced("reader", 250, stop, i -> {
                studio.database().get(("load:" + i).getBytes(UTF_8));
                getTimes.add(System.nanoTime());
            });
            writer.start();
            reader.start();
            Thread.sleep(7000);
            JsonNode m = client.get("/api/metrics").json();
            long end = System.nanoTime();
            stop.set(true);
            writer.join();
            reader.join();

            JsonNode rates = m.get("rates");
            double seconds = rates.get("seconds").asDouble();
            assertThat(seconds).isBetween(4.0, 5.5);
            long from = end - (long) (seconds * SECOND);
            double drivenPuts = putTimes.stream().filter(t -> t >= from && t <= end).count() / seconds;
            double drivenGets = getTimes.stream().filter(t -> t >= from && t <= end).count() / seconds;
            assertThat(drivenPuts).as("the writer kept roughly its pace").isGreaterThan(50);
            assertThat(drivenGets).as("the reader kept roughly its pace").isGreaterThan(125);
            System.out.printf("metrics under load: PUT shown %.1f/s driven %.1f/s, GET shown %.1f/s driven %.1f/s%n",
                    rates.get("putsPerSecond").asDouble(), drivenPuts, rates.get("getsPerSecond").asDouble(), drivenGets);
            assertThat(rates.get("putsPerSecond").asDouble()).isCloseTo(drivenPuts, within(drivenPuts * 0.2));
            assertThat(rates.get("getsPerSecond").asDouble()).isCloseTo(drivenGets, within(drivenGets * 0.2));
            JsonNode last = m.get("history").get(m.get("history").size() - 1);
            assertThat(last.get("putsPerSecond").asDouble()).isCloseTo(drivenPuts, within(drivenPuts * 0.5));

            JsonNode put = m.get("latency").get("put");
            assertThat(put.get("count").asLong()).isGreaterThan(300);
            assertThat(put.get("p50Micros").asDouble()).isPositive()
                    .isLessThanOrEqualTo(put.get("p90Micros").asDouble());
            assertThat(put.get("p99Micros").asDouble()).isLessThanOrEqualTo(put.get("maxMicros").asDouble());
            assertThat(m.get("liveKeys").asLong()).isGreaterThan(300).isLessThanOrEqualTo(studio.database().size());
            assertThat(m.get("segments").size()).isPositive();
            JsonNode active = m.get("segments").get(m.get("segments").size() - 1);
            assertThat(active.get("active").asBoolean()).isTrue();
            assertThat(active.get("liveBytes").asLong()).isPositive();
        }
    }

    @Test
    void segmentsShowDeadBytesAfterOverwritesAndFsyncBatches() throws Exception {
        try (Studio studio = Studio.start(StudioConfig.builder(dir).port(0)
                // No background compaction: it would reclaim the dead segments this test looks at.
                .options(Options.builder().segmentSize(Options.MIN_SEGMENT_SIZE).autoCompaction(false).build())
                .build())) {
            FerrumDB db = studio.database();
            for (int i = 0; i < 200; i++) {
                db.put("same".getBytes(UTF_8), new byte[100]);
            }
            JsonNode m = new TestClient(studio).get("/api/metrics").json();
            assertThat(m.get("segments").size()).isGreaterThan(2);
            long dead = 0;
            long live = 0;
            for (JsonNode s : m.get("segments")) {
                dead += s.get("deadBytes").asLong();
                live += s.get("liveBytes").asLong();
                assertThat(s.get("deadBytes").asLong() + s.get("liveBytes").asLong())
                        .isEqualTo(s.get("totalBytes").asLong());
            }
            assertThat(dead).isEqualTo(m.get("deadBytes").asLong()).isPositive();
            assertThat(live).isEqualTo(m.get("liveBytes").asLong());
            assertThat(m.get("pendingCompactionBytes").asLong()).as("dead segments wait for compaction").isPositive();
            assertThat(m.get("compactionBytesPerSecond").asDouble()).as("nothing compacted yet").isZero();
            assertThat(m.get("totals").get("fsyncs").asLong()).isPositive();
            // Rolling a segment fsyncs it without new records, so the average may dip just below one.
            assertThat(m.get("totals").get("recordsPerFsync").asDouble()).isPositive();
        }
    }

    interface Step {
        void run(int i) throws Exception;
    }

    /** A thread calling step at a fixed pace (catching up when late, never bursting ahead). */
    private static Thread paced(String name, int perSecond, AtomicBoolean stop, Step step) {
        Thread t = new Thread(() -> {
            long interval = SECOND / perSecond;
            long next = System.nanoTime();
            for (int i = 0; !stop.get(); i++) {
                LockSupport.parkNanos(next - System.nanoTime());
                try {
                    step.run(i);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                next += interval;
            }
        }, name);
        t.setDaemon(true);
        return t;
    }

    private static void put(FerrumDB db, String prefix, int n) {
        for (int i = 0; i < n; i++) {
            db.put((prefix + i).getBytes(UTF_8), new byte[0]);
        }
    }

}
