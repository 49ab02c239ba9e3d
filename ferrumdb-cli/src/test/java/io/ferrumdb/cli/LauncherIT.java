package io.ferrumdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.Options;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real ./ferrumdb launcher, on the jar that package just built. */
class LauncherIT {
    @TempDir
    Path tmp;

    @Test
    void noCommandIsTheReplOnTheDefaultDatabaseInTheCurrentDirectory() {
        Launcher.Result r = Launcher.ferrumdb(tmp, "SET greeting hello\nGET greeting\nCOUNT\n");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("OK\nhello\n1\n");
        assertThat(r.err()).isEmpty();
        assertThat(Files.exists(tmp.resolve("ferrumdb-data").resolve("META"))).isTrue();
        Launcher.Result get = Launcher.ferrumdb(tmp, "", "get", "greeting");
        // Standard output is a file here: exactly the stored bytes, no newline added.
        assertThat(get.out()).isEqualTo("hello");
    }

    @Test
    void oneShotCommandsAndTheirExitCodes() {
        String db = tmp.resolve("db").toString();
        assertThat(Launcher.ferrumdb(tmp, "", "--db", db, "put", "k", "v").code()).isZero();
        assertThat(Launcher.ferrumdb(tmp, "from stdin", "--db", db, "put", "s", "-").code()).isZero();
        assertThat(Launcher.ferrumdb(tmp, "", "--db", db, "get", "s").out()).isEqualTo("from stdin");
        assertThat(Launcher.ferrumdb(tmp, "", "--db", db, "get", "nope").code()).isEqualTo(1);
        assertThat(Launcher.ferrumdb(tmp, "", "--db", db, "del", "k").code()).isZero();
        assertThat(Launcher.ferrumdb(tmp, "", "--db", db, "del", "k").code()).isEqualTo(1);
        assertThat(Launcher.ferrumdb(tmp, "", "--db", db, "frobnicate").code()).isEqualTo(2);
        assertThat(Launcher.ferrumdb(tmp, "", "--db", db, "count").out()).isEqualTo("1\n");
        Launcher.Result version = Launcher.ferrumdb(tmp, "", "--version");
        assertThat(version.out()).startsWith("ferrumdb 0.1.0");
        assertThat(version.err()).isEmpty();
    }

    @Test
    void aDatabaseHeldByAnotherProcessIsReportedWithItsDirectory() {
        Path db = tmp.resolve("db");
        try (FerrumDB held = FerrumDB.open(db)) {
            Launcher.Result r = Launcher.ferrumdb(tmp, "", "--db", db.toString(), "put", "k", "v");
            assertThat(r.code()).isEqualTo(3);
            // This JVM is another process to the launcher's: named by pid where the operating system tells.
            assertThat(r.err()).contains(held.directory() + " is locked by "
                    + (Files.isReadable(Path.of("/proc/locks")) ? "process " + ProcessHandle.current().pid() + " ("
                    : "another process"));
        }
        Launcher.ferrumdb(tmp, "", "--db", db.toString(), "put", "k", "v");
        // Read commands open read-only, so they share the directory with a reader in another process.
        try (FerrumDB reader = FerrumDB.open(db, Options.builder().readOnly(true).build())) {
            Launcher.Result r = Launcher.ferrumdb(tmp, "", "--db", db.toString(), "get", "k");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo("v");
            assertThat(reader.get("k".getBytes(StandardCharsets.UTF_8))).isNotNull();
        }
    }

    @Test
    void exportPipedIntoImportThroughTheShell() {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        Launcher.ferrumdb(tmp, "SET x 1\nSET y 2 EX 3600\n", "--db", a.toString());
        Launcher.Result r = Launcher.exec(tmp, Map.of(), "", 120, List.of("bash", "-c",
                Launcher.FERRUMDB + " --db " + a + " export | " + Launcher.FERRUMDB + " --db " + b + " import"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("imported 2 record(s), skipped 0 expired\n");
        assertThat(Launcher.ferrumdb(tmp, "", "--db", b.toString(), "export").out())
                .isEqualTo(Launcher.ferrumdb(tmp, "", "--db", a.toString(), "export").out());
    }

    /**
     * The server's banner and INFO, and the MCP server's serverInfo, take the version from the jar's manifest
     * (Package.getImplementationVersion): without it they said "dev" and "development".
     */
    @Test
    void theJarsManifestCarriesTheVersionTheCommandPrints() throws Exception {
        Launcher.Result version = Launcher.ferrumdb(tmp, "", "--version");
        String printed = version.out().lines().findFirst().orElseThrow().substring("ferrumdb ".length());
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(
                Launcher.ROOT.resolve("ferrumdb-cli/target/ferrumdb.jar").toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Implementation-Version")).isEqualTo(printed);
        }
    }

    @Test
    void completionScriptLoadsInBash() {
        Launcher.Result r = Launcher.exec(tmp, Map.of(), "", 120, List.of("bash", "-c",
                "source <(" + Launcher.FERRUMDB + " completion) && complete -p ferrumdb"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("ferrumdb");
    }
}
