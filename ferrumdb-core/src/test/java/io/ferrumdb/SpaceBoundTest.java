package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Background compaction bounds the whole database's space amplification under steady overwrites, and one-shot
 * sessions (open, one put, close, as a script calling {@code ./ferrumdb put} does) do not leave a segment each.
 * Both through the public API only.
 */
class SpaceBoundTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void steadyOverwritesStayUnderTheBound() throws Exception {
        // Default 64 MiB segments: the whole load (about 2.6 MB) fits in the active segment, so the bound can only
        // be reached by the rule that seals an active segment whose dead records keep the database over it.
        Options o = Options.builder().fsyncPolicy(FsyncPolicy.never()).compactionInterval(Duration.ofMillis(50))
                .build();
        try (FerrumDB db = FerrumDB.open(dir, o)) {
            for (int round = 0; round < 11; round++) {
                for (int i = 0; i < 2000; i++) {
                    db.put(b("key" + i), b("value-" + round + "-" + "x".repeat(80)));
                }
            }
            db.sync();
            // Waits for a condition, bounded generously; asserts no rate or duration.
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            Stats s = db.stats();
            // Stats are read field by field while a compaction may be finishing: the segments can already be
            // swapped (space down) before its counters are added, so the wait covers both.
            while ((s.spaceAmplification() > 1.5 || s.compactions() == 0 || s.compactionBytesPerSecond() == 0)
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
                s = db.stats();
            }
            assertThat(s.spaceAmplification()).as("space amplification after the load: %s", s).isLessThanOrEqualTo(1.5);
            assertThat(s.compactions()).isPositive();
            assertThat(s.reclaimedBytes()).as("dead records written by the load were reclaimed").isPositive();
            assertThat(s.compactionBytesRead()).isPositive();
            assertThat(s.compactionBytesPerSecond()).isPositive();
            assertThat(db.lastCompactionFailure()).isEmpty();
            for (int i = 0; i < 2000; i++) {
                assertThat(db.get(b("key" + i))).isEqualTo(b("value-10-" + "x".repeat(80)));
            }
        }
        try (FerrumDB db = FerrumDB.open(dir, o)) {
            assertThat(db.size()).isEqualTo(2000);
            assertThat(db.get(b("key1999"))).isEqualTo(b("value-10-" + "x".repeat(80)));
        }
    }

    @Test
    void pendingCompactionBytesShowWorkTheBackgroundPolicyWouldDo() {
        Options o = Options.builder().fsyncPolicy(FsyncPolicy.never()).segmentSize(64 << 10).autoCompaction(false)
                .build();
        try (FerrumDB db = FerrumDB.open(dir, o)) {
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < 500; i++) {
                    db.put(b("key" + i), b("v" + round + "x".repeat(100)));
                }
            }
            db.sync(); // the flusher has sealed every rolled segment once sync returns
            Stats s = db.stats();
            assertThat(s.pendingCompactionBytes()).isPositive().isLessThanOrEqualTo(s.totalBytes());
            db.compact();
            assertThat(db.stats().pendingCompactionBytes()).isZero();
            assertThat(db.stats().compactionBytesRead()).isPositive();
        }
    }

    @Test
    void fortyOneShotSessionsLeaveAtMostFiveSegments() throws Exception {
        for (int i = 0; i < 40; i++) {
            try (FerrumDB db = FerrumDB.open(dir)) {
                db.put(b("key" + i), b("value" + i));
            }
        }
        long segments;
        try (Stream<Path> files = Files.list(dir)) {
            segments = files.filter(p -> p.getFileName().toString().endsWith(".seg")).count();
        }
        assertThat(segments).isLessThanOrEqualTo(5);
        try (FerrumDB db = FerrumDB.open(dir)) {
            assertThat(db.size()).isEqualTo(40);
            for (int i = 0; i < 40; i++) {
                assertThat(db.get(b("key" + i))).isEqualTo(b("value" + i));
            }
            assertThat(db.recoveryReport()).isEmpty();
        }
    }

    @Test
    void oneShotSessionsWithoutAutoCompactionKeepTheirSegments() throws Exception {
        Options o = Options.builder().autoCompaction(false).build();
        for (int i = 0; i < 6; i++) {
            try (FerrumDB db = FerrumDB.open(dir, o)) {
                db.put(b("key" + i), b("value" + i));
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.filter(p -> p.getFileName().toString().endsWith(".seg")).count()).isEqualTo(6);
        }
    }
}
