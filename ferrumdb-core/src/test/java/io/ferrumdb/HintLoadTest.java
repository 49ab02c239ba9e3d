package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.internal.format.Bytes;
import io.ferrumdb.internal.format.HintFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Open loading the key directory from hints walked in place: a hint is checked whole before any entry is used,
 * so a hint damaged in a way its checksum does not catch, or torn, falls back to scanning its segment without
 * leaving half of it loaded; and reopening gives back exactly what was written.
 */
class HintLoadTest {
    @TempDir
    Path tmp;

    private static Options options(boolean ordered) {
        return Options.builder().segmentSize(4096).fsyncPolicy(FsyncPolicy.never()).autoCompaction(false)
                .orderedKeys(ordered).build();
    }

    private static byte[] key(int i) {
        return ("key-" + i).getBytes(StandardCharsets.UTF_8);
    }

    /** Writes puts, overwrites and deletes over many small segments; returns the expected contents. */
    private static TreeMap<String, byte[]> populate(Path dir, long seed) {
        TreeMap<String, byte[]> model = new TreeMap<>();
        SplittableRandom rnd = new SplittableRandom(seed);
        try (FerrumDB db = FerrumDB.open(dir, options(true))) {
            for (int op = 0; op < 600; op++) {
                int i = rnd.nextInt(150);
                if (rnd.nextInt(4) == 0) {
                    db.delete(key(i));
                    model.remove("key-" + i);
                } else {
                    byte[] value = new byte[20 + rnd.nextInt(200)];
                    rnd.nextBytes(value);
                    db.put(key(i), value);
                    model.put("key-" + i, value);
                }
            }
        }
        // These tests are about loading hints: an open from the key directory image would read none.
        try {
            Files.delete(dir.resolve("KEYDIR"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return model;
    }

    /** Keys 0 to 149 hold what {@code model} says (and with ordered keys, scan in its order). */
    static void assertContents(FerrumDB db, TreeMap<String, byte[]> model) {
        for (int i = 0; i < 150; i++) {
            assertThat(db.get(key(i))).as("key-%d", i).isEqualTo(model.get("key-" + i));
        }
        assertThat(db.size()).isEqualTo(model.size());
        if (db.options().orderedKeys()) {
            List<String> scanned = new ArrayList<>();
            try (Stream<byte[]> keys = db.keys(KeyRange.all())) {
                keys.forEach(k -> scanned.add(new String(k, StandardCharsets.UTF_8)));
            }
            // The model's order is String order; keys are ASCII, so it is byte order too.
            assertThat(scanned).containsExactlyElementsOf(model.keySet());
        }
    }

    private static List<Path> hints(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".hint")).sorted().toList();
        }
    }

    @Test
    void reopeningGivesBackWhatWasWrittenHashOnlyAndOrdered() {
        Path dir = tmp.resolve("db");
        TreeMap<String, byte[]> model = populate(dir, 1);
        for (boolean ordered : new boolean[] {true, false, true}) {
            try (FerrumDB db = FerrumDB.open(dir, options(ordered))) {
                assertThat(db.recoveryReport()).isEmpty();
                assertContents(db, model);
            }
        }
        // Compaction rewrites records into outputs with higher ids: the reopened directory still agrees.
        try (FerrumDB db = FerrumDB.open(dir, options(true))) {
            db.compact();
            db.put(key(1), new byte[] {1});
            model.put("key-1", new byte[] {1});
            db.delete(key(2));
            model.remove("key-2");
        }
        try (FerrumDB db = FerrumDB.open(dir, options(true))) {
            assertContents(db, model);
        }
    }

    @Test
    void aHintEntryInconsistentUnderAValidChecksumFallsBackToAScanOfTheWholeSegment() throws IOException {
        Path dir = tmp.resolve("db");
        TreeMap<String, byte[]> model = populate(dir, 2);
        Path hint = hints(dir).get(1);
        byte[] b = Files.readAllBytes(hint);
        int count = Bytes.i32(b, 12);
        assertThat(count).isGreaterThan(1);
        // Damage the last entry (an impossible type) and fix the checksum: only the entry check can notice, after
        // the earlier entries were read. None of them may have been loaded from the hint.
        int p = HintFile.HEADER_SIZE;
        for (int i = 0; i < count - 1; i++) {
            p += HintFile.ENTRY_FIXED_SIZE + Bytes.u16(b, p + 2);
        }
        b[p] = 7;
        Bytes.putI32(b, b.length - 4, Bytes.crc32c(b, 0, b.length - 4));
        Files.write(hint, b);
        try (FerrumDB db = FerrumDB.open(dir, options(true))) {
            assertThat(db.recoveryReport()).extracting(DroppedRange::kind)
                    .containsExactly(DroppedRange.Kind.DAMAGED_HINT);
            assertThat(db.recoveryReport().get(0).reason()).contains("inconsistent");
            assertContents(db, model);
        }
        // The hint was rewritten from the segment: the next open trusts it again.
        try (FerrumDB db = FerrumDB.open(dir, options(false))) {
            assertThat(db.recoveryReport()).isEmpty();
            assertContents(db, model);
        }
    }

    /**
     * Hints are read on a second thread one segment ahead: a hint that cannot be read at all (here a directory
     * where the file should be) fails the open with the reader's IOException itself as the cause, not an
     * ExecutionException, and the
     * database opens again once the hint is gone (its segment is scanned and the hint rewritten).
     */
    @Test
    void aHintThatCannotBeReadFailsTheOpenWithItsIOException() throws IOException {
        Path dir = tmp.resolve("db");
        TreeMap<String, byte[]> model = populate(dir, 3);
        Path hint = hints(dir).get(1);
        Files.delete(hint);
        Files.createDirectory(hint);
        // The cause is the read's IOException (naming the hint since session 27), not an ExecutionException.
        assertThatThrownBy(() -> FerrumDB.open(dir, options(true))).isInstanceOf(FerrumException.class)
                .hasCauseInstanceOf(IOException.class).hasMessageContaining("Is a directory")
                .hasMessageContaining(hint.toString());
        Files.delete(hint);
        try (FerrumDB db = FerrumDB.open(dir, options(false))) {
            assertContents(db, model);
        }
    }

    @Test
    void aTornHintFallsBackToAScan() throws IOException {
        Path dir = tmp.resolve("db");
        TreeMap<String, byte[]> model = populate(dir, 3);
        Path hint = hints(dir).get(0);
        byte[] b = Files.readAllBytes(hint);
        Files.write(hint, java.util.Arrays.copyOf(b, b.length / 2));
        try (FerrumDB db = FerrumDB.open(dir, options(true))) {
            assertThat(db.recoveryReport()).extracting(DroppedRange::kind)
                    .containsExactly(DroppedRange.Kind.DAMAGED_HINT);
            assertContents(db, model);
        }
    }

    @Test
    void expiredEntriesStayGoneAfterReopenAndRenewedOnesStay() {
        Path dir = tmp.resolve("db");
        MutableClock clock = new MutableClock(1_000_000);
        Options opts = Options.builder().segmentSize(4096).fsyncPolicy(FsyncPolicy.never()).autoCompaction(false)
                .clock(clock).build();
        try (FerrumDB db = FerrumDB.open(dir, opts)) {
            for (int i = 0; i < 40; i++) {
                db.put(key(i), new byte[100], Duration.ofSeconds(10));
            }
            for (int i = 0; i < 40; i += 2) {
                db.put(key(i), new byte[100]);
            }
        }
        clock.advance(Duration.ofSeconds(20));
        try (FerrumDB db = FerrumDB.open(dir, opts)) {
            for (int i = 0; i < 40; i++) {
                assertThat(db.get(key(i)) != null).as("key-%d", i).isEqualTo(i % 2 == 0);
            }
            assertThat(db.size()).isEqualTo(20);
        }
    }
}
