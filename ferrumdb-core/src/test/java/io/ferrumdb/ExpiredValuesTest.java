package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Findings 8 and 13 of issue 16: an expired value must never let an older value of its key come back, and a key
 * whose expired value compaction removed stays absent when the clock steps back.
 *
 * <p>Layout (segments of 4 KiB, values of 900 bytes: four records a segment): segment 1 holds K=v1 and three
 * live fillers (a quarter dead, never a compaction candidate); segment 2 holds K=v2 with a TTL and three fillers
 * that are overwritten once segment 2 is sealed (then three quarters dead: a candidate).
 */
class ExpiredValuesTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final byte[] K = bytes("K");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);

    private Options.Builder options() {
        return Options.builder().segmentSize(4096).clock(clock).fsyncPolicy(FsyncPolicy.never());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(char c) {
        byte[] v = new byte[900];
        Arrays.fill(v, (byte) c);
        return v;
    }

    private void writeLayout(FerrumDB db, byte[] key) {
        writeLayout(db, key, () -> { });
    }

    /**
     * Writes the layout above with {@code key} as K (the TTL of K=v2 is 300 ms); {@code beforeOverwrite} runs
     * once segment 2 is sealed, before its fillers are overwritten (until then it is no compaction candidate).
     */
    private void writeLayout(FerrumDB db, byte[] key, Runnable beforeOverwrite) {
        db.put(key, value('1'));
        for (int i = 1; i <= 3; i++) {
            db.put(bytes("a" + i), value('a'));
        }
        db.put(key, value('2'), Duration.ofMillis(300));
        for (int i = 1; i <= 3; i++) {
            db.put(bytes("b" + i), value('b'));
        }
        db.put(bytes("c1"), value('c'));
        beforeOverwrite.run();
        for (int i = 1; i <= 3; i++) {
            db.put(bytes("b" + i), value('B'));
        }
        db.put(bytes("d1"), value('d'));
        db.sync();
    }

    /** Waits (bounded, not timed) until the background compactor has run once. */
    private static void awaitBackgroundCompaction(FerrumDB db) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (db.stats().compactions() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(db.stats().compactions()).as("a background compaction ran").isPositive();
    }

    @Test
    void backgroundCompactionOfAnExpiredValueDoesNotBringTheOlderOneBack() throws Exception {
        Options opts = options().compactionInterval(Duration.ofMillis(200)).build();
        try (FerrumDB db = FerrumDB.open(dir, opts)) {
            writeLayout(db, K, () -> clock.advance(Duration.ofSeconds(1)));
            assertThat(db.stats().segments()).hasSizeGreaterThanOrEqualTo(4);
            awaitBackgroundCompaction(db);
            assertThat(db.lastCompactionFailure()).isEmpty();
            assertThat(db.get(K)).isNull();
        }
        try (FerrumDB db = FerrumDB.open(dir, opts.toBuilder().autoCompaction(false).build())) {
            assertThat(db.get(K)).as("after reopen").isNull();
            assertThat(db.get(bytes("a1"))).containsExactly(value('a'));
            assertThat(db.get(bytes("b1"))).containsExactly(value('B'));
        }
    }

    @Test
    void deletingAKeyWhoseValueExpiredWritesATombstone() {
        Options opts = options().autoCompaction(false).build();
        try (FerrumDB db = FerrumDB.open(dir, opts)) {
            writeLayout(db, K);
            clock.advance(Duration.ofSeconds(1));
            assertThat(db.delete(K)).as("nothing live was deleted").isFalse();
            clock.advance(Duration.ofSeconds(-1));
            assertThat(db.get(K)).as("the clock stepped back after the delete").isNull();
            db.compact();
            assertThat(db.get(K)).as("after compaction").isNull();
        }
        try (FerrumDB db = FerrumDB.open(dir, opts)) {
            assertThat(db.get(K)).as("after reopen").isNull();
        }
    }

    @Test
    void compactionAfterAPurgeKeepsATombstoneWhileAnOlderSegmentHoldsTheKey() {
        Options opts = options().autoCompaction(false).build();
        try (FerrumDB db = FerrumDB.open(dir, opts)) {
            writeLayout(db, K);
            // A key directory that already purged K (size() purges) must not let compaction forget it either.
            clock.advance(Duration.ofSeconds(1));
            assertThat(db.contains(K)).isFalse();
            assertThat(db.size()).isEqualTo(8);
        }
        // Reopen and compact only what the policy picks: segment 2 (segment 1 is mostly live).
        try (FerrumDB db = FerrumDB.open(dir, opts.toBuilder().autoCompaction(true)
                .compactionInterval(Duration.ofMillis(200)).build())) {
            awaitBackgroundCompaction(db);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        clock.advance(Duration.ofSeconds(-1));
        try (FerrumDB db = FerrumDB.open(dir, opts)) {
            assertThat(db.get(K)).as("v1 must not come back, whatever the clock says").isNull();
        }
    }

    @Test
    void aKeyWhoseExpiredValueCompactionRemovedStaysAbsentWhenTheClockStepsBack() {
        Options opts = options().autoCompaction(false).orderedKeys(true).build();
        try (FerrumDB db = FerrumDB.open(dir, opts)) {
            writeLayout(db, K);
            clock.advance(Duration.ofSeconds(1));
            db.compact();
            clock.advance(Duration.ofSeconds(-1));
            assertThat(db.get(K)).isNull();
            assertThat(db.contains(K)).isFalse();
            assertThat(db.keys(KeyRange.all()).count()).isEqualTo(8);
            assertThat(db.size()).isEqualTo(db.keys().count()).isEqualTo(8);
            try (RangeIterator it = db.iterate(KeyRange.all())) {
                int n = 0;
                while (it.hasNext()) {
                    assertThat(it.next().key()).isNotEqualTo(K);
                    n++;
                }
                assertThat(n).isEqualTo(8);
            }
        }
        try (FerrumDB db = FerrumDB.open(dir, opts)) {
            assertThat(db.get(K)).as("after reopen").isNull();
            assertThat(db.size()).isEqualTo(8);
        }
    }
}
