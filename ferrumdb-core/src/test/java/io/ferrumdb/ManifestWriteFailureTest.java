package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.FaultFileIO.InjectedIOException;
import io.ferrumdb.FaultFileIO.Op;
import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.format.CompactionJournal;
import io.ferrumdb.internal.format.ManifestFile;
import io.ferrumdb.internal.format.MetaFile;
import io.ferrumdb.internal.log.SegmentSet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
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
            // The first MANIFEST write of a compaction lists the segment the writer rolls to, the second records
            // the rolled one as sealed; the third publishes. The sync first waits for the seals of the segments
            // rolled so far, each a MANIFEST write of its own.
            db.sync();
            io.failOn(Op.FORCE, 3, FileNames.MANIFEST + ".tmp");
            assertThatThrownBy(db::compact).isInstanceOf(FerrumException.class)
                    .hasRootCauseInstanceOf(InjectedIOException.class);
            assertThat(io.armed()).as("the MANIFEST write failed").isFalse();
            assertNoUnlistedSegmentFiles(dir);
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

    /**
     * Outputs of a failed publish that cannot be deleted at once (a delete failing) are named in a warning, which
     * says they stay until the next open; that open deletes them, and every value reads as before.
     */
    @Test
    void outputsThatCannotBeDeletedAreNamedInALogLineAndGoneAfterReopen() throws Exception {
        FaultFileIO io = new FaultFileIO(2);
        Path dir = tmp.resolve("db");
        Options options = Options.builder().segmentSize(4096).fsyncPolicy(FsyncPolicy.never())
                .autoCompaction(false).build();
        List<String> warnings;
        Warnings logged = new Warnings(SegmentSet.class);
        try (FerrumDB db = FerrumDB.open(dir, io.forOneOpen(options))) {
            for (int i = 0; i < KEYS; i++) {
                db.put(key(i), value(i, 0));
            }
            for (int i = 0; i < KEYS; i += 2) {
                db.put(key(i), value(i, 1));
            }
            db.sync();
            io.failDeletes(".seg");
            io.failOn(Op.FORCE, 3, FileNames.MANIFEST + ".tmp"); // the publish's (see above)
            assertThatThrownBy(db::compact).isInstanceOf(FerrumException.class)
                    .hasRootCauseInstanceOf(InjectedIOException.class);
            io.failDeletes(null);
            assertCompactedValues(db, "same handle");
        } finally {
            warnings = logged.messages();
            logged.close();
        }
        assertThat(warnings).as("warnings of SegmentSet").singleElement().asString()
                .contains("compaction outputs [").contains(".seg").contains("stay until the next open deletes them")
                .contains("deleting them failed").contains("injected delete failure");
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            assertNoUnlistedSegmentFiles(dir);
            assertCompactedValues(db, "after reopen");
        }
    }

    /**
     * A compaction failing at each of its directory fsyncs in turn (the last of them publishes: the MANIFEST's,
     * after its rename, so that the failed MANIFEST is the one in place) leaves no file the MANIFEST does not list:
     * its outputs are deleted at once, not at the next open, so that a full disk gets their space back. Every value
     * reads the same on the handle and after reopen.
     */
    @Test
    void aFailedCompactionLeavesNoUnlistedOutputWhicheverDirectorySyncFails() throws Exception {
        Options options = Options.builder().segmentSize(4096).fsyncPolicy(FsyncPolicy.never())
                .autoCompaction(false).build();
        List<Integer> failedAt = new ArrayList<>();
        for (int nth = 1; nth <= 60; nth++) {
            FaultFileIO io = new FaultFileIO(nth);
            Path dir = tmp.resolve("sync-dir-" + nth);
            try (FerrumDB db = FerrumDB.open(dir, io.forOneOpen(options))) {
                for (int i = 0; i < KEYS; i++) {
                    db.put(key(i), value(i, 0));
                }
                for (int i = 0; i < KEYS; i += 2) {
                    db.put(key(i), value(i, 1));
                }
                db.sync();
                io.failOn(Op.SYNC_DIR, nth, null);
                try {
                    db.compact();
                } catch (FerrumException e) {
                    assertThat(e).as("directory sync #%d", nth).hasRootCauseInstanceOf(InjectedIOException.class);
                    failedAt.add(nth);
                }
                if (io.armed()) {
                    io.disarm();
                    break; // the compaction has fewer directory fsyncs than nth: every one was failed in turn
                }
                assertNoUnlistedSegmentFiles(dir);
                assertCompactedValues(db, "directory sync #" + nth + " failed, same handle");
            } catch (ReadOnlyDatabaseException closeReported) {
                // The failure stopped the writer with nothing to report it but close (the compaction's own roll).
                assertThat(closeReported).hasRootCauseInstanceOf(InjectedIOException.class);
            }
            try (FerrumDB db = FerrumDB.open(dir, options)) {
                assertCompactedValues(db, "directory sync #" + nth + " failed, after reopen");
            }
        }
        assertThat(failedAt).as("compactions failed by a directory fsync").hasSizeGreaterThan(3);
    }

    /**
     * Every segment and hint file in {@code dir} is one the MANIFEST lists, or an input of a compaction whose
     * journal is there (it failed after the journal, and open finishes it), and no temporary file is left; and
     * every segment the MANIFEST lists is there (deleting outputs that a MANIFEST in place still names would lose
     * them: reopen refuses a listed segment that is gone).
     */
    private static void assertNoUnlistedSegmentFiles(Path dir) throws Exception {
        MetaFile meta = MetaFile.decode(Files.readAllBytes(dir.resolve(FileNames.META)), dir);
        Path manifest = dir.resolve(FileNames.MANIFEST);
        Set<Integer> listed = new HashSet<>(ManifestFile.decode(Files.readAllBytes(manifest), manifest,
                meta.databaseId()).keySet());
        List<String> names;
        try (Stream<Path> files = Files.list(dir)) {
            names = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        for (int id : listed) {
            assertThat(names).as("listed segment %d", id).contains(FileNames.segment(id));
        }
        Path journal = dir.resolve(FileNames.COMPACTION);
        if (Files.exists(journal)) {
            listed.addAll(CompactionJournal.decode(Files.readAllBytes(journal), journal, meta.databaseId(),
                    meta.version()));
        }
        for (String name : names) {
            long id = FileNames.isHint(name) ? Long.parseLong(name.substring(0, name.indexOf('.')))
                    : FileNames.segmentId(name);
            assertThat(FileNames.isTemporary(name)).as("%s in %s", name, names).isFalse();
            if (id >= 0) {
                assertThat(listed).as("%s in %s", name, names).contains((int) id);
            }
        }
    }

    private static void assertCompactedValues(FerrumDB db, String when) {
        for (int i = 0; i < KEYS; i++) {
            assertThat(db.get(key(i))).as("%s: key %d", when, i).isEqualTo(value(i, i % 2 == 0 ? 1 : 0));
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
