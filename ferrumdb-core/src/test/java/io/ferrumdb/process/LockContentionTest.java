package io.ferrumdb.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.DatabaseLockedException;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.Options;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A second JVM cannot open a directory this one holds open, is told which, and can once it is closed. */
class LockContentionTest {
    @TempDir
    Path tmp;

    @Test
    void secondProcessGetsDatabaseLockedExceptionNamingTheDirectory() throws Exception {
        Path dir = tmp.resolve("db").toAbsolutePath().normalize();
        try (FerrumDB db = FerrumDB.open(dir)) {
            db.put(new byte[] {1}, new byte[] {1});
            Probe locked = probe(dir);
            assertThat(locked.exitCode).as("child output: %s", locked.output).isEqualTo(LockProbeChild.LOCKED);
            assertThat(locked.output).contains(dir.toString());
            assertThat(db.get(new byte[] {1})).as("the holder is unaffected").containsExactly(1);
        }
        Probe opened = probe(dir);
        assertThat(opened.exitCode).as("child output: %s", opened.output).isEqualTo(LockProbeChild.OPENED);
    }

    /**
     * Finding 1 of issue 16: a failed second open in this JVM used to close its own channel on LOCK, which drops
     * every POSIX lock this process holds on the file, so another process could then open the directory for
     * writing while the first handle still wrote.
     */
    @Test
    void failedSecondOpenInThisJvmKeepsTheDirectoryLockedForOtherProcesses() throws Exception {
        Path dir = tmp.resolve("db").toAbsolutePath().normalize();
        try (FerrumDB db = FerrumDB.open(dir)) {
            db.put(new byte[] {1}, new byte[] {1});
            assertThatThrownBy(() -> FerrumDB.open(dir))
                    .isInstanceOf(DatabaseLockedException.class)
                    .hasMessageContaining(dir.toString())
                    .hasMessageContaining("in this process");
            assertThatThrownBy(() -> FerrumDB.open(dir, Options.builder().readOnly(true).build()))
                    .isInstanceOf(DatabaseLockedException.class);
            assertThatThrownBy(() -> FerrumDB.verify(dir, Options.defaults()))
                    .isInstanceOf(DatabaseLockedException.class);
            Probe locked = probe(dir);
            assertThat(locked.exitCode).as("child output: %s", locked.output).isEqualTo(LockProbeChild.LOCKED);
            assertThat(locked.output).contains("another process");
            db.put(new byte[] {2}, new byte[] {2});
        }
        Probe opened = probe(dir);
        assertThat(opened.exitCode).as("child output: %s", opened.output).isEqualTo(LockProbeChild.OPENED);
    }

    private record Probe(int exitCode, String output) {
    }

    private Probe probe(Path dir) throws Exception {
        Path stderr = Files.createTempFile(tmp, "probe", ".err");
        Process p = ChildJvm.start(LockProbeChild.class, stderr, dir.toString());
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("probe finished").isTrue();
        return new Probe(p.exitValue(), out + Files.readString(stderr));
    }
}
