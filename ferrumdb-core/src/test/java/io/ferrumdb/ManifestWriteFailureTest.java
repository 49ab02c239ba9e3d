package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.FaultFileIO.InjectedIOException;
import io.ferrumdb.FaultFileIO.Op;
import io.ferrumdb.internal.directory.FileNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compaction whose MANIFEST write fails while it publishes its outputs: the compaction fails with that error, and
 * the outputs it could not list must stay unlisted. Found by the document layer's WriteFailureTest (index entries
 * deleted after such a failure were back after reopen): the failed publish had already added the outputs to the
 * MANIFEST's list in memory, so the next MANIFEST write (a segment roll, the next compaction) listed them on disk;
 * the next compaction, which did not know them, dropped the tombstones that hid their records, and at reopen the
 * deleted keys were live again.
 */
class ManifestWriteFailureTest {
    private static final int KEYS = 300;

    @TempDir
    Path tmp;

    @Test
    void outputsAFailedPublishCouldNotListStayUnlistedAndDeletesAfterItHoldAfterReopen() throws Exception {
        FaultFileIO io = new FaultFileIO(1);
        Path dir = tmp.resolve("db");
        Options options = Options.builder().segmentSize(4096).fsyncPolicy(FsyncPolicy.never())
                .autoCompaction(false).build();
        try (FerrumDB db = FerrumDB.open(dir, io.forOneOpen(options))) {
            for (int i = 0; i < KEYS; i++) {
                db.put(key(i), value(i, 0));
            }
            for (int i = 0; i < KEYS; i += 2) {
                db.put(key(i), value(i, 1));
            }
            // The first MANIFEST write of a compaction lists the segment the writer rolls to; the second publishes.
            io.failOn(Op.FORCE, 2, FileNames.MANIFEST + ".tmp");
            assertThatThrownBy(db::compact).isInstanceOf(FerrumException.class)
                    .hasRootCauseInstanceOf(InjectedIOException.class);
            assertThat(io.armed()).as("the MANIFEST write failed").isFalse();
            // Deletes and overwrites after the failed compaction, enough to roll segments (each listed in the
            // MANIFEST as it is created).
            for (int i = 0; i < KEYS; i++) {
                if (i % 3 == 0) {
                    db.delete(key(i));
                } else {
                    db.put(key(i), value(i, 2));
                }
            }
            assertValues(db, "same handle");
            // A compaction that succeeds: it drops the tombstones, as no segment it knows of holds an older value.
            db.compact();
            assertValues(db, "same handle, compacted");
        }
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            assertValues(db, "after reopen");
        }
    }

    private static void assertValues(FerrumDB db, String when) {
        for (int i = 0; i < KEYS; i++) {
            assertThat(db.get(key(i))).as("%s: key %d", when, i).isEqualTo(i % 3 == 0 ? null : value(i, 2));
        }
    }

    private static byte[] key(int i) {
        return ("key-" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(int i, int round) {
        byte[] v = new byte[100];
        Arrays.fill(v, (byte) (i * 31 + round));
        return v;
    }
}
