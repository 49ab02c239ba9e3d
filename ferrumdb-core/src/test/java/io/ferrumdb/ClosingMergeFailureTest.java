package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.directory.LockRegistry;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.ForwardingFileIO;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing merges the small segments one-shot sessions leave (CompactionPolicy.SMALL_RUN of them). That merge is
 * maintenance nobody asked for: when it fails (here the disk fills up as its output is created), it leaves its
 * inputs in place, so close logs a warning, releases the lock, the files and the threads, and returns normally, as
 * SQLite's close does when its checkpoint fails (the WAL stays for the next open). Every acknowledged write is there
 * after reopen, and once there is room the next session's close does the merge.
 */
class ClosingMergeFailureTest {
    @TempDir
    Path dir;

    private final FaultFileIO io = new FaultFileIO(27).pathlessErrors(true);

    /** Fills the disk the moment a compaction output (a segment under its temporary name) is created. */
    private final class DiskFullsAtCompactionOutput extends ForwardingFileIO {
        DiskFullsAtCompactionOutput(FileIO delegate) {
            super(delegate);
        }

        @Override
        public StorageFile create(Path file) throws IOException {
            StorageFile created = delegate.create(file);
            if (file.getFileName().toString().endsWith(FileNames.temporary(".seg"))) {
                io.diskSpace(0);
            }
            return created;
        }
    }

    private Options options(FileIO fileIO) {
        return Options.builder().segmentSize(1 << 16).compactionInterval(Duration.ofHours(1))
                .fsyncPolicy(FsyncPolicy.always()).fileIO(fileIO).build();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Set<String> ferrumThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("ferrumdb-")).collect(Collectors.toSet());
    }

    private long segmentFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".seg")).count();
        }
    }

    /** One session that writes 20 keys: each leaves one small segment. */
    private void session(FerrumDB db, int n, TreeMap<String, String> model) {
        for (int k = 0; k < 20; k++) {
            db.put(bytes("s" + n + "-k" + k), bytes("v" + n + "-" + k));
            model.put("s" + n + "-k" + k, "v" + n + "-" + k);
        }
    }

    @Test
    void aClosingMergeThatFailsOnAFullDiskLogsAWarningAndClosesCleanly() throws Exception {
        TreeMap<String, String> model = new TreeMap<>();
        for (int n = 0; n < 3; n++) {
            try (FerrumDB db = FerrumDB.open(dir, options(io.session()))) {
                session(db, n, model);
            }
        }
        assertThat(segmentFiles()).as("three small segments, too few to merge").isEqualTo(3);

        Set<String> threadsBefore = ferrumThreads();
        List<String> warnings;
        try (Warnings logged = new Warnings(Maintenance.class)) {
            FerrumDB db = FerrumDB.open(dir, options(new DiskFullsAtCompactionOutput(io.session())));
            session(db, 3, model);
            db.close(); // threw "error closing database ...: No space left on device" before the fix
            warnings = logged.messages();
        }
        assertThat(warnings).as("warnings of Maintenance").singleElement().asString()
                .contains(dir.toString()).contains("merging its small segments failed")
                .contains("nothing acknowledged is affected").contains("No space left on device");
        assertThat(LockRegistry.process().isHeldExclusively(dir)).as("lock released").isFalse();
        assertThat(ferrumThreads()).as("no thread of the closed database is left").isSubsetOf(threadsBefore);

        io.diskSpace(Long.MAX_VALUE);
        try (FerrumDB db = FerrumDB.open(dir, options(io.session()))) {
            model.forEach((k, v) -> assertThat(db.get(bytes(k))).as(k).containsExactly(bytes(v)));
            assertThat(db.size()).isEqualTo(model.size());
            session(db, 4, model);
        }
        assertThat(segmentFiles()).as("with room again, the next close merged the small segments").isEqualTo(1);
        assertThat(FerrumDB.verify(dir, options(io.session())).problems()).isEmpty();
        try (FerrumDB db = FerrumDB.open(dir, options(io.session()))) {
            model.forEach((k, v) -> assertThat(db.get(bytes(k))).as(k).containsExactly(bytes(v)));
        }
    }
}
