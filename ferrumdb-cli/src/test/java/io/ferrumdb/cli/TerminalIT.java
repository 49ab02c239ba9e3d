package io.ferrumdb.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real terminal session of the REPL, driven through tmux: prompt and banner, tab completion of commands and
 * keys, multi-line JSON, and history kept in a file across sessions. tmux runs on its own socket so that it
 * never touches anybody else's tmux server.
 */
class TerminalIT {
    /** How long a screen may take to show what the test waits for: a REPL's JVM start on a busy machine. */
    private static final long WAIT_MILLIS = 120_000;

    @TempDir
    Path tmp;

    private final String socket = "ferrumdb-it-" + UUID.randomUUID();
    private final String session = "repl";

    @BeforeAll
    static void tmuxAvailable() {
        if (tmuxWorks()) {
            return;
        }
        Launcher.Result install = Launcher.exec(Path.of("."), Map.of("DEBIAN_FRONTEND", "noninteractive"), "", 300,
                List.of("bash", "-c", "command -v apt-get >/dev/null && apt-get install -y -q tmux"));
        assumeTrue(install.code() == 0 && tmuxWorks(),
                "tmux is not installed and 'apt-get install -y tmux' failed, so the terminal test is skipped: "
                        + install.err());
    }

    private static boolean tmuxWorks() {
        try {
            return Launcher.exec(Path.of("."), Map.of(), "", 30, List.of("tmux", "-V")).code() == 0;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @AfterEach
    void stopTmux() throws Exception {
        stopSession();
    }

    /** Ends the tmux server and waits for the REPL process, so that it has released the database. */
    private void stopSession() throws Exception {
        List<ProcessHandle> processes = paneProcesses();
        tmux("kill-server");
        for (ProcessHandle p : processes) {
            try {
                p.onExit().get(120, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("process " + p.pid() + " of the tmux session did not end within 120 s", e);
            }
        }
    }

    /** The processes of the session's panes: each pane's shell and what it started. */
    private List<ProcessHandle> paneProcesses() {
        List<ProcessHandle> processes = new ArrayList<>();
        for (String pid : tmux("list-panes", "-a", "-F", "#{pane_pid}").out().split("\\s+")) {
            if (!pid.isBlank()) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(p -> {
                    processes.add(p);
                    p.descendants().forEach(processes::add);
                });
            }
        }
        return processes;
    }

    /** Sends {@code signal} (STOP, CONT) to the REPL's JVM, the java process that the launcher became. */
    private void signalRepl(String signal) {
        ProcessHandle repl = paneProcesses().stream()
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false)).findFirst()
                .orElseThrow(() -> new AssertionError("no java process in the tmux session"));
        Launcher.Result r = Launcher.exec(tmp, Map.of(), "", 30, List.of("kill", "-" + signal,
                Long.toString(repl.pid())));
        assertThat(r.code()).as("kill -%s %d: %s", signal, repl.pid(), r.err()).isZero();
    }

    @Test
    void completionMultiLineJsonAndHistoryAcrossSessions() throws Exception {
        Path db = tmp.resolve("db");
        Path history = tmp.resolve("history");
        start(db, history);
        waitFor("ferrumdb>");
        assertThat(screen()).contains("FerrumDB 0.1.0").contains("HELP lists the commands");

        type("SET user:42 Ada", "Enter");
        waitFor("OK");
        // Tab completes the command name, then the key from the database.
        type("GE", "Tab");
        waitFor("ferrumdb> GET");
        type("user:4", "Tab", "Enter");
        waitFor("\nAda\n");
        assertThat(screen()).contains("ferrumdb> GET user:42");

        type("SET doc {", "Enter");
        waitFor("........>");
        type("\"a\": [1, 2]}", "Enter");
        type("GET doc", "Enter");
        waitFor("{\n\"a\": [1, 2]}");
        type("EXIT", "Enter");
        waitFor("SESSION ENDED");

        String saved = Files.readString(history);
        assertThat(saved).contains("SET user:42 Ada").contains("GET user:42").contains("GET doc");

        // A new session recalls the previous one's lines with the Up arrow.
        stopSession();
        start(db, history);
        waitFor("ferrumdb>");
        type("Up", "Up");
        waitFor("ferrumdb> GET doc");
        type("Enter");
        // Ctrl-D must reach the line editor, not the terminal's cooked mode between two lines: wait for the prompt.
        waitFor("{\n\"a\": [1, 2]}\nferrumdb>");
        type("C-d");
        waitFor("SESSION ENDED");
    }

    @Test
    void ctrlCCancelsTheLineOrTheRunningListingAndErrorsNeverEndTheSession() throws Exception {
        Path db = tmp.resolve("db");
        // 60 MB of keys: seconds of output for tmux to take in (30 MB took 2.9 s on a quiet machine).
        int keys = 60_000;
        String padding = "x".repeat(992);
        try (FerrumDB d = FerrumDB.open(db)) {
            for (int from = 0; from < keys; from += 5_000) {
                WriteBatch batch = new WriteBatch();
                for (int i = from; i < from + 5_000; i++) {
                    batch.put(String.format("k%07d%s", i, padding).getBytes(StandardCharsets.UTF_8), new byte[] {'v'});
                }
                d.write(batch);
            }
        }
        start(db, tmp.resolve("history"));
        waitFor("ferrumdb>");
        // Ctrl-C only once the line editor has the keys: the terminal discards input not yet read on a SIGINT.
        type("SET half-typed");
        waitFor("ferrumdb> SET half-typed");
        type("C-c");
        waitFor("half-typed\nferrumdb>");
        type("GET", "Enter");
        waitFor("(error) usage: GET key");
        type("GET half-typed", "Enter");
        waitFor("(nil)");

        // Ctrl-C stops the listing and the prompt comes back (the signal ended the whole REPL before). The REPL is
        // stopped while the key is sent, so that the listing is surely still running when SIGINT reaches it: on a
        // busy machine the time between seeing the first keys and sending Ctrl-C could let it finish first.
        type("KEYS", "Enter");
        waitFor("k000");
        signalRepl("STOP");
        type("C-c");
        signalRepl("CONT");
        waitFor("(interrupted)\nferrumdb>");
        assertThat(screen()).doesNotContain("k0059999").doesNotContain("SESSION ENDED");
        type("COUNT", "Enter");
        waitFor("\n" + keys + "\nferrumdb>");
        type("EXIT", "Enter");
        waitFor("SESSION ENDED");
    }

    @Test
    void anEncryptedDatabaseAsksForItsPassphraseWithoutEcho() throws Exception {
        Path db = tmp.resolve("encrypted");
        Launcher.Result created = Launcher.exec(tmp, Map.of(Cli.PASSPHRASE_ENV, "tmux-secret-42"), "", 120,
                List.of(Launcher.FERRUMDB.toString(), "--db", db.toString(), "put", "k", "v"));
        assertThat(created.code()).as(created.err()).isZero();
        start(db, tmp.resolve("history"));
        waitFor("Passphrase for " + db);
        type("tmux-secret-42", "Enter");
        waitFor("ferrumdb>");
        type("GET k", "Enter");
        waitFor("\nv\n");
        assertThat(screen()).doesNotContain("tmux-secret-42");
        type("EXIT", "Enter");
        waitFor("SESSION ENDED");
    }

    @Test
    void keysAndValuesCannotDriveTheTerminalAndDocTabCompletes() throws Exception {
        Path db = tmp.resolve("db");
        Launcher.Result put = Launcher.ferrumdb(tmp, "", "--db", db.toString(), "put", "\u001b[2J\u001b[Hboom", "v");
        assertThat(put.code()).as(put.err()).isZero();
        Launcher.Result piped = Launcher.ferrumdb(tmp, "", "--db", db.toString(), "keys");
        assertThat(piped.out()).isEqualTo("\u001b[2J\u001b[Hboom\n");

        String command = "echo STILL HERE; " + Launcher.FERRUMDB + " --db " + db + " keys; " + Launcher.FERRUMDB
                + " --db " + db + " get nope; " + Launcher.FERRUMDB + " --db " + db + " cout; echo DONE; sleep 600";
        assertThat(tmux("new-session", "-d", "-s", session, "-x", "160", "-y", "40", command).code()).isZero();
        waitFor("DONE");
        assertThat(screen()).contains("STILL HERE").contains("\\x1B[2J\\x1B[Hboom")
                .contains("key not found: nope").contains("did you mean 'count'?");
        stopSession();

        start(db, tmp.resolve("history"));
        waitFor("ferrumdb>");
        type("KEYS", "Enter");
        waitFor("\\x1B[2J\\x1B[Hboom");
        type("DOC ", "Tab");
        waitFor("COLLECTIONS");
        assertThat(screen()).contains("EXPLAIN").contains("FIND");
        type("C-u", "EXIT", "Enter");
        waitFor("SESSION ENDED");
    }

    @Test
    void progressShowsOnStandardErrorWithBothOtherStreamsRedirected() throws Exception {
        Path dump = tmp.resolve("dump.jsonl");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 30_000; i++) {
            lines.append("{\"key\":\"k").append(i).append("\",\"value\":\"").append("v".repeat(60)).append("\"}\n");
        }
        Files.writeString(dump, lines);
        Path typescript = tmp.resolve("typescript");
        // script(1) gives the command a pseudo-terminal; the README's own command redirects stdin and stdout.
        // No first-frame delay: a fast machine imports these records in less than the default 200 ms.
        Launcher.Result r = Launcher.exec(tmp, Map.of(Progress.DELAY_ENV, "0"), "", 300, List.of("script", "-q", "-e",
                "-c", Launcher.FERRUMDB + " --db " + tmp.resolve("db") + " import < " + dump + " > " + tmp.resolve("out"),
                typescript.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readString(tmp.resolve("out"))).isEqualTo("imported 30000 record(s), skipped 0 expired\n");
        // The shell redirected a file: its size is known, so the bar has an ETA as with -i (it had none).
        assertThat(Files.readString(typescript)).contains("bytes/s").contains("\r").contains("ETA");
    }

    /**
     * Issue 21: compact and backup under a real pseudo-terminal draw the export's bar on stderr, with stdout
     * redirected; the same commands with stderr a file draw nothing.
     */
    @Test
    void compactAndBackupShowProgressOnATerminalAndNothingWhenStandardErrorIsAFile() throws Exception {
        Path db = TestDatabases.filled(tmp.resolve("db"), 30_000, 60);
        TestDatabases.filled(db, 30_000, 60); // every key again: half the bytes are dead
        Path typescript = tmp.resolve("typescript");
        String commands = Launcher.FERRUMDB + " --db " + db + " compact > " + tmp.resolve("compact.out") + " && "
                + Launcher.FERRUMDB + " --db " + db + " backup " + tmp.resolve("copy") + " > " + tmp.resolve("backup.out");
        // No first-frame delay: a fast machine compacts these records in less than the default 200 ms.
        Launcher.Result r = Launcher.exec(tmp, Map.of(Progress.DELAY_ENV, "0"), "", 300,
                List.of("script", "-q", "-e", "-c", commands, typescript.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readString(tmp.resolve("compact.out"))).startsWith("compacted ");
        assertThat(Files.readString(tmp.resolve("backup.out"))).startsWith("backup of ");
        String terminal = Files.readString(typescript);
        assertThat(terminal).contains("bytes/s").contains("\r[");

        Launcher.Result piped = Launcher.exec(tmp, Map.of(Progress.DELAY_ENV, "0"), "", 300, List.of("bash", "-c",
                Launcher.FERRUMDB + " --db " + db + " compact && " + Launcher.FERRUMDB + " --db " + db + " backup "
                        + tmp.resolve("copy2")));
        assertThat(piped.code()).as(piped.err()).isZero();
        assertThat(piped.err()).doesNotContain("bytes/s").doesNotContain("\r");
        assertThat(piped.out()).contains("compacted ").contains("backup of ");
    }

    /** Session 25: verify and repair read every segment and showed nothing; they draw the same bar now. */
    @Test
    void verifyAndRepairShowProgressOnATerminalAndNothingWhenStandardErrorIsAFile() throws Exception {
        Path db = TestDatabases.filled(tmp.resolve("db"), 30_000, 60);
        Path typescript = tmp.resolve("typescript");
        String commands = Launcher.FERRUMDB + " --db " + db + " verify > " + tmp.resolve("verify.out") + " && "
                + Launcher.FERRUMDB + " --db " + db + " repair > " + tmp.resolve("repair.out");
        Launcher.Result r = Launcher.exec(tmp, Map.of(Progress.DELAY_ENV, "0"), "", 300,
                List.of("script", "-q", "-e", "-c", commands, typescript.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readString(tmp.resolve("verify.out"))).startsWith("checked ").doesNotContain("\r");
        assertThat(Files.readString(tmp.resolve("repair.out"))).startsWith("OK: nothing to repair")
                .doesNotContain("\r");
        assertThat(Files.readString(typescript)).contains("bytes/s").contains("\r[");

        Launcher.Result piped = Launcher.exec(tmp, Map.of(Progress.DELAY_ENV, "0"), "", 300, List.of("bash", "-c",
                Launcher.FERRUMDB + " --db " + db + " verify && " + Launcher.FERRUMDB + " --db " + db + " repair"));
        assertThat(piped.code()).as(piped.err()).isZero();
        assertThat(piped.err()).doesNotContain("bytes/s").doesNotContain("\r");
        assertThat(piped.out()).contains("OK: no problems found").contains("OK: nothing to repair");
    }

    private void start(Path db, Path history) {
        String command = "env -u " + Cli.PASSPHRASE_ENV + " FERRUMDB_HISTORY=" + history + " " + Launcher.FERRUMDB
                + " --db " + db + "; echo SESSION ENDED; sleep 600";
        Launcher.Result r = tmux("new-session", "-d", "-s", session, "-x", "160", "-y", "40", command);
        assertThat(r.code()).as(r.err()).isZero();
    }

    private void type(String... keys) {
        for (String k : keys) {
            boolean special = k.equals("Enter") || k.equals("Tab") || k.equals("Up") || k.startsWith("C-") && k.length() == 3;
            List<String> args = new ArrayList<>(List.of("send-keys", "-t", session));
            if (!special) {
                args.add("-l");
            }
            args.add(k);
            tmux(args.toArray(String[]::new));
        }
    }

    private String screen() {
        return tmux("capture-pane", "-p", "-J", "-t", session).out();
    }

    private void waitFor(String text) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        String last = "";
        while (System.currentTimeMillis() < deadline) {
            last = screen().replaceAll("[ \\t]+\n", "\n");
            if (last.contains(text)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("terminal never showed '" + text + "'; screen:\n" + last);
    }

    private Launcher.Result tmux(String... args) {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket));
        cmd.addAll(List.of(args));
        return Launcher.exec(tmp, Map.of(), "", 30, cmd);
    }
}
