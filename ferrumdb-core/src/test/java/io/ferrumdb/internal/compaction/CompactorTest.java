package io.ferrumdb.internal.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.internal.concurrent.ProgressMeter;
import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.format.CipherSuite;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.keydir.Key;
import io.ferrumdb.internal.keydir.KeyDir;
import io.ferrumdb.internal.keydir.Location;
import io.ferrumdb.internal.log.LogWriter;
import io.ferrumdb.internal.log.TestWrites;
import io.ferrumdb.internal.log.Append;
import io.ferrumdb.internal.log.Segment;
import io.ferrumdb.internal.log.SegmentFiles;
import io.ferrumdb.internal.log.SegmentManifest;
import io.ferrumdb.internal.log.SegmentScanner;
import io.ferrumdb.internal.log.SegmentSet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The compactor alone, table-driven: a history of writes split into segments, which of them are compacted, and
 * exactly which records the outputs must hold (what is copied, dropped, kept as a tombstone or turned into one),
 * with the key directory, live bytes, MANIFEST and files checked afterwards.
 */
class CompactorTest {
    private static final long NOW = 1_000_000;

    @TempDir
    Path dir;

    private SegmentSet set;
    private LogWriter writer;
    private final KeyDir keyDir = new KeyDir(false, 16);
    /** The sequence number of each record appended, by (segment id, offset): appends are numbered from 1. */
    private final Map<List<Long>, Long> sequenceAt = new HashMap<>();
    /** The hint files the last run of {@link #compactAndCheck} read (a scan of the data when one is missing). */
    private int hintsRead;

    @AfterEach
    void tearDown() throws Exception {
        if (writer != null) {
            writer.close();
        }
        if (set != null) {
            set.closeAll();
        }
    }

    /**
     * Cases: the history ("put k", "put k expired", "del k", "roll" seals the segment), the indexes of the sealed
     * segments to compact (oldest is 0), the sequence numbers whose writes failed, the outputs' records, and whether
     * the inputs are copied by bitmap ({@link CompactionPart#copiesByBitmap}: no hint read).
     */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("the newest value is copied, an overwritten one dropped",
                        List.of("put a", "put a", "put b", "roll"), List.of(0), Set.of(),
                        List.of("PUT a@2", "PUT b@3"), true),
                Arguments.of("a tombstone with nothing older outside the compaction is dropped",
                        List.of("put a", "roll", "del a", "roll"), List.of(0, 1), Set.of(),
                        List.of(), true),
                Arguments.of("a tombstone that hides an older value outside the compaction is kept",
                        List.of("put a", "roll", "del a", "roll"), List.of(1), Set.of(),
                        List.of("DELETE a@2"), false),
                Arguments.of("an expired value whose entry was purged becomes a tombstone while an older value lies"
                                + " outside", List.of("put a", "roll", "put a expired", "put b", "roll"), List.of(1),
                        Set.of(), List.of("DELETE a@2", "PUT b@3"), false),
                Arguments.of("an expired value with nothing older outside is dropped",
                        List.of("put a expired", "put b", "roll"), List.of(0), Set.of(),
                        List.of("PUT b@2"), true),
                Arguments.of("every record of a key whose newest write failed is kept",
                        List.of("put a", "put a", "put b", "put b", "roll"), List.of(0), Set.of(2L),
                        List.of("PUT a@1", "PUT a@2", "PUT b@4"), false),
                // After a failure the key directory has no entry for a key whose delete failed: dropping its newest
                // durable value would bring back the older one outside the compaction at reopen.
                Arguments.of("the value a failed delete would have removed is kept",
                        List.of("put a", "roll", "put a", "put b", "roll", "del a"), List.of(1), Set.of(4L),
                        List.of("PUT a@2", "PUT b@3"), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void compactionOutputsHoldExactlyTheRecordsThatMustSurvive(String name, List<String> history,
                                                                List<Integer> compacted, Set<Long> failed,
                                                                List<String> expected, boolean byBitmap)
            throws Exception {
        compactAndCheck(name, history, compacted, failed, expected, false, 1);
        assertThat(hintsRead).as("hints read").isEqualTo(byBitmap ? 0 : compacted.size());
    }

    /**
     * In three subcompactions (outputs of one record each, so that every part has the live bytes to run): the same
     * records survive, in outputs numbered in whatever order the parts created them.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void inSeveralPartsTheSameRecordsSurvive(String name, List<String> history, List<Integer> compacted,
                                             Set<Long> failed, List<String> expected, boolean byBitmap)
            throws Exception {
        compactAndCheck(name, history, compacted, failed, expected, false, 3);
    }

    /** Without hint files the compactor scans the inputs' data; the outcome must be the same. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void withoutHintFilesTheSameRecordsSurvive(String name, List<String> history, List<Integer> compacted,
                                               Set<Long> failed, List<String> expected, boolean byBitmap)
            throws Exception {
        compactAndCheck(name, history, compacted, failed, expected, true, 1);
    }

    private void compactAndCheck(String name, List<String> history, List<Integer> compacted, Set<Long> failed,
                                 List<String> expected, boolean deleteHints, int threads) throws Exception {
        SegmentFiles files = new SegmentFiles(FileIO.nio(), dir, new byte[16], CipherSuite.PLAINTEXT);
        SegmentManifest.write(files, new java.util.TreeSet<>());
        set = new SegmentSet(files, new SegmentManifest(files, List.of()));
        writer = new LogWriter(0, FsyncPolicy.never(), 1 << 20, set::createActive, set::seal, () -> { });
        for (String op : history) {
            String[] w = op.split(" ");
            switch (w[0]) {
                case "roll" -> writer.rollAndSync();
                case "put" -> append(RecordFormat.TYPE_PUT, w[1], w.length > 2 ? 1 : 0);
                case "del" -> append(RecordFormat.TYPE_DELETE, w[1], 0);
                default -> throw new AssertionError(op);
            }
        }
        keyDir.purgeExpired(NOW, set::release);
        List<Segment> sealed = set.sealedExcept(writer.active() == null ? -1 : writer.active().id());
        List<Segment> inputs = new ArrayList<>();
        for (int i : compacted) {
            inputs.add(sealed.get(i));
            if (deleteHints) {
                java.nio.file.Files.delete(files.hintPath(sealed.get(i).id()));
            }
        }
        // The failed writes are named by sequence number; the compactor asks by location (segment, offset).
        Compactor.Durability durable = new Compactor.Durability() {
            @Override
            public boolean isDurable(int segmentId, long offset) {
                return !failed.contains(sequenceAt.get(List.of((long) segmentId, offset)));
            }

            @Override
            public boolean all() {
                return failed.isEmpty();
            }
        };
        Compactor compactor = new Compactor(keyDir, set, threads == 1 ? 1 << 20 : 64, 0, durable, writer::sync);

        Compactor.Outcome outcome = compactor.compact(inputs, () -> false, threads, ProgressMeter.IGNORE);
        hintsRead = compactor.keptArrays().take().hintBuffers();
        compactor.close();

        assertThat(outcome.segmentsCompacted()).isEqualTo(inputs.size());
        List<String> output = new ArrayList<>();
        for (Segment s : set.all()) {
            if (s.header().compacted()) {
                assertThat(s.isSealed()).isTrue();
                for (SegmentScanner.Scanned r : SegmentScanner.scan(s.file(), s.writtenLength(), s.cipher(),
                        SegmentScanner.Mode.STRICT).records()) {
                    output.add((r.type() == RecordFormat.TYPE_PUT ? "PUT " : "DELETE ")
                            + new String(r.key(), StandardCharsets.UTF_8) + "@" + r.sequence());
                }
            }
        }
        if (threads == 1) {
            assertThat(output).as(name).containsExactlyElementsOf(expected);
        } else {
            assertThat(output).as(name).containsExactlyInAnyOrderElementsOf(expected);
        }
        for (Segment in : inputs) {
            assertThat(set.get(in.id())).isNull();
            assertThat(files.dataPath(in.id())).doesNotExist();
        }
        assertThat(dir.resolve(FileNames.COMPACTION)).doesNotExist();
        assertThat(SegmentManifest.read(files).keySet()).isEqualTo(set.ids());
        // The key directory follows every copied value it pointed at; live bytes follow the key directory.
        long[] live = new long[1];
        keyDir.forEachLocation(loc -> {
            if (failed.isEmpty()) {
                assertThat(set.get(loc.segmentId())).as("entry %s", loc).isNotNull();
            }
            live[0] += set.get(loc.segmentId()) == null ? 0 : loc.recordSize();
        });
        assertThat(set.all().stream().mapToLong(Segment::liveBytes).sum()).isEqualTo(live[0]);
    }

    /**
     * One compactor, run after run, reuses its arrays (the inputs' hint buffers, the live records' bitmaps and
     * copies): the second run's input lays its records at the offsets where the first run's input had live ones, and
     * its first ten are dead; its hint is shorter than the first's, read into the first's buffer. Exactly the live
     * records survive each run (a bit left from the first run would copy a dead record), every key follows its copy,
     * and the arrays are kept until the compactor closes; a run after that keeps nothing.
     */
    @ParameterizedTest(name = "{0} thread(s)")
    @ValueSource(ints = {1, 3})
    void runAfterRunTheKeptArraysHoldNothingOfTheRunBefore(int threads) throws Exception {
        SegmentFiles files = new SegmentFiles(FileIO.nio(), dir, new byte[16], CipherSuite.PLAINTEXT);
        SegmentManifest.write(files, new java.util.TreeSet<>());
        set = new SegmentSet(files, new SegmentManifest(files, List.of()));
        writer = new LogWriter(0, FsyncPolicy.never(), 1 << 20, set::createActive, set::seal, () -> { });
        Compactor compactor = new Compactor(keyDir, set, threads == 1 ? 1 << 20 : 2048, 0, allDurable(),
                writer::sync);
        List<String> runs = new ArrayList<>();
        for (int k = 0; k < 120; k++) {
            append(RecordFormat.TYPE_PUT, "key-" + (1000 + k), 0);
        }
        runs.add(compactSealed(compactor, threads));
        assertThat(compactor.keptArrays().holds()).isTrue();
        for (int k = 0; k < 100; k++) {
            append(RecordFormat.TYPE_PUT, "key-" + (1000 + k), 0);
        }
        for (int k = 0; k < 10; k++) {
            append(RecordFormat.TYPE_PUT, "key-" + (1000 + k), 0);
        }
        runs.add(compactSealed(compactor, threads));
        compactor.close();
        assertThat(compactor.keptArrays().holds()).isFalse();
        for (int k = 0; k < 5; k++) {
            append(RecordFormat.TYPE_PUT, "key-" + (1000 + k), 0);
        }
        runs.add(compactSealed(compactor, threads));
        assertThat(compactor.keptArrays().holds()).isFalse();
        compactor.close();

        assertThat(runs).containsExactly("120 of 120 records: 120 keys", "100 of 110 records: 100 keys",
                "5 of 5 records: 5 keys");
        long[] live = new long[1];
        keyDir.forEachLocation(loc -> {
            assertThat(set.get(loc.segmentId())).as("entry %s", loc).isNotNull();
            live[0] += loc.recordSize();
        });
        assertThat(set.all().stream().mapToLong(Segment::liveBytes).sum()).isEqualTo(live[0]);
        assertThat(keyDir.size()).isEqualTo(120);
    }

    /**
     * Rolls the writer, compacts every sealed segment that is not an output and tells what the outputs hold: their
     * records against the inputs', and how many keys name them.
     */
    private String compactSealed(Compactor compactor, int threads) throws Exception {
        writer.rollAndSync();
        List<Segment> inputs = new ArrayList<>();
        int in = 0;
        for (Segment s : set.sealedExcept(writer.active() == null ? -1 : writer.active().id())) {
            if (!s.header().compacted()) {
                inputs.add(s);
                in += SegmentScanner.scan(s.file(), s.writtenLength(), s.cipher(), SegmentScanner.Mode.STRICT)
                        .records().size();
            }
        }
        Set<Integer> before = Set.copyOf(set.ids());
        compactor.compact(inputs, () -> false, threads, ProgressMeter.IGNORE);
        Set<Integer> outputs = new java.util.HashSet<>(set.ids());
        outputs.removeAll(before);
        int out = 0;
        for (int id : outputs) {
            Segment s = set.get(id);
            out += SegmentScanner.scan(s.file(), s.writtenLength(), s.cipher(), SegmentScanner.Mode.STRICT)
                    .records().size();
        }
        int[] keys = new int[1];
        keyDir.forEachLocation(loc -> keys[0] += outputs.contains(loc.segmentId()) ? 1 : 0);
        return out + " of " + in + " records: " + keys[0] + " keys";
    }

    /**
     * Abandoning (the database closing) at the first, second, ... poll of the signal, until a run finishes
     * without reaching it: every safe point of the copy (each input, every BATCH records, each output,
     * before the first rename) leaves the files, the MANIFEST, the segment set and the key directory as they were.
     */
    @ParameterizedTest(name = "{0} thread(s)")
    @ValueSource(ints = {1, 3})
    void abandoningAtEverySafePointLeavesFilesManifestAndKeyDirectoryAsTheyWere(int threads) throws Exception {
        int abandonedRuns = 0;
        for (int n = 1; ; n++) {
            Path at = java.nio.file.Files.createDirectories(dir.resolve("n" + n));
            SegmentFiles files = new SegmentFiles(FileIO.nio(), at, new byte[16], CipherSuite.PLAINTEXT);
            SegmentManifest.write(files, new java.util.TreeSet<>());
            set = new SegmentSet(files, new SegmentManifest(files, List.of()));
            writer = new LogWriter(0, FsyncPolicy.never(), 1 << 20, set::createActive, set::seal, () -> { });
            for (int round = 0; round < 3; round++) {
                for (int k = 0; k < 60; k++) {
                    append(RecordFormat.TYPE_PUT, "key-" + k, 0);
                }
                writer.rollAndSync();
            }
            List<Segment> inputs = set.sealedExcept(writer.active() == null ? -1 : writer.active().id());
            List<String> namesBefore = names(at);
            List<Integer> idsBefore = List.copyOf(set.ids());
            List<String> locationsBefore = locations();
            // Small outputs, so that the run has several (and a safe point before finishing each).
            Compactor compactor = new Compactor(keyDir, set, 1024, 0, allDurable(), writer::sync);
            AtomicInteger polls = new AtomicInteger();
            int stopAt = n;
            boolean abandoned;
            try {
                compactor.compact(inputs, () -> polls.incrementAndGet() >= stopAt, threads,
                        ProgressMeter.IGNORE);
                abandoned = false;
            } catch (CompactionAbandonedException e) {
                abandoned = true;
                // Parts poll at once: others may poll once more before they see the first one's stop.
                assertThat(polls.get()).isBetween(n, n + threads - 1);
                assertThat(e.inputIds()).hasSameSizeAs(inputs);
            } finally {
                compactor.close();
            }
            if (abandoned) {
                abandonedRuns++;
                assertThat(names(at)).as("files after abandoning at poll %d", n).isEqualTo(namesBefore);
                assertThat(List.copyOf(set.ids())).as("segments after abandoning at poll %d", n)
                        .isEqualTo(idsBefore);
                assertThat(SegmentManifest.read(files).keySet()).isEqualTo(set.ids());
                assertThat(locations()).as("key directory after abandoning at poll %d", n)
                        .isEqualTo(locationsBefore);
            } else {
                assertThat(polls.get()).as("the finished run polled fewer than %d times", n).isLessThan(n);
                assertThat(abandonedRuns).as("safe points before a run finishes").isGreaterThan(5);
            }
            writer.close();
            writer = null;
            set.closeAll();
            set = null;
            for (int k = 0; k < 60; k++) {
                keyDir.remove(new Key(("key-" + k).getBytes(StandardCharsets.UTF_8)));
            }
            sequenceAt.clear();
            if (!abandoned) {
                return;
            }
        }
    }

    /**
     * An input copied by bitmap (no hint read, dropped records not read at all) gives the outputs the hint path
     * gives, byte for byte with one part: the same histories of overwrites, records from a header to more than an
     * output's write buffer (which go through {@code append}), compacted once while every write is durable (by
     * bitmap) and once while the writer reports a failure that caught none of them (the hint path: every record's
     * fate from its entry, the same here, since every key's newest record is a durable PUT). In three parts, cut
     * inside segments, every live record is copied once. Each output's hint lists exactly its records.
     */
    @ParameterizedTest(name = "{0} thread(s)")
    @ValueSource(ints = {1, 3})
    void copiedByBitmapTheOutputsAreTheHintPathsRecords(int threads) throws Exception {
        Map<String, byte[]> byBitmap = compactHistory(dir.resolve("bitmap"), true, threads);
        Map<String, byte[]> byHint = compactHistory(dir.resolve("hint"), false, threads);
        if (threads == 1) {
            assertThat(byBitmap.keySet()).isEqualTo(byHint.keySet());
            for (Map.Entry<String, byte[]> f : byBitmap.entrySet()) {
                assertThat(f.getValue()).as(f.getKey()).isEqualTo(byHint.get(f.getKey()));
            }
        } else {
            assertThat(byBitmap.get("records")).isEqualTo(byHint.get("records"));
        }
    }

    /**
     * Writes a history of 1,200 writes of 300 keys (and three of two keys, more than 1 MiB each) into three sealed
     * segments and compacts them all, with {@code healthy} the writer's {@code all()}; returns the outputs' files by
     * name, their records (sorted) under "records" and the key directory under "keys". Checks which path was taken
     * (the hint buffers the run took) and that each output's hint names exactly its records.
     */
    private Map<String, byte[]> compactHistory(Path at, boolean healthy, int threads) throws Exception {
        java.nio.file.Files.createDirectories(at);
        SegmentFiles files = new SegmentFiles(FileIO.nio(), at, new byte[16], CipherSuite.PLAINTEXT);
        SegmentManifest.write(files, new java.util.TreeSet<>());
        set = new SegmentSet(files, new SegmentManifest(files, List.of()));
        writer = new LogWriter(0, FsyncPolicy.never(), 4 << 20, set::createActive, set::seal, () -> { });
        java.util.Random random = new java.util.Random(29);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 400; i++) {
                int size = random.nextInt(50) == 0 ? 1_000 + random.nextInt(70_000) : random.nextInt(200);
                append(RecordFormat.TYPE_PUT, "key-" + random.nextInt(300), 0, size);
                if (i == 200) {
                    // Larger than an output's write buffer; the first round's is overwritten by the last round's.
                    append(RecordFormat.TYPE_PUT, "key-big" + round % 2, 0, (1 << 20) + 1_000 * round);
                }
            }
            writer.rollAndSync();
        }
        List<Segment> inputs = set.sealedExcept(writer.active() == null ? -1 : writer.active().id());
        Set<Integer> before = Set.copyOf(set.ids());
        Compactor compactor = new Compactor(keyDir, set, 1 << 20, 0, everyRecordDurable(healthy), writer::sync);
        // Three parts when asked: at least a quarter output's live bytes each, the inputs cut inside segments.
        assertThat(Compactor.split(inputs, inputs.stream().mapToLong(Segment::writtenLength).sum(), threads).stream()
                .filter(part -> part.stream().anyMatch(share -> share.from() > 0)).count())
                .isGreaterThanOrEqualTo(threads - 1);
        assertThat(inputs.stream().mapToLong(Segment::liveBytes).sum()).isGreaterThan(3L * (1 << 20) / 4);
        compactor.compact(inputs, () -> false, threads, ProgressMeter.IGNORE);
        assertThat(compactor.keptArrays().take().hintBuffers()).as("hints read").isEqualTo(healthy ? 0 : inputs.size());
        compactor.close();

        Map<String, byte[]> result = new java.util.TreeMap<>();
        List<String> records = new ArrayList<>();
        for (int id : set.ids()) {
            if (before.contains(id)) {
                continue;
            }
            Segment s = set.get(id);
            List<String> scanned = new ArrayList<>();
            for (SegmentScanner.Scanned r : SegmentScanner.scan(s.file(), s.writtenLength(), s.cipher(),
                    SegmentScanner.Mode.STRICT).records()) {
                scanned.add(r.type() + " " + new String(r.key(), StandardCharsets.UTF_8) + " " + r.size() + " @"
                        + r.offset() + " seq " + r.sequence() + " exp " + r.expiresAt());
                records.add(r.type() + " " + new String(r.key(), StandardCharsets.UTF_8) + " " + r.size() + " seq "
                        + r.sequence() + " bytes " + java.util.Arrays.hashCode(s.read(r.offset(), r.size())));
            }
            List<String> hinted = new ArrayList<>();
            for (io.ferrumdb.internal.format.HintFile.Cursor e = files.readHintCursor(s); e.next(); ) {
                hinted.add(e.type() + " " + new String(e.key(), StandardCharsets.UTF_8) + " " + e.recordSize() + " @"
                        + e.offset() + " seq " + e.sequence() + " exp " + e.expiresAt());
            }
            assertThat(hinted).as("hint of output %d", id).isEqualTo(scanned);
            result.put(files.dataPath(id).getFileName().toString(), java.nio.file.Files.readAllBytes(files.dataPath(id)));
            result.put(files.hintPath(id).getFileName().toString(), java.nio.file.Files.readAllBytes(files.hintPath(id)));
        }
        assertThat(records).hasSize(keyDir.size());
        java.util.Collections.sort(records);
        result.put("records", String.join("\n", records).getBytes(StandardCharsets.UTF_8));
        result.put("keys", String.join("\n", locations()).getBytes(StandardCharsets.UTF_8));
        writer.close();
        writer = null;
        set.closeAll();
        set = null;
        for (String k : List.of("key-big0", "key-big1")) {
            assertThat(keyDir.remove(new Key(k.getBytes(StandardCharsets.UTF_8)))).as(k).isNotNull();
        }
        for (int k = 0; k < 300; k++) {
            keyDir.remove(new Key(("key-" + k).getBytes(StandardCharsets.UTF_8)));
        }
        sequenceAt.clear();
        return result;
    }

    private static Compactor.Durability allDurable() {
        return everyRecordDurable(true);
    }

    /**
     * Every record durable, and {@code all()} as given: false is a writer that reports a failure which caught none of
     * the records compacted (the hint path decides then).
     */
    private static Compactor.Durability everyRecordDurable(boolean all) {
        return new Compactor.Durability() {
            @Override
            public boolean isDurable(int segmentId, long offset) {
                return true;
            }

            @Override
            public boolean all() {
                return all;
            }
        };
    }

    private List<String> locations() {
        List<String> all = new ArrayList<>();
        keyDir.forEachLocation(loc -> all.add(loc.toString()));
        java.util.Collections.sort(all);
        return all;
    }

    private static List<String> names(Path at) throws java.io.IOException {
        try (Stream<Path> s = java.nio.file.Files.list(at)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private void append(byte type, String key, long expiresAt) {
        append(type, key, expiresAt, type == RecordFormat.TYPE_PUT ? 20 : 0);
    }

    /** Appends a record with a value of {@code valueSize} bytes, which tell its key and sequence number. */
    private void append(byte type, String key, long expiresAt, int valueSize) {
        byte[] value = new byte[valueSize];
        java.util.Arrays.fill(value, (byte) (key.hashCode() + sequenceAt.size()));
        Append append = new Append(type, new Key(key.getBytes(StandardCharsets.UTF_8)), value, expiresAt);
        TestWrites.await(writer.append(TestWrites.records(append), TestWrites.applier(this::apply), false));
    }

    /** What the database's write path does under the writer's lock. */
    private void apply(byte type, Key key, Location location) {
        sequenceAt.put(List.of((long) location.segmentId(), location.offset()), (long) sequenceAt.size() + 1);
        if (type == RecordFormat.TYPE_PUT) {
            Location previous = keyDir.put(key, location);
            set.addLive(location);
            set.release(previous);
        } else {
            set.release(keyDir.remove(key));
        }
    }
}
