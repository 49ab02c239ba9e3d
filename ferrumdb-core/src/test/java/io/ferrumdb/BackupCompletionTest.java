package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.format.BackupMarker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding 10 of issue 16: a backup is complete only when its marker says so. */
class BackupCompletionTest {
    private static final int KEYS = 600;

    @TempDir
    Path tmp;

    private final FaultFileIO io = new FaultFileIO(10);

    private Options options() {
        return Options.builder().segmentSize(8192).autoCompaction(false).fileIO(io.session()).build();
    }

    private static byte[] key(int i) {
        return ("key-" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(int i) {
        return ("value-" + i + "-".repeat(80)).getBytes(StandardCharsets.UTF_8);
    }

    private FerrumDB filled() {
        FerrumDB db = FerrumDB.open(tmp.resolve("db"), options());
        for (int i = 0; i < KEYS; i++) {
            db.put(key(i), value(i));
        }
        return db;
    }

    private static void assertFullCopy(Path backup) {
        try (FerrumDB copy = FerrumDB.open(backup, Options.builder().readOnly(true).build())) {
            assertThat(copy.size()).isEqualTo(KEYS);
            for (int i = 0; i < KEYS; i++) {
                assertThat(copy.get(key(i))).containsExactly(value(i));
            }
        }
        assertThat(FerrumDB.verify(backup, Options.defaults()).ok()).isTrue();
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aBackupThatRanOutOfSpaceLeavesNothingThatOpensAndARetryIntoTheSameTargetWorks() throws Exception {
        Path target = tmp.resolve("backup");
        try (FerrumDB db = filled()) {
            db.sync();
            long dataBytes = db.stats().totalBytes();
            io.copyOnLink(true);
            io.diskSpace(dataBytes / 2);
            assertThatThrownBy(() -> db.backup(target))
                    .isInstanceOf(FerrumException.class)
                    .hasMessageContaining("No space left on device");
            assertThat(target.toFile().exists() ? names(target) : List.of()).as("the failed copy was removed")
                    .isEmpty();
            assertThatThrownBy(() -> FerrumDB.open(target, Options.builder().readOnly(true).build()))
                    .isInstanceOf(DatabaseNotFoundException.class);
            io.diskSpace(Long.MAX_VALUE);
            db.backup(target);
        }
        assertThat(names(target)).contains(FileNames.BACKUP);
        assertFullCopy(target);
    }

    @Test
    void leftoversOfAnInterruptedBackupDoNotOpenAndARetryClearsThem() throws Exception {
        Path target = tmp.resolve("backup");
        try (FerrumDB db = filled()) {
            db.backup(target);
            // What a backup killed half way leaves: some segments and the marker still saying "in progress".
            Path marker = target.resolve(FileNames.BACKUP);
            BackupMarker complete = BackupMarker.decode(Files.readAllBytes(marker), marker);
            Files.write(marker, new BackupMarker(false, complete.databaseId(), 0, List.of()).encode());
            Files.delete(target.resolve(FileNames.segment(complete.segments().get(2).id())));
            for (Options o : List.of(Options.builder().readOnly(true).build(), Options.defaults())) {
                assertThatThrownBy(() -> FerrumDB.open(target, o))
                        .isInstanceOf(CorruptionException.class)
                        .hasMessageContaining("incomplete backup");
            }
            assertThatThrownBy(() -> FerrumDB.verify(target, Options.defaults()))
                    .isInstanceOf(CorruptionException.class)
                    .hasMessageContaining("incomplete backup");
            db.backup(target);
        }
        assertFullCopy(target);
    }

    @Test
    void aBackupKilledWhileWritingItsFirstMarkerCanBeRetried() throws Exception {
        Path target = tmp.resolve("backup");
        Files.createDirectories(target);
        Files.write(target.resolve(FileNames.temporary(FileNames.BACKUP)), new byte[] {'F', 'D'});
        assertThatThrownBy(() -> FerrumDB.open(target, Options.builder().readOnly(true).build()))
                .isInstanceOf(DatabaseNotFoundException.class);
        try (FerrumDB db = filled()) {
            db.backup(target);
        }
        assertFullCopy(target);
    }

    @Test
    void aCompleteBackupMissingASegmentDoesNotOpenAndAWritableOpenMakesItADatabaseOfItsOwn() throws Exception {
        Path target = tmp.resolve("backup");
        Path second = tmp.resolve("second");
        try (FerrumDB db = filled()) {
            db.backup(target);
            db.backup(second);
            assertThatThrownBy(() -> db.backup(second)).as("a complete backup is not overwritten")
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not empty");
        }
        Path marker = target.resolve(FileNames.BACKUP);
        BackupMarker complete = BackupMarker.decode(Files.readAllBytes(marker), marker);
        Path gone = target.resolve(FileNames.segment(complete.segments().get(0).id()));
        Files.delete(gone);
        assertThatThrownBy(() -> FerrumDB.open(target, Options.builder().readOnly(true).build()))
                .isInstanceOf(CorruptionException.class)
                .hasMessageContaining(gone.toString())
                .hasMessageContaining("is missing");

        try (FerrumDB copy = FerrumDB.open(second)) {
            assertThat(second.resolve(FileNames.BACKUP)).doesNotExist();
            copy.put(key(0), value(1));
            copy.compact();
        }
        try (FerrumDB copy = FerrumDB.open(second, Options.builder().readOnly(true).build())) {
            assertThat(copy.get(key(0))).containsExactly(value(1));
            assertThat(copy.size()).isEqualTo(KEYS);
        }
    }
}
