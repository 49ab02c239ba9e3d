package io.ferrumdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandsTest {
    @TempDir
    Path tmp;

    Path db() {
        return tmp.resolve("db");
    }

    Run run(String... args) {
        return Run.of(db(), "", args);
    }

    @Test
    void putGetDelKeysCountWithExitCodes() {
        assertThat(run("put", "user:1", "Ada").code()).isZero();
        assertThat(run("put", "user:2", "Grace Hopper").code()).isZero();
        assertThat(run("put", "other", "x").code()).isZero();
        Run get = run("get", "user:2");
        assertThat(get.code()).isZero();
        assertThat(get.out()).isEqualTo("Grace Hopper");
        assertThat(run("keys").out()).isEqualTo("other\nuser:1\nuser:2\n");
        assertThat(run("keys", "--prefix", "user:").out()).isEqualTo("user:1\nuser:2\n");
        assertThat(run("keys", "--limit", "1").out()).isEqualTo("other\n");
        assertThat(run("count").out()).isEqualTo("3\n");
        assertThat(run("count", "--prefix", "user:").out()).isEqualTo("2\n");
        assertThat(run("del", "user:1").code()).isZero();
        Run missing = run("get", "user:1");
        assertThat(missing.code()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(missing.out()).isEmpty();
        assertThat(missing.err()).contains("key not found: user:1");
        assertThat(run("del", "user:1").code()).isEqualTo(ExitCode.NOT_FOUND);
    }

    /**
     * Audit 27c: {@code del a b} was refused ("unexpected argument 'b'") though the REPL's DEL and redis-cli take
     * several keys. Each existing key is deleted; a missing one is named and makes the exit code 1, as rm does.
     */
    @Test
    void delTakesSeveralKeysDeletesThoseThatExistAndNamesTheMissing() {
        for (String k : new String[] {"a", "b", "c"}) {
            assertThat(run("put", k, "v").code()).isZero();
        }
        assertThat(run("del", "a", "b").code()).isZero();
        assertThat(run("keys").out()).isEqualTo("c\n");
        Run partly = run("del", "c", "gone", "nope");
        assertThat(partly.code()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(partly.err()).contains("keys not found: gone, nope");
        assertThat(run("count").out()).isEqualTo("0\n");
        assertThat(run("put", "d", "v").code()).isZero();
        Run badHex = run("--hex", "del", "64", "zz");
        assertThat(badHex.code()).isEqualTo(ExitCode.USAGE);
        assertThat(run("get", "d").out()).as("a bad key deletes nothing").isEqualTo("v");
    }

    /**
     * Audit 27c: {@code keys 'user:*'} was refused ("unexpected argument") though the REPL's KEYS and redis-cli
     * take a pattern; a plain word is a prefix, as in the REPL, and {@code --prefix} stays literal.
     */
    @Test
    void keysTakesAPatternOrAPrefixAsTheReplsKeysDoes() {
        for (String k : new String[] {"user:1", "user:22", "users", "star*", "other"}) {
            assertThat(run("put", k, "v").code()).isZero();
        }
        assertThat(run("keys", "user:*").out()).isEqualTo("user:1\nuser:22\n");
        assertThat(run("keys", "user:?").out()).isEqualTo("user:1\n");
        assertThat(run("keys", "user").out()).isEqualTo("user:1\nuser:22\nusers\n");
        assertThat(run("keys", "*", "--limit", "2").out()).isEqualTo("other\nstar*\n");
        assertThat(run("keys", "--prefix", "star*").out()).isEqualTo("star*\n");
        assertThat(run("keys", "--prefix", "s*").out()).isEmpty();
        Run both = run("keys", "user:*", "--prefix", "user:");
        assertThat(both.code()).isEqualTo(ExitCode.USAGE);
        assertThat(both.err()).contains("give a PATTERN or --prefix, not both");
    }

    @Test
    void dbOptionWorksAfterTheCommandToo() {
        assertThat(Run.of(null, "", "put", "--db", db().toString(), "k", "v").code()).isZero();
        assertThat(Run.of(null, "", "get", "k", "--db", db().toString()).out()).isEqualTo("v");
    }

    @Test
    void valuesFromStdinAndFilesAreBinarySafe() throws Exception {
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        Path file = tmp.resolve("value.bin");
        Files.write(file, binary);
        assertThat(run("put", "f", "--file", file.toString()).code()).isZero();
        assertThat(Run.of(db(), binary, Map.of(), "put", "s", "-").code()).isZero();
        try (FerrumDB fdb = FerrumDB.open(db())) {
            assertThat(fdb.get("f".getBytes(StandardCharsets.UTF_8))).isEqualTo(binary);
            assertThat(fdb.get("s".getBytes(StandardCharsets.UTF_8))).isEqualTo(binary);
        }
        Run hex = run("--hex", "get", "6630".substring(0, 2));
        assertThat(hex.code()).isZero();
        assertThat(hex.out().strip()).hasSize(512).startsWith("000102");
        Run b64 = run("get", "--base64", "Zg==");
        assertThat(java.util.Base64.getDecoder().decode(b64.out().strip())).isEqualTo(binary);
    }

    @Test
    void hexAndBase64KeysAndValues() {
        assertThat(run("--hex", "put", "00ff", "cafe").code()).isZero();
        assertThat(run("--base64", "get", "AP8=").out()).isEqualTo("yv4=\n");
        assertThat(run("--hex", "keys").out()).isEqualTo("00ff\n");
        Run bad = run("--hex", "get", "xyz");
        assertThat(bad.code()).isEqualTo(ExitCode.USAGE);
        assertThat(bad.err()).contains("key is not valid hex: 'x' at position 1 is not a hex digit (0-9, a-f)");
        // Session 27: the JDK's words were shown ('not a hexadecimal digit: "z" = 122', 'Illegal base64 character 21').
        assertThat(run("--hex", "get", "abc").err()).contains("key is not valid hex: 3 digits, an odd number");
        assertThat(run("--base64", "put", "AP8=", "yv!=").err())
                .contains("value is not valid base64: '!' at position 3 is not a base64 character");
        // Session 28: a misplaced '=' or a cut group named the JDK's arrays ("Input byte[] should at least have 2
        // bytes for base64 bytes", "Last unit does not have enough valid bits").
        assertThat(run("--base64", "get", "A").err()).isEqualTo("ferrumdb: key is not valid base64: 1 characters"
                + " before any padding leave a last group of 1, which holds no whole byte (base64 comes in groups of 4"
                + " characters, the last of 2 to 4)\n");
        assertThat(run("--base64", "get", "AA==AA").err()).contains("key is not valid base64: 'A' at position 5"
                + " follows the padding '=' at position 3, which may only end the text");
        assertThat(run("--base64", "get", "AA=").err()).contains("key is not valid base64: the padding (1 '=') must"
                + " fill the last group of 2 characters to 4");
        assertThat(run("--hex", "--base64", "keys").code()).isEqualTo(ExitCode.USAGE);
    }

    @Test
    void ttlOption() {
        long before = System.currentTimeMillis();
        assertThat(run("put", "--ttl", "1h", "t", "v").code()).isZero();
        long after = System.currentTimeMillis();
        try (FerrumDB fdb = FerrumDB.open(db())) {
            // Bounded by the clock readings around the command, not by how long the command took.
            long at = fdb.expiresAt("t".getBytes(StandardCharsets.UTF_8));
            assertThat(at).isBetween(before + 3_600_000L, after + 3_600_000L);
        }
        Run bad = run("put", "--ttl", "soon", "t", "v");
        assertThat(bad.code()).isEqualTo(ExitCode.USAGE);
        assertThat(bad.err()).contains("bad duration 'soon'");
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertThat(run("get").code()).isEqualTo(ExitCode.USAGE);
        assertThat(run("nosuchcommand").code()).isEqualTo(ExitCode.USAGE);
        assertThat(run("put", "k").code()).isEqualTo(ExitCode.USAGE);
        Run both = run("put", "k", "v", "--file", "x");
        assertThat(both.code()).isEqualTo(ExitCode.USAGE);
        assertThat(both.err()).contains("exactly one of VALUE");
        assertThat(run("--fsync", "sometimes", "count").code()).isEqualTo(ExitCode.USAGE);
        assertThat(run("keys", "--limit", "-1").err()).contains("--limit must be 0 or more");
        Run tooBig = run("put", "x".repeat(70_000), "v");
        assertThat(tooBig.code()).isEqualTo(ExitCode.USAGE);
        assertThat(tooBig.err()).contains("exceeds the limit").doesNotContain("\tat ");
    }

    @Test
    void lockedDatabaseNamesTheDirectoryAndExitsWithThree() {
        try (FerrumDB held = FerrumDB.open(db())) {
            Run r = run("put", "k", "v");
            assertThat(r.code()).isEqualTo(ExitCode.DATABASE);
            assertThat(r.err()).startsWith("ferrumdb: database directory " + held.directory() + " is locked by an"
                    + " exclusive open handle in this process").doesNotContain("\tat ");
            Run verbose = run("--verbose", "put", "k", "v");
            assertThat(verbose.err()).contains("DatabaseLockedException").contains("\tat ");
        }
    }

    @Test
    void readCommandsOnAMissingDatabaseCreateNothingAndExitWithThree() {
        Path mistyped = db().toAbsolutePath().normalize();
        for (String[] command : new String[][] {{"get", "k"}, {"keys"}, {"count"}, {"info"}, {"export"},
                {"verify"}}) {
            Run r = run(command);
            assertThat(r.code()).as("%s", String.join(" ", command)).isEqualTo(ExitCode.DATABASE);
            assertThat(r.err()).as("%s", String.join(" ", command))
                    .isEqualTo("ferrumdb: no FerrumDB database at " + mistyped + "\n");
            assertThat(mistyped).as("%s", String.join(" ", command)).doesNotExist();
        }
    }

    @Test
    void writingCommandsRefuseANonEmptyDirectoryThatHoldsNoDatabase() throws Exception {
        Files.createDirectories(db());
        Files.writeString(db().resolve("thesis.tex"), "months of work");
        Run r = run("put", "k", "v");
        assertThat(r.code()).isEqualTo(ExitCode.DATABASE);
        assertThat(r.err()).contains("not empty").contains("thesis.tex").doesNotContain("\tat ");
        try (var files = Files.list(db())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("thesis.tex");
        }
    }

    @Test
    void defaultDatabaseIsCreatedByAWriteAndReadCommandsWriteNothing() throws Exception {
        run("put", "k", "v");
        assertThat(Files.exists(db().resolve("META"))).isTrue();
        Map<String, Long> before = listing();
        assertThat(run("get", "k").out()).isEqualTo("v");
        assertThat(run("keys").code()).isZero();
        assertThat(run("count").code()).isZero();
        assertThat(run("info").code()).isZero();
        assertThat(run("export").code()).isZero();
        assertThat(listing()).isEqualTo(before);
    }

    private Map<String, Long> listing() throws java.io.IOException {
        Map<String, Long> m = new java.util.TreeMap<>();
        try (var files = Files.list(db())) {
            for (Path p : (Iterable<Path>) files::iterator) {
                m.put(p.getFileName().toString(), Files.size(p) * 1_000_000_000L + Files.getLastModifiedTime(p).toMillis() % 1_000_000_000L);
            }
        }
        return m;
    }

    @Test
    void versionAndHelpOnEveryCommand() {
        Run version = Run.of(null, "", "--version");
        assertThat(version.code()).isZero();
        assertThat(version.out()).startsWith("ferrumdb 0.1.0");
        for (String cmd : new String[] {"get", "put", "del", "keys", "count", "info", "verify", "export",
                "import", "compact", "backup", "completion"}) {
            Run help = Run.of(null, "", cmd, "--help");
            assertThat(help.code()).as(cmd).isZero();
            assertThat(help.out()).as(cmd).contains("Usage: ferrumdb " + cmd).contains("Exit codes:")
                    .containsPattern("\n  3 +database error");
        }
        assertThat(Run.of(null, "", "--help").out()).contains("Usage: ferrumdb").contains("Exit codes:");
    }

    @Test
    void completionPrintsABashScriptCoveringTheCommands() {
        Run r = Run.of(null, "", "completion");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("complete -F").contains("_picocli_ferrumdb").contains("export")
                .contains("verify");
    }
}
