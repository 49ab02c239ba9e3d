package io.ferrumdb.internal.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.DatabaseLockedException;
import io.ferrumdb.internal.io.FileIO;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The process-wide lock table alone (each test uses a registry of its own): which holders may share a directory,
 * how the last one releases it, and that a second registry, like code bypassing the table, cannot take it.
 */
class LockRegistryTest {
    @TempDir
    Path dir;

    private final FileIO io = FileIO.nio();
    private final LockRegistry registry = new LockRegistry();

    @ParameterizedTest(name = "{0} then {1}: second admitted = {2}")
    @CsvSource({
        "shared, shared, true",
        "shared, exclusive, false",
        "exclusive, shared, false",
        "exclusive, exclusive, false"})
    void onlySharedHoldersShare(String first, String second, boolean admitted) throws Exception {
        try (LockRegistry.Lease a = registry.acquire(io, dir, first.equals("shared"), true, "first")) {
            if (admitted) {
                try (LockRegistry.Lease b = registry.acquire(io, dir, true, true, "second")) {
                    assertThat(b.shared()).isTrue();
                }
                assertThat(registry.isHeld(dir)).as("the first holder still holds it").isTrue();
            } else {
                assertThatThrownBy(() -> registry.acquire(io, dir, second.equals("shared"), true, "second"))
                        .isInstanceOf(DatabaseLockedException.class)
                        .hasMessageContaining(first + " first handle in this process");
                assertThat(registry.isHeld(dir)).as("a refused acquirer leaves the holder's lock alone").isTrue();
            }
            assertThat(a.shared()).isEqualTo(first.equals("shared"));
        }
        assertThat(registry.isHeld(dir)).isFalse();
        try (LockRegistry.Lease again = registry.acquire(io, dir, false, true, "after")) {
            assertThat(registry.isHeld(dir)).isTrue();
        }
    }

    @Test
    void theRefusalNamesTheThreadThatTookTheLockAndWhen() throws Exception {
        LockRegistry.Lease[] taken = new LockRegistry.Lease[1];
        Thread opener = new Thread(() -> {
            try {
                taken[0] = registry.acquire(io, dir, false, true, "read-write open");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, "opener-thread");
        long before = System.currentTimeMillis() / 1000 * 1000;
        opener.start();
        opener.join();
        try (LockRegistry.Lease lease = taken[0]) {
            assertThat(lease).isNotNull();
            assertThatThrownBy(() -> registry.acquire(io, dir, false, true, "open"))
                    .isInstanceOf(DatabaseLockedException.class)
                    .hasMessageContaining("exclusive read-write open handle in this process (pid "
                            + ProcessHandle.current().pid() + "), taken by thread 'opener-thread' at ")
                    .satisfies(e -> {
                        String at = e.getMessage().replaceAll("(?s).*thread 'opener-thread' at (\\S+).*", "$1");
                        assertThat(java.time.Instant.parse(at).toEpochMilli()).isBetween(before,
                                System.currentTimeMillis());
                    });
        }
    }

    @Test
    void theLastSharedHolderReleasesAndClosingALeaseTwiceCountsOnce() throws Exception {
        LockRegistry.Lease a = registry.acquire(io, dir, true, true, "reader");
        LockRegistry.Lease b = registry.acquire(io, dir, true, true, "reader");
        assertThatThrownBy(() -> registry.acquire(io, dir, false, true, "writer"))
                .hasMessageContaining("and 1 more read-only handles");
        a.close();
        a.close();
        assertThat(registry.isHeld(dir)).as("b still holds it: a's second close must not count").isTrue();
        b.close();
        assertThat(registry.isHeld(dir)).isFalse();
    }

    @Test
    void twoSpellingsOfOneDirectoryAreOneEntry() throws Exception {
        Path link = dir.resolveSibling(dir.getFileName() + "-link");
        Files.createSymbolicLink(link, dir);
        try (LockRegistry.Lease a = registry.acquire(io, dir, false, true, "open")) {
            assertThatThrownBy(() -> registry.acquire(io, link, false, true, "open"))
                    .isInstanceOf(DatabaseLockedException.class);
            assertThatThrownBy(() -> registry.acquire(io, dir.resolve("sub/.."), false, true, "open"))
                    .isInstanceOf(DatabaseLockedException.class);
        } finally {
            Files.delete(link);
        }
    }

    @Test
    void aLockTakenOutsideThisTableIsStillRefused() throws Exception {
        LockRegistry other = new LockRegistry();
        try (LockRegistry.Lease a = registry.acquire(io, dir, false, true, "open")) {
            assertThatThrownBy(() -> other.acquire(io, dir, false, true, "open"))
                    .isInstanceOf(DatabaseLockedException.class)
                    .hasMessageContaining("does not go through");
            assertThat(registry.isHeld(dir)).isTrue();
        }
    }

    @Test
    void aReadOnlyAcquirerNeverCreatesTheLockFile() {
        assertThatThrownBy(() -> registry.acquire(io, dir, true, false, "read-only open"))
                .isInstanceOf(NoSuchFileException.class);
        assertThat(dir.resolve(FileNames.LOCK)).doesNotExist();
        assertThat(registry.isHeld(dir)).isFalse();
    }
}
