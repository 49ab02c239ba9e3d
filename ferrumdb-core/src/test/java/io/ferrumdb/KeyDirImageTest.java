package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.format.Bytes;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.ForwardingFileIO;
import io.ferrumdb.internal.io.ForwardingStorageFile;
import io.ferrumdb.internal.io.StorageFile;
import io.ferrumdb.internal.keydir.KeyDirImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The key directory image (FORMAT.md, "KEYDIR"): a clean close writes it, the next open uses it only when it
 * describes the database exactly as it is, and otherwise loads the hints, with a log line and the same contents.
 * Each refused image below is one that would give wrong contents if it were used, or a damaged one.
 */
class KeyDirImageTest {
    @TempDir
    Path tmp;

    private final List<LogRecord> logged = new ArrayList<>();
    private final Logger logger = Logger.getLogger(DirectoryImage.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (logged) {
                logged.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private Level levelBefore;

    @BeforeEach
    void listen() {
        // An image that is merely stale is logged at DEBUG (FINE), below the JDK's default INFO: let it through.
        levelBefore = logger.getLevel();
        logger.setLevel(Level.ALL);
        logger.addHandler(capture);
    }

    @AfterEach
    void stopListening() {
        logger.removeHandler(capture);
        logger.setLevel(levelBefore);
    }

    private final MutableClock clock = new MutableClock(1_000_000);

    private Options options(boolean ordered) {
        return Options.builder().segmentSize(4096).fsyncPolicy(FsyncPolicy.never()).autoCompaction(false)
                .orderedKeys(ordered).clock(clock).build();
    }

    private static byte[] key(int i) {
        return ("key-" + i).getBytes(StandardCharsets.UTF_8);
    }

    /** Puts, overwrites, deletes and TTLs over many small segments, applied to {@code model} too. */
    private void populate(Path dir, boolean ordered, long seed, TreeMap<String, byte[]> model) {
        populate(dir, options(ordered), seed, model);
    }

    private void populate(Path dir, Options options, long seed, TreeMap<String, byte[]> model) {
        SplittableRandom rnd = new SplittableRandom(seed);
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            for (int op = 0; op < 800; op++) {
                int i = rnd.nextInt(150);
                int kind = rnd.nextInt(8);
                if (kind == 0) {
                    db.delete(key(i));
                    model.remove("key-" + i);
                } else {
                    byte[] value = new byte[10 + rnd.nextInt(200)];
                    rnd.nextBytes(value);
                    if (kind == 1) {
                        // Expires after the test's first clock step: gone at every later open.
                        db.put(key(i), value, Duration.ofSeconds(10));
                        model.remove("key-" + i);
                    } else {
                        db.put(key(i), value);
                        model.put("key-" + i, value);
                    }
                }
            }
        }
        clock.advance(Duration.ofSeconds(60));
    }

    private static Path image(Path dir) {
        return dir.resolve(FileNames.KEYDIR);
    }

    private List<String> notUsed() {
        synchronized (logged) {
            return logged.stream().map(LogRecord::getMessage).filter(m -> m.contains("not used")).toList();
        }
    }

    /** The level each "not used" line was logged at. */
    private List<Level> notUsedLevels() {
        synchronized (logged) {
            return logged.stream().filter(r -> r.getMessage().contains("not used")).map(LogRecord::getLevel)
                    .toList();
        }
    }

    private static String withoutMemory(Stats stats) {
        return stats.toString().replaceFirst(", keyDirectoryBytes=\\d+]$", "]");
    }

    /** Opens, checks the contents against {@code model} and the stats against an open from the hints alone. */
    private void assertReopens(Path dir, boolean ordered, TreeMap<String, byte[]> model) throws IOException {
        Path copy = tmp.resolve("hints-only-" + System.nanoTime());
        copyDatabase(dir, copy);
        Files.deleteIfExists(image(copy));
        Stats fromHints;
        try (FerrumDB db = FerrumDB.open(copy, options(ordered))) {
            fromHints = db.stats();
        }
        int refusedBefore = notUsed().size();
        boolean hadImage = Files.exists(image(dir));
        try (FerrumDB db = FerrumDB.open(dir, options(ordered))) {
            boolean used = hadImage && notUsed().size() == refusedBefore;
            assertThat(Files.exists(image(dir))).as("an open keeps an image it uses, deletes one it cannot use")
                    .isEqualTo(used);
            // All but the directory's memory, which differs by design: an image keeps the bytes of keys removed
            // since the hints were last loaded, and the table's size from the close (README, "Limits").
            assertThat(withoutMemory(db.stats())).isEqualTo(withoutMemory(fromHints));
            HintLoadTest.assertContents(db, model);
        }
    }

    private static void copyDatabase(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path p : files.toList()) {
                Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aCleanCloseWritesAnImageTheNextOpenUses(boolean ordered) throws IOException {
        Path dir = tmp.resolve("db");
        TreeMap<String, byte[]> model = new TreeMap<>();
        populate(dir, ordered, 1, model);
        assertThat(image(dir)).exists();
        byte[] written = Files.readAllBytes(image(dir));
        assertReopens(dir, ordered, model);
        assertThat(notUsed()).isEmpty();
        // That open changed no segment, so its close kept the image as it was (but for an ordered index sorted
        // meanwhile by the scans of assertContents: then the image is written again, sorted).
        assertThat(Arrays.equals(Files.readAllBytes(image(dir)), written)).isEqualTo(!ordered);
        try (FerrumDB db = FerrumDB.open(dir, options(ordered))) {
            HintLoadTest.assertContents(db, model);
            db.put(key(500), key(500));
        }
        assertThat(notUsed()).isEmpty();
        // A session that wrote: its close wrote a new image, which the next open uses.
        assertThat(Arrays.equals(Files.readAllBytes(image(dir)), written)).isFalse();
        model.put("key-500", key(500));
        try (FerrumDB db = FerrumDB.open(dir, options(ordered))) {
            assertThat(db.get(key(500))).isEqualTo(key(500));
            assertThat(db.size()).isEqualTo(model.size());
        }
        assertThat(notUsed()).isEmpty();
    }

    @Test
    void aStaleImageKeptByItsOpenIsRefusedAfterWritesAndACrash() throws IOException {
        // A crash after writes: the image the open used stays behind, and must be refused. The crash is played by
        // copying the directory while the database is open (its files as a kill would leave them).
        Path dir = tmp.resolve("db");
        TreeMap<String, byte[]> model = new TreeMap<>();
        populate(dir, false, 13, model);
        Path crashed = tmp.resolve("crashed");
        try (FerrumDB db = FerrumDB.open(dir, options(false).toBuilder().fsyncPolicy(FsyncPolicy.always()).build())) {
            assertThat(image(dir)).exists();
            db.put(key(1), "after".getBytes(StandardCharsets.UTF_8));
            db.delete(key(2));
            copyDatabase(dir, crashed);
        }
        Files.deleteIfExists(crashed.resolve(FileNames.LOCK));
        model.put("key-1", "after".getBytes(StandardCharsets.UTF_8));
        model.remove("key-2");
        try (FerrumDB db = FerrumDB.open(crashed, options(false))) {
            HintLoadTest.assertContents(db, model);
        }
        assertThat(notUsed()).hasSize(1).allMatch(m -> m.contains("segments, the database has"));
        // What every crash after writes leaves is no problem: below INFO, so that a console (the JDK's default
        // handler prints INFO, and so every `ferrumdb get` after a crash did) shows nothing.
        assertThat(notUsedLevels()).containsExactly(Level.FINE);
    }

    @Test
    void orderedKeysScannedBeforeCloseAreStoredSortedAndScanIdentically() throws IOException {
        Path dir = tmp.resolve("db");
        TreeMap<String, byte[]> model = new TreeMap<>();
        populate(dir, true, 2, model);
        try (FerrumDB db = FerrumDB.open(dir, options(true))) {
            // A scan builds the ordered index, so the close stores its references sorted; then more keys and
            // deletes, pending in the index, which the image merges in.
            HintLoadTest.assertContents(db, model);
            for (int i = 200; i < 260; i++) {
                db.put(key(i), key(i));
                model.put("key-" + i, key(i));
            }
            for (int i = 0; i < 150; i += 3) {
                db.delete(key(i));
                model.remove("key-" + i);
            }
        }
        assertThat(Bytes.u16(Files.readAllBytes(image(dir)), 10) & 4).as("sorted flag").isEqualTo(4);
        try (FerrumDB db = FerrumDB.open(dir, options(true))) {
            for (int i = 200; i < 260; i++) {
                assertThat(db.get(key(i))).isEqualTo(key(i));
            }
            List<String> scanned = new ArrayList<>();
            try (Stream<byte[]> keys = db.keys(KeyRange.all())) {
                keys.forEach(k -> scanned.add(new String(k, StandardCharsets.UTF_8)));
            }
            assertThat(scanned).containsExactlyElementsOf(model.keySet());
            assertThat(db.count(KeyRange.prefix("key-2".getBytes(StandardCharsets.UTF_8))))
                    .isEqualTo(model.keySet().stream().filter(k -> k.startsWith("key-2")).count());
        }
        assertThat(notUsed()).isEmpty();
    }

    @Test
    void aReadOnlyOpenUsesTheImageAndKeepsIt() throws IOException {
        Path dir = tmp.resolve("db");
        TreeMap<String, byte[]> model = new TreeMap<>();
        populate(dir, false, 3, model);
        MapWatch watch = new MapWatch();
        try (FerrumDB db = FerrumDB.open(dir, watch.on(options(false).toBuilder().readOnly(true).build()))) {
            HintLoadTest.assertContents(db, model);
        }
        assertThat(image(dir)).exists();
        assertThat(notUsed()).isEmpty();
        // A private mapping needs the file open for writing: a read-only open reads the image into fresh memory.
        assertThat(watch.mappedImageAreas).isZero();
    }

    /** Counts the image areas an open maps ({@code StorageFile.mapPrivate} of {@code KEYDIR}), or fails them. */
    private static final class MapWatch {
        int mappedImageAreas;
        /** Fail the mapping calls (a file system that cannot map). */
        boolean fail;

        Options on(Options options) {
            return options.toBuilder().fileIO(new ForwardingFileIO(FileIO.nio()) {
                @Override
                protected StorageFile wrap(StorageFile file) {
                    return new ForwardingStorageFile(file) {
                        @Override
                        public ByteBuffer mapPrivate(long position, int size) throws IOException {
                            if (path().getFileName().toString().equals(FileNames.KEYDIR)) {
                                mappedImageAreas++;
                                if (fail) {
                                    throw new IOException("injected: no mapping here");
                                }
                            }
                            return super.mapPrivate(position, size);
                        }
                    };
                }
            }).build();
        }
    }

    /**
     * A writable open maps the image copy-on-write (but on Windows, which keeps the copy) and then changes keys,
     * TTLs, compacts: the session's close writes a new image beside it and renames it over, and the file the open
     * mapped is byte for byte what it was (a hard link keeps it: nothing was written through the mapping).
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aMappedOpenServesChangesAndLeavesItsImageFileAsItWas(boolean ordered) throws IOException {
        Path dir = tmp.resolve("db");
        TreeMap<String, byte[]> model = new TreeMap<>();
        populate(dir, ordered, 14, model);
        Path link = tmp.resolve("image-as-opened");
        Files.createLink(link, image(dir));
        byte[] opened = Files.readAllBytes(link);
        assertThat(Bytes.u16(opened, 8)).as("image version").isEqualTo(2);
        MapWatch watch = new MapWatch();
        try (FerrumDB db = FerrumDB.open(dir, watch.on(options(ordered)))) {
            assertThat(watch.mappedImageAreas > 0).as("areas mapped").isEqualTo(KeyDirImage.MAPS);
            HintLoadTest.assertContents(db, model);
            for (int i = 0; i < 400; i++) {
                byte[] value = ("v" + i).getBytes(StandardCharsets.UTF_8);
                db.put(key(i), value);
                model.put("key-" + i, value);
            }
            for (int i = 0; i < 400; i += 5) {
                db.delete(key(i));
                model.remove("key-" + i);
            }
            db.put(key(1000), key(1000), Duration.ofSeconds(10));
            db.put(key(1001), key(1001), Duration.ofDays(1));
            model.put("key-1001", key(1001));
            db.compact();
            clock.advance(Duration.ofSeconds(60));
            HintLoadTest.assertContents(db, model);
        }
        assertThat(notUsed()).isEmpty();
        assertThat(Files.readAllBytes(link)).as("the image file the open mapped").isEqualTo(opened);
        assertThat(Files.readAllBytes(image(dir))).as("the image the close wrote").isNotEqualTo(opened);
        assertReopens(dir, ordered, model);
        assertThat(notUsed()).isEmpty();
    }

    /** An image that cannot be mapped is read instead, and used: a WARNING, no "not used". */
    @Test
    void anImageThatCannotBeMappedIsReadInstead() throws IOException {
        Assumptions.assumeTrue(KeyDirImage.MAPS, "images are mapped on this platform");
        Path dir = tmp.resolve("db");
        TreeMap<String, byte[]> model = new TreeMap<>();
        populate(dir, true, 15, model);
        MapWatch watch = new MapWatch();
        watch.fail = true;
        try (FerrumDB db = FerrumDB.open(dir, watch.on(options(true)))) {
            HintLoadTest.assertContents(db, model);
        }
        assertThat(watch.mappedImageAreas).isEqualTo(1);
        assertThat(notUsed()).isEmpty();
        synchronized (logged) {
            assertThat(logged).filteredOn(r -> r.getMessage().contains("not mapped, read instead")).singleElement()
                    .matches(r -> r.getLevel() == Level.WARNING, "a WARNING");
        }
        assertThat(image(dir)).exists();
    }

    /**
     * The golden database with a version-1 image ({@code src/test/resources/golden/keydir-v1} and {@code
     * keydir-v1-hash-only}, written by the release before version 2, which padded nothing): the image is used (read
     * into fresh memory), serves the exact content, and the close after a write replaces it with a version-2 image,
     * which the next open uses.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aVersionOneImageOpensAndServes(boolean ordered) throws Exception {
        String name = ordered ? "keydir-v1" : "keydir-v1-hash-only";
        Path golden = Path.of(KeyDirImageTest.class.getResource("/golden/" + name + "/META").toURI()).getParent();
        Path dir = tmp.resolve(name);
        SegmentLayout.copyDir(golden, dir);
        byte[] v1 = Files.readAllBytes(image(dir));
        assertThat(Bytes.u16(v1, 8)).as("image version").isEqualTo(1);
        if (ordered) {
            assertThat(Bytes.i64(v1, 56) % 8).as("arena bytes, right before the references in version 1").isNotZero();
        }
        TreeMap<String, String> expected = GoldenDatabase.expected();
        Options options = Options.builder().autoCompaction(false).orderedKeys(ordered).build();
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            assertGolden(db, ordered, expected);
            assertThat(db.get(GoldenDatabase.LASTING_KEY)).containsExactly(9, 9, 9, 9);
            assertThat(db.get(GoldenDatabase.EXPIRED_KEY)).isNull();
            db.put(new byte[] {'n', 'e', 'w'}, new byte[] {1});
        }
        assertThat(notUsed()).isEmpty();
        expected.put("6e6577", "01");
        assertThat(Bytes.u16(Files.readAllBytes(image(dir)), 8)).as("image version after a write").isEqualTo(2);
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            assertGolden(db, ordered, expected);
        }
        assertThat(notUsed()).isEmpty();
    }

    /** Every key of {@code expected} (hex) with its value, no other; in order too with ordered keys. */
    /**
     * The golden database with a version-2 image ({@code src/test/resources/golden/keydir-v2}, written by the
     * release of session 21): the image is used (no "not used" warning), and serves the exact content.
     */
    @Test
    void aVersionTwoImageOpensAndServes() throws Exception {
        Path golden = Path.of(KeyDirImageTest.class.getResource("/golden/keydir-v2/META").toURI()).getParent();
        Path dir = tmp.resolve("keydir-v2");
        SegmentLayout.copyDir(golden, dir);
        assertThat(Bytes.u16(Files.readAllBytes(image(dir)), 8)).as("image version").isEqualTo(2);
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().autoCompaction(false).build())) {
            assertGolden(db, true, GoldenDatabase.expected());
            assertThat(db.get(GoldenDatabase.EXPIRED_KEY)).isNull();
        }
        assertThat(notUsed()).isEmpty();
    }

    private static void assertGolden(FerrumDB db, boolean ordered, TreeMap<String, String> expected) {
        if (ordered) {
            assertThat(History.dump(db)).isEqualTo(expected);
        }
        assertThat(db.size()).isEqualTo(expected.size());
        expected.forEach((k, v) -> assertThat(History.HEX.formatHex(db.get(History.HEX.parseHex(k)))).as(k)
                .isEqualTo(v));
    }

    /** A change to the image file that must make open refuse it. */
    private interface Damage {
        void apply(Path image) throws IOException;
    }

    /** A damaged image is a WARNING; one that is intact but does not fit (a newer version, other lengths) DEBUG. */
    private void assertRefused(boolean ordered, Damage damage, String why, Level level) throws IOException {
        Path dir = tmp.resolve("db-" + System.nanoTime());
        TreeMap<String, byte[]> model = new TreeMap<>();
        populate(dir, ordered, 4, model);
        damage.apply(image(dir));
        assertReopens(dir, ordered, model);
        assertThat(notUsed()).as(why).hasSize(1).allMatch(m -> m.contains(why));
        assertThat(notUsedLevels()).as(why).containsExactly(level);
        logged.clear();
    }

    private static void flip(Path file, long at) throws IOException {
        byte[] b = Files.readAllBytes(file);
        int i = (int) Math.floorMod(at, (long) b.length);
        b[i] ^= 0x10;
        Files.write(file, b);
    }

    /** Rewrites a header field with {@code change} and seals the header with a fresh checksum. */
    private static void rewriteHeader(Path file, java.util.function.Consumer<byte[]> change) throws IOException {
        byte[] b = Files.readAllBytes(file);
        int end = 92 + 36 * Bytes.i32(b, 88);
        change.accept(b);
        Bytes.putI32(b, end, Bytes.crc32c(b, 0, end));
        Files.write(file, b);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void damagedImagesAreRefused(boolean ordered) throws IOException {
        assertRefused(ordered, p -> flip(p, Files.size(p) / 2), "body checksum mismatch", Level.WARNING);
        assertRefused(ordered, p -> flip(p, Files.size(p) - 2), "body checksum mismatch", Level.WARNING);
        assertRefused(ordered, p -> flip(p, 40), "checksum mismatch", Level.WARNING);
        assertRefused(ordered, p -> {
            byte[] b = Files.readAllBytes(p);
            Files.write(p, java.util.Arrays.copyOf(b, b.length - 100));
        }, "its header describes", Level.WARNING);
        assertRefused(ordered, p -> Files.write(p, new byte[50]), "shorter than its header", Level.WARNING);
        assertRefused(ordered, p -> rewriteHeader(p, b -> Bytes.putU16(b, 8, 3)), "version", Level.FINE);
    }

    @Test
    void anImageOfOtherSegmentLengthsIsRefused() throws IOException {
        // The first segment said to be a byte shorter than it is (longer would say the segment was cut short:
        // damage, TailRuleTest.aSealedSegmentCutBetweenRecordsWithoutItsHintIsFoundByTheImage).
        assertRefused(false, p -> rewriteHeader(p, b -> Bytes.putI64(b, 92 + 4, Bytes.i64(b, 92 + 4) - 1)),
                "bytes, it is", Level.FINE);
    }

    @Test
    void anImageOfTheOtherKindOfKeysIsRefused() throws IOException {
        Path dir = tmp.resolve("db");
        TreeMap<String, byte[]> model = new TreeMap<>();
        populate(dir, false, 5, model);
        try (FerrumDB db = FerrumDB.open(dir, options(true))) {
            HintLoadTest.assertContents(db, model);
        }
        assertThat(notUsed()).hasSize(1).allMatch(m -> m.contains("written without ordered keys"));
    }

    @Test
    void anOlderImageMissingLaterSegmentsIsRefused() throws IOException {
        Path dir = tmp.resolve("db");
        TreeMap<String, byte[]> model = new TreeMap<>();
        populate(dir, false, 6, model);
        byte[] older = Files.readAllBytes(image(dir));
        // Newer writes in new segments; using the older image would lose them.
        populate(dir, false, 7, model);
        Files.write(image(dir), older);
        assertReopens(dir, false, model);
        assertThat(notUsed()).hasSize(1).allMatch(m -> m.contains("segments, the database has"));
    }

    @Test
    void anImageNamingSegmentsCompactionReplacedIsRefused() throws IOException {
        Path dir = tmp.resolve("db");
        TreeMap<String, byte[]> model = new TreeMap<>();
        populate(dir, true, 8, model);
        byte[] older = Files.readAllBytes(image(dir));
        try (FerrumDB db = FerrumDB.open(dir, options(true))) {
            db.compact();
        }
        Files.write(image(dir), older);
        assertReopens(dir, true, model);
        assertThat(notUsed()).hasSize(1).allMatch(m -> m.contains("segment"));
    }

    @Test
    void anotherDatabasesImageIsRefused() throws IOException {
        Path dir = tmp.resolve("db");
        Path other = tmp.resolve("other");
        TreeMap<String, byte[]> model = new TreeMap<>();
        // Same writes: the same segments and lengths, so only the database id tells the images apart.
        populate(dir, false, 9, model);
        populate(other, false, 9, new TreeMap<>());
        Files.copy(image(other), image(dir), StandardCopyOption.REPLACE_EXISTING);
        assertReopens(dir, false, model);
        assertThat(notUsed()).hasSize(1).allMatch(m -> m.contains("another database"));
    }

    @Test
    void anEncryptedDatabaseWritesNoImageAndIgnoresOne() throws IOException {
        Path dir = tmp.resolve("db");
        Options encrypted = EncryptedOptions.encrypted(options(true));
        TreeMap<String, byte[]> model = new TreeMap<>();
        try (FerrumDB db = FerrumDB.open(dir, encrypted)) {
            for (int i = 0; i < 200; i++) {
                db.put(key(i), key(i));
                model.put("key-" + i, key(i));
            }
        }
        assertThat(image(dir)).doesNotExist();
        // Even a planted one (here a plaintext database's) is not read, and is deleted.
        Path plain = tmp.resolve("plain");
        populate(plain, true, 10, new TreeMap<>());
        Files.copy(image(plain), image(dir));
        try (FerrumDB db = FerrumDB.open(dir, encrypted)) {
            HintLoadTest.assertContents(db, model);
        }
        assertThat(image(dir)).doesNotExist();
        assertThat(notUsed()).hasSize(1).allMatch(m -> m.contains("encrypted"));
    }

    @Test
    void anArenaOfMoreRemovedThanLiveKeysIsNotImaged() throws IOException {
        for (boolean ordered : new boolean[] {false, true}) {
            Path dir = tmp.resolve("churn-" + ordered);
            try (FerrumDB db = FerrumDB.open(dir, options(ordered))) {
                for (int i = 0; i < 300; i++) {
                    db.put(key(i), key(i));
                }
                for (int i = 0; i < 200; i++) {
                    db.delete(key(i));
                }
            }
            // A hash-only directory keeps no key bytes: its image holds no removed key.
            assertThat(image(dir)).as("ordered: %s", ordered).matches(p -> Files.exists(p) != ordered);
        }
    }

    @Test
    void repairDeletesTheImage() throws IOException {
        Path dir = tmp.resolve("db");
        populate(dir, false, 11, new TreeMap<>());
        assertThat(image(dir)).exists();
        FerrumDB.repair(dir, Options.defaults());
        assertThat(image(dir)).doesNotExist();
    }

    @Test
    void aBackupHoldsNoImageAndOpens() throws IOException {
        Path dir = tmp.resolve("db");
        Path backup = tmp.resolve("backup");
        TreeMap<String, byte[]> model = new TreeMap<>();
        populate(dir, true, 12, model);
        try (FerrumDB db = FerrumDB.open(dir, options(true))) {
            db.backup(backup);
        }
        assertThat(image(backup)).doesNotExist();
        try (FerrumDB db = FerrumDB.open(backup, options(true))) {
            HintLoadTest.assertContents(db, model);
        }
    }

    /** One area of a version-2 image: where it lies, and what open says when a byte of it is damaged. */
    private record Area(String name, long from, long length, String why) {
        @Override
        public String toString() {
            return name + " [" + from + ", " + (from + length) + ")";
        }
    }

    /** The areas of the version-2 image {@code b}, from its header (FORMAT.md, "KEYDIR"), covering it whole. */
    private static List<Area> areas(byte[] b) {
        int crcAt = 92 + 36 * Bytes.i32(b, 88);
        long at = (crcAt + 4 + 7) & -8;
        int flags = Bytes.u16(b, 10);
        long capacity = Bytes.i32(b, 32);
        long arena = Bytes.i64(b, 56);
        List<Area> areas = new ArrayList<>();
        // A flipped magic says so, a flipped segment count may claim more segments than the file holds.
        areas.add(new Area("header fields", 0, crcAt, ""));
        areas.add(new Area("header checksum", crcAt, 4, "checksum mismatch"));
        if (at > crcAt + 4) {
            areas.add(new Area("header padding", crcAt + 4, at - crcAt - 4, "header padding"));
        }
        areas.add(new Area("slot table", at, 24 * capacity, "body checksum mismatch"));
        at += 24 * capacity;
        if ((flags & 8) != 0) {
            areas.add(new Area("expiry area", at, 8 * capacity, "body checksum mismatch"));
            at += 8 * capacity;
        }
        if ((flags & 1) != 0) {
            areas.add(new Area("arena", at, arena, "body checksum mismatch"));
            at += arena;
            if ((at & 7) != 0) {
                areas.add(new Area("arena padding", at, 8 - (at & 7), "body checksum mismatch"));
                at += 8 - (at & 7);
            }
        }
        long refs = Bytes.i32(b, 44) * 4L;
        if (refs > 0) {
            areas.add(new Area("references", at, refs, "body checksum mismatch"));
            at += refs;
        }
        areas.add(new Area("body checksum", at, 4, "body checksum mismatch"));
        assertThat(at + 4).as("the areas cover the image").isEqualTo(b.length);
        return areas;
    }

    /**
     * A copy of {@code pristine} (a closed database with its image) with {@code damage} applied to the image: the open
     * refuses it with {@code why} at WARNING, deletes it, serves the model with the hints-only stats; its close
     * writes an image the next open uses.
     */
    private void assertRefusedCopy(Path pristine, boolean ordered, TreeMap<String, byte[]> model, String what,
                                   Damage damage, String why) throws IOException {
        Path dir = tmp.resolve("damaged-" + System.nanoTime());
        copyDatabase(pristine, dir);
        damage.apply(image(dir));
        logged.clear();
        assertReopens(dir, ordered, model);
        assertThat(notUsed()).as(what).hasSize(1).allMatch(m -> m.contains(why));
        assertThat(notUsedLevels()).as(what).containsExactly(Level.WARNING);
        assertThat(image(dir)).as("%s: the close after the refusal writes an image", what).exists();
        assertReopens(dir, ordered, model);
        assertThat(notUsed()).as("%s: the image written after the refusal is used", what).hasSize(1);
    }

    /**
     * A flipped byte at the start, middle and end of every area of the image (every field of the header, each
     * segment's entry), and the image cut at and around every area's end or grown: each is refused as damaged,
     * and the open serves exactly what the hints say. The slot table, expiry area and arena are what an open maps
     * and serves keys from: a flip there that went unnoticed would be a wrong value, a lost or a resurrected key.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aByteFlippedOrCutInAnyAreaOfTheImageIsRefused(boolean ordered) throws IOException {
        Path pristine = tmp.resolve("pristine");
        TreeMap<String, byte[]> model = new TreeMap<>();
        populate(pristine, ordered, 16, model);
        byte[] image = Files.readAllBytes(image(pristine));
        List<Area> areas = areas(image);
        assertThat(areas).extracting(Area::name).contains("slot table", "expiry area");
        if (ordered) {
            assertThat(areas).extracting(Area::name).contains("arena", "references");
        }
        int segments = Bytes.i32(image, 88);
        assertThat(segments).as("segments the image names").isGreaterThan(2);
        for (Area area : areas) {
            java.util.TreeSet<Long> at = new java.util.TreeSet<>(List.of(area.from(), area.from() + area.length() / 2,
                    area.from() + area.length() - 1));
            if (area.name().equals("header fields")) {
                // Every fixed field, the first and last segment's entry field by field.
                at.addAll(List.of(7L, 8L, 10L, 12L, 16L, 32L, 36L, 40L, 44L, 48L, 56L, 64L, 72L, 80L, 88L, 91L));
                for (long e : new long[] {92, 92 + 36L * (segments - 1)}) {
                    at.addAll(List.of(e, e + 4, e + 12, e + 20, e + 28, e + 35));
                }
            }
            for (long pos : at) {
                assertRefusedCopy(pristine, ordered, model, "a byte flipped at " + pos + " of the " + area, p -> {
                    byte[] b = Files.readAllBytes(p);
                    b[(int) pos] ^= 0x10;
                    Files.write(p, b);
                }, area.why());
            }
        }
        java.util.TreeSet<Long> lengths = new java.util.TreeSet<>(List.of(0L, 50L, 95L, (long) image.length - 1,
                (long) image.length + 1, (long) image.length + 8));
        for (Area area : areas) {
            lengths.addAll(List.of(area.from() + area.length() - 1, area.from() + area.length() + 1));
        }
        lengths.remove((long) image.length);
        for (long length : lengths) {
            assertRefusedCopy(pristine, ordered, model, "the image cut or grown to " + length + " bytes of "
                    + image.length, p -> Files.write(p, Arrays.copyOf(image, (int) length)), "");
        }
    }

    /**
     * A close whose image cannot be written (the disk full, a failed write or rename of {@code KEYDIR.tmp}) after a
     * session that opened from the previous image and wrote: the close goes on, no temporary file stays, and the
     * previous image, still on disk, is refused by the next open, also after a power loss right after that close.
     * {@code DISK_FULL} fills the disk once every write was synced, so the close's seal of the active segment
     * fails too.
     */
    @ParameterizedTest
    @ValueSource(strings = {"WRITE 1", "WRITE 2", "WRITE 3", "WRITE 4", "RENAME 1", "DISK_FULL 0"})
    void aCloseThatCannotWriteItsImageLeavesTheDatabaseWhole(String fault) throws IOException {
        String[] f = fault.split(" ");
        FaultFileIO io = new FaultFileIO(f[1].hashCode());
        Path dir = tmp.resolve("db");
        TreeMap<String, byte[]> model = new TreeMap<>();
        populate(dir, io.forOneOpen(options(true)), 17, model);
        byte[] previous = Files.readAllBytes(image(dir));
        boolean diskFull = f[0].equals("DISK_FULL");
        FerrumDB db = FerrumDB.open(dir, io.forOneOpen(options(true)));
        try {
            assertThat(notUsed()).as("the second session opens from the first one's image").isEmpty();
            for (int i = 0; i < 120; i++) {
                byte[] value = ("second-" + i).getBytes(StandardCharsets.UTF_8);
                db.put(key(i), value);
                model.put("key-" + i, value);
            }
            for (int i = 0; i < 120; i += 7) {
                db.delete(key(i));
                model.remove("key-" + i);
            }
            if (diskFull) {
                db.sync();
                io.diskSpace(0);
            } else {
                io.failOn(FaultFileIO.Op.valueOf(f[0]), Integer.parseInt(f[1]), FileNames.temporary(FileNames.KEYDIR));
            }
        } finally {
            try {
                db.close();
            } catch (FerrumException e) {
                assertThat(diskFull).as("close failed: %s", e).isTrue();
            }
        }
        io.diskSpace(Long.MAX_VALUE);
        assertThat(io.armed()).as("the fault was met").isFalse();
        assertThat(dir.resolve(FileNames.temporary(FileNames.KEYDIR))).doesNotExist();
        assertThat(Files.readAllBytes(image(dir))).as("the first session's image stays").isEqualTo(previous);
        io.crash();
        try (FerrumDB reopened = FerrumDB.open(dir, io.forOneOpen(options(true)))) {
            HintLoadTest.assertContents(reopened, model);
        }
        // The first session's image names other segments; its bytes were never fsynced, so the power loss may also
        // have cut them (the rename reached the disk through a later directory fsync): refused either way.
        assertThat(notUsed()).hasSize(1).allMatch(m -> m.contains("segments, the database has")
                || m.contains("shorter than its header"));
    }

    /**
     * The image is a cache, written at close without an fsync of the file or of the directory (a clean close of a
     * large database spent a fifth of its time on that fsync). A power loss right after such a close leaves the
     * previous image (the rename undone, as {@link FaultFileIO#crash} plays it), which names other segments: the
     * next open refuses it, loads the hints, and has every key of the closed session. The crash keeps random
     * garbage in unsynced tails, so a new image that half reached the disk would be refused too (the flips and cuts
     * above are the other ways it can look).
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aPowerLossAfterACleanCloseCostsTheImageOnly(boolean ordered) throws IOException {
        FaultFileIO io = new FaultFileIO(ordered ? 11 : 12).tail(FaultFileIO.Tail.GARBAGE);
        Path dir = tmp.resolve("db");
        TreeMap<String, byte[]> model = new TreeMap<>();
        populate(dir, io.forOneOpen(options(ordered)), 23, model);
        assertThat(image(dir)).as("the first close wrote an image").exists();
        // Power loss right after the first close: the unsynced image may be lost, never the data.
        io.crash();
        try (FerrumDB db = FerrumDB.open(dir, io.forOneOpen(options(ordered)))) {
            HintLoadTest.assertContents(db, model);
            for (int i = 0; i < 40; i++) {
                byte[] value = ("after-" + i).getBytes(StandardCharsets.UTF_8);
                db.put(key(i), value);
                model.put("key-" + i, value);
            }
        }
        byte[] written = Files.readAllBytes(image(dir));
        io.crash();
        assertThat(image(dir)).as("the second close's image did not survive the power loss")
                .satisfiesAnyOf(p -> assertThat(p).doesNotExist(),
                        p -> assertThat(Files.readAllBytes(p)).isNotEqualTo(written));
        boolean left = Files.exists(image(dir));
        logged.clear();
        try (FerrumDB db = FerrumDB.open(dir, io.forOneOpen(options(ordered)))) {
            HintLoadTest.assertContents(db, model);
        }
        assertThat(notUsed()).as("what the power loss left of the image is refused").hasSize(left ? 1 : 0);
    }
}
