package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.FaultFileIO.InjectedIOException;
import io.ferrumdb.FaultFileIO.Op;
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
     * Fails the {@code nth} {@code op} on a file whose name ends with {@code fileSuffix} during a compaction of half
     * dead data: the compaction fails with that error, no temporary file is left, every value reads back, the next
     * compaction succeeds, and the data survives a reopen.
     */
    private void compactionFailsAndLosesNothing(Op op, int nth, String fileSuffix, int threads) throws Exception {
        FaultFileIO io = new FaultFileIO(nth);
        Path dir = tmp.resolve("db-" + op + "-" + nth + "-" + fileSuffix + "-" + threads);
        Options options = Options.builder().segmentSize(threads == 1 ? 16 << 20 : 4 << 20)
                .fsyncPolicy(FsyncPolicy.never()).autoCompaction(false).compactionThreads(threads)
                .fileIO(io.session()).build();
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            for (int i = 0; i < KEYS; i++) {
                db.put(key(i), value(i, 0));
            }
            for (int i = 0; i < KEYS; i += 2) {
                db.put(key(i), value(i, 1));
            }
            io.failOn(op, nth, fileSuffix);
            assertThatThrownBy(db::compact).isInstanceOf(FerrumException.class)
                    .hasRootCauseInstanceOf(InjectedIOException.class);
            assertThat(io.armed()).isFalse();
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
            }
            assertValues(db);

            CompactionResult again = db.compact();
            assertThat(again.bytesReclaimed()).isPositive();
            assertValues(db);
        }
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            assertValues(db);
        }
    }

    private static void assertValues(FerrumDB db) {
        for (int i = 0; i < KEYS; i++) {
            assertThat(db.get(key(i))).as("key %d", i).isEqualTo(value(i, i % 2 == 0 ? 1 : 0));
        }
    }
}
