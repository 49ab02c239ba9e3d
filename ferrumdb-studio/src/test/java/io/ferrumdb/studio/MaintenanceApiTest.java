package io.ferrumdb.studio;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.HeldCreation;
import io.ferrumdb.Options;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaintenanceApiTest {
    @TempDir
    Path dir;

    private static void overwrite(FerrumDB db, int keys, int rounds) {
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < keys; k++) {
                db.putAsync(("key" + k).getBytes(UTF_8), ("value " + r + " " + "x".repeat(200)).getBytes(UTF_8));
            }
        }
        db.sync();
    }

    private static JsonNode awaitCompaction(TestClient client) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            JsonNode job = client.get("/api/compact").json();
            if (!job.get("state").asText().equals("running")) {
                return job;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("compaction still running after 120 s");
    }

    @Test
    void compactionRunsInTheBackgroundAndReportsWhatItReclaimed() throws Exception {
        HeldCreation hold = HeldCreation.compactionOutput();
        Options options = hold.on(Options.builder().segmentSize(64 << 10).autoCompaction(false).build());
        try (Studio studio = Studio.start(StudioConfig.builder(dir).port(0).options(options).build())) {
            TestClient client = new TestClient(studio);
            FerrumDB db = studio.database();
            overwrite(db, 200, 5);
            long before = db.stats().totalBytes();
            assertThat(client.get("/api/compact").json().get("state").asText()).isEqualTo("idle");

            TestClient.Response start = client.send("POST", "/api/compact",
                    java.util.Map.of("X-FerrumDB-Token", client.token()), null);
            assertThat(start.status()).isEqualTo(202);
            assertThat(start.json().get("totalBytesBefore").asLong()).isEqualTo(before);
            // Held at its first output until released (a rate limit kept it running for about a second, which a
            // loaded machine could spend before the second request arrived).
            hold.awaitHeld();
            JsonNode second = client.send("POST", "/api/compact",
                    java.util.Map.of("X-FerrumDB-Token", client.token()), null).json();
            assertThat(second.get("error").asText()).contains("already running");
            JsonNode running = client.get("/api/compact").json();
            assertThat(running.get("state").asText()).isEqualTo("running");
            // The engine's progress, reported as the work began: bytes done of planned.
            assertThat(running.has("bytesPlanned")).as("the held job shows its progress: %s", running).isTrue();
            assertThat(running.get("bytesDone").asLong()).isBetween(0L, running.get("bytesPlanned").asLong());
            hold.release();
            // Then, until it is done, never decreasing.
            long lastDone = running.get("bytesDone").asLong();
            for (JsonNode job = client.get("/api/compact").json(); job.get("state").asText().equals("running");
                 job = client.get("/api/compact").json()) {
                long doneBytes = job.get("bytesDone").asLong();
                assertThat(doneBytes).isGreaterThanOrEqualTo(lastDone)
                        .isLessThanOrEqualTo(job.get("bytesPlanned").asLong());
                lastDone = doneBytes;
            }

            JsonNode done = awaitCompaction(client);
            assertThat(done.get("state").asText()).isEqualTo("done");
            // The finished job keeps its last report, complete, for the page's bar to end full.
            assertThat(done.get("bytesPlanned").asLong()).isPositive().isEqualTo(done.get("bytesDone").asLong());
            assertThat(done.get("segmentsCompacted").asInt()).isPositive();
            assertThat(done.get("bytesReclaimed").asLong()).isPositive();
            assertThat(done.get("totalBytesAfter").asLong()).isLessThan(before);
            assertThat(db.stats().compactions()).isEqualTo(1);
            for (int k = 0; k < 200; k++) {
                assertThat(new String(db.get(("key" + k).getBytes(UTF_8)), UTF_8)).startsWith("value 4 ");
            }
            JsonNode metrics = client.get("/api/metrics").json();
            assertThat(metrics.get("totals").get("compactions").asLong()).isEqualTo(1);
            assertThat(metrics.get("totals").get("reclaimedBytes").asLong())
                    .isEqualTo(done.get("bytesReclaimed").asLong());
        }
    }

    @Test
    void backupWritesAnOpenableCopyAndRefusesBadTargets() throws Exception {
        Path target = dir.resolve("backup");
        long keys;
        try (Studio studio = Studio.start(StudioConfig.builder(dir.resolve("db")).port(0).build())) {
            TestClient client = new TestClient(studio);
            overwrite(studio.database(), 50, 2);
            keys = studio.database().size();
            assertThat(client.get("/api/backup").json().get("state").asText()).isEqualTo("idle");
            TestClient.Response r = client.send("POST", "/api/backup", java.util.Map.of("X-FerrumDB-Token",
                    client.token()), "{\"target\":\"" + target + "\"}");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().get("target").asText()).isEqualTo(target.toString());
            // The page polls this while its POST runs; once it answered, the backup's progress is complete.
            JsonNode backupJob = client.get("/api/backup").json();
            assertThat(backupJob.get("state").asText()).isEqualTo("done");
            assertThat(backupJob.get("target").asText()).isEqualTo(target.toString());
            assertThat(backupJob.get("bytesPlanned").asLong()).isPositive()
                    .isEqualTo(backupJob.get("bytesDone").asLong());

            String[][] bad = {
                {"{}", "give the backup directory"},
                {"{\"target\":\"relative/dir\"}", "absolute path"},
                {"{\"target\":\"" + target + "\"}", "is not empty"},
                {"{\"target\":\"" + dir.resolve("db").resolve("inside") + "\"}", "outside the database"},
            };
            for (String[] c : bad) {
                TestClient.Response refused = client.send("POST", "/api/backup",
                        java.util.Map.of("X-FerrumDB-Token", client.token()), c[0]);
                assertThat(refused.status()).as(c[0]).isEqualTo(400);
                assertThat(refused.json().get("error").asText()).as(c[0]).contains(c[1]);
            }
            assertThat(Files.exists(Path.of("relative"))).isFalse();
        }
        try (FerrumDB copy = FerrumDB.open(target)) {
            assertThat(copy.size()).isEqualTo(keys);
            assertThat(new String(copy.get("key7".getBytes(UTF_8)), UTF_8)).startsWith("value 1 ");
        }
    }

    /** Before: "internal error: java.io.UncheckedIOException: java.nio.file.FileSystemException: ...". */
    @Test
    void aBackupTheEngineCannotWriteIsReportedInWordsWithoutJavaClassNames() throws Exception {
        // A name longer than any file system allows passes Studio's checks and fails in the engine's backup.
        Path target = dir.resolve("x".repeat(300));
        try (Studio studio = Studio.start(StudioConfig.builder(dir.resolve("db")).port(0).build())) {
            TestClient client = new TestClient(studio);
            TestClient.Response r = client.send("POST", "/api/backup", java.util.Map.of("X-FerrumDB-Token",
                    client.token()), "{\"target\":\"" + target + "\"}");
            assertThat(r.status()).isEqualTo(500);
            String error = r.json().get("error").asText();
            assertThat(error).contains("File name too long: " + target).doesNotContain("java.", "Exception");
            JsonNode backupJob = client.get("/api/backup").json();
            assertThat(backupJob.get("state").asText()).isEqualTo("failed");
            assertThat(backupJob.get("error").asText()).contains("File name too long: " + target);
        }
    }
}
