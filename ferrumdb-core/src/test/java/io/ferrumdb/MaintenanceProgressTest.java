package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code compact(progress)}, {@code backup(target, progress)}, {@code verify(dir, options, progress)} and
 * {@code repair(dir, options, progress)} report bytes done of bytes planned: one call at a time from whichever thread
 * does the work, never decreasing, from 0 to the total, and the total only when the job is complete.
 */
class MaintenanceProgressTest {
    private static final int KEYS = 4000;

    @TempDir
    Path tmp;

    /** Records every report and checks, as they come, that no two calls overlap. */
    private static final class Recorder implements Consumer<MaintenanceProgress> {
        final List<MaintenanceProgress> reports = new ArrayList<>();
        final Set<String> threads = ConcurrentHashMap.newKeySet();
        private final AtomicInteger inside = new AtomicInteger();
        private volatile boolean overlapped;

        @Override
        public void accept(MaintenanceProgress p) {
            if (inside.incrementAndGet() != 1) {
                overlapped = true;
            }
            // Unsynchronized on purpose: the engine promises each call happens after the one before.
            reports.add(p);
            threads.add(Thread.currentThread().getName());
            inside.decrementAndGet();
        }

        void assertMonotonicFromZeroToTheTotal(long total) {
            assertThat(overlapped).as("two calls at once").isFalse();
            assertThat(reports).as("reports").hasSizeGreaterThan(2);
            assertThat(reports.get(0).doneBytes()).isZero();
            for (int i = 1; i < reports.size(); i++) {
                assertThat(reports.get(i).doneBytes()).as("report %d of %s", i, reports)
                        .isGreaterThanOrEqualTo(reports.get(i - 1).doneBytes());
            }
            assertThat(reports).allSatisfy(p -> assertThat(p.plannedBytes()).isEqualTo(total));
            assertThat(reports.get(reports.size() - 1)).isEqualTo(new MaintenanceProgress(total, total));
            assertThat(reports.subList(0, reports.size() - 1)).noneMatch(MaintenanceProgress::complete);
        }
    }

    private static byte[] key(int i) {
        return ("key-" + i).getBytes(StandardCharsets.UTF_8);
    }

    /** Every key written twice over 64 KiB segments: about 13 sealed segments, half of their bytes dead. */
    private static FerrumDB overwritten(Path dir, Options options) {
        FerrumDB db = FerrumDB.open(dir, options);
        for (int round = 0; round < 2; round++) {
            WriteBatch batch = new WriteBatch();
            for (int i = 0; i < KEYS; i++) {
                batch.put(key(i), ("value-" + round + "-" + i + "-".repeat(80)).getBytes(StandardCharsets.UTF_8));
                if (batch.size() == 500) {
                    db.write(batch);
                    batch = new WriteBatch();
                }
            }
        }
        return db;
    }

    private static Options.Builder small() {
        return Options.builder().segmentSize(64 << 10).autoCompaction(false);
    }

    @Test
    void compactionOnTwoThreadsReportsMonotonicProgressEndingAtTheInputBytes() {
        try (FerrumDB db = overwritten(tmp.resolve("db"), small().compactionThreads(2).build())) {
            Recorder recorder = new Recorder();
            CompactionResult r = db.compact(recorder);
            recorder.assertMonotonicFromZeroToTheTotal(r.bytesRead());
            assertThat(r.bytesRead()).isPositive();
            assertThat(recorder.threads).as("the parts report from their own threads").hasSizeGreaterThan(1);
        }
    }

    @Test
    void backupReportsMonotonicProgressEndingAtTheSegmentsBytes() {
        Path target = tmp.resolve("backup");
        long copied;
        try (FerrumDB db = overwritten(tmp.resolve("db"), small().build())) {
            Recorder recorder = new Recorder();
            db.backup(target, recorder);
            copied = recorder.reports.get(recorder.reports.size() - 1).plannedBytes();
            recorder.assertMonotonicFromZeroToTheTotal(copied);
        }
        try (FerrumDB copy = FerrumDB.open(target)) {
            assertThat(copy.stats().totalBytes()).isEqualTo(copied);
        }
    }

    /** The bytes of the segment files in {@code dir}. */
    private static long segmentBytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            long sum = 0;
            for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".seg"))::iterator) {
                sum += Files.size(p);
            }
            return sum;
        }
    }

    @Test
    void verifyAndRepairReportMonotonicProgressEndingAtTheSegmentsBytes() throws IOException {
        Path dir = tmp.resolve("db");
        Options options = small().build();
        overwritten(dir, options).close();
        long total = segmentBytes(dir);
        Recorder verify = new Recorder();
        assertThat(FerrumDB.verify(dir, options, verify).problems()).isEmpty();
        verify.assertMonotonicFromZeroToTheTotal(total);

        // A flipped byte in a middle segment: repair copies its intact records, and reports the bytes it checked.
        Path middle = SegmentLayout.segments(dir).get(SegmentLayout.segments(dir).size() / 2);
        byte[] bytes = Files.readAllBytes(middle);
        bytes[bytes.length / 2] ^= 0x5A;
        Files.write(middle, bytes);
        Recorder repair = new Recorder();
        assertThat(FerrumDB.repair(dir, options, repair).wasClean()).isFalse();
        repair.assertMonotonicFromZeroToTheTotal(total);
    }

    @Test
    void aRefusedRepairNeverReportsItsTotal() throws IOException {
        Path dir = tmp.resolve("db");
        Options options = small().build();
        overwritten(dir, options).close();
        Files.delete(SegmentLayout.segments(dir).get(1));
        Recorder repair = new Recorder();
        assertThat(catchThrowable(() -> FerrumDB.repair(dir, options, repair)))
                .isInstanceOf(MissingSegmentException.class);
        assertThat(repair.reports).noneMatch(MaintenanceProgress::complete);
    }

    @Test
    void nothingToDoIsOneCompleteReport() {
        try (FerrumDB db = FerrumDB.open(tmp.resolve("db"), small().build())) {
            Recorder compaction = new Recorder();
            db.compact(compaction);
            assertThat(compaction.reports).containsExactly(new MaintenanceProgress(0, 0));
        }
    }

    @Test
    void aFailedBackupNeverReportsItsTotal() {
        FaultFileIO io = new FaultFileIO(1);
        try (FerrumDB db = overwritten(tmp.resolve("db"), small().fileIO(io.session()).build())) {
            db.backup(tmp.resolve("first")); // seals the active segment: the faulty backup only copies
            long total = db.stats().totalBytes();
            io.copyOnLink(true);
            io.diskSpace(total / 2);
            Recorder recorder = new Recorder();
            Throwable failure = catchThrowable(() -> db.backup(tmp.resolve("second"), recorder));
            io.diskSpace(Long.MAX_VALUE);
            assertThat(failure).isInstanceOf(FerrumException.class).hasMessageContaining("No space left");
            assertThat(recorder.reports).isNotEmpty().noneMatch(MaintenanceProgress::complete);
        }
    }

    /** The listener runs inside the job: one that throws stops a compaction as a failure there would. */
    @Test
    void aListenerThatThrowsStopsTheCompactionAndTheDatabaseKeepsEveryValue() {
        try (FerrumDB db = overwritten(tmp.resolve("db"), small().compactionThreads(2).build())) {
            RuntimeException stop = new IllegalStateException("stop here");
            Throwable failure = catchThrowable(() -> db.compact(p -> {
                if (p.doneBytes() > p.plannedBytes() / 2) {
                    throw stop;
                }
            }));
            assertThat(failure).isSameAs(stop);
            assertThat(db.stats().compactions()).isZero();
            for (int i = 0; i < KEYS; i++) {
                assertThat(new String(db.get(key(i)), StandardCharsets.UTF_8)).startsWith("value-1-" + i + "-");
            }
            assertThat(db.compact().segmentsCompacted()).isPositive();
            assertThat(db.size()).isEqualTo(KEYS);
        }
    }
}
