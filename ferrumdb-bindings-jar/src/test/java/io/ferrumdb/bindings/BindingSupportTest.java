package io.ferrumdb.bindings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.DatabaseLockedException;
import io.ferrumdb.EncryptionKeyException;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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

    @Test
    void lockedDirectoryNamesTheHolder() {
        try (FerrumDB first = BindingSupport.open(dir.toString(), "never", 0, null, false)) {
            assertThatThrownBy(() -> BindingSupport.open(dir.toString(), "never", 0, null, false))
                    .isInstanceOf(DatabaseLockedException.class)
                    .hasMessageContaining(dir.toString())
                    .hasMessageContaining("held by this process")
                    .hasMessageContaining("ferrumdb serve");
        }
    }

    @Test
    void lockHeldByAnotherProcessNamesItsPidAndCommand() throws Exception {
        BindingSupport.open(dir.toString(), "never", 0, null, false).close();
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        // A child JVM takes the engine's lock file the way the engine does (FileChannel.tryLock: a POSIX lock)
        // and waits for its stdin to close.
        Path holder = dir.resolveSibling(dir.getFileName() + "-Hold.java");
        Files.writeString(holder, """
                import java.nio.channels.FileChannel;
                import java.nio.file.*;
                public class Hold {
                    public static void main(String[] a) throws Exception {
                        try (FileChannel c = FileChannel.open(Path.of(a[0]), StandardOpenOption.WRITE);
                             var lock = c.lock()) {
                            System.out.println("locked");
                            System.in.read();
                        }
                    }
                }
                """);
        Process p = new ProcessBuilder(javaBin.toString(), holder.toString(), dir.resolve("LOCK").toString())
                .redirectErrorStream(true).start();
        try {
            assertThat(new BufferedReader(new InputStreamReader(p.getInputStream())).readLine())
                    .isEqualTo("locked");
            assertThatThrownBy(() -> BindingSupport.open(dir.toString(), "never", 0, null, false))
                    .isInstanceOf(DatabaseLockedException.class)
                    .hasMessageContaining("held by process " + p.pid() + " (java)")
                    .hasMessageNotContaining("Hold.java");  // the name only: arguments may hold secrets
        } finally {
            p.getOutputStream().close();
            p.waitFor();
            Files.deleteIfExists(holder);
        }
    }

    @Test
    void lockLinesOfOtherFilesAndWaitersAreNotHolders() {
        assertThat(LockHolder.holderPid("1: POSIX  ADVISORY  WRITE 4242 08:01:1234 0 EOF", "08:01:1234"))
                .contains(4242L);
        assertThat(LockHolder.holderPid("1: POSIX  ADVISORY  WRITE 4242 08:01:12345 0 EOF", "08:01:1234"))
                .isEmpty();
        assertThat(LockHolder.holderPid("1: -> POSIX  ADVISORY  WRITE 77 08:01:1234 0 EOF", "08:01:1234"))
                .isEmpty();
        assertThat(LockHolder.holderPid("2: OFDLCK ADVISORY  WRITE -1 08:01:1234 0 EOF", "08:01:1234"))
                .isEmpty();
    }
}
