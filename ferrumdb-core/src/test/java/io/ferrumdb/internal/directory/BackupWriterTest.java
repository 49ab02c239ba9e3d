package io.ferrumdb.internal.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import io.ferrumdb.internal.directory.DatabaseDirectory.Access;
import io.ferrumdb.internal.format.BackupMarker;
import io.ferrumdb.internal.format.CipherSuite;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.ForwardingFileIO;
import io.ferrumdb.internal.io.StorageFile;
import io.ferrumdb.internal.log.Segment;
import io.ferrumdb.internal.log.SegmentFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link BackupWriter} alone (issue 17: a test per part; the public API's backup tests are BackupCompletionTest and
 * BackupFaultTest): what a backup holds, that its marker is written first as in progress and last as complete,
 * that segments are hard-linked unless their file holds more than their records, which targets it takes, and that a
 * failure removes what it wrote and names the file.
 */
class BackupWriterTest {
    @TempDir
    Path tmp;

    private Path source;
    private Path target;
    private final List<String> renamedTo = new CopyOnWriteArrayList<>();
    /** A file name whose creation fails with the OS's bare words, or null. */
    private volatile String failCreating;
    private final FileIO io = new ForwardingFileIO(FileIO.nio()) {
        @Override
        public StorageFile create(Path file) throws IOException {
            if (file.getFileName().toString().equals(failCreating)) {
                throw new IOException("No space left on device");
            }
            return super.create(file);
        }

        @Override
        public void rename(Path from, Path to) throws IOException {
            renamedTo.add(to.getFileName().toString());
            super.rename(from, to);
        }
    };
    private DatabaseDirectory directory;
    private final List<Segment> sealed = new ArrayList<>();

    @BeforeEach
    void writeADatabase() throws Exception {
        source = tmp.resolve("db");
        target = tmp.resolve("backup");
        try (FerrumDB db = FerrumDB.open(source, Options.builder().segmentSize(4096).autoCompaction(false)
                .fsyncPolicy(FsyncPolicy.never()).build())) {
            for (int i = 0; i < 60; i++) {
                db.put(("k" + i).getBytes(StandardCharsets.UTF_8), new byte[200]);
            }
        }
        directory = DatabaseDirectory.lock(io, source, Access.READ, false, false, "backup test");
        SegmentFiles files = new SegmentFiles(io, directory.path(), directory.meta().databaseId(),
                CipherSuite.PLAINTEXT);
        for (int id : files.listSegmentIds()) {
            sealed.add(files.open(id, false));
        }
        assertThat(sealed).hasSizeGreaterThan(2);
    }

    @AfterEach
    void release() throws Exception {
        for (Segment s : sealed) {
            s.file().close();
        }
        directory.close();
    }

    private List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static Object inode(Path p) throws IOException {
        return Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    }

    @Test
    void aBackupHoldsTheSegmentsHintsMetaManifestAndAnEmptyLockWithItsMarkerWrittenFirstAndLast() throws Exception {
        List<long[]> progress = new CopyOnWriteArrayList<>();
        BackupWriter.write(directory, sealed, target, 1234, (done, planned) -> progress.add(new long[] {done, planned}));

        List<String> expected = new ArrayList<>(List.of("BACKUP", "LOCK", "MANIFEST", "META"));
        long total = 0;
        List<BackupMarker.Segment> listed = new ArrayList<>();
        for (Segment s : sealed) {
            expected.add(FileNames.segment(s.id()));
            expected.add(FileNames.hint(s.id()));
            listed.add(new BackupMarker.Segment(s.id(), s.writtenLength()));
            total += s.writtenLength();
            assertThat(inode(target.resolve(FileNames.segment(s.id())))).as("hard link of segment %d", s.id())
                    .isEqualTo(inode(s.path()));
        }
        assertThat(names(target)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(Files.size(target.resolve("LOCK"))).isZero();
        BackupMarker marker = BackupWriter.readMarker(io, target.resolve("BACKUP"));
        assertThat(marker.complete()).isTrue();
        assertThat(marker.writtenMillis()).isEqualTo(1234);
        assertThat(marker.segments()).containsExactlyElementsOf(listed);
        assertThat(renamedTo.get(0)).as("first: the in-progress marker").isEqualTo("BACKUP");
        assertThat(renamedTo.get(renamedTo.size() - 1)).as("last: the complete marker").isEqualTo("BACKUP");
        assertThat(progress.get(progress.size() - 1)).containsExactly(total, total);
        // The copy opens as a database of its own.
        try (FerrumDB copy = FerrumDB.open(target, Options.builder().readOnly(true).build())) {
            assertThat(copy.size()).isEqualTo(60);
        }
    }

    @Test
    void aSegmentWhoseFileHoldsMoreThanItsRecordsIsCopiedUpToThemNotLinked() throws Exception {
        Segment last = sealed.get(sealed.size() - 1);
        long records = last.writtenLength();
        // A zero tail after the records (FORMAT.md, "Zero tail"), as a read-only open leaves a crashed writer's.
        Files.write(last.path(), new byte[512], StandardOpenOption.APPEND);
        BackupWriter.write(directory, sealed, target, 1, (done, planned) -> { });
        Path copied = target.resolve(FileNames.segment(last.id()));
        assertThat(Files.size(copied)).isEqualTo(records);
        assertThat(inode(copied)).isNotEqualTo(inode(last.path()));
        assertThat(Files.readAllBytes(copied)).isEqualTo(java.util.Arrays.copyOf(Files.readAllBytes(last.path()),
                (int) records));
    }

    @Test
    void theTargetIsNewOrEmptyOrTheLeftoversOfAFailedBackup() throws Exception {
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "x");
        assertThatThrownBy(() -> BackupWriter.write(directory, sealed, file, 1, (d, p) -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is a file, not a directory");

        Files.createDirectories(target);
        Files.writeString(target.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> BackupWriter.write(directory, sealed, target, 1, (d, p) -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not empty");
        assertThat(names(target)).containsExactly("notes.txt");

        // A failed backup's leftovers: its in-progress marker and some files. Cleared, then written.
        Files.delete(target.resolve("notes.txt"));
        Files.write(target.resolve("BACKUP"), new BackupMarker(false, directory.meta().databaseId(), 1, List.of())
                .encode());
        Files.writeString(target.resolve(FileNames.segment(99)), "half a segment");
        BackupWriter.write(directory, sealed, target, 2, (d, p) -> { });
        assertThat(names(target)).doesNotContain(FileNames.segment(99));
        assertThat(BackupWriter.readMarker(io, target.resolve("BACKUP")).complete()).isTrue();

        // A complete backup is never overwritten.
        assertThatThrownBy(() -> BackupWriter.write(directory, sealed, target, 3, (d, p) -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not empty");
        assertThat(BackupWriter.readMarker(io, target.resolve("BACKUP")).writtenMillis()).isEqualTo(2);
    }

    @Test
    void aBackupKilledWhileWritingItsFirstMarkerIsClearedByTheNextOne() throws Exception {
        Files.createDirectories(target);
        Files.writeString(target.resolve(FileNames.temporary("BACKUP")), "torn");
        BackupWriter.write(directory, sealed, target, 5, (d, p) -> { });
        assertThat(BackupWriter.readMarker(io, target.resolve("BACKUP")).complete()).isTrue();
        assertThat(names(target)).doesNotContain(FileNames.temporary("BACKUP"));
    }

    @Test
    void aFailureRemovesEverythingItWroteAndNamesTheFile() throws Exception {
        failCreating = FileNames.temporary("MANIFEST");
        assertThatThrownBy(() -> BackupWriter.write(directory, sealed, target, 1, (d, p) -> { }))
                .isInstanceOfSatisfying(FileSystemException.class, e -> {
                    assertThat(e.getFile()).isEqualTo(target.resolve("MANIFEST").toString());
                    assertThat(e.getReason()).contains("No space left on device");
                });
        assertThat(names(target)).as("nothing left, not even the marker").isEmpty();
        failCreating = null;
        BackupWriter.write(directory, sealed, target, 1, (d, p) -> { });
        assertThat(BackupWriter.readMarker(io, target.resolve("BACKUP")).complete()).isTrue();
    }
}
