package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of file a database holds (segment, hint, MANIFEST, META, KEYDIR image, the KEY file of an encrypted
 * database, LOCK, SERVING), damaged in every way the issues name (a flipped byte, a torn tail, truncation to zero,
 * deletion, a file of another kind under its name), through the public API. For each: open either refuses with a
 * typed {@link FerrumException} naming the file, or returns exactly the written data; damage open refuses is named
 * by verify (file, an offset within it and, for a MANIFEST, META, hint or image, the kind of file) or refuses verify
 * the same way, and the refusal says what to do; repair then leaves a database that verify finds clean and that
 * returns, for every key, its written value or (only when records were lost with a segment) nothing, never another
 * value; or, for the KEY file, which nothing can rebuild, refuses with a typed error naming it and saying where a
 * copy is. Each case's outcome is stated, so a change of behaviour fails here.
 */
class FileDamageMatrixTest {
    @TempDir
    Path root;

    enum Kind {
        SEGMENT, HINT, MANIFEST, META, KEYDIR, KEY, LOCK, SERVING;

        /** The file of this kind in {@code dir} (a sealed segment in the middle of the log), or null. */
        Path in(Path dir) {
            List<Path> segs = SegmentLayout.segments(dir);
            Path middle = segs.get(segs.size() / 2);
            Path p = switch (this) {
                case SEGMENT -> middle;
                case HINT -> SegmentLayout.hintOf(middle);
                default -> dir.resolve(name());
            };
            return Files.exists(p) ? p : null;
        }

        /** Whether a read-only open refuses the database after {@code damage} to this file. */
        boolean refusesOpen(Damage damage) {
            return switch (this) {
                case SEGMENT, MANIFEST, META, KEY -> true;
                case HINT, KEYDIR, SERVING -> false; // a hint is rebuilt, the image ignored, the notice not believed
                case LOCK -> damage == Damage.DELETED; // a read-only open creates nothing; its content is not read
            };
        }

        /** What the refusal of an open says to do. */
        String wayOut(Damage damage) {
            return switch (this) {
                case SEGMENT -> damage == Damage.DELETED ? "ferrumdb repair --allow-missing-segments"
                        : "'ferrumdb repair' rewrites";
                case MANIFEST -> "ferrumdb repair";
                case META -> "'ferrumdb repair' rebuilds META";
                case KEY -> "'ferrumdb repair' cannot rebuild KEY";
                default -> "LOCK";
            };
        }

        /**
         * Whether verify refuses to run at all (it cannot read the database without this file). A damaged META
         * stopped verify before session 23; it is now reported and the rest checked.
         */
        boolean refusesVerify(Damage damage) {
            return this == KEY || (this == LOCK && damage == Damage.DELETED);
        }

        /**
         * The kind verify reports this file's damage under, or null where it depends on the damage (a segment's
         * record or header). A damaged MANIFEST was reported as a damaged segment before session 22; a damaged META
         * was not reported at all before session 23 (verify stopped at it).
         */
        DroppedRange.Kind verifyKind() {
            return switch (this) {
                case MANIFEST -> DroppedRange.Kind.DAMAGED_MANIFEST;
                case META -> DroppedRange.Kind.DAMAGED_META;
                case HINT -> DroppedRange.Kind.DAMAGED_HINT;
                case KEYDIR -> DroppedRange.Kind.DAMAGED_IMAGE;
                default -> null;
            };
        }

        /** Whether verify (when it runs) reports damage naming this file. */
        boolean reportedByVerify(Damage damage) {
            return switch (this) {
                case SEGMENT, MANIFEST, META -> true;
                case HINT, KEYDIR -> damage != Damage.DELETED; // a missing hint or image is no damage
                default -> false;
            };
        }
    }

    enum Damage {
        FLIPPED_BYTE, TORN_TAIL, TRUNCATED_TO_ZERO, DELETED, WRONG_KIND
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (boolean encrypted : new boolean[] {false, true}) {
            for (Kind kind : Kind.values()) {
                for (Damage damage : Damage.values()) {
                    out.add(Arguments.of(encrypted, kind, damage));
                }
            }
        }
        return out.stream();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Options options(boolean encrypted) {
        Options o = Options.builder().segmentSize(4096).autoCompaction(false).build();
        return encrypted ? EncryptedOptions.encrypted(o) : o;
    }

    private static TreeMap<String, String> written() {
        TreeMap<String, String> m = new TreeMap<>();
        for (int i = 0; i < 150; i++) {
            m.put("key-" + i, "value-" + i + "-" + "x".repeat(40 + i % 50));
        }
        return m;
    }

    private static TreeMap<String, String> dump(FerrumDB db) {
        return RepairFaultTest.dump(db);
    }

    private Path fixture(boolean encrypted) throws IOException {
        Path dir = root.resolve("db");
        try (FerrumDB db = FerrumDB.open(dir, options(encrypted))) {
            written().forEach((k, v) -> db.put(b(k), b(v)));
        }
        // A leftover notice of a server that is gone (as after kill -9 of `ferrumdb serve`).
        ServingFile.write(dir, new InetSocketAddress("127.0.0.1", 6399), false);
        assertThat(SegmentLayout.segments(dir)).hasSizeGreaterThanOrEqualTo(3);
        return dir;
    }

    /** Bytes of another kind of file, to put under {@code kind}'s name. */
    private static byte[] otherKind(Path dir, Kind kind) throws IOException {
        Kind other = switch (kind) {
            case SEGMENT, KEYDIR -> Kind.HINT;
            case HINT -> Kind.SEGMENT;
            case MANIFEST, KEY, LOCK, SERVING -> Kind.META;
            case META -> Kind.MANIFEST;
        };
        return Files.readAllBytes(other.in(dir));
    }

    private static void damage(Path dir, Path file, Kind kind, Damage damage) throws IOException {
        long size = Files.size(file);
        switch (damage) {
            case FLIPPED_BYTE -> {
                if (size == 0) {
                    Files.write(file, new byte[] {0x5A});
                } else {
                    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                        f.seek(size / 2);
                        int old = f.read();
                        f.seek(size / 2);
                        f.write(old ^ 0x5A);
                    }
                }
            }
            case TORN_TAIL -> truncate(file, size - Math.max(1, size / 3));
            case TRUNCATED_TO_ZERO -> truncate(file, 0);
            case DELETED -> Files.delete(file);
            case WRONG_KIND -> Files.write(file, otherKind(dir, kind));
            default -> throw new IllegalStateException(damage.name());
        }
    }

    private static void truncate(Path file, long length) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(Math.max(0, length));
        }
    }

    /** Whether {@code t} is a typed engine error naming {@code file}. */
    private static void assertNames(Throwable t, Path file, String what) {
        assertThat(t).as(what).isInstanceOf(FerrumException.class);
        assertThat(t.getMessage()).as(what).contains(file.getFileName().toString());
        if (t instanceof CorruptionException c && !(t instanceof MissingSegmentException)) {
            assertThat(c.file().getFileName()).as(what + ": file").isEqualTo(file.getFileName());
            assertThat(c.offset()).as(what + ": offset").isGreaterThanOrEqualTo(0);
        }
    }

    @ParameterizedTest(name = "encrypted={0} {1} {2}")
    @MethodSource("cases")
    void damageIsDetectedNamedAndRepairedWithoutWrongData(boolean encrypted, Kind kind, Damage damage)
            throws IOException {
        Path dir = fixture(encrypted);
        Path found = kind.in(dir);
        if (found == null) {
            return; // this database has no such file (KEY: plaintext; KEYDIR: encrypted)
        }
        Path file = found.toAbsolutePath().normalize();
        long size = Files.size(file);
        damage(dir, file, kind, damage);
        Options options = options(encrypted);
        TreeMap<String, String> written = written();
        String what = kind + " " + damage;

        Throwable atRead = null;
        Throwable atOpen = null;
        try (FerrumDB db = FerrumDB.open(dir, options.toBuilder().readOnly(true).build())) {
            // A damaged record whose hint is intact is found when it is read (the hint is trusted at open).
            atRead = catchThrowable(() -> assertThat(dump(db))
                    .as(what + ": an open that succeeds returns exactly what was written").isEqualTo(written));
        } catch (RuntimeException e) {
            atOpen = e;
        }
        if (atRead instanceof AssertionError e) {
            throw e;
        }
        Throwable refused = atOpen != null ? atOpen : atRead;
        assertThat(refused != null).as(what + ": refused (%s)", refused).isEqualTo(kind.refusesOpen(damage));
        if (refused != null) {
            assertNames(refused, file, what + (atOpen != null ? ": open" : ": read"));
        }
        if (atOpen != null) {
            assertThat(atOpen.getMessage()).as(what + ": open says what to do").contains(kind.wayOut(damage));
        }
        Throwable atVerify = catchThrowable(() -> FerrumDB.verify(dir, options));
        boolean verifyFoundDamage = atVerify == null && !FerrumDB.verify(dir, options).damage().isEmpty();
        if (kind.refusesVerify(damage)) {
            assertNames(atVerify, file, what + ": verify");
        } else {
            assertThat(atVerify).as(what + ": verify runs").isNull();
            VerifyReport verify = FerrumDB.verify(dir, options);
            if (kind.reportedByVerify(damage)) {
                assertThat(verify.damage()).as(what + ": verify names the file")
                        .anySatisfy(p -> {
                            assertThat(p.file()).isEqualTo(file);
                            assertThat(p.offset()).isBetween(0L, size);
                            if (kind.verifyKind() != null) {
                                assertThat(p.kind()).isEqualTo(kind.verifyKind());
                            }
                        });
            } else {
                assertThat(verify.problems()).as(what + ": nothing to report").isEmpty();
            }
        }

        RepairReport[] repaired = new RepairReport[1];
        Throwable atRepair = catchThrowable(() -> repaired[0] = FerrumDB.repair(dir, options));
        if (kind == Kind.KEY) {
            assertNames(atRepair, file, what + ": repair cannot rebuild KEY");
            return;
        }
        if (kind == Kind.SEGMENT && damage == Damage.DELETED) {
            assertThat(atRepair).as(what + ": repair without being told that segments may be missing")
                    .isInstanceOf(MissingSegmentException.class);
            atRepair = catchThrowable(() -> repaired[0] = FerrumDB.repair(dir,
                    options.toBuilder().repairAllowsMissingSegments(true).build()));
        }
        assertThat(atRepair).as(what + ": repair").isNull();
        // Repair reported "nothing to repair" after deleting a damaged key directory image that verify had
        // reported, exit code 3 (session 25): what verify calls damage, repair reports as what it mended.
        assertThat(repaired[0].wasClean()).as(what + ": repair reports what verify found")
                .isEqualTo(!verifyFoundDamage);
        assertThat(FerrumDB.verify(dir, options).damage()).as(what + ": verify after repair").isEmpty();
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            TreeMap<String, String> after = dump(db);
            for (Map.Entry<String, String> e : after.entrySet()) {
                assertThat(e.getValue()).as(what + ": " + e.getKey()).isEqualTo(written.get(e.getKey()));
            }
            if (kind != Kind.SEGMENT) {
                assertThat(after).as(what + ": nothing lost").isEqualTo(written);
            }
        }
    }

    /** META is rebuilt only from segments that agree on their database: a foreign one copied in stops it. */
    @org.junit.jupiter.api.Test
    void metaIsRebuiltOnlyWhenTheSegmentsNameOneDatabase() throws IOException {
        Path dir = fixture(false);
        Path other = root.resolve("other");
        try (FerrumDB db = FerrumDB.open(other, options(false))) {
            db.put(b("k"), b("v"));
        }
        Path foreign = dir.resolve("0000000099.seg");
        Files.copy(SegmentLayout.segments(other).get(0), foreign);
        Files.delete(dir.resolve("META"));
        Throwable refused = catchThrowable(() -> FerrumDB.repair(dir, options(false)));
        assertThat(refused).isInstanceOf(CorruptionException.class).hasMessageContaining("0000000099.seg")
                .hasMessageContaining("name different databases");
        assertThat(dir.resolve("META")).doesNotExist();
        Files.delete(foreign);
        RepairReport report = FerrumDB.repair(dir, options(false));
        assertThat(report.problems()).extracting(DroppedRange::file)
                .contains(dir.resolve("META").toAbsolutePath().normalize());
        try (FerrumDB db = FerrumDB.open(dir, options(false))) {
            assertThat(dump(db)).isEqualTo(written());
        }
    }

    /**
     * A damaged META is a kind of its own in verify and repair (verify stopped at it, throwing; repair reported it as
     * a damaged segment): verify names it as {@code DAMAGED_META} and still checks the segments, finding the damage
     * there too; repair reports it under the same kind, rebuilds it and keeps the damaged one in its folder.
     */
    @org.junit.jupiter.api.Test
    void aDamagedMetaIsReportedAsMetaAndTheRestIsStillVerified() throws IOException {
        Path dir = fixture(true);
        Path meta = dir.resolve("META").toAbsolutePath().normalize();
        byte[] original = Files.readAllBytes(meta);
        damage(dir, meta, Kind.META, Damage.FLIPPED_BYTE);
        Path segment = Kind.SEGMENT.in(dir).toAbsolutePath().normalize();
        damage(dir, segment, Kind.SEGMENT, Damage.FLIPPED_BYTE);

        VerifyReport verify = FerrumDB.verify(dir, options(true));
        assertThat(verify.ok()).isFalse();
        assertThat(verify.damage()).anySatisfy(p -> {
            assertThat(p.kind()).isEqualTo(DroppedRange.Kind.DAMAGED_META);
            assertThat(p.file()).isEqualTo(meta);
            assertThat(p.reason()).contains("checksum");
        });
        assertThat(verify.damage()).as("the segments are checked too").anySatisfy(p -> {
            assertThat(p.file()).isEqualTo(segment);
            assertThat(p.kind().isDamage()).isTrue();
        });

        RepairReport repair = FerrumDB.repair(dir, options(true));
        assertThat(repair.problems()).anySatisfy(p -> {
            assertThat(p.kind()).isEqualTo(DroppedRange.Kind.DAMAGED_META);
            assertThat(p.file()).isEqualTo(meta);
            assertThat(p.reason()).contains("rebuilt from the segments' headers");
        });
        assertThat(repair.damagedFolder()).isPresent();
        assertThat(repair.damagedFolder().get().resolve("META")).exists();
        byte[] rebuilt = Files.readAllBytes(meta);
        assertThat(Arrays.copyOfRange(rebuilt, 0, 32)).as("magic, version, flags and database id as they were")
                .isEqualTo(Arrays.copyOfRange(original, 0, 32));
        assertThat(FerrumDB.verify(dir, options(true)).problems()).isEmpty();
    }

    /**
     * META is never invented: when no segment header can say which database this is (and whether it is encrypted),
     * verify and repair refuse with a typed error naming META, and repair changes nothing.
     */
    @org.junit.jupiter.api.Test
    void aDamagedMetaIsNotInventedWhenNoSegmentHeaderNamesTheDatabase() throws IOException {
        Path dir = fixture(false);
        Path meta = dir.resolve("META").toAbsolutePath().normalize();
        damage(dir, meta, Kind.META, Damage.TORN_TAIL);
        for (Path segment : SegmentLayout.segments(dir)) {
            try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
                f.seek(0);
                f.write('X'); // the magic
            }
        }
        byte[] damaged = Files.readAllBytes(meta);
        for (Throwable refused : List.of(catchThrowable(() -> FerrumDB.verify(dir, options(false))),
                catchThrowable(() -> FerrumDB.repair(dir, options(false))))) {
            assertThat(refused).isInstanceOf(CorruptionException.class)
                    .hasMessageContaining("META cannot be rebuilt: no segment header is readable");
            assertThat(((CorruptionException) refused).file()).isEqualTo(meta);
        }
        assertThat(Files.readAllBytes(meta)).isEqualTo(damaged);
    }

    /**
     * A directory in place of {@code LOCK}: no writer's lock can be taken through it, so open and repair stopped at
     * it (a read-only open and verify took a shared lock on the directory, which no writer could conflict with).
     * Every open and verify now refuse it, naming it, and repair sets it aside into its damaged folder like any other
     * file of the wrong kind, takes the lock on a new LOCK file and reports it; the database then opens with every
     * record. Before, repair failed naming LOCK, and the operator had to find and remove the directory by hand.
     */
    @org.junit.jupiter.api.Test
    void aDirectoryInPlaceOfLockIsSetAsideByRepair() throws IOException {
        Path dir = fixture(false).toAbsolutePath().normalize();
        Path lock = dir.resolve("LOCK");
        Files.delete(lock);
        Files.createDirectory(lock);
        Files.writeString(lock.resolve("note"), "someone's file");
        for (boolean readOnly : new boolean[] {false, true}) {
            Throwable atOpen = catchThrowable(() -> FerrumDB.open(dir, options(false).toBuilder().readOnly(readOnly)
                    .build()).close());
            assertNames(atOpen, lock, "open, read-only " + readOnly);
            assertThat(atOpen).hasMessageContaining("is a directory").hasMessageContaining("ferrumdb repair");
        }
        assertNames(catchThrowable(() -> FerrumDB.verify(dir, options(false))), lock, "verify");
        RepairReport report = FerrumDB.repair(dir, options(false));
        assertThat(report.problems()).anySatisfy(p -> {
            assertThat(p.file()).isEqualTo(lock);
            assertThat(p.kind()).isEqualTo(DroppedRange.Kind.DAMAGED_LOCK);
        });
        assertThat(report.setAside()).contains(lock);
        Path aside = report.damagedFolder().orElseThrow().resolve("LOCK");
        assertThat(aside.resolve("note")).as("moved whole, not deleted").hasContent("someone's file");
        assertThat(lock).isRegularFile();
        assertThat(FerrumDB.verify(dir, options(false)).problems()).isEmpty();
        try (FerrumDB db = FerrumDB.open(dir, options(false))) {
            assertThat(dump(db)).isEqualTo(written());
        }
    }

    /** Repair does not move a LOCK directory aside while a handle in this process has the database open. */
    @org.junit.jupiter.api.Test
    void aLockDirectoryIsNotMovedWhileTheDatabaseIsOpenHere() throws IOException {
        Path dir = fixture(false).toAbsolutePath().normalize();
        try (FerrumDB db = FerrumDB.open(dir, options(false))) {
            Path lock = dir.resolve("LOCK");
            Files.delete(lock);
            Files.createDirectory(lock);
            assertThat(catchThrowable(() -> FerrumDB.repair(dir, options(false))))
                    .isInstanceOf(DatabaseLockedException.class);
            assertThat(lock).isDirectory();
            Files.delete(lock);
        }
    }

    /**
     * A directory under the name of a MANIFEST, a compaction journal, a hint or META (a file of the wrong kind that the
     * JDK opens and then fails to read with a bare "Is a directory"): named as damage by open or verify, and
     * repaired (set aside, rebuilt) without losing a record. Before, open failed with "could not open database DIR:
     * Is a directory", naming no file, and so did repair.
     */
    @org.junit.jupiter.api.Test
    void aDirectoryUnderAFilesNameIsNamedAndRepaired() throws IOException {
        Path dir = fixture(false);
        Path hint = Kind.HINT.in(dir);
        for (Path p : List.of(dir.resolve("MANIFEST"), dir.resolve("COMPACTION"), hint, dir.resolve("META"))) {
            Path file = p.toAbsolutePath().normalize();
            Files.deleteIfExists(file);
            Files.createDirectory(file);
            Throwable atOpen = catchThrowable(() -> {
                try (FerrumDB db = FerrumDB.open(dir, options(false).toBuilder().readOnly(true).build())) {
                    assertThat(dump(db)).isEqualTo(written());
                }
            });
            if (file.equals(hint.toAbsolutePath().normalize())) {
                assertThat(atOpen).as("a hint is never trusted blindly: the segment is read").isNull();
            } else {
                assertNames(atOpen, file, file + ": open");
                assertThat(atOpen).hasMessageContaining("is a directory, not a file");
            }
            assertThat(FerrumDB.verify(dir, options(false)).problems()).as(file.toString())
                    .anySatisfy(d -> assertThat(d.file()).isEqualTo(file));
            FerrumDB.repair(dir, options(false));
            assertThat(FerrumDB.verify(dir, options(false)).problems()).as(file + ": verify after repair").isEmpty();
            try (FerrumDB db = FerrumDB.open(dir, options(false))) {
                assertThat(dump(db)).as(file.toString()).isEqualTo(written());
            }
        }
    }
}
