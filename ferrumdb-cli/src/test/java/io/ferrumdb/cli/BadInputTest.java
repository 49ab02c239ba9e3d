package io.ferrumdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.Limits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Input that is not what it claims, given as a hostile user would: every case ends in one line naming what was
 * wrong (file, line, key, limit) with the documented exit code, and nothing is written that was not asked for.
 */
class BadInputTest {
    private static final String GOOD = "{\"key\":\"a\",\"value\":\"1\"}\n";

    @TempDir
    Path tmp;

    private Path db() {
        return tmp.resolve("db");
    }

    private Run run(String... args) {
        return Run.of(db(), "", args);
    }

    @Test
    void anImportedKeyOverTheLimitIsALineProblemAndTheLinesBeforeItStay() {
        String lines = GOOD.repeat(3) + "{\"key\":\"" + "k".repeat(Limits.MAX_KEY_SIZE + 1) + "\",\"value\":\"v\"}\n"
                + "{\"key\":\"after\",\"value\":\"x\"}\n";
        Run r = Run.of(db(), lines, "import");
        assertThat(r.code()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("line 4: key of " + (Limits.MAX_KEY_SIZE + 1) + " bytes exceeds the limit of "
                + Limits.MAX_KEY_SIZE).contains("3 record(s) before it were imported");
        assertThat(run("count").out()).isEqualTo("1\n"); // the three lines put key "a"
        assertThat(run("get", "after").code()).isEqualTo(ExitCode.NOT_FOUND);
    }

    /**
     * JSON Lines are lines: the parser reads JSON, so a record cut short at the end of line 2 was reported at line 3
     * (where the parser noticed), and a record spread over two lines, or two records on one line, went in.
     */
    @Test
    void aBadLineIsNamedByItsOwnNumberAndEveryRecordIsOneLine() {
        Run cut = Run.of(db(), GOOD + "{\"key\":\"b\",\"value\":\"2\"\n" + GOOD, "import");
        assertThat(cut.code()).isEqualTo(ExitCode.USAGE);
        assertThat(cut.err()).startsWith("ferrumdb: line 2: malformed JSON: the record does not end on its line")
                .contains("on line 3").contains("1 record(s) before it were imported");
        Run cutAtTheEnd = Run.of(tmp.resolve("db2"), GOOD + "{\"key\":\"b\",\"value\":\"2\"\n", "import");
        assertThat(cutAtTheEnd.err()).startsWith("ferrumdb: line 2: malformed JSON");
        // Session 28: it said "..., on line 3)" of a two-line file (the parser's line after the last newline).
        assertThat(cutAtTheEnd.err()).contains(", at the end of the input)").doesNotContain("line 3");
        Run spread = Run.of(tmp.resolve("db3"), GOOD + "{\"key\":\"b\",\n\"value\":\"2\"}\n", "import");
        assertThat(spread.code()).isEqualTo(ExitCode.USAGE);
        assertThat(spread.err()).startsWith("ferrumdb: line 2: the record goes on to line 3 (JSON Lines: one record a"
                + " line); 1 record(s) before it were imported");
        Run twoOnALine = Run.of(tmp.resolve("db4"), GOOD.strip() + " {\"key\":\"b\",\"value\":\"2\"}\n", "import");
        assertThat(twoOnALine.code()).isEqualTo(ExitCode.USAGE);
        assertThat(twoOnALine.err()).startsWith("ferrumdb: line 1: a second record on the line (JSON Lines: one record"
                + " a line); 1 record(s) before it were imported");
        assertThat(Run.of(tmp.resolve("db3"), "", "count").out()).isEqualTo("1\n");
    }

    @Test
    void aValueOverTwentyMillionCharactersExportsAndImportsExactly() throws Exception {
        // Base64 of 16 MiB is 22.4 million characters, past Jackson's default cap of 20 million.
        byte[] big = new byte[16 << 20];
        Arrays.fill(big, (byte) 0xC3);
        big[0] = 0;
        try (FerrumDB source = FerrumDB.open(tmp.resolve("source"))) {
            source.put("big".getBytes(StandardCharsets.UTF_8), big);
        }
        Path dump = tmp.resolve("dump.jsonl");
        assertThat(Run.of(tmp.resolve("source"), "", "export", "-o", dump.toString()).code()).isZero();
        Run imported = run("import", "-i", dump.toString());
        assertThat(imported.code()).as(imported.err()).isZero();
        try (FerrumDB target = FerrumDB.open(db())) {
            assertThat(target.get("big".getBytes(StandardCharsets.UTF_8))).isEqualTo(big);
        }
    }

    @Test
    void numbersAndStringsBeyondTheParsersLimitsNameTheirLine() {
        Run huge = Run.of(db(), GOOD + "{\"key\":\"b\",\"value\":\"2\",\"expiresAt\":99999999999999999999}\n", "import");
        assertThat(huge.code()).isEqualTo(ExitCode.USAGE);
        assertThat(huge.err()).contains("line 2: expiresAt must be a positive integer")
                .contains("1 record(s) before it were imported");
        Run digits = Run.of(tmp.resolve("db2"), GOOD + "{\"key\":\"b\",\"value\":\"2\",\"expiresAt\":"
                + "9".repeat(2000) + "}\n", "import");
        assertThat(digits.code()).isEqualTo(ExitCode.USAGE);
        assertThat(digits.err()).contains("line 2: too large to import: Number value length")
                .contains("1 record(s) before it were imported").doesNotContain("StreamReadConstraints");
    }

    @Test
    void anImportFileThatCannotBeReadIsAUsageErrorAndCreatesNoDatabase() throws Exception {
        Path missing = tmp.resolve("nope.jsonl");
        Run r = run("import", "-i", missing.toString());
        assertThat(r.code()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).isEqualTo("ferrumdb: cannot read the import file: no such file or directory: "
                + missing + "\n");
        Files.createDirectories(tmp.resolve("adir"));
        Run dir = run("import", "-i", tmp.resolve("adir").toString());
        assertThat(dir.code()).isEqualTo(ExitCode.USAGE);
        assertThat(dir.err()).contains(tmp.resolve("adir") + " is a directory");
        assertThat(db()).doesNotExist();
    }

    @Test
    void docFindLimitIsCheckedAndZeroMeansNone() {
        assertThat(run("doc", "put", "users", "u1", "{\"n\":1}").code()).isZero();
        Run negative = run("doc", "find", "users", "--limit", "-1");
        assertThat(negative.code()).isEqualTo(ExitCode.USAGE);
        assertThat(negative.err()).contains("--limit must be 0 or more, got -1");
        Run zero = run("doc", "find", "users", "--limit", "0");
        assertThat(zero.code()).isZero();
        assertThat(zero.out()).isEmpty();
        assertThat(run("doc", "find", "users").out()).isEqualTo("u1\t{\"n\":1}\n");
    }

    @Test
    void aDirectoryGivenWhereAFileIsExpectedIsNamed() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("adir"));
        Run value = run("put", "k", "--file", dir.toString());
        assertThat(value.code()).isEqualTo(ExitCode.USAGE);
        // One wording at every door (session 28: "DIR: Is a directory", "Is a directory: DIR", "DIR is a directory").
        assertThat(value.err()).isEqualTo("ferrumdb: cannot read the value: " + dir + " is a directory\n");
        Run passphrase = run("--passphrase-file", dir.toString(), "get", "k");
        assertThat(passphrase.code()).isEqualTo(ExitCode.USAGE);
        assertThat(passphrase.err()).isEqualTo("ferrumdb: cannot read the passphrase file: " + dir
                + " is a directory\n");
        assertThat(run("put", "k", "v").code()).isZero();
        Run export = run("export", "-o", dir.toString());
        assertThat(export.code()).isEqualTo(ExitCode.USAGE);
        assertThat(export.err()).isEqualTo("ferrumdb: cannot write the export file: " + dir + " is a directory\n");
        Run get = run("get", "k", "-o", dir.toString());
        assertThat(get.code()).isEqualTo(ExitCode.USAGE);
        assertThat(get.err()).isEqualTo("ferrumdb: cannot write the value: " + dir + " is a directory\n");
        Run in = run("import", "-i", dir.toString());
        assertThat(in.code()).isEqualTo(ExitCode.USAGE);
        assertThat(in.err()).isEqualTo("ferrumdb: cannot read the import file: " + dir + " is a directory\n");
        Run password = run("serve", "--port", "0", "--requirepass-file", tmp.resolve("nope").toString());
        assertThat(password.code()).isEqualTo(ExitCode.USAGE);
        assertThat(password.err()).isEqualTo("ferrumdb: cannot read the password file " + tmp.resolve("nope")
                + ": no such file or directory: " + tmp.resolve("nope") + "\n");
    }

    @Test
    void aFileGivenAsTheDatabaseIsSaidInWords() throws Exception {
        Path file = Files.writeString(tmp.resolve("afile"), "x");
        Run r = Run.of(file, "", "put", "k", "v");
        assertThat(r.code()).isEqualTo(ExitCode.DATABASE);
        assertThat(r.err()).contains("not a directory: " + file).doesNotContain("java.").doesNotContain("Exception");
        assertThat(run("put", "k", "v").code()).isZero();
        Run backup = run("backup", file.toString());
        assertThat(backup.code()).isEqualTo(ExitCode.USAGE); // a mistaken target, as in BackupCommandTest
        assertThat(backup.err()).contains("backup target " + file + " is a file, not a directory")
                .doesNotContain("java.");
    }

    /** Every server says it in the same words (serve said "cannot listen ...: bind(..) failed with error(-98): ..."). */
    @Test
    void aPortInUseIsNamed() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            String port = Integer.toString(taken.getLocalPort());
            for (String[] server : new String[][] {{"studio", "--port", port}, {"serve", "--port", port},
                    {"mcp", "--http", "--port", port}}) {
                Run r = Run.of(tmp.resolve(server[0]), "", server);   // Studio makes a new directory a document store
                assertThat(r.code()).as(server[0]).isEqualTo(ExitCode.DATABASE);
                assertThat(r.err()).as(server[0]).isEqualTo("ferrumdb: could not listen on 127.0.0.1:" + port
                        + ": Address already in use\n");
            }
        }
    }

    @Test
    void compactOfAMissingDatabaseCreatesNone() {
        Run r = run("compact");
        assertThat(r.code()).isEqualTo(ExitCode.DATABASE);
        assertThat(r.err()).contains("no FerrumDB database at");
        assertThat(db()).doesNotExist();
    }

    @Test
    void aPipedReplLineThatIsNotUtf8IsRefusedByNumberAndTheOthersRun() {
        byte[] script = "SET a 1\nSET \u00ff\u00fe v\r\nSET b 2\n".getBytes(StandardCharsets.ISO_8859_1);
        Run r = Run.of(db(), script, java.util.Map.of());
        assertThat(r.code()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).isEqualTo("(error) line 2 is not valid UTF-8; give binary keys and values with --hex or"
                + " --base64\n");
        assertThat(r.out()).isEqualTo("OK\nOK\n");
        // Before, the bytes FF FE became two U+FFFD and that other key was written.
        assertThat(run("keys").out()).isEqualTo("a\nb\n");
    }

    @Test
    void damageThatRepairCannotMendDoesNotSendTheUserToRepair() throws Exception {
        assertThat(run("put", "k", "v").code()).isZero();
        Path meta = db().resolve("META");
        byte[] b = Files.readAllBytes(meta);
        b[20] ^= 0x5a;
        Files.write(meta, b);
        Run get = run("get", "k");
        assertThat(get.code()).isEqualTo(ExitCode.DATABASE);
        // META is rebuilt by repair from the segments' headers (the message says so, once).
        assertThat(get.err()).contains("corruption in " + meta.toAbsolutePath())
                .contains("'ferrumdb repair' rebuilds META").doesNotContain("'ferrumdb repair' to keep");
        assertThat(run("repair").code()).isZero();
        assertThat(run("get", "k").out()).isEqualTo("v");

        Path encrypted = tmp.resolve("enc");
        java.util.Map<String, String> env = java.util.Map.of(Cli.PASSPHRASE_ENV, "s3cret");
        assertThat(Run.of(encrypted, new byte[0], env, "put", "k", "v").code()).isZero();
        Path key = encrypted.resolve("KEY");
        byte[] k = Files.readAllBytes(key);
        k[k.length / 2] ^= 0x5a;
        Files.write(key, k);
        Run damagedKey = Run.of(encrypted, new byte[0], env, "get", "k");
        assertThat(damagedKey.code()).isEqualTo(ExitCode.DATABASE);
        assertThat(damagedKey.err()).contains("KEY file checksum mismatch ('ferrumdb repair' cannot rebuild KEY")
                .doesNotContain("rewrites the damaged files");
        assertThat(Run.of(encrypted, new byte[0], env, "repair").err()).isEqualTo(damagedKey.err());
    }

    @Test
    void anEngineWarningIsOneLineWithoutAStackTrace() throws Exception {
        assertThat(run("put", "k", "v").code()).isZero();
        Path image = db().resolve("KEYDIR");
        byte[] b = Files.readAllBytes(image);
        b[b.length / 2] ^= 0x5a;
        Files.write(image, b);
        // main() sets the log format, so this runs the entry point in a JVM of its own.
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "--db", db().toString(), "get", "k")
                .start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        assertThat(out).isEqualTo("v");
        // Before: "Dec 06, 2026 3:30:07 AM io.ferrumdb.DirectoryImage log" and the warning on a second line.
        assertThat(err).isEqualTo("ferrumdb: WARNING: key directory image " + image.toAbsolutePath()
                + " not used (the hint files are loaded): body checksum mismatch\n");
    }

    @Test
    void aBatchWithACommandThatFailedWhileQueuedIsDiscardedByExec() {
        String script = "MULTI\nSET a 1\nSET " + "k".repeat(Limits.MAX_KEY_SIZE + 1) + " v\nSET b 2\nEXEC\nKEYS\n";
        Run r = Run.of(db(), script);
        assertThat(r.code()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("(error) key of 65536 bytes exceeds the limit")
                .contains("(error) EXECABORT batch discarded, nothing applied: a command queued in it failed: SET (key of"
                        + " 65536 bytes");
        // Before, EXEC applied a and b: part of what the batch was meant to do as one.
        assertThat(r.out()).isEqualTo("OK\nQUEUED\nQUEUED\n");
        assertThat(Run.of(db(), "MULTI\nSET a 1\nEXEC\nKEYS\n").out())
                .isEqualTo("OK\nQUEUED\nOK (1 operation(s) applied atomically)\na\n");
    }

    /** A periodic interval over a day is a usage error naming the limit; it was "ferrumdb: long overflow", exit 3. */
    @Test
    void aPeriodicFsyncIntervalOverADayNamesTheLimit() {
        Run r = Run.of(db(), "", "--fsync", "periodic:1000000d", "put", "k", "v");
        assertThat(r.code()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("periodic fsync interval must be at most PT24H").doesNotContain("overflow");
        assertThat(Run.of(db(), "", "--fsync", "periodic:1d", "put", "k", "v").code()).isZero();
    }
}
