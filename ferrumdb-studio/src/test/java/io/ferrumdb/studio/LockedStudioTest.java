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

    /**
     * A Studio writes the SERVING notice as {@code ferrumdb serve} does: another process refused by its lock (here a
     * second Studio) is told that this Studio has the directory open and at which address, not the generic advice;
     * the notice is gone once it stops, and a read-only Studio writes none.
     */
    @Test
    void aSecondOpenerOfADirectoryStudioHoldsIsToldWhereThatStudioIs() throws Exception {
        Path db = tmp.resolve("db").toAbsolutePath();
        Path notice = db.resolve("SERVING");
        try (Studio studio = Studio.start(StudioConfig.builder(db).port(0).build())) {
            assertThat(Files.readString(notice)).startsWith("FDBSERVING 2\n")
                    .endsWith("\nstudio=http://127.0.0.1:" + studio.port() + "/\n")
                    .doesNotContain(studio.token());
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Path secondErr = tmp.resolve("second.err");
            Process second = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    StudioMain.class.getName(), "--db", db.toString(), "--port", "0")
                    .redirectError(secondErr.toFile()).start();
            assertThat(second.waitFor(120, TimeUnit.SECONDS)).as("second studio gave up").isTrue();
            assertThat(second.exitValue()).isEqualTo(3);
            assertThat(Files.readString(secondErr)).startsWith("ferrumdb-studio: database directory " + db
                    + " is locked by ").endsWith("; it is `ferrumdb studio` (pid " + ProcessHandle.current().pid()
                    + ") at http://127.0.0.1:" + studio.port() + "/: use it in the browser (through the link with"
                    + " the token it printed at start), or stop it (Ctrl+C) to open the directory here\n");
        }
        assertThat(notice).as("withdrawn before the lock is released").doesNotExist();
        try (Studio readOnly = Studio.start(StudioConfig.builder(db).port(0).readOnly(true).build())) {
            assertThat(notice).as("a read-only open writes nothing").doesNotExist();
        }
    }
}
