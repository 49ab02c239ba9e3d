package io.ferrumdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every tool on a database another process holds (here a piped {@code ferrumdb} REPL, or {@code ferrumdb serve}, in
 * a child JVM) says so in one line that names the directory and the holder, with exit code 3 and no stack trace.
 */
class LockedDatabaseTest {
    @TempDir
    Path tmp;

    @Test
    void eachToolGivesOneLineNamingTheDirectoryAndTheHolder() throws Exception {
        Path db = tmp.resolve("db").toAbsolutePath();
        FerrumDB.open(db).close();
        Path holderErr = tmp.resolve("holder.err");
        Process holder = ChildCli.start(holderErr, "--db", db.toString());
        try {
            holder.getOutputStream().write("SET held yes\n".getBytes(StandardCharsets.UTF_8));
            holder.getOutputStream().flush();
            String reply = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertThat(reply).as("the holder's reply; its stderr: %s", Files.readString(holderErr)).isEqualTo("OK");
            String holderName = holderName(holder, db);
            // A record left by a server that was killed (its process is gone) is not believed.
            Process gone = new ProcessBuilder("true").start();
            gone.waitFor();
            Files.writeString(db.resolve("SERVING"), "FDBSERVING 1\npid=" + gone.pid()
                    + "\nhost=127.0.0.1\nport=6379\ntls=false\n");
            String expected = "ferrumdb: database directory " + db + " is locked by " + holderName
                    + "; only one process at a time may open a database unless all of them open it read-only (to"
                    + " share it, serve it with `ferrumdb serve`, or to AI agents with `ferrumdb mcp --http`)\n";
            for (List<String> command : List.of(List.of("put", "k", "v"), List.of("get", "held"),
                    List.of("verify"), List.<String>of(), List.of("serve", "--port", "0"),
                    List.of("studio", "--port", "0"), List.of("mcp"), List.of("mcp", "--http"),
                    List.of("doc", "put", "users", "1", "{}"))) {
                // Piped input, so that the command without a name is the REPL as a script runs it.
                Run r = Run.of(db, "GET held\n", command.toArray(String[]::new));
                assertThat(r.err()).as("ferrumdb %s", command).isEqualTo(expected);
                assertThat(r.code()).as("ferrumdb %s", command).isEqualTo(ExitCode.DATABASE);
                assertThat(r.out()).as("ferrumdb %s", command).isEmpty();
            }
        } finally {
            holder.getOutputStream().close();
            assertThat(holder.waitFor(120, TimeUnit.SECONDS)).as("holder finished").isTrue();
        }
        assertThat(holder.exitValue()).as("holder's stderr: %s", Files.readString(holderErr)).isZero();
    }

    @Test
    void aDatabaseThatFerrumdbServeHoldsIsReachedThroughTheServer() throws Exception {
        Path db = tmp.resolve("served").toAbsolutePath();
        Path serverErr = tmp.resolve("server.err");
        Process server = ChildCli.start(serverErr, "--db", db.toString(), "serve", "--port", "0");
        try {
            String banner = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertThat(banner).as("the server's banner; its stderr: %s", Files.readString(serverErr))
                    .contains(" on 127.0.0.1:");
            String port = banner.replaceAll(".* on 127\\.0\\.0\\.1:(\\d+) .*", "$1");
            String expected = "ferrumdb: database directory " + db + " is locked by " + holderName(server, db)
                    + "; it is `ferrumdb serve` (pid " + server.pid() + ") listening on 127.0.0.1:" + port
                    + ": connect to that server instead of opening the directory (e.g. redis-cli -h 127.0.0.1 -p "
                    + port + ")\n";
            for (List<String> command : List.of(List.of("put", "k", "v"), List.of("get", "k"),
                    List.of("serve", "--port", "0"), List.of("doc", "put", "users", "1", "{}"),
                    List.of("studio", "--port", "0"), List.of("mcp"))) {
                Run r = Run.of(db, "", command.toArray(String[]::new));
                assertThat(r.err()).as("ferrumdb %s", command).isEqualTo(expected);
                assertThat(r.code()).as("ferrumdb %s", command).isEqualTo(ExitCode.DATABASE);
            }
        } finally {
            server.destroy(); // SIGTERM: the shutdown hook closes the server
            assertThat(server.waitFor(120, TimeUnit.SECONDS)).as("server stopped").isTrue();
        }
        assertThat(db.resolve("SERVING")).as("the record is gone with the server").doesNotExist();
        assertThat(Run.of(db, "", "get", "k").code()).isEqualTo(ExitCode.NOT_FOUND);
    }

    private static String holderName(Process holder, Path db) {
        return Files.isReadable(Path.of("/proc/locks")) ? "process " + holder.pid() + " (java)"
                : "another process (the operating system does not say which; 'fuser " + db.resolve("LOCK")
                + "' lists it)";
    }
}
