package io.ferrumdb.studio;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
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
     * PUTs through the HTTP API and GETs on the database show up in /api/metrics: latency counts, live keys and
     * segments, counted exactly. The shown rates are not compared with a wall-clock pace (that failed on a busy
     * machine); their arithmetic is checked with a controlled clock in
     * {@link #ratesAreDifferencesOverTheLastWindowNotLifetimeAverages()}.
     */
    @Test
    void metricsShowTheLatencyKeysAndSegmentsOfADrivenLoad() {
        Options options = Options.builder().fsyncPolicy(FsyncPolicy.never()).build();
        try (Studio studio = Studio.start(StudioConfig.builder(dir).port(0).options(options).build())) {
            TestClient client = new TestClient(studio);
            long keysBefore = studio.database().size();
            for (int i = 0; i < 320; i++) {
                TestClient.Response r = client.put("/api/kv", "{\"key\":\"load:" + i + "\",\"value\":\"x\"}");
                assertThat(r.status()).isEqualTo(200);
                studio.database().get(("load:" + i).getBytes(UTF_8));
            }
            JsonNode m = client.get("/api/metrics").json();
            JsonNode put = m.get("latency").get("put");
            assertThat(put.get("count").asLong()).isGreaterThanOrEqualTo(320);
            assertThat(put.get("p50Micros").asDouble()).isPositive()
                    .isLessThanOrEqualTo(put.get("p90Micros").asDouble());
            assertThat(put.get("p99Micros").asDouble()).isLessThanOrEqualTo(put.get("maxMicros").asDouble());
            assertThat(m.get("liveKeys").asLong()).isEqualTo(keysBefore + 320).isEqualTo(studio.database().size());
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

    private static void put(FerrumDB db, String prefix, int n) {
        for (int i = 0; i < n; i++) {
            db.put((prefix + i).getBytes(UTF_8), new byte[0]);
        }
    }

}
