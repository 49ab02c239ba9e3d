package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.format.Bytes;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.format.SegmentHeader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The zero tail (FORMAT.md, "Zero tail"): under {@code always()} the active segment is zero-filled and fsynced ahead
 * of its records, cut to them when it is sealed; after a crash open ends its log at the zeros without reporting them,
 * reports non-zero bytes there as a torn tail, and refuses zeros followed by a valid record. Verify, repair, backup
 * and read-only opens agree; a full disk while zero-filling stops writes with the OS's error and loses nothing
 * acknowledged, as does power lost at any write or fsync of the first segments (torn writes inside the zeroed region
 * included, see {@link FaultFileIO}).
 */
class ZeroTailTest {
    private static final int PUTS = 200;

    @TempDir
    Path tmp;

    private record Crashed(Path dir, Path segment, long dataEnd, TreeMap<String, String> state) {
    }

    private static byte[] key(int i) {
        return String.format("key-%05d", i).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(int i) {
        byte[] v = new byte[100];
        Arrays.fill(v, (byte) ('a' + i % 26));
        return v;
    }

    private static Options always(long segmentSize) {
        return Options.builder().fsyncPolicy(FsyncPolicy.always()).segmentSize(segmentSize).build();
    }

    private static Stats.SegmentStats active(FerrumDB db) {
        return db.stats().segments().stream().filter(Stats.SegmentStats::active).findFirst().orElseThrow();
    }

    private static Path segmentPath(Path dir, long id) {
        return dir.resolve(FileNames.segment(id)).toAbsolutePath().normalize();
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean zeros(byte[] b, long from, long to) {
        for (long i = from; i < to; i++) {
            if (b[(int) i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** Where the records of a segment file end, reading valid headers from the segment header on. */
    private static long recordsEnd(byte[] b) {
        int pos = SegmentHeader.SIZE;
        while (pos + RecordFormat.HEADER_SIZE <= b.length && RecordFormat.headerProblem(b, pos) == null) {
            pos += RecordFormat.HEADER_SIZE + RecordFormat.keyLength(b, pos) + RecordFormat.valueLength(b, pos);
        }
        return pos;
    }

    private static void writeAt(Path file, long offset, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), offset);
        }
    }

    /** Puts {@link #PUTS} records with always() and loses power after the last one was acknowledged. */
    private Crashed crashed(String name) {
        Path dir = tmp.resolve(name);
        FaultFileIO io = new FaultFileIO(1);
        FerrumDB db = FerrumDB.open(dir, io.forOneOpen(always(Options.DEFAULT_SEGMENT_SIZE)));
        for (int i = 0; i < PUTS; i++) {
            db.put(key(i), value(i));
        }
        TreeMap<String, String> state = History.dump(db);
        Stats.SegmentStats active = active(db);
        io.crash();
        stopCrashed(db);
        Path seg = segmentPath(dir, active.id());
        byte[] b = read(seg);
        assertThat((long) b.length).as("the crash left the zeroed region").isGreaterThan(active.totalBytes());
        assertThat(zeros(b, active.totalBytes(), b.length)).as("zeros after the records").isTrue();
        return new Crashed(dir, seg, active.totalBytes(), state);
    }

    private static void stopCrashed(FerrumDB db) {
        try {
            db.close();
        } catch (FerrumException expected) {
            assertThat(db.isClosed()).isTrue();
        }
    }

    @Test
    void alwaysZeroFillsTheActiveSegmentAheadOfItsRecordsAndCloseCutsIt() {
        Path dir = tmp.resolve("db");
        Path seg;
        long dataEnd;
        try (FerrumDB db = FerrumDB.open(dir, always(Options.DEFAULT_SEGMENT_SIZE))) {
            for (int i = 0; i < PUTS; i++) {
                db.put(key(i), value(i));
            }
            Stats.SegmentStats active = active(db);
            seg = segmentPath(dir, active.id());
            dataEnd = active.totalBytes();
            byte[] b = read(seg);
            assertThat(Bytes.u16(b, 8)).as("segment format version").isEqualTo(2);
            assertThat((long) b.length).as("zero-filled ahead").isGreaterThan(dataEnd);
            assertThat(zeros(b, dataEnd, b.length)).isTrue();
            assertThat(db.get(key(PUTS - 1))).isEqualTo(value(PUTS - 1));
        }
        assertThat(read(seg)).as("cut to its records at close").hasSize((int) dataEnd);
        assertThat(SegmentLayout.hintOf(seg)).exists();
        try (FerrumDB db = FerrumDB.open(dir, always(Options.DEFAULT_SEGMENT_SIZE))) {
            assertThat(db.recoveryReport()).isEmpty();
            assertThat(db.size()).isEqualTo(PUTS);
        }
    }

    @Test
    void rolledSegmentsAreCutToTheirRecordsBeforeTheirHints() {
        Path dir = tmp.resolve("db");
        try (FerrumDB db = FerrumDB.open(dir, always(64 << 10).toBuilder().autoCompaction(false).build())) {
            for (int i = 0; i < 2000; i++) {
                db.put(key(i % 300), value(i));
            }
            long activeId = active(db).id();
            List<Path> sealed = SegmentLayout.segments(dir).stream()
                    .filter(p -> !p.getFileName().toString().equals(FileNames.segment(activeId))).toList();
            assertThat(sealed).as("rolled segments").hasSizeGreaterThan(2);
            for (Path p : sealed) {
                byte[] b = read(p);
                assertThat(recordsEnd(b)).as("%s ends at its last record", p).isEqualTo(b.length);
                assertThat(b.length).as("%s is not over its size limit", p).isLessThanOrEqualTo(64 << 10);
            }
            byte[] b = read(segmentPath(dir, activeId));
            assertThat(b.length).as("the active segment is zero-filled up to the size limit at most")
                    .isLessThanOrEqualTo(64 << 10);
        }
        assertThat(FerrumDB.verify(dir, Options.defaults()).problems()).isEmpty();
    }

    @Test
    void neverAndPeriodicDoNotZeroFill() {
        for (FsyncPolicy policy : List.of(FsyncPolicy.never(), FsyncPolicy.periodic(Duration.ofMillis(5)))) {
            Path dir = tmp.resolve(policy.toString().replaceAll("\\W", ""));
            try (FerrumDB db = FerrumDB.open(dir, Options.builder().fsyncPolicy(policy).build())) {
                for (int i = 0; i < PUTS; i++) {
                    db.put(key(i), value(i));
                }
                db.sync();
                Stats.SegmentStats active = active(db);
                assertThat(read(segmentPath(dir, active.id()))).as("%s", policy).hasSize((int) active.totalBytes());
            }
        }
    }

    @Test
    void aZeroTailLeftByACrashIsNotReportedAndOpenCutsIt() throws IOException {
        Crashed c = crashed("db");
        byte[] before = read(c.segment());
        try (FerrumDB db = FerrumDB.open(c.dir(), Options.builder().readOnly(true).build())) {
            assertThat(db.recoveryReport()).as("a zero tail is not damage, not even a torn write").isEmpty();
            assertThat(History.dump(db)).isEqualTo(c.state());
        }
        assertThat(read(c.segment())).as("a read-only open writes nothing").isEqualTo(before);
        try (FerrumDB db = FerrumDB.open(c.dir(), always(Options.DEFAULT_SEGMENT_SIZE))) {
            assertThat(db.recoveryReport()).isEmpty();
            assertThat(History.dump(db)).isEqualTo(c.state());
            db.put(key(PUTS), value(PUTS));
        }
        assertThat(read(c.segment())).as("open cut the zeros").hasSize((int) c.dataEnd());
        assertThat(SegmentLayout.hintOf(c.segment())).exists();
        try (FerrumDB db = FerrumDB.open(c.dir(), always(Options.DEFAULT_SEGMENT_SIZE))) {
            assertThat(db.recoveryReport()).isEmpty();
            assertThat(db.size()).isEqualTo(PUTS + 1);
        }
    }

    @Test
    void aTornRecordBeforeTheZerosIsATornTail() throws IOException {
        Crashed c = crashed("db");
        byte[] b = read(c.segment());
        long size = b.length;
        // The first 20 bytes of a record (a copy of the first one's) where the next record would start.
        writeAt(c.segment(), c.dataEnd(), Arrays.copyOfRange(b, SegmentHeader.SIZE, SegmentHeader.SIZE + 20));
        try (FerrumDB db = FerrumDB.open(c.dir(), always(Options.DEFAULT_SEGMENT_SIZE))) {
            assertThat(db.recoveryReport()).singleElement().satisfies(d -> {
                assertThat(d.kind()).isEqualTo(DroppedRange.Kind.TORN_TAIL);
                assertThat(d.file()).isEqualTo(c.segment());
                assertThat(d.offset()).isEqualTo(c.dataEnd());
                assertThat(d.length()).isEqualTo(size - c.dataEnd());
                assertThat(d.reason()).contains("zeros from offset " + (c.dataEnd() + 20));
            });
            assertThat(History.dump(db)).isEqualTo(c.state());
        }
        assertThat(read(c.segment())).hasSize((int) c.dataEnd());
    }

    @Test
    void zerosFollowedByAValidRecordAreCorruption() throws IOException {
        Crashed c = crashed("db");
        byte[] b = read(c.segment());
        int size = RecordFormat.HEADER_SIZE + RecordFormat.keyLength(b, SegmentHeader.SIZE)
                + RecordFormat.valueLength(b, SegmentHeader.SIZE);
        long at = c.dataEnd() + 4096;
        assertThat(at + size).isLessThan(b.length);
        writeAt(c.segment(), at, Arrays.copyOfRange(b, SegmentHeader.SIZE, SegmentHeader.SIZE + size));
        assertThatThrownBy(() -> FerrumDB.open(c.dir(), always(Options.DEFAULT_SEGMENT_SIZE)))
                .isInstanceOfSatisfying(CorruptionException.class, e -> {
                    assertThat(e.file()).isEqualTo(c.segment());
                    assertThat(e.offset()).isEqualTo(c.dataEnd());
                    assertThat(e.problem()).contains("valid records follow at offset " + at);
                });
        VerifyReport verify = FerrumDB.verify(c.dir(), Options.defaults());
        assertThat(verify.ok()).isFalse();
        assertThat(verify.damage()).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo(DroppedRange.Kind.DAMAGED_RECORD);
            assertThat(d.offset()).isEqualTo(c.dataEnd());
            assertThat(d.length()).isEqualTo(at - c.dataEnd());
        });
    }

    @Test
    void aFlippedByteInTheZeroTailIsATornTailNotDamage() throws IOException {
        Crashed c = crashed("db");
        long size = read(c.segment()).length;
        writeAt(c.segment(), c.dataEnd() + 5000, new byte[] {0x10});
        VerifyReport verify = FerrumDB.verify(c.dir(), Options.defaults());
        assertThat(verify.ok()).as("a torn tail is not damage").isTrue();
        assertThat(verify.problems()).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo(DroppedRange.Kind.TORN_TAIL);
            assertThat(d.offset()).isEqualTo(c.dataEnd());
        });
        try (FerrumDB db = FerrumDB.open(c.dir(), always(Options.DEFAULT_SEGMENT_SIZE))) {
            assertThat(db.recoveryReport()).singleElement().satisfies(d -> {
                assertThat(d.kind()).isEqualTo(DroppedRange.Kind.TORN_TAIL);
                assertThat(d.offset()).isEqualTo(c.dataEnd());
                assertThat(d.length()).isEqualTo(size - c.dataEnd());
            });
            assertThat(History.dump(db)).isEqualTo(c.state());
        }
    }

    @Test
    void verifyAndRepairAcceptAZeroTail() {
        Crashed c = crashed("db");
        VerifyReport verify = FerrumDB.verify(c.dir(), Options.defaults());
        assertThat(verify.problems()).isEmpty();
        assertThat(verify.records()).isEqualTo(PUTS);
        RepairReport repair = FerrumDB.repair(c.dir(), Options.defaults());
        assertThat(repair.problems()).isEmpty();
        assertThat(repair.rewritten()).isEmpty();
        try (FerrumDB db = FerrumDB.open(c.dir(), always(Options.DEFAULT_SEGMENT_SIZE))) {
            assertThat(db.recoveryReport()).isEmpty();
            assertThat(History.dump(db)).isEqualTo(c.state());
        }
    }

    @Test
    void aBackupOfAWritingDatabaseCopiesNoZeros() {
        Path dir = tmp.resolve("db");
        Path target = tmp.resolve("backup");
        TreeMap<String, String> state;
        try (FerrumDB db = FerrumDB.open(dir, always(Options.DEFAULT_SEGMENT_SIZE))) {
            for (int i = 0; i < PUTS; i++) {
                db.put(key(i), value(i));
            }
            state = History.dump(db);
            db.backup(target);
            db.put(key(PUTS), value(PUTS));
            assertThat(read(segmentPath(dir, active(db).id())).length).as("the writer zero-fills again")
                    .isGreaterThan((int) active(db).totalBytes());
        }
        for (Path p : SegmentLayout.segments(target)) {
            byte[] b = read(p);
            assertThat(recordsEnd(b)).as("%s ends at its last record", p).isEqualTo(b.length);
        }
        assertThat(FerrumDB.verify(target, Options.defaults()).problems()).isEmpty();
        try (FerrumDB db = FerrumDB.open(target)) {
            assertThat(db.recoveryReport()).isEmpty();
            assertThat(History.dump(db)).isEqualTo(state);
        }
    }

    /**
     * The command line's {@code backup} opens read-only, which leaves a crashed segment as it is: its copy must hold
     * the records without the zeros (or the torn bytes before them) that follow, or the copy never opens.
     */
    @Test
    void aReadOnlyBackupOfACrashedDatabaseCopiesItsRecordsWithoutTheTail() throws IOException {
        Crashed zeros = crashed("zeros");
        Crashed torn = crashed("torn");
        byte[] b = read(torn.segment());
        writeAt(torn.segment(), torn.dataEnd(), Arrays.copyOfRange(b, SegmentHeader.SIZE, SegmentHeader.SIZE + 20));
        for (Crashed c : List.of(zeros, torn)) {
            byte[] before = read(c.segment());
            Path target = tmp.resolve(c.dir().getFileName() + "-backup");
            try (FerrumDB db = FerrumDB.open(c.dir(), Options.builder().readOnly(true).build())) {
                db.backup(target);
            }
            assertThat(read(c.segment())).as("the backup of a read-only open changes nothing").isEqualTo(before);
            Path copied = target.resolve(c.segment().getFileName());
            assertThat(read(copied)).isEqualTo(Arrays.copyOf(before, (int) c.dataEnd()));
            assertThat(FerrumDB.verify(target, Options.defaults()).problems()).isEmpty();
            try (FerrumDB db = FerrumDB.open(target, Options.builder().readOnly(true).build())) {
                assertThat(History.dump(db)).isEqualTo(c.state());
            }
            try (FerrumDB db = FerrumDB.open(target, always(Options.DEFAULT_SEGMENT_SIZE))) {
                assertThat(db.recoveryReport()).isEmpty();
                assertThat(History.dump(db)).isEqualTo(c.state());
            }
        }
    }

    @Test
    void aFullDiskWhileZeroFillingStopsWritesAndLosesNoAcknowledgedWrite() {
        Path dir = tmp.resolve("db");
        FaultFileIO io = new FaultFileIO(3);
        FerrumDB db = FerrumDB.open(dir, io.forOneOpen(always(Options.DEFAULT_SEGMENT_SIZE)));
        db.put(key(0), value(0));
        // Room for the records up to the next zero-fill (64 KiB ahead, renewed when less than half is left), not
        // for the zeros it writes.
        io.diskSpace(40_000);
        TreeMap<String, String> acknowledged = History.dump(db);
        FerrumException thrown = null;
        for (int i = 1; i < 1000 && thrown == null; i++) {
            try {
                db.put(key(i), value(i));
                acknowledged = History.dump(db);
            } catch (FerrumException e) {
                thrown = e;
            }
        }
        assertThat(thrown).as("the disk filled up").isInstanceOf(ReadOnlyDatabaseException.class);
        assertThat(thrown.getCause()).isInstanceOf(FaultFileIO.InjectedIOException.class)
                .hasMessageContaining("No space left on device").hasMessageContaining(".seg");
        assertThat(Arrays.stream(thrown.getCause().getStackTrace()).map(StackTraceElement::getClassName))
                .as("the disk filled up while zero-filling").contains("io.ferrumdb.internal.log.ZeroTail");
        assertThat(acknowledged).as("records were acknowledged before").hasSizeGreaterThan(100);
        for (int i = 0; i < acknowledged.size(); i++) {
            assertThat(db.get(key(i))).as("reads still serve acknowledged put %d", i).isEqualTo(value(i));
        }
        stopCrashed(db);
        io.diskSpace(Long.MAX_VALUE);
        try (FerrumDB reopened = FerrumDB.open(dir, io.forOneOpen(always(Options.DEFAULT_SEGMENT_SIZE)))) {
            assertThat(reopened.recoveryReport()).noneMatch(d -> d.kind().isDamage());
            assertThat(History.dump(reopened)).isEqualTo(acknowledged);
        }
    }

    /**
     * Power lost at every one of the first write and fsync calls in turn (zero-fills, records, rolls with their cut,
     * hints), with every tail mode: every acknowledged put is there after reopen, at most the one in flight besides.
     */
    @Test
    void powerLostAtEveryWriteOrFsyncKeepsEveryAcknowledgedPut() {
        int run = 0;
        for (FaultFileIO.Tail tail : FaultFileIO.Tail.values()) {
            for (FaultFileIO.Op op : List.of(FaultFileIO.Op.WRITE, FaultFileIO.Op.FORCE)) {
                for (int nth = 1; nth <= 40; nth++) {
                    String where = tail + " " + op + " #" + nth;
                    Path dir = tmp.resolve("loss-" + run++);
                    FaultFileIO io = new FaultFileIO(nth).tail(tail);
                    Options options = always(4096);
                    FerrumDB db = FerrumDB.open(dir, io.forOneOpen(options));
                    io.crashOn(op, nth);
                    int acknowledged = 0;
                    try {
                        for (; acknowledged < 120; acknowledged++) {
                            db.put(key(acknowledged), value(acknowledged));
                        }
                    } catch (FerrumException e) {
                        assertThat(io.crashes()).as("%s: a write failed without a crash: %s", where, e).isOne();
                    }
                    if (io.crashes() == 0) {
                        io.disarm();
                        io.crash();
                    }
                    stopCrashed(db);
                    // Verify reads the crash image as open does: what open accepts is not damage to verify.
                    assertThat(FerrumDB.verify(dir, io.forOneOpen(options)).damage())
                            .as("%s: verify before the reopen", where).isEmpty();
                    assertThat(FerrumDB.repair(dir, io.forOneOpen(options)).problems())
                            .as("%s: repair before the reopen", where).noneMatch(d -> d.kind().isDamage());
                    try (FerrumDB reopened = FerrumDB.open(dir, io.forOneOpen(options))) {
                        assertThat(reopened.recoveryReport()).as(where).noneMatch(d -> d.kind().isDamage());
                        for (int i = 0; i < acknowledged; i++) {
                            assertThat(reopened.get(key(i))).as("%s: acknowledged put %d", where, i)
                                    .isEqualTo(value(i));
                        }
                        for (int i = acknowledged + 1; i <= 120; i++) {
                            assertThat(reopened.get(key(i))).as("%s: put %d was never made", where, i).isNull();
                        }
                    }
                }
            }
        }
    }
}
