package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.FaultFileIO.InjectedIOException;
import io.ferrumdb.FaultFileIO.Op;
import io.ferrumdb.internal.directory.FileNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A write of a compaction output failing while the copy goes on (outputs are written by a writer thread, a buffer
 * behind the copy): the compaction fails with that write's error, leaves no output behind, keeps every value
 * readable, and the next compaction succeeds. Outputs of several MiB, so that several buffers are in turn filled
 * and written while the copy goes on.
 */
class CompactionWriteFailureTest {
    private static final int KEYS = 12_000;

    @org.junit.jupiter.api.io.TempDir
    Path tmp;

    private static byte[] key(int i) {
        return ("key-" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(int i, int round) {
        byte[] v = new byte[250];
        Arrays.fill(v, (byte) (i * 31 + round));
        return v;
    }

    /**
     * With two threads the segments are 4 MiB, so that each of the two parts (about 1.6 MiB of live records each)
     * fills and writes a buffer while it copies; a failure in one part stops the other.
     */
    @ParameterizedTest(name = "write #{0} of an output fails, {1} thread(s)")
    @CsvSource({"1, 1", "3, 1", "1, 2", "3, 2"})
    void theCompactionFailsWithTheWritesErrorAndLosesNothing(int nth, int threads) throws Exception {
        compactionFailsAndLosesNothing(Op.WRITE, nth, ".seg.tmp", threads);
    }

    /**
     * The steps that run beside another since issue 23's ninth session: an output's fsync (on the output's writer
     * thread, while the part writes the hint) and the journal (on the pool, while the caller switches the key
     * directory, with two threads). Either failing fails the compaction with its error; nothing is lost, no
     * temporary file is left, and the next compaction succeeds.
     */
    @ParameterizedTest(name = "{0} #1 of {1} fails, {2} thread(s)")
    @CsvSource({"FORCE, .seg.tmp, 1", "FORCE, .seg.tmp, 2", "WRITE, COMPACTION.tmp, 1", "WRITE, COMPACTION.tmp, 2"})
    void aFailingFsyncOrJournalBesideOtherWorkFailsTheCompactionAndLosesNothing(Op op, String file, int threads)
            throws Exception {
        compactionFailsAndLosesNothing(op, 1, file, threads);
    }

    /**
     * The fsync an output's writer starts every 8 MiB beside its next writes (issue 23, session 11) failing: outputs
     * of about 11 MiB (40,000 live records of 250-byte values a part), whose first fsync is that early one. Its
     * failure is the compaction's, although the final fsync of the same file would succeed (Linux reports a
     * writeback error to one fsync of a file descriptor).
     */
    @ParameterizedTest(name = "the early fsync of an output fails, {0} thread(s)")
    @CsvSource({"1", "2"})
    void aFailingEarlyFsyncOfAnOutputFailsTheCompactionAndLosesNothing(int threads) throws Exception {
        compactionFailsAndLosesNothing(Op.FORCE, 1, ".seg.tmp", threads, threads * 40_000, 32 << 20);
    }

    /**
     * A plaintext output streams its hint to the hint's temporary file as its records go in (issue 23, session 29):
     * the first write (the prologue's place, as the output is created) or the third (the second block of entries,
     * in the middle of the copy; a part's 40,000 entries take about six) failing fails the compaction with that
     * write's error and leaves neither output nor temporary file; nothing is lost and the next compaction succeeds.
     * The failing file is the first output's hint: the compaction first seals the segment being written (whose hint
     * the writer writes whole) and opens the next one, so that output is numbered two past the last segment.
     */
    @ParameterizedTest(name = "write #{0} of an output's hint fails, {1} thread(s)")
    @CsvSource({"1, 1", "3, 1", "1, 2", "3, 2"})
    void aFailingWriteOfAStreamedHintFailsTheCompactionAndLosesNothing(int nth, int threads) throws Exception {
        compactionFailsAndLosesNothing(Op.WRITE, nth, dir -> FileNames.temporary(FileNames.hint(lastSegment(dir) + 2)),
                threads, threads * 40_000, 32 << 20);
    }

    private void compactionFailsAndLosesNothing(Op op, int nth, String fileSuffix, int threads) throws Exception {
        compactionFailsAndLosesNothing(op, nth, fileSuffix, threads, KEYS, threads == 1 ? 16 << 20 : 4 << 20);
    }

    private void compactionFailsAndLosesNothing(Op op, int nth, String fileSuffix, int threads, int keys,
                                                long segmentSize) throws Exception {
        compactionFailsAndLosesNothing(op, nth, dir -> fileSuffix, threads, keys, segmentSize);
    }

    private static long lastSegment(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(p -> FileNames.segmentId(p.getFileName().toString())).max().orElseThrow();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Fails the {@code nth} {@code op} on a file whose name ends with {@code fileSuffix} (of the database's directory,
     * once written) during a compaction of half
     * dead data ({@code keys} keys, half of them written twice): the compaction fails with that error, no temporary
     * file is left, every value reads back, the next compaction succeeds, and the data survives a reopen.
     */
    private void compactionFailsAndLosesNothing(Op op, int nth, java.util.function.Function<Path, String> fileSuffix,
                                                int threads, int keys, long segmentSize) throws Exception {
        FaultFileIO io = new FaultFileIO(nth);
        Path dir = tmp.resolve("db-" + op + "-" + nth + "-" + threads + "-" + keys + "-" + segmentSize);
        Options options = Options.builder().segmentSize(segmentSize)
                .fsyncPolicy(FsyncPolicy.never()).autoCompaction(false).compactionThreads(threads)
                .fileIO(io.session()).build();
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            for (int i = 0; i < keys; i++) {
                db.put(key(i), value(i, 0));
            }
            for (int i = 0; i < keys; i += 2) {
                db.put(key(i), value(i, 1));
            }
            io.failOn(op, nth, fileSuffix.apply(dir));
            assertThatThrownBy(db::compact).isInstanceOf(FerrumException.class)
                    .hasRootCauseInstanceOf(InjectedIOException.class);
            assertThat(io.armed()).isFalse();
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
            }
            assertValues(db, keys);

            CompactionResult again = db.compact();
            assertThat(again.bytesReclaimed()).isPositive();
            assertValues(db, keys);
        }
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            assertValues(db, keys);
        }
    }

    private static void assertValues(FerrumDB db, int keys) {
        for (int i = 0; i < keys; i++) {
            assertThat(db.get(key(i))).as("key %d", i).isEqualTo(value(i, i % 2 == 0 ? 1 : 0));
        }
    }
}
