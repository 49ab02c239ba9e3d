package io.ferrumdb.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
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
