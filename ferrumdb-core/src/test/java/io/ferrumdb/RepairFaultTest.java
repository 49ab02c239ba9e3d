package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.internal.format.CipherSuite;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.log.RecordCheck;
import io.ferrumdb.internal.log.RecordReader;
import io.ferrumdb.internal.log.Segment;
import io.ferrumdb.internal.log.SegmentFiles;
import io.ferrumdb.internal.log.SegmentScanner;
import io.ferrumdb.internal.io.FileIO;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault campaign of issue 16 through the public API: for each damage, what open, verify and repair do, and an
 * oracle built from every record on disk before the damage: after repair the database holds, for each key, the
 * newest record that lay in an intact byte range. So no acknowledged write in an intact record is lost, and a key
 * comes back with an older value only when the record that overwrote or deleted it was itself destroyed.
 */
class RepairFaultTest {
    @TempDir
    Path root;
    Path dir;

    /** One record as it was on disk before the damage. */
    record OnDisk(String file, long offset, int size, long sequence, boolean put, String key, String value) {
    }

    private final List<OnDisk> records = new ArrayList<>();

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Options options() {
        return Options.builder().segmentSize(4096).autoCompaction(false).orderedKeys(true).build();
    }

    @BeforeEach
    void fill() throws IOException {
        dir = root.resolve("db");
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            for (int i = 0; i < 400; i++) {
                db.put(b("key-" + (i % 150)), b("value-" + i + "-" + "x".repeat(i % 40)));
                if (i % 7 == 0) {
                    db.delete(b("key-" + ((i * 3) % 150)));
                }
            }
            db.write(new WriteBatch().put(b("batch-a"), b("1")).put(b("batch-b"), b("2")));
        }
        readRecords();
    }

    private void readRecords() throws IOException {
        records.clear();
        FileIO io = FileIO.nio();
        byte[] id;
        try (FerrumDB db = FerrumDB.open(dir, options().toBuilder().readOnly(true).build())) {
            assertThat(db.recoveryReport()).isEmpty();
        }
        byte[] meta = Files.readAllBytes(dir.resolve("META"));
        id = java.util.Arrays.copyOfRange(meta, 16, 32);
        SegmentFiles files = new SegmentFiles(io, dir.toAbsolutePath().normalize(), id, CipherSuite.PLAINTEXT);
        for (int segId : files.listSegmentIds()) {
            Segment seg = files.open(segId, false);
            try {
                for (SegmentScanner.Scanned r : SegmentScanner.scan(seg.file(), seg.writtenLength(), seg.cipher(),
                        SegmentScanner.Mode.STRICT).records()) {
                    RecordCheck.Valid v = RecordReader.open(seg, r.offset(), seg.read(r.offset(), r.size()));
                    records.add(new OnDisk(seg.path().getFileName().toString(), r.offset(), r.size(), r.sequence(),
                            r.type() == RecordFormat.TYPE_PUT, new String(v.key(), StandardCharsets.UTF_8),
                            new String(v.value(), StandardCharsets.UTF_8)));
                }
            } finally {
                seg.close();
            }
        }
        assertThat(segments().size()).as("the fixture spans several segments").isGreaterThanOrEqualTo(5);
    }

    /** For each key, the value of its newest record outside the lost ranges (file name -> [from, to)). */
    private TreeMap<String, String> expectedWithout(Map<String, long[]> lost) {
        Map<String, OnDisk> newest = new HashMap<>();
        for (OnDisk r : records) {
            long[] range = lost.get(r.file());
            if (range != null && r.offset() < range[1] && r.offset() + r.size() > range[0]) {
                continue;
            }
            OnDisk seen = newest.get(r.key());
            if (seen == null || seen.sequence() < r.sequence()) {
                newest.put(r.key(), r);
            }
        }
        TreeMap<String, String> out = new TreeMap<>();
        newest.forEach((k, r) -> {
            if (r.put()) {
                out.put(k, r.value());
            }
        });
        return out;
    }

    /** Every live key and its value, as UTF-8 text (also used by {@link FileDamageMatrixTest}). */
    static TreeMap<String, String> dump(FerrumDB db) {
        TreeMap<String, String> out = new TreeMap<>();
        try (Stream<byte[]> keys = db.keys()) {
            keys.forEach(k -> out.put(new String(k, StandardCharsets.UTF_8),
                    new String(db.get(k), StandardCharsets.UTF_8)));
        }
        return out;
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
        }
    }

    private static Path hintOf(Path seg) {
        return seg.resolveSibling(seg.getFileName().toString().replace(".seg", ".hint"));
    }

    /** A sealed segment in the middle of the log. */
    private Path middleSegment() throws IOException {
        List<Path> segs = segments();
        return segs.get(segs.size() / 2);
    }

    private OnDisk recordIn(Path seg, int index) {
        return records.stream().filter(r -> r.file().equals(seg.getFileName().toString())).skip(index).findFirst()
                .orElseThrow();
    }

    private static void flip(Path file, long at) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int old = f.read();
            f.seek(at);
            f.write(old ^ 0x5A);
        }
    }

    private static void truncate(Path file, long length) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(length);
        }
    }

    /** Repairs, then checks verify, the data against the oracle, compaction, backup and a second repair. */
    private RepairReport repairAndCheck(Options repairOptions, TreeMap<String, String> expected) {
        RepairReport report = FerrumDB.repair(dir, repairOptions);
        VerifyReport after = FerrumDB.verify(dir, options());
        assertThat(after.damage()).as("verify after repair").isEmpty();
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            assertThat(dump(db)).isEqualTo(expected);
            db.compact();
            assertThat(dump(db)).isEqualTo(expected);
            db.backup(root.resolve("backup"));
        }
        try (FerrumDB copy = FerrumDB.open(root.resolve("backup"), options())) {
            assertThat(dump(copy)).isEqualTo(expected);
        }
        assertThat(FerrumDB.repair(dir, options()).wasClean()).as("a second repair finds nothing").isTrue();
        return report;
    }

    private static void assertOpenFailsNamingRepair(Path dir) {
        assertThatThrownBy(() -> FerrumDB.open(dir, options()).close()).isInstanceOf(CorruptionException.class)
                .hasMessageContaining("ferrumdb repair");
    }

    @Test
    void sealedSegmentTruncatedAtSeveralOffsetsWithAndWithoutItsHint() throws IOException {
        Path pristine = root.resolve("pristine");
        copyTree(dir, pristine);
        Path seg = middleSegment();
        long length = Files.size(seg);
        OnDisk last = records.stream().filter(r -> r.file().equals(seg.getFileName().toString()))
                .reduce((a, c) -> c).orElseThrow();
        long[] cuts = {length - 7, length - 1, last.offset(), last.offset() - 1, 64 + 3};
        for (long cut : cuts) {
            for (boolean keepHint : new boolean[] {true, false}) {
                String what = "cut at " + cut + (keepHint ? " with" : " without") + " hint";
                deleteTree(dir);
                deleteTree(root.resolve("backup"));
                copyTree(pristine, dir);
                truncate(seg, cut);
                if (!keepHint) {
                    Files.delete(hintOf(seg));
                }
                TreeMap<String, String> expected =
                        expectedWithout(Map.of(seg.getFileName().toString(), new long[] {cut, Long.MAX_VALUE}));
                if (cut == last.offset() && !keepHint) {
                    // Cut exactly between two records and without its hint, a sealed segment reads as a shorter
                    // complete one: the MANIFEST's record of its sealed length finds the cut, also without the key
                    // directory image of the last clean close (an encrypted database, or one that crashed since).
                    Path noImage = root.resolve("no-image");
                    deleteTree(noImage);
                    copyTree(dir, noImage);
                    Files.delete(noImage.resolve("KEYDIR"));
                    assertThatThrownBy(() -> FerrumDB.open(noImage, options()).close()).as(what)
                            .isInstanceOf(CorruptionException.class)
                            .hasMessageContaining("segment is " + cut + " bytes but the MANIFEST recorded " + length);
                }
                assertThatThrownBy(() -> FerrumDB.open(dir, options()).close()).as(what)
                        .isInstanceOf(CorruptionException.class).hasMessageContaining("ferrumdb repair");
                VerifyReport v = FerrumDB.verify(dir, options());
                assertThat(v.ok()).as(what).isFalse();
                RepairReport r = repairAndCheck(options(), expected);
                assertThat(r.rewritten()).as(what).containsExactly(seg.toAbsolutePath().normalize());
                assertThat(r.damagedFolder()).as(what).isPresent();
                assertThat(r.damagedFolder().orElseThrow().resolve(seg.getFileName())).as(what).exists();
                deleteTree(r.damagedFolder().orElseThrow());
            }
        }
    }

    @Test
    void hintLongerOrShorterThanItsSegmentIsRebuiltAndLosesNothing() throws IOException {
        Path seg = middleSegment();
        Path hint = hintOf(seg);
        Files.write(hint, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
        assertThat(FerrumDB.verify(dir, options()).damage()).extracting(DroppedRange::kind)
                .containsExactly(DroppedRange.Kind.DAMAGED_HINT);
        Path pristine = root.resolve("pristine");
        copyTree(dir, pristine);
        RepairReport r = repairAndCheck(options(), expectedWithout(Map.of()));
        assertThat(r.rewritten()).isEmpty();
        assertThat(r.setAside()).hasSize(1);
        deleteTree(dir);
        copyTree(pristine, dir);
        truncate(hint, Files.size(hint) - 10);
        // An open from the key directory image reads no hint (FORMAT.md, "KEYDIR"): this one loads the hints.
        Files.delete(dir.resolve("KEYDIR"));
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            assertThat(db.recoveryReport()).extracting(DroppedRange::kind)
                    .containsExactly(DroppedRange.Kind.DAMAGED_HINT);
            assertThat(dump(db)).isEqualTo(expectedWithout(Map.of()));
        }
        assertThat(FerrumDB.verify(dir, options()).ok()).isTrue();
    }

    @Test
    void flippedByteInAKeyAValueAHeaderAndAHint() throws IOException {
        Path pristine = root.resolve("pristine");
        copyTree(dir, pristine);
        Path seg = middleSegment();
        OnDisk victim = recordIn(seg, 2);
        long[] places = {victim.offset() + 28 + 1, victim.offset() + victim.size() - 1, victim.offset() + 6};
        String[] names = {"key", "value", "header"};
        for (int i = 0; i < places.length; i++) {
            deleteTree(dir);
            deleteTree(root.resolve("backup"));
            copyTree(pristine, dir);
            flip(seg, places[i]);
            try (FerrumDB db = FerrumDB.open(dir, options())) {
                // The hint is trusted at open; the damage shows when the record itself is read.
                if (victim.put() && dump(db).containsKey(victim.key()) && isNewest(victim)) {
                    assertThatThrownBy(() -> db.get(b(victim.key()))).isInstanceOf(CorruptionException.class);
                }
            } catch (CorruptionException e) {
                assertThat(e).hasMessageContaining(seg.getFileName().toString());
            }
            VerifyReport v = FerrumDB.verify(dir, options());
            assertThat(v.damage()).as(names[i]).hasSize(1);
            DroppedRange d = v.damage().get(0);
            assertThat(d.kind()).isEqualTo(DroppedRange.Kind.DAMAGED_RECORD);
            assertThat(d.offset()).as(names[i] + ": the damaged record's own offset").isEqualTo(victim.offset());
            assertThat(d.length()).as(names[i] + ": the damaged record's own length").isEqualTo(victim.size());
            RepairReport r = repairAndCheck(options(), expectedWithout(
                    Map.of(seg.getFileName().toString(), new long[] {victim.offset(), victim.offset() + 1})));
            assertThat(r.recordsKept()).isPositive();
            // The key from the segment's intact hint: the damaged record's own key bytes named a key never
            // written when the flip was in the key (session 27), and none when it was in the header.
            assertThat(r.keysAffected()).as(names[i]).extracting(k -> new String(k, StandardCharsets.UTF_8))
                    .containsExactly(victim.key());
            deleteTree(r.damagedFolder().orElseThrow());
        }
        deleteTree(dir);
        deleteTree(root.resolve("backup"));
        copyTree(pristine, dir);
        flip(hintOf(seg), 50);
        assertThat(FerrumDB.verify(dir, options()).damage()).extracting(DroppedRange::kind)
                .containsExactly(DroppedRange.Kind.DAMAGED_HINT);
        repairAndCheck(options(), expectedWithout(Map.of()));
    }

    private boolean isNewest(OnDisk victim) {
        return records.stream().noneMatch(r -> r.key().equals(victim.key()) && r.sequence() > victim.sequence());
    }

    @Test
    void twoSegmentsSwappedAreRepairedWithoutLosingARecord() throws IOException {
        List<Path> segs = segments();
        Path a = segs.get(1);
        Path c = segs.get(2);
        Path tmp = root.resolve("swap");
        Files.move(a, tmp);
        Files.move(c, a);
        Files.move(tmp, c);
        assertOpenFailsNamingRepair(dir);
        assertThat(FerrumDB.verify(dir, options()).ok()).isFalse();
        RepairReport r = repairAndCheck(options(), expectedWithout(Map.of()));
        assertThat(r.rewritten()).hasSize(2);
    }

    @Test
    void aDeletedMiddleSegmentIsAnErrorAndRepairedOnlyWhenAskedExplicitly() throws IOException {
        Path seg = middleSegment();
        Files.delete(seg);
        Files.delete(hintOf(seg));
        assertThatThrownBy(() -> FerrumDB.open(dir, options())).isInstanceOf(MissingSegmentException.class)
                .hasMessageContaining(seg.getFileName().toString()).hasMessageContaining("--allow-missing-segments");
        assertThat(FerrumDB.verify(dir, options()).damage()).extracting(DroppedRange::kind)
                .containsExactly(DroppedRange.Kind.MISSING_SEGMENT);
        assertThatThrownBy(() -> FerrumDB.repair(dir, options())).isInstanceOf(MissingSegmentException.class);
        assertThat(seg.resolveSibling("MANIFEST")).exists();
        RepairReport r = repairAndCheck(options().toBuilder().repairAllowsMissingSegments(true).build(),
                expectedWithout(Map.of(seg.getFileName().toString(), new long[] {0, Long.MAX_VALUE})));
        assertThat(r.missingSegments()).containsExactly(seg.toAbsolutePath().normalize());
    }

    @Test
    void theNewestSegmentDeletedIsAnErrorToo() throws IOException {
        List<Path> segs = segments();
        Path newest = segs.get(segs.size() - 1);
        Files.delete(newest);
        Files.deleteIfExists(hintOf(newest));
        assertThatThrownBy(() -> FerrumDB.open(dir, options())).isInstanceOf(MissingSegmentException.class);
    }

    @Test
    void aStrayFileIsIgnoredAndAStraySegmentIsSetAside() throws IOException {
        Files.writeString(dir.resolve("notes.txt"), "operator notes");
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            assertThat(dump(db)).isEqualTo(expectedWithout(Map.of()));
        }
        assertThat(FerrumDB.verify(dir, options()).ok()).isTrue();
        Path other = root.resolve("other");
        try (FerrumDB db = FerrumDB.open(other, options())) {
            db.put(b("foreign"), b("value"));
        }
        Path foreign = dir.resolve("0000009999.seg");
        Files.copy(other.resolve("0000000001.seg"), foreign);
        assertOpenFailsNamingRepair(dir);
        assertThat(FerrumDB.verify(dir, options()).damage()).extracting(DroppedRange::kind)
                .containsExactly(DroppedRange.Kind.UNLISTED_SEGMENT);
        RepairReport r = repairAndCheck(options(), expectedWithout(Map.of()));
        assertThat(r.setAside()).contains(foreign.toAbsolutePath().normalize());
        assertThat(dir.resolve("notes.txt")).exists();
    }

    @Test
    void aCompactionJournalFromAnotherDatabaseIsRefused() throws IOException {
        Path other = root.resolve("other");
        try (FerrumDB db = FerrumDB.open(other, options())) {
            db.put(b("x"), b("y"));
        }
        byte[] otherId = java.util.Arrays.copyOfRange(Files.readAllBytes(other.resolve("META")), 16, 32);
        Files.write(dir.resolve("COMPACTION"),
                io.ferrumdb.internal.format.CompactionJournal.encode(otherId, List.of(1, 2)));
        assertThatThrownBy(() -> FerrumDB.open(dir, options())).isInstanceOf(CorruptionException.class)
                .hasMessageContaining("another database");
        assertThat(segments()).hasSizeGreaterThanOrEqualTo(5);
        repairAndCheck(options(), expectedWithout(Map.of()));
    }

    @Test
    void aTornTailOfTheSegmentBeingWrittenIsNotDamage() throws IOException {
        List<Path> segs = segments();
        Path newest = segs.get(segs.size() - 1);
        SegmentLayout.asBeingWritten(newest);
        Files.write(newest, new byte[] {0, 0, 0, 9, 1, 0}, java.nio.file.StandardOpenOption.APPEND);
        VerifyReport v = FerrumDB.verify(dir, options());
        assertThat(v.ok()).isTrue();
        assertThat(v.problems()).extracting(DroppedRange::kind).containsExactly(DroppedRange.Kind.TORN_TAIL);
        assertThat(v.problems().get(0).length()).isEqualTo(6);
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            assertThat(dump(db)).isEqualTo(expectedWithout(Map.of()));
        }
    }

    @Test
    void anEncryptedDatabaseIsRepairedWithItsKeyAndTheCopiesAreReEncrypted() throws IOException {
        Path enc = root.resolve("enc");
        byte[] key = new byte[32];
        key[0] = 7;
        Options withKey = options().toBuilder().encryptionKey(key).build();
        TreeMap<String, String> expected = new TreeMap<>();
        try (FerrumDB db = FerrumDB.open(enc, withKey)) {
            for (int i = 0; i < 200; i++) {
                db.put(b("k" + i), b("secret-value-" + i + "-".repeat(20)));
                expected.put("k" + i, "secret-value-" + i + "-".repeat(20));
            }
        }
        Path seg;
        try (Stream<Path> s2 = Files.list(enc)) {
            seg = s2.filter(p -> p.toString().endsWith(".seg")).sorted().skip(1).findFirst().orElseThrow();
        }
        flip(seg, 64 + 40);
        assertThatThrownBy(() -> FerrumDB.repair(enc, options())).isInstanceOf(EncryptionKeyException.class);
        RepairReport r = FerrumDB.repair(enc, withKey);
        assertThat(r.rewritten()).containsExactly(seg.toAbsolutePath().normalize());
        // Not from the damaged record (an encrypted key cannot be read without a valid tag): from the intact hint.
        assertThat(r.keysAffected()).hasSize(1);
        assertThat(FerrumDB.verify(enc, withKey).ok()).isTrue();
        try (FerrumDB db = FerrumDB.open(enc, withKey)) {
            TreeMap<String, String> got = dump(db);
            assertThat(got).hasSize(expected.size() - 1);
            got.forEach((k, v) -> assertThat(v).isEqualTo(expected.get(k)));
            String lost = new String(r.keysAffected().get(0), StandardCharsets.UTF_8);
            assertThat(expected).as("the key named is the one lost").containsKey(lost);
            assertThat(got).doesNotContainKey(lost);
        }
        for (Path written : r.written()) {
            assertThat(new String(Files.readAllBytes(written), StandardCharsets.ISO_8859_1)).doesNotContain("secret");
        }
    }

    @Test
    void bytesAppendedToASealedSegmentAreCorruptionAndRepairKeepsEveryRecord() throws IOException {
        Path seg = middleSegment();
        Files.write(seg, new byte[] {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
            9, 9, 9}, java.nio.file.StandardOpenOption.APPEND);
        assertOpenFailsNamingRepair(dir);
        assertThat(FerrumDB.verify(dir, options()).ok()).isFalse();
        RepairReport r = repairAndCheck(options(), expectedWithout(Map.of()));
        assertThat(r.rewritten()).containsExactly(seg.toAbsolutePath().normalize());
        assertThat(r.bytesDropped()).isEqualTo(30);
    }

    /**
     * Power lost at every step of a repair (every write, fsync, rename, create and directory sync): afterwards the
     * database is either as before or repaired, a second repair finishes the job, and the oracle holds.
     */
    @Test
    void powerLossAtEveryStepOfARepair() throws IOException {
        Path seg = middleSegment();
        OnDisk victim = recordIn(seg, 1);
        flip(seg, victim.offset() + victim.size() - 2);
        TreeMap<String, String> expected = expectedWithout(
                Map.of(seg.getFileName().toString(), new long[] {victim.offset(), victim.offset() + 1}));
        Path damaged = root.resolve("damaged-image");
        copyTree(dir, damaged);
        int crashes = 0;
        for (FaultFileIO.Op op : FaultFileIO.Op.values()) {
            for (int nth = 1; ; nth++) {
                Path work = root.resolve("crash-" + op + "-" + nth).resolve("db");
                copyTree(damaged, work);
                FaultFileIO io = new FaultFileIO(nth);
                io.crashOn(op, nth);
                try {
                    FerrumDB.repair(work, io.forOneOpen(options()));
                } catch (FerrumException e) {
                    assertThat(io.armed()).as("only the injected crash may fail repair: " + e).isFalse();
                }
                if (io.armed()) {
                    break; // the repair made fewer than nth calls of op: every step is covered
                }
                crashes++;
                String where = "power lost at " + op + " #" + nth;
                FerrumDB.repair(work, io.forOneOpen(options()));
                assertThat(FerrumDB.verify(work, io.forOneOpen(options())).damage()).as(where).isEmpty();
                try (FerrumDB db = FerrumDB.open(work, io.forOneOpen(options()))) {
                    assertThat(dump(db)).as(where).isEqualTo(expected);
                }
                deleteTree(work.getParent());
            }
        }
        assertThat(crashes).isGreaterThan(10);
    }

    static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
