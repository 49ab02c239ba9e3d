package io.ferrumdb.internal.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.FaultFileIO;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.ReadOnlyDatabaseException;
import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.format.SegmentHeader;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.keydir.Key;
import io.ferrumdb.internal.keydir.Location;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log writer alone, over a real segment set: rolling, stopping for good after a failure, and lingering
 * (handing records to the OS without a sync). The key directory is replaced by a list of the locations the writer
 * reports.
 */
class LogWriterTest {
    @TempDir
    Path dir;

    private TestLog log;
    private SegmentSet set;
    /** Every location the writer applied, in order. */
    private final List<Location> applied = Collections.synchronizedList(new ArrayList<>());
    /** The hint entries handed over at each seal, by segment id. */
    private final Map<Integer, Integer> sealedEntries = new ConcurrentHashMap<>();

    private LogWriter open(FileIO io, FsyncPolicy policy, long segmentSize) {
        log = new TestLog(dir, io, policy, segmentSize, this::sealed);
        set = log.set;
        return log.writer;
    }

    private void sealed(Segment s, HintFile.Builder hint) throws IOException {
        set.seal(s, hint);
        sealedEntries.put(s.id(), set.files().readHint(s).size());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (log != null) {
            log.close();
        }
    }

    @Test
    void rollsBeforeARecordWouldOverflowTheSegmentAndNeverSplitsABatch() {
        long segmentSize = 1024;
        LogWriter w = open(FileIO.nio(), FsyncPolicy.never(), segmentSize);
        for (int i = 0; i < 30; i++) {
            append(w, put("k" + i, 90));
            if (i % 7 == 3) {
                append(w, put("b" + i + "a", 80), put("b" + i + "b", 80), put("b" + i + "c", 80));
            }
        }
        w.rollAndSync();
        int records = applied.size();
        assertThat(set.all()).hasSizeGreaterThan(4);
        long sealedTotal = 0;
        for (Segment s : set.sealedExcept(-1)) {
            assertThat(s.writtenLength()).as(s.toString()).isLessThanOrEqualTo(segmentSize);
            sealedTotal += sealedEntries.get(s.id());
        }
        assertThat(sealedTotal).as("every record is in the hint of a sealed segment").isEqualTo(records);
        for (int i = 0; i + 2 < records; i++) {
            Location a = applied.get(i);
            if (new String(keyOf(a), StandardCharsets.UTF_8).endsWith("a")) {
                assertThat(applied.get(i + 2).segmentId()).as("a batch stays in one segment")
                        .isEqualTo(a.segmentId());
            }
        }
        // Locations are contiguous inside a segment: the writer rolls only between records.
        for (int i = 1; i < records; i++) {
            Location prev = applied.get(i - 1);
            Location cur = applied.get(i);
            if (cur.segmentId() == prev.segmentId()) {
                assertThat(cur.offset()).isEqualTo(prev.offset() + prev.recordSize());
            } else {
                assertThat(cur.segmentId()).isGreaterThan(prev.segmentId());
                assertThat(cur.offset()).isEqualTo(SegmentHeader.SIZE);
            }
        }
    }

    /** Live threads of log writers (other tests' writers are closed, their threads ended, before this runs). */
    private static long writerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> t.getName().equals("ferrumdb-flusher") || t.getName().equals("ferrumdb-acknowledger"))
                .count();
    }

    /**
     * An open that never writes starts neither of the writer's threads (issue 18: a fresh JVM's open of a read-only
     * workload), and its close waits for none; the first segment starts both, and everything then works as before.
     */
    @Test
    void theWritersThreadsStartAtItsFirstWork() {
        long before = writerThreads();
        LogWriter w = open(FileIO.nio(), FsyncPolicy.never(), 1 << 20);
        w.sync(); // nothing appended: nothing to wait for
        assertThat(writerThreads()).as("after open and an empty sync").isEqualTo(before);
        append(w, put("k", 10));
        assertThat(writerThreads()).as("after the first append").isEqualTo(before + 2);
        w.rollAndSync();
        assertThat(sealedEntries).containsValue(1);
        assertThat(w.close()).as("the new active segment holds no record").isTrue();
        assertThat(writerThreads()).as("after close").isEqualTo(before);
    }

    @Test
    void aWriterClosedBeforeAnyWorkHasNoThreadToStop() {
        long before = writerThreads();
        LogWriter w = open(FileIO.nio(), FsyncPolicy.always(), 1 << 20);
        assertThat(w.close()).isTrue();
        assertThat(w.active()).isNull();
        assertThat(writerThreads()).isEqualTo(before);
        assertThatThrownBy(() -> w.append(TestWrites.records(put("late", 10)), TestWrites.applier(this::record), false))
                .isInstanceOf(io.ferrumdb.DatabaseClosedException.class);
    }

    /** A data-key rotation's roll of an untouched writer must not wait for a flusher that never started. */
    @Test
    void aSyncThatMustWaitStartsTheThreadsOfAnUntouchedWriter() {
        long before = writerThreads();
        LogWriter w = open(FileIO.nio(), FsyncPolicy.never(), 1 << 20);
        w.rollAndSync(true);
        assertThat(w.active()).as("the roll made the first segment").isNotNull();
        assertThat(writerThreads()).isEqualTo(before + 2);
        TestWrites.await(w.append(TestWrites.records(put("after", 10)), TestWrites.applier(this::record), false));
        w.sync();
        assertThat(applied).hasSize(1);
    }

    @Test
    void theFirstAppendCreatesTheFirstSegmentAndARecordLargerThanASegmentGetsAnEmptyOne() {
        long segmentSize = 256;
        LogWriter w = open(FileIO.nio(), FsyncPolicy.never(), segmentSize);
        assertThat(set.all()).as("no segment before the first append").isEmpty();
        append(w, put("big-1", 400)); // the first append: the roll's branch creates the first segment
        append(w, put("small-1", 10)); // does not fit after it: a new segment
        append(w, put("small-2", 10)); // fits: the same segment
        append(w, put("big-2", 400)); // larger than a segment: rolls to an empty one, and goes there whole
        append(w, put("big-3", 400)); // the segment holds a record: rolls again
        assertThat(applied).hasSize(5);
        List<Integer> segments = new ArrayList<>();
        for (Location l : applied) {
            segments.add(l.segmentId());
        }
        int first = segments.get(0);
        assertThat(segments).containsExactly(first, first + 1, first + 1, first + 2, first + 3);
        assertThat(applied.get(0).offset()).isEqualTo(SegmentHeader.SIZE);
        assertThat(applied.get(2).offset()).isEqualTo(applied.get(1).offset() + applied.get(1).recordSize());
        assertThat(applied.get(3).offset()).isEqualTo(SegmentHeader.SIZE);
        assertThat(applied.get(4).offset()).isEqualTo(SegmentHeader.SIZE);
        assertThat(set.all()).hasSize(4);
        w.rollAndSync(); // never(): the last records may still be in memory; the keys are read from the files
        for (int i = 0; i < applied.size(); i++) {
            assertThat(new String(keyOf(applied.get(i)), StandardCharsets.UTF_8))
                    .isEqualTo(List.of("big-1", "small-1", "small-2", "big-2", "big-3").get(i));
        }
    }

    @Test
    void aFailedFsyncStopsTheWriterForGoodAndIsNeverRetried() {
        FaultFileIO faults = new FaultFileIO(7);
        LogWriter w = open(faults.session(), FsyncPolicy.always(), 1 << 20);
        TestWrites.await(w.append(TestWrites.records(put("first", 10)), TestWrites.applier(this::record), false));
        faults.failOn(FaultFileIO.Op.FORCE, 1, ".seg");
        CompletableFuture<Void> second = w.append(TestWrites.records(put("second", 10)),
                TestWrites.applier(this::record), false);
        assertThatThrownBy(() -> TestWrites.await(second))
                .isInstanceOf(ReadOnlyDatabaseException.class)
                .hasRootCauseInstanceOf(IOException.class)
                .rootCause().hasMessageContaining("injected failure of FORCE");
        assertThat(w.failure()).isInstanceOf(IOException.class);
        assertThat(faults.armed()).isFalse();
        // Later writes are refused at once, with the original failure as their cause; syncs too.
        assertThatThrownBy(() -> w.append(TestWrites.records(put("third", 10)),
                TestWrites.applier(this::record), false))
                .isInstanceOf(ReadOnlyDatabaseException.class)
                .hasCause(w.failure());
        assertThatThrownBy(w::sync).isInstanceOf(ReadOnlyDatabaseException.class);
        // What was fsynced is still served; the record caught by the failed fsync is not.
        assertThat(applied).hasSize(2);
        Segment active = w.active();
        assertThat(applied).allMatch(loc -> loc.segmentId() == active.id());
        assertThat(w.mayServe(active, applied.get(0).offset())).isTrue();
        assertThat(w.mayServe(active, applied.get(1).offset())).isFalse();
    }

    /**
     * Under never() the active segment is fsynced every {@link EarlyWriteback#EVERY} bytes written, with no sync,
     * roll or close asking: the only fsync of a segment file here is that early one, and its injected failure stops
     * the writer for good, as a cycle's would.
     */
    @Test
    void underNeverTheActiveSegmentIsFsyncedEarlyAndAFailedEarlyFsyncStopsTheWriter() throws Exception {
        FaultFileIO faults = new FaultFileIO(11);
        LogWriter w = open(faults.session(), FsyncPolicy.never(), 64 << 20);
        append(w, put("first", 10));
        faults.failOn(FaultFileIO.Op.FORCE, 1, ".seg");
        int valueSize = 64 << 10;
        try {
            for (long written = 0; written <= EarlyWriteback.EVERY + (1 << 20); written += valueSize) {
                append(w, put("v" + written, valueSize));
            }
        } catch (ReadOnlyDatabaseException stoppedMeanwhile) {
            // The early fsync failed while these appends ran: checked below.
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (w.failure() == null && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(faults.armed()).as("a segment file was fsynced").isFalse();
        assertThat(w.failure()).isInstanceOf(IOException.class).hasMessageContaining("injected failure of FORCE");
        assertThat(w.active().writtenLength()).isGreaterThanOrEqualTo(EarlyWriteback.EVERY);
        assertThatThrownBy(() -> w.append(TestWrites.records(put("late", 10)), TestWrites.applier(this::record),
                false)).isInstanceOf(ReadOnlyDatabaseException.class).hasCause(w.failure());
    }

    /**
     * Close reports a write failure that only the database's own work met (a background compaction's sync, its
     * roll of the active segment): puts acknowledged under never() may be lost and no user was told. PowerLossTest
     * once saw close return normally because such a sync had counted as reporting it. A user's sync that met the
     * failure does count: close then has nothing left to report.
     */
    @Test
    void aFailureOnlyMaintenanceMetIsLeftForCloseToReport() throws IOException {
        FaultFileIO faults = new FaultFileIO(13);
        LogWriter w = open(faults.session(), FsyncPolicy.never(), 1 << 20);
        append(w, put("first", 10));
        w.sync();
        faults.failOn(FaultFileIO.Op.FORCE, 1, ".seg");
        append(w, put("second", 10)); // acknowledged at once under never()
        assertThatThrownBy(w::syncForMaintenance).isInstanceOf(ReadOnlyDatabaseException.class)
                .rootCause().hasMessageContaining("injected failure of FORCE");
        assertThatThrownBy(w::rollAndSyncForMaintenance).isInstanceOf(ReadOnlyDatabaseException.class);
        w.close();
        assertThat(w.takeUnreportedFailure()).as("close has the failure to report").isSameAs(w.failure());
        assertThat(w.takeUnreportedFailure()).as("reported once").isNull();
        set.closeAll();

        FaultFileIO again = new FaultFileIO(14);
        dir = java.nio.file.Files.createDirectories(dir.resolve("user"));
        LogWriter told = open(again.session(), FsyncPolicy.never(), 1 << 20);
        append(told, put("first", 10));
        told.sync();
        again.failOn(FaultFileIO.Op.FORCE, 1, ".seg");
        append(told, put("second", 10));
        assertThatThrownBy(told::syncForMaintenance).isInstanceOf(ReadOnlyDatabaseException.class);
        assertThatThrownBy(told::sync).isInstanceOf(ReadOnlyDatabaseException.class);
        told.close();
        assertThat(told.takeUnreportedFailure()).as("the user's sync reported it").isNull();
    }

    /**
     * Under never() a write failure leaves served what reached the file: a sealed segment whole, and in the
     * active segment the records before the failed write's position, not the record it caught.
     */
    @Test
    void afterAFailedWriteOnlyRecordsBeforeTheWrittenPositionOrInSealedSegmentsAreServed() {
        FaultFileIO faults = new FaultFileIO(11);
        LogWriter w = open(faults.session(), FsyncPolicy.never(), 1 << 20);
        append(w, put("sealed", 10));
        w.rollAndSync();
        append(w, put("written", 10));
        w.sync();
        faults.failOn(FaultFileIO.Op.WRITE, 1, ".seg");
        append(w, put("caught", 10));
        assertThatThrownBy(w::sync).isInstanceOf(ReadOnlyDatabaseException.class);
        assertThat(w.failure()).isInstanceOf(IOException.class);
        assertThat(applied).hasSize(3);
        Segment sealed = set.get(applied.get(0).segmentId());
        Segment active = w.active();
        assertThat(sealed.isSealed()).isTrue();
        assertThat(active.id()).isGreaterThan(sealed.id());
        assertThat(applied.subList(1, 3)).allMatch(loc -> loc.segmentId() == active.id());
        assertThat(w.mayServe(sealed, applied.get(0).offset())).isTrue();
        assertThat(w.mayServe(active, applied.get(1).offset())).isTrue();
        assertThat(w.mayServe(active, applied.get(2).offset())).isFalse();
    }

    @Test
    void withoutWaitersTheFlusherLingersThenWritesWithoutBeingAskedAndNeverFsyncs() throws Exception {
        LogWriter w = open(FileIO.nio(), FsyncPolicy.never(), 1 << 20);
        assertThat(w.append(TestWrites.records(put("k", 100)),
                TestWrites.applier(this::record), false)).isNull(); // nobody waits under never()
        Location loc = applied.get(0);
        Segment active = w.active();
        // Visible at once, from the writer's buffers (not yet in the file, or kept after writing).
        byte[] record = new byte[loc.recordSize()];
        assertThat(w.readFromMemory(active, loc.offset(), loc.recordSize(), record, 0, -1)).isTrue();
        assertThat(RecordReader.open(active, loc.offset(), record).keyEquals(bytes("k"))).isTrue();
        // The linger ends on its own: the record reaches the file although nobody syncs.
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (active.writtenLength() < loc.offset() + loc.recordSize() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(active.writtenLength()).isGreaterThanOrEqualTo(loc.offset() + loc.recordSize());
        // Written, and still served from memory: the written chunk is kept for reads of recent records.
        byte[] again = new byte[loc.recordSize()];
        assertThat(w.readFromMemory(active, loc.offset(), loc.recordSize(), again, 0, -1)).isTrue();
        assertThat(again).isEqualTo(record);
        assertThat(w.fsyncs()).isZero();
        w.sync();
        assertThat(w.fsyncs()).isPositive();
    }

    @Test
    void closeReportsAnEmptyActiveSegmentAndAppendsAreRefusedAfterwards() {
        LogWriter w = open(FileIO.nio(), FsyncPolicy.always(), 1 << 20);
        w.rollAndSync(true); // creates an active segment without records
        assertThat(w.active()).isNotNull();
        assertThat(w.close()).isTrue();
        assertThatThrownBy(() -> w.append(TestWrites.records(put("late", 1)), TestWrites.applier(this::record), false))
                .isInstanceOf(io.ferrumdb.FerrumException.class);
    }

    @Test
    void aReadThatMustNotWaitGivesUpWhileARollHoldsTheWritersLockUnlessAPublishedChunkHoldsTheRecord()
            throws Exception {
        // A roll creates the next segment (its file and MANIFEST entry, with fsyncs) under the writer's lock; the
        // factory here stops there until released, so the lock is held for as long as the test likes.
        CountDownLatch rolling = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger creates = new AtomicInteger();
        log = new TestLog(dir, FileIO.nio(), FsyncPolicy.never(), 1024, this::sealed, create -> () -> {
            if (creates.incrementAndGet() == 2) {
                rolling.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IOException("interrupted while the test held the roll", e);
                }
            }
            return create.createActive();
        });
        set = log.set;
        LogWriter writer = log.writer;
        append(writer, put("k0", 90));
        Location loc = applied.get(0);
        Segment first = writer.active();
        byte[] record = new byte[loc.recordSize()];
        assertThat(writer.readFromMemory(first, loc.offset(), loc.recordSize(), record, 0, -1)).isTrue();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread appender = new Thread(() -> {
            try {
                for (int i = 1; creates.get() < 2; i++) {
                    append(writer, put("k" + i, 90));
                }
            } catch (Throwable e) {
                failure.set(e);
                rolling.countDown();
            }
        });
        appender.start();
        byte[] again = new byte[loc.recordSize()];
        boolean published;
        boolean gaveUp;
        try {
            rolling.await();
            // The record is in a chunk the writer published: read without the lock (Chunks.copyPublished).
            published = writer.readFromMemory(first, loc.offset(), loc.recordSize(), again, 0,
                    ReadPath.LOCK_WAIT_NANOS);
            // Bytes no published chunk holds (past every record of the segment) need the lock: the read gives up.
            long beyond = first.writtenLength() + (1 << 20);
            gaveUp = !writer.readFromMemory(first, beyond, loc.recordSize(), new byte[loc.recordSize()], 0,
                    ReadPath.LOCK_WAIT_NANOS);
        } finally {
            release.countDown(); // else closing the writer would wait for the held roll
        }
        assertThat(failure.get()).isNull();
        assertThat(published).as("a record in a published chunk, while the roll holds the lock").isTrue();
        assertThat(again).isEqualTo(record);
        assertThat(gaveUp).as("a read that must not wait, while the roll holds the lock").isTrue();
        appender.join();
        assertThat(failure.get()).isNull();
        assertThat(RecordReader.open(first, loc.offset(), record).keyEquals(bytes("k0"))).isTrue();
        assertThat(writer.active().id()).isGreaterThan(first.id());
    }

    private void append(LogWriter w, Append... appends) {
        TestWrites.await(w.append(TestWrites.records(appends), TestWrites.applier(this::record), false));
    }

    private void record(byte type, Key key, Location location) {
        applied.add(location);
    }

    private byte[] keyOf(Location loc) {
        Segment s = set.get(loc.segmentId());
        try {
            return RecordReader.open(s, loc.offset(), s.read(loc.offset(), loc.recordSize())).key();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Append put(String key, int valueSize) {
        return new Append(RecordFormat.TYPE_PUT, new Key(bytes(key)), new byte[valueSize], 0);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
