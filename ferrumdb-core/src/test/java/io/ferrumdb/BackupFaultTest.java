package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ferrumdb.internal.directory.FileNames;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code FerrumDB.backup} under faults at the destination, with a writer running, and backups damaged afterwards:
 * the failed backup never looks complete and names the file it was writing, the source loses nothing and goes on;
 * a backup is a point in time holding every write acknowledged before it began; damage to a backup is found with
 * its file and offset.
 */
class BackupFaultTest {
    private static final int KEYS = 600;

    @TempDir
    Path tmp;

    private static byte[] key(int i) {
        return ("key-" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(int i) {
        return ("value-" + i + "-".repeat(80)).getBytes(StandardCharsets.UTF_8);
    }

    private static Options options(FaultFileIO io) {
        Options.Builder b = Options.builder().segmentSize(8192).autoCompaction(false);
        return (io == null ? b : b.fileIO(io.session())).build();
    }

    private static FerrumDB filled(Path dir, Options options) {
        FerrumDB db = FerrumDB.open(dir, options);
        WriteBatch batch = new WriteBatch();
        for (int i = 0; i < KEYS; i++) {
            batch.put(key(i), value(i));
            if (batch.size() == 100) {
                db.write(batch);
                batch = new WriteBatch();
            }
        }
        return db;
    }

    private static void assertHolds(FerrumDB db, int keys) {
        assertThat(db.size()).isEqualTo(keys);
        for (int i = 0; i < keys; i++) {
            assertThat(db.get(key(i))).as("key %d", i).containsExactly(value(i));
        }
    }

    /** Each step of the backup's writes at the destination, failing with the bare words of the OS. */
    @ParameterizedTest(name = "{0} #{1}")
    @CsvSource({"WRITE,1", "WRITE,2", "WRITE,3", "CREATE,1", "CREATE,2", "CREATE,3", "FORCE,1", "FORCE,2",
        "RENAME,1", "RENAME,2", "SYNC_DIR,1", "SYNC_DIR,2", "SYNC_DIR,3", "DISK_FULL,0", "DISK_FULL,30000"})
    void aBackupFailingAtItsDestinationNamesTheFileLooksIncompleteAndTheSourceLosesNothing(String op, int nth)
            throws Exception {
        FaultFileIO io = new FaultFileIO(nth).pathlessErrors(true);
        Path dir = tmp.resolve("db");
        Path target = tmp.resolve("backup");
        try (FerrumDB db = filled(dir, options(io))) {
            // Seals the active segment, so that the faulty backup writes only at its destination.
            db.backup(tmp.resolve("first"));
            if (op.equals("DISK_FULL")) {
                io.copyOnLink(true);
                io.diskSpace(nth);
            } else {
                io.failOn(FaultFileIO.Op.valueOf(op), nth, null);
            }
            FerrumException failure = catchThrowableOfType(() -> db.backup(target), FerrumException.class);
            io.disarm();
            io.diskSpace(Long.MAX_VALUE);
            assertThat(failure).as("the backup failed").isNotNull();
            String words = ProblemWording.describe(failure);
            assertThat(words.substring(words.indexOf(" failed: "))).as("names the file at the destination: %s", words)
                    .contains(target.toString()).containsAnyOf("Input/output error", "No space left on device");
            assertThatThrownBy(() -> FerrumDB.open(target, Options.builder().readOnly(true).build()))
                    .as("the failed backup does not open").isInstanceOfAny(DatabaseNotFoundException.class,
                            CorruptionException.class);

            // The source goes on: it reads everything and takes writes; a retry into the same target works.
            assertHolds(db, KEYS);
            db.put(key(KEYS), value(KEYS));
            db.backup(target);
        }
        try (FerrumDB copy = FerrumDB.open(target, Options.builder().readOnly(true).build())) {
            assertHolds(copy, KEYS + 1);
        }
        try (FerrumDB reopened = FerrumDB.open(dir, options(null))) {
            assertHolds(reopened, KEYS + 1);
        }
    }

    /**
     * A writer puts keys 0, 1, 2, ... in order while backups are taken: each backup holds every key acknowledged
     * before it began, and what it holds is a prefix of the sequence (a point in time, no holes).
     */
    @Test
    void aBackupTakenUnderAConcurrentWriterIsAPointInTimeWithEveryEarlierAcknowledgedWrite() throws Exception {
        Path dir = tmp.resolve("db");
        AtomicInteger acknowledged = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().segmentSize(16 * 1024)
                .fsyncPolicy(FsyncPolicy.never()).build())) {
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; !stop.get(); i++) {
                        db.put(key(i), value(i));
                        acknowledged.set(i + 1);
                    }
                } catch (Throwable t) {
                    writerFailure.set(t);
                }
            }, "backup-test-writer");
            writer.start();
            try {
                for (int b = 0; b < 6; b++) {
                    while (acknowledged.get() < (b + 1) * 300 && writer.isAlive()) {
                        Thread.onSpinWait();
                    }
                    int before = acknowledged.get();
                    Path target = tmp.resolve("backup-" + b);
                    db.backup(target);
                    try (FerrumDB copy = FerrumDB.open(target, Options.builder().readOnly(true).build())) {
                        int held = (int) copy.size();
                        assertThat(held).as("backup %d holds every write acknowledged before it", b)
                                .isGreaterThanOrEqualTo(before);
                        for (int i = 0; i < held; i++) {
                            assertThat(copy.get(key(i))).as("backup %d, key %d (a prefix, no holes)", b, i)
                                    .containsExactly(value(i));
                        }
                    }
                }
            } finally {
                stop.set(true);
                writer.join();
            }
        }
        assertThat(writerFailure.get()).isNull();
    }

    /** A backup whose files are copies, not hard links: damage to it must not be damage to the database. */
    private Path copiedBackup() throws Exception {
        Path target = tmp.resolve("backup");
        try (FerrumDB db = filled(tmp.resolve("db"), options(null))) {
            db.backup(target);
        }
        try (Stream<Path> files = Files.list(target)) {
            for (Path f : files.toList()) {
                Path copy = tmp.resolve("copy");
                Files.copy(f, copy);
                Files.move(copy, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return target;
    }

    private static Path firstSegment(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted()
                    .findFirst().orElseThrow();
        }
    }

    @Test
    void aFlippedByteInABackupIsFoundByVerifyWithItsFileAndOffset() throws Exception {
        Path backup = copiedBackup();
        Path segment = firstSegment(backup);
        long at = Files.size(segment) / 2;
        SegmentLayout.flipBit(segment, at, 0);
        VerifyReport report = FerrumDB.verify(backup, Options.defaults());
        assertThat(report.ok()).isFalse();
        DroppedRange damage = report.damage().get(0);
        assertThat(damage.file()).isEqualTo(segment);
        assertThat(damage.offset()).isLessThanOrEqualTo(at);
        assertThat(damage.offset() + damage.length()).isGreaterThan(at);
        try (FerrumDB db = FerrumDB.open(tmp.resolve("db"), Options.defaults())) {
            assertHolds(db, KEYS);
        }
    }

    @Test
    void aTruncatedSegmentInABackupIsRefusedAtItsOffsetAndWhatIsLeftCanBeRepaired() throws Exception {
        Path backup = copiedBackup();
        Path segment = firstSegment(backup);
        long cut = Files.size(segment) - 100;
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.setLength(cut);
        }
        for (Options o : List.of(Options.builder().readOnly(true).build(), Options.defaults())) {
            CorruptionException e = catchThrowableOfType(() -> FerrumDB.open(backup, o), CorruptionException.class);
            assertThat(e).isNotNull();
            assertThat(e.file()).isEqualTo(segment);
            assertThat(e.offset()).isEqualTo(cut);
            assertThat(e.getMessage()).contains("was cut short").contains("take the backup again");
        }
        assertThatThrownBy(() -> FerrumDB.verify(backup, Options.defaults())).isInstanceOf(CorruptionException.class)
                .hasMessageContaining(segment.toString());
        // The advice works: without the marker, repair keeps every intact record.
        Files.delete(backup.resolve(FileNames.BACKUP));
        FerrumDB.repair(backup, Options.defaults());
        try (FerrumDB copy = FerrumDB.open(backup, Options.builder().readOnly(true).build())) {
            // The records of the write batch (100 keys) whose end was cut off are dropped whole.
            assertThat(copy.size()).isBetween((long) KEYS - 100, (long) KEYS - 1);
        }
        assertThat(FerrumDB.verify(backup, Options.defaults()).ok()).isTrue();
    }
}
