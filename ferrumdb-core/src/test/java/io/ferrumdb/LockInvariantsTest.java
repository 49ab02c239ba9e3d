package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.internal.crypto.Keyring;
import io.ferrumdb.internal.crypto.Secret;
import io.ferrumdb.internal.directory.LockRegistry;
import io.ferrumdb.internal.format.MetaFile;
import io.ferrumdb.internal.io.FileIO;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a comment says "REQUIRES: ... lock", the code asserts it, and the tests run with assertions enabled: calling
 * such a method without the lock fails here instead of corrupting something quietly.
 */
class LockInvariantsTest {
    @TempDir
    Path tmp;

    @Test
    void theEngineRunsWithAssertionsEnabledInTests() {
        assertThat(Maintenance.class.desiredAssertionStatus()).isTrue();
        assertThat(Keyring.class.desiredAssertionStatus()).isTrue();
    }

    @Test
    void compactionOutsideTheMaintenanceLockIsRefused() throws Exception {
        Path dir = tmp.resolve("db").toAbsolutePath();
        Options options = Options.builder().autoCompaction(false).build();
        FerrumDB.open(dir, options).close();
        Recovery.Opened opened = Recovery.open(dir, options);
        try {
            ExpiryPurge expiry = new ExpiryPurge(opened.keyDir(), opened.segments(), null, () -> 0);
            Maintenance maintenance = new Maintenance(dir, options, opened.directory(), opened.segments(),
                    opened.keyDir(), null, expiry);
            assertThatThrownBy(() -> maintenance.compactNow(List.of()))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("maintenance lock");
            assertThat(maintenance.exclusively(() -> maintenance.compactNow(List.of())))
                    .isEqualTo(CompactionResult.NOTHING);
        } finally {
            opened.segments().closeAll();
            opened.directory().close();
        }
    }

    @Test
    void rewrappingTheKeyFileWithoutTheDirectoryLockIsRefused() throws Exception {
        Path dir = tmp.resolve("enc").toAbsolutePath();
        char[] pass = "correct horse".toCharArray();
        FerrumDB.open(dir, Options.builder().passphrase(pass.clone()).build()).close();
        assertThat(LockRegistry.process().isHeldExclusively(dir)).isFalse();
        FileIO io = FileIO.nio();
        MetaFile meta = MetaFile.decode(java.nio.file.Files.readAllBytes(dir.resolve("META")), dir);
        try (Secret oldSecret = Secret.passphrase(pass.clone()); Secret newSecret = Secret.passphrase("x".toCharArray())) {
            assertThatThrownBy(() -> Keyring.rewrap(io, dir, meta, oldSecret, newSecret))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("without its lock");
        }
        // Through the API, which takes the lock, it works.
        FerrumDB.changePassphrase(dir, pass.clone(), "x".toCharArray());
    }
}
