package io.ferrumdb.studio;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.process.LockHoldChild;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Studio started on a directory that a server holds ({@code SERVING}) says, through its own error path
 * ({@code ferrumdb-studio: } and {@link io.ferrumdb.ProblemWording}), to connect to that server: the advice is the
 * engine's, not the CLI's.
 */
class LockedStudioTest {
    @TempDir
    Path tmp;

    @Test
    void studioOnADirectoryAServerHoldsNamesTheServersAddress() throws Exception {
        Path db = tmp.resolve("db").toAbsolutePath();
        FerrumDB.open(db).close();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("java.class.path");
        Path holderErr = tmp.resolve("holder.err");
        Process holder = new ProcessBuilder(java, "-cp", classPath, LockHoldChild.class.getName(), db.toString(),
                "read-write", "7125").redirectError(holderErr.toFile()).start();
        try {
            String first = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertThat(first).as("holder's stderr: %s", Files.readString(holderErr)).isEqualTo("open");
            Path studioErr = tmp.resolve("studio.err");
            Process studio = new ProcessBuilder(java, "-cp", classPath, StudioMain.class.getName(), "--db",
                    db.toString(), "--port", "0").redirectError(studioErr.toFile()).start();
            assertThat(studio.waitFor(120, TimeUnit.SECONDS)).as("studio gave up").isTrue();
            assertThat(studio.exitValue()).isEqualTo(3);
            assertThat(Files.readString(studioErr)).startsWith("ferrumdb-studio: database directory " + db
                    + " is locked by ").endsWith("; it is `ferrumdb serve` (pid " + holder.pid() + ") listening on"
                    + " 127.0.0.1:7125: connect to that server instead of opening the directory (e.g. redis-cli -h"
                    + " 127.0.0.1 -p 7125)\n");
        } finally {
            holder.getOutputStream().close();
            assertThat(holder.waitFor(120, TimeUnit.SECONDS)).as("holder finished").isTrue();
        }
    }
}
