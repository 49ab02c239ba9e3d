package io.ferrumdb.bindings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.DatabaseLockedException;
import io.ferrumdb.EncryptionKeyException;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BindingSupportTest {
    @TempDir
    Path dir;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void fsyncNamesMapToPolicies() {
        assertThat(BindingSupport.options("always", 0, null, false).fsyncPolicy()).isEqualTo(FsyncPolicy.always());
        assertThat(BindingSupport.options("NEVER", 0, null, false).fsyncPolicy()).isEqualTo(FsyncPolicy.never());
        Options periodic = BindingSupport.options("periodic", 250, null, true);
        assertThat(periodic.fsyncPolicy()).isEqualTo(FsyncPolicy.periodic(Duration.ofMillis(250)));
        assertThat(periodic.readOnly()).isTrue();
    }

    @Test
    void badOptionsNameTheProblem() {
        assertThatThrownBy(() -> BindingSupport.options("sometimes", 0, null, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"sometimes\"");
        assertThatThrownBy(() -> BindingSupport.options(null, 0, null, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fsync");
        assertThatThrownBy(() -> BindingSupport.options("periodic", 0, null, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive interval");
        assertThatThrownBy(() -> BindingSupport.open("", "always", 0, null, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("path");
    }

    @Test
    void passphraseEncryptsAndMustMatchOnReopen() {
        try (FerrumDB db = BindingSupport.open(dir.toString(), "always", 0, "correct horse", false)) {
            db.put(b("k"), b("v"));
        }
        assertThatThrownBy(() -> BindingSupport.open(dir.toString(), "always", 0, "wrong", false))
                .isInstanceOf(EncryptionKeyException.class);
        assertThatThrownBy(() -> BindingSupport.open(dir.toString(), "always", 0, null, false))
                .isInstanceOf(EncryptionKeyException.class);
        try (FerrumDB db = BindingSupport.open(dir.toString(), "always", 0, "correct horse", true)) {
            assertThat(db.get(b("k"))).isEqualTo(b("v"));
        }
    }

    @Test
    void missingPassphraseIsReportedWithoutTheJavaApi() {
        try (FerrumDB db = BindingSupport.open(dir.toString(), "always", 0, "correct horse", false)) {
            db.put(b("k"), b("v"));
        }
        assertThatThrownBy(() -> BindingSupport.open(dir.toString(), "always", 0, null, false))
                .isInstanceOf(EncryptionKeyException.class)
                .hasMessageContaining("open it with its passphrase")
                .hasMessageNotContaining("Options");
    }

    /**
     * The engine's error reaches the bindings as it is: it names the holder (here a handle of this process, the
     * one a Python or Node.js program forgot to close); another process is named in io.ferrumdb.process's
     * LockContentionTest.
     */
    @Test
    void lockedDirectoryNamesTheHolder() {
        try (FerrumDB first = BindingSupport.open(dir.toString(), "never", 0, null, false)) {
            assertThatThrownBy(() -> BindingSupport.open(dir.toString(), "never", 0, null, false))
                    .isExactlyInstanceOf(DatabaseLockedException.class)
                    .hasMessageContaining(dir.toString())
                    .hasMessageContaining("locked by an exclusive open handle in this process (pid "
                            + ProcessHandle.current().pid() + ")");
        }
    }
}
