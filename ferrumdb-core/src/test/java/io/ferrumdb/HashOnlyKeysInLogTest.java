package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.SegmentLayout.Rec;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.keydir.CollidingKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A hash-only plaintext database keeps no key bytes in memory: every key compare is made against the record a slot
 * points at. With {@code keyHashBits(0)} the headers keep only the 28-bit tag, so three keys of one tag share a
 * header and every lookup, put, delete, load, purge and compaction must compare records to tell them apart: a
 * forced collision. A wrong compare shows up as another key's value, a second entry for one key (size), or a
 * key lost. Encrypted databases keep their keys in the arena; they run the same sequence.
 */
class HashOnlyKeysInLogTest {
    private static byte[] first;
    private static byte[] second;
    private static byte[] absent;

    @TempDir
    Path dir;

    @BeforeAll
    static void findCollidingKeys() {
        byte[][] keys = CollidingKeys.three();
        first = keys[0];
        second = keys[1];
        absent = keys[2];
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Options.Builder colliding(boolean encrypted) {
        return (encrypted ? EncryptedOptions.builder() : Options.builder()).segmentSize(4096).autoCompaction(false)
                .orderedKeys(false).keyHashBits(0);
    }

    private static void expect(FerrumDB db, String firstValue, String secondValue) {
        assertThat(db.get(first)).isEqualTo(firstValue == null ? null : bytes(firstValue));
        assertThat(db.get(second)).isEqualTo(secondValue == null ? null : bytes(secondValue));
        assertThat(db.get(absent)).isNull();
        assertThat(db.contains(first)).isEqualTo(firstValue != null);
        assertThat(db.contains(second)).isEqualTo(secondValue != null);
        assertThat(db.contains(absent)).isFalse();
        Set<String> keys = db.keys().map(k -> new String(k, StandardCharsets.UTF_8)).filter(k -> k.startsWith("collide"))
                .collect(Collectors.toSet());
        Set<String> expected = new java.util.HashSet<>();
        if (firstValue != null) {
            expected.add(new String(first, StandardCharsets.UTF_8));
        }
        if (secondValue != null) {
            expected.add(new String(second, StandardCharsets.UTF_8));
        }
        assertThat(keys).as("keys read back from their records").isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void keysSharingAHeaderStayApartThroughPutsDeletesReopensAndCompaction(boolean encrypted) {
        Options options = colliding(encrypted).build();
        byte[] filler = new byte[300];
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            db.put(first, bytes("1a"));
            db.put(second, bytes("2a"));
            // Overwrites find their own slot by comparing the records (in the writer's chunks), not the first match.
            db.put(second, bytes("2b"));
            db.put(first, bytes("1b"));
            expect(db, "1b", "2b");
            assertThat(db.size()).isEqualTo(2);
            assertThat(db.delete(absent)).isFalse();
            assertThat(db.delete(second)).isTrue();
            expect(db, "1b", null);
            db.put(second, bytes("2c"));
            for (int i = 0; i < 40; i++) {
                db.put(bytes("filler" + i), filler);
            }
            // Both records now in sealed, mapped segments.
            db.put(first, bytes("1c"));
            expect(db, "1c", "2c");
            assertThat(db.size()).isEqualTo(42);
        }
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            // Loaded from hints, where several records of each key compete.
            expect(db, "1c", "2c");
            assertThat(db.size()).isEqualTo(42);
            for (int i = 0; i < 40; i++) {
                db.put(bytes("filler" + i), filler);
            }
            db.compact();
            expect(db, "1c", "2c");
            db.put(second, bytes("2d"));
            assertThat(db.delete(first)).isTrue();
            expect(db, null, "2d");
            assertThat(db.size()).isEqualTo(41);
        }
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            expect(db, null, "2d");
            assertThat(db.size()).isEqualTo(41);
        }
    }

    @Test
    void theExpiryPurgeRemovesOnlyTheExpiredAmongKeysSharingAHeader() {
        MutableClock clock = new MutableClock(1_000_000);
        Options options = colliding(false).clock(clock).build();
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            db.put(first, bytes("short"), Duration.ofSeconds(1));
            db.put(second, bytes("forever"));
            db.put(absent, bytes("long"), Duration.ofSeconds(100));
            clock.advance(Duration.ofSeconds(2));
            assertThat(db.size()).as("after the purge").isEqualTo(2);
            assertThat(db.get(first)).isNull();
            assertThat(db.get(second)).isEqualTo(bytes("forever"));
            assertThat(db.get(absent)).isEqualTo(bytes("long"));
        }
        clock.advance(Duration.ofSeconds(200));
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            assertThat(db.size()).isEqualTo(1);
            assertThat(db.get(second)).isEqualTo(bytes("forever"));
            assertThat(db.get(absent)).isNull();
            assertThat(db.get(first)).isNull();
        }
    }

    /**
     * A damaged record of one of the keys sharing a header: the other key still reads its value (its own record
     * is found after the damaged one), the damaged key's read reports the damage, and so does a lookup that finds
     * no record of its key (the damaged one may have been it). A put over the damage replaces that entry.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aDamagedRecordIsReportedAndDoesNotHideTheOtherKeys(boolean flipInKey) {
        Options options = colliding(false).build();
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            db.put(first, bytes("value of the first"));
            db.put(second, bytes("value of the second"));
        }
        List<Rec> records = SegmentLayout.records(dir);
        Rec firstRec = records.stream().filter(r -> Arrays.equals(r.key(), first)).findFirst().orElseThrow();
        long at = firstRec.offset() + RecordFormat.HEADER_SIZE + (flipInKey ? 2 : first.length + 3);
        SegmentLayout.flipBit(firstRec.file(), at, 1);
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            assertThat(db.get(second)).isEqualTo(bytes("value of the second"));
            assertThatThrownBy(() -> db.get(first)).isInstanceOf(CorruptionException.class)
                    .hasMessageContaining(String.valueOf(firstRec.offset()));
            assertThatThrownBy(() -> db.get(absent)).isInstanceOf(CorruptionException.class);
            db.put(first, bytes("first again"));
            assertThat(db.get(first)).isEqualTo(bytes("first again"));
            assertThat(db.get(second)).isEqualTo(bytes("value of the second"));
            assertThat(db.get(absent)).isNull();
            assertThat(db.size()).isEqualTo(2);
        }
    }

    /**
     * Writes records of the three keys sharing a header into several sealed segments: puts, then deletes of two of
     * them, then new puts of two, with fillers between so that each group lands in segments of its own.
     */
    private void putsDeletesAndPutsAcrossSegments(Options options) {
        byte[] filler = new byte[300];
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            db.put(first, bytes("1a"));
            db.put(second, bytes("2a"));
            db.put(absent, bytes("3a"));
            for (int i = 0; i < 20; i++) {
                db.put(bytes("filler" + i), filler);
            }
            assertThat(db.delete(second)).isTrue();
            assertThat(db.delete(absent)).isTrue();
            for (int i = 0; i < 20; i++) {
                db.put(bytes("filler" + i), filler);
            }
            db.put(absent, bytes("3b"));
            db.put(first, bytes("1b"));
            for (int i = 0; i < 20; i++) {
                db.put(bytes("filler" + i), filler);
            }
        }
    }

    private void expectAfterPutsDeletesAndPuts(FerrumDB db) {
        assertThat(db.get(first)).isEqualTo(bytes("1b"));
        assertThat(db.get(second)).isNull();
        assertThat(db.get(absent)).isEqualTo(bytes("3b"));
        assertThat(db.contains(second)).isFalse();
        assertThat(db.size()).as("one entry per live key, none for the deleted one").isEqualTo(22);
    }

    /**
     * Loading hash-only keys compares a record whose header matches a slot's with the record that slot names: with
     * tombstones (which name their delete records) and keys sharing one header spread over several segments, and
     * after a compaction whose outputs hold older records under higher ids, every open finds each key's newest
     * record, the deleted key absent, and one entry per key.
     */
    @Test
    void loadingTellsKeysSharingAHeaderApartAcrossSegmentsWithTombstones() {
        Options options = colliding(false).build();
        putsDeletesAndPutsAcrossSegments(options);
        assertThat(SegmentLayout.segments(dir).size()).as("the records spread over segments").isGreaterThan(3);
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            expectAfterPutsDeletesAndPuts(db);
            db.compact();
            expectAfterPutsDeletesAndPuts(db);
        }
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            expectAfterPutsDeletesAndPuts(db);
            db.put(second, bytes("2b"));
            assertThat(db.delete(first)).isTrue();
        }
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            assertThat(db.get(first)).isNull();
            assertThat(db.get(second)).isEqualTo(bytes("2b"));
            assertThat(db.get(absent)).isEqualTo(bytes("3b"));
            assertThat(db.size()).isEqualTo(22);
        }
    }

    /**
     * A damaged record met while loading (its key bytes flipped), among records of keys sharing its header in one
     * hint, loaded in hash order: each of the three keys damaged in turn, so that keys loaded after the damaged one
     * compare with it. Its hint entry says whose record it is, so loading stays exact: no key is lost or shadowed,
     * no second entry is made, the damaged key's read reports the damage and the other keys read their values.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void aDamagedRecordMetWhileLoadingIsTakenForItsOwnKeyOnly(int damagedKey) {
        Options options = colliding(false).build();
        byte[][] keys = {first, second, absent};
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            for (int i = 0; i < 3; i++) {
                db.put(keys[i], bytes("value " + i));
            }
            for (int i = 0; i < 20; i++) {
                db.put(bytes("filler" + i), new byte[300]);
            }
        }
        Rec damaged = SegmentLayout.records(dir).stream().filter(r -> Arrays.equals(r.key(), keys[damagedKey]))
                .findFirst().orElseThrow();
        SegmentLayout.flipBit(damaged.file(), damaged.offset() + RecordFormat.HEADER_SIZE + 2, 1);
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            assertThat(db.size()).as("one entry per key").isEqualTo(23);
            for (int i = 0; i < 3; i++) {
                if (i == damagedKey) {
                    assertThatThrownBy(() -> db.get(keys[damagedKey])).isInstanceOf(CorruptionException.class)
                            .hasMessageContaining(String.valueOf(damaged.offset()));
                } else {
                    assertThat(db.get(keys[i])).as("key %d", i).isEqualTo(bytes("value " + i));
                }
            }
        }
    }

    /**
     * Writers updating keys (three of them sharing a header) while readers read them and compactions move their
     * records: each compare reads a record that compaction may retire, and a put's compare takes the writer's
     * lock under which it already runs. Every value read must be one written for that key; nothing deadlocks.
     */
    @Test
    void keysSharingAHeaderStayApartUnderConcurrentWritesReadsAndCompactions() throws Exception {
        Options options = colliding(false).build();
        List<byte[]> keys = new java.util.ArrayList<>(List.of(first, second, absent));
        for (int i = 0; i < 30; i++) {
            keys.add(bytes("other-" + i));
        }
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(5);
            try {
                List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
                for (int w = 0; w < 2; w++) {
                    int writer = w;
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < 1_500; i++) {
                            byte[] key = keys.get((i * 7 + writer) % keys.size());
                            if (i % 10 == 9) {
                                db.delete(key);
                            } else {
                                db.put(key, valueOf(key, writer, i));
                            }
                        }
                        return null;
                    }));
                }
                for (int r = 0; r < 2; r++) {
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < 3_000; i++) {
                            byte[] key = keys.get(i % keys.size());
                            byte[] v = db.get(key);
                            if (v != null) {
                                assertThat(new String(v, StandardCharsets.UTF_8))
                                        .startsWith(new String(key, StandardCharsets.UTF_8) + "/");
                            }
                        }
                        return null;
                    }));
                }
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 10; i++) {
                        db.compact();
                    }
                    return null;
                }));
                for (java.util.concurrent.Future<?> f : done) {
                    f.get(5, java.util.concurrent.TimeUnit.MINUTES);
                }
            } finally {
                pool.shutdownNow();
            }
            java.util.Map<String, Integer> live = new java.util.HashMap<>();
            for (byte[] key : keys) {
                byte[] v = db.get(key);
                if (v != null) {
                    live.put(new String(key, StandardCharsets.UTF_8), 1);
                    assertThat(new String(v, StandardCharsets.UTF_8))
                            .startsWith(new String(key, StandardCharsets.UTF_8) + "/");
                }
            }
            assertThat(db.size()).as("one entry per live key").isEqualTo(live.size());
        }
    }

    private static byte[] valueOf(byte[] key, int writer, int i) {
        return bytes(new String(key, StandardCharsets.UTF_8) + "/" + writer + "/" + i + "/" + "x".repeat(200));
    }
}
