package io.ferrumdb.internal.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.DatabaseLockedException;
import io.ferrumdb.DatabaseNotFoundException;
import io.ferrumdb.NotADatabaseException;
import io.ferrumdb.internal.directory.DatabaseDirectory.Access;
import io.ferrumdb.internal.io.FileIO;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseDirectoryTest {
    private final FileIO io = FileIO.nio();

    @TempDir
    Path tmp;

    private DatabaseDirectory lock(Path dir, Access access, boolean create) throws Exception {
        return DatabaseDirectory.lock(io, dir, access, create, false, "test");
    }

    @Test
    void writingAccessCreatesLockAndMetaAndReadsTheSameIdentityBack() throws Exception {
        Path dir = tmp.resolve("db");
        byte[] id;
        try (DatabaseDirectory d = lock(dir, Access.WRITE, true)) {
            id = d.meta().databaseId();
            assertThat(Files.exists(dir.resolve(FileNames.LOCK))).isTrue();
            assertThat(Files.exists(dir.resolve(FileNames.META))).isTrue();
        }
        try (DatabaseDirectory d = lock(dir, Access.READ, false)) {
            assertThat(d.meta().databaseId()).containsExactly(id);
        }
    }

    @Test
    void readAccessAndNoCreateNeverCreateAnything() {
        Path dir = tmp.resolve("missing");
        assertThatThrownBy(() -> lock(dir, Access.READ, true))
                .isInstanceOf(DatabaseNotFoundException.class)
                .hasMessage("no FerrumDB database at " + dir);
        assertThatThrownBy(() -> lock(dir, Access.WRITE, false))
                .isInstanceOf(DatabaseNotFoundException.class);
        assertThat(Files.exists(dir)).isFalse();
    }

    @Test
    void aNonEmptyDirectoryWithoutMetaIsNotTurnedIntoADatabase() throws Exception {
        Files.writeString(tmp.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> lock(tmp, Access.WRITE, true))
                .isInstanceOf(NotADatabaseException.class)
                .hasMessageContaining("notes.txt");
        assertThat(Files.exists(tmp.resolve(FileNames.LOCK))).isFalse();
        assertThat(Files.exists(tmp.resolve(FileNames.META))).isFalse();
    }

    @Test
    void segmentsWithoutMetaAreDamageNotAForeignDirectory() throws Exception {
        Files.write(tmp.resolve(FileNames.segment(1)), new byte[10]);
        assertThatThrownBy(() -> lock(tmp, Access.WRITE, true))
                .isInstanceOf(CorruptionException.class)
                .hasMessageContaining("META is missing, but the directory holds the database files 0000000001.seg");
    }

    /** A read-only open (get, verify, repair) said "no FerrumDB database" there, as if the directory were empty. */
    @Test
    void segmentsWithoutMetaAreDamageToEveryOpenThatMayNotCreate() throws Exception {
        Files.write(tmp.resolve(FileNames.segment(2)), new byte[10]);
        Files.write(tmp.resolve(FileNames.segment(1)), new byte[10]);
        Files.write(tmp.resolve(FileNames.LOCK), new byte[0]);
        for (Access access : Access.values()) {
            for (boolean create : new boolean[] {false, true}) {
                assertThatThrownBy(() -> lock(tmp, access, create)).as(access + " create " + create)
                        .isInstanceOfSatisfying(CorruptionException.class,
                                e -> assertThat(e.file()).isEqualTo(tmp.toAbsolutePath().resolve(FileNames.META)))
                        .hasMessageContaining("META is missing, but the directory holds the database files "
                                + "0000000001.seg, 0000000002.seg");
            }
        }
        assertThat(Files.exists(tmp.resolve(FileNames.META))).isFalse();
    }

    @Test
    void anExclusiveHolderExcludesEveryoneInThisProcessAndKeepsItsLockAfterTheirFailures() throws Exception {
        Path dir = tmp.resolve("db");
        try (DatabaseDirectory first = lock(dir, Access.WRITE, true)) {
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> lock(dir, Access.WRITE, true))
                        .isInstanceOf(DatabaseLockedException.class)
                        .hasMessageContaining("exclusive test handle in this process");
                assertThatThrownBy(() -> lock(dir, Access.READ, false))
                        .isInstanceOf(DatabaseLockedException.class);
            }
            // Another spelling of the same directory is the same entry.
            assertThatThrownBy(() -> lock(dir.resolve("..").resolve("db"), Access.WRITE, true))
                    .isInstanceOf(DatabaseLockedException.class);
            assertThat(LockRegistry.process().isHeld(dir)).isTrue();
        }
        assertThat(LockRegistry.process().isHeld(dir)).isFalse();
        lock(dir, Access.WRITE, true).close();
    }

    @Test
    void sharedHoldersShareOneLockAndTheLastOneReleasesIt() throws Exception {
        Path dir = tmp.resolve("db");
        lock(dir, Access.WRITE, true).close();
        DatabaseDirectory a = lock(dir, Access.READ, false);
        DatabaseDirectory b = lock(dir, Access.READ, false);
        assertThatThrownBy(() -> lock(dir, Access.WRITE, true))
                .isInstanceOf(DatabaseLockedException.class)
                .hasMessageContaining("1 more read-only");
        a.close();
        a.close(); // a second close gives nothing back twice
        assertThat(LockRegistry.process().isHeld(dir)).isTrue();
        assertThatThrownBy(() -> lock(dir, Access.WRITE, true)).isInstanceOf(DatabaseLockedException.class);
        b.close();
        assertThat(LockRegistry.process().isHeld(dir)).isFalse();
        lock(dir, Access.WRITE, true).close();
    }

    @Test
    void temporaryFilesAreDeletedAndSegmentIdsListedInOrder() throws Exception {
        Path dir = tmp.resolve("db");
        try (DatabaseDirectory d = lock(dir, Access.WRITE, true)) {
            Files.write(dir.resolve(FileNames.segment(12)), new byte[1]);
            Files.write(dir.resolve(FileNames.segment(3)), new byte[1]);
            Files.write(dir.resolve(FileNames.hint(3)), new byte[1]);
            Files.write(dir.resolve(FileNames.temporary(FileNames.segment(13))), new byte[1]);
            Files.write(dir.resolve("x" + FileNames.segment(4)), new byte[1]);
            assertThat(d.segmentIds()).containsExactly(3, 12);
            d.deleteTemporaryFiles();
            assertThat(Files.exists(dir.resolve(FileNames.temporary(FileNames.segment(13))))).isFalse();
            assertThat(Files.exists(dir.resolve(FileNames.hint(3)))).isTrue();
        }
    }

    @Test
    void fileNamesRoundTrip() {
        assertThat(FileNames.segment(42)).isEqualTo("0000000042.seg");
        assertThat(FileNames.segmentId("0000000042.seg")).isEqualTo(42);
        assertThat(FileNames.segmentId("0000000042.hint")).isEqualTo(-1);
        assertThat(FileNames.segmentId("00000000+2.seg")).isEqualTo(-1);
        assertThat(FileNames.isHint(FileNames.hint(7))).isTrue();
        assertThat(FileNames.isTemporary(FileNames.temporary(FileNames.META))).isTrue();
    }
}
