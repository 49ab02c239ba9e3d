package io.ferrumdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.doc.DocumentStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What users of sqlite3 and redis-cli expect of a command line: exact bytes in pipes, terminals that no key can
 * drive, one-line errors in their own words. Terminals are stood for by {@link Terminals} flags here; the real
 * pseudo-terminal runs are in {@code TerminalIT}.
 */
class CommandLineHabitsTest {
    private static final byte[] NO_INPUT = new byte[0];
    /** A key that clears the screen and moves the cursor home when printed raw. */
    private static final String CLEAR_SCREEN = "\u001b[2J\u001b[Hboom";

    @TempDir
    Path tmp;

    private Path db() {
        return tmp.resolve("db");
    }

    private Run run(String... args) {
        return Run.of(db(), "", args);
    }

    private Run onTerminal(Terminals terminals, String... args) {
        return Run.of(db(), NO_INPUT, Map.of(), null, terminals, args);
    }

    @Test
    void getWritesTheExactStoredBytesToAPipeAndToOutputFile() throws Exception {
        byte[] photo = new byte[1000];
        for (int i = 0; i < photo.length; i++) {
            photo[i] = (byte) (i * 7);
        }
        Path in = tmp.resolve("a.jpg");
        Files.write(in, photo);
        assertThat(run("put", "photo", "--file", in.toString()).code()).isZero();
        assertThat(run("get", "photo").stdout()).isEqualTo(photo);
        Path out = tmp.resolve("b.jpg");
        assertThat(run("get", "photo", "--output", out.toString()).stdout()).isEmpty();
        assertThat(Files.readAllBytes(out)).isEqualTo(photo);
        assertThat(run("--hex", "get", "70686f746f", "-o", tmp.resolve("c.jpg").toString()).code()).isZero();
        assertThat(Files.readAllBytes(tmp.resolve("c.jpg"))).isEqualTo(photo);
        assertThat(run("put", "t", "text").code()).isZero();
        assertThat(onTerminal(Terminals.ALL, "get", "t").out()).isEqualTo("text\n");
        assertThat(run("--hex", "get", "74").out()).isEqualTo("74657874\n");
    }

    @Test
    void controlCharactersAreEscapedOnATerminalAndExactInAPipe() {
        assertThat(run("put", CLEAR_SCREEN, "v\u009b31m\u0007").code()).isZero();
        Run piped = run("keys");
        assertThat(piped.out()).isEqualTo(CLEAR_SCREEN + "\n");
        Run listed = onTerminal(Terminals.ALL, "keys");
        assertThat(listed.out()).isEqualTo("\\x1B[2J\\x1B[Hboom\n").doesNotContain("\u001b");
        Run value = onTerminal(Terminals.ALL, "get", CLEAR_SCREEN);
        assertThat(value.out()).isEqualTo("v\\xC2\\x9B31m\\x07\n");
        Run error = onTerminal(Terminals.ALL, "get", "\u001b]0;pwned\u0007");
        assertThat(error.code()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(error.err()).contains("key not found: \\x1B]0;pwned\\x07").doesNotContain("\u001b");
        assertThat(run("get", CLEAR_SCREEN).out()).isEqualTo("v\u009b31m\u0007");
    }

    @Test
    void aByteThatIsNotUtf8IsEscapedWhenATerminalInEightBitModeWouldReadItAsAC1Control() throws Exception {
        // Session 27 (noticed by audit27c): a lone 0x9B is CSI to a terminal not in UTF-8 mode; it went out as is.
        assertThat(filtered(0x9B, '3', '1', 'm')).isEqualTo("\\x9B31m");
        assertThat(filtered(0x80, 0x9F, 0xA0)).isEqualTo("\\x80\\x9F\u00a0");
        // Well-formed UTF-8 whose continuation bytes are 0x80..0x9F passes whole: U+20AC is E2 82 AC, U+06DB is DB 9B.
        assertThat(filtered(0xE2, 0x82, 0xAC, 0xDB, 0x9B)).isEqualTo("\u20ac\u06db");
        // A sequence cut short, an overlong form and a surrogate are not UTF-8: their 0x80..0x9F bytes are escaped.
        assertThat(filtered(0xE2, 0x82, 'x')).isEqualTo("\u00e2\\x82x");
        assertThat(filtered(0xE0, 0x9B, 'x')).isEqualTo("\u00e0\\x9Bx");
        assertThat(filtered(0xED, 0xA0, 0x80)).isEqualTo("\u00ed\u00a0\\x80");
        assertThat(filtered(0xF0, 0x9F, 0x98, 0x80)).isEqualTo("\ud83d\ude00");
        assertThat(filtered(0xC2, 0x9B)).isEqualTo("\\xC2\\x9B");
        assertThat(filtered(0xE2, 0x82)).isEqualTo("\u00e2\\x82");
    }

    /** The bytes through {@link TerminalSafeOutput}, read back as ISO-8859-1 where they are not UTF-8. */
    private static String filtered(int... octets) throws Exception {
        java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
        try (TerminalSafeOutput safe = new TerminalSafeOutput(sink)) {
            for (int o : octets) {
                safe.write(o);
            }
        }
        byte[] b = sink.toByteArray();
        java.nio.charset.CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder();
        try {
            return strict.decode(java.nio.ByteBuffer.wrap(b)).toString();
        } catch (java.nio.charset.CharacterCodingException notUtf8) {
            return new String(b, StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void replEscapesControlCharactersOnlyForATerminal() {
        assertThat(run("put", CLEAR_SCREEN, "x").code()).isZero();
        assertThat(TerminalSafeOutput.escape("KEYS\r\u001b[2J\ttab\nline \u00e9\u2603"))
                .isEqualTo("KEYS\\x0D\\x1B[2J\ttab\nline \u00e9\u2603");
        Run piped = Run.of(db(), "KEYS\n", new String[0]);
        assertThat(piped.out()).isEqualTo(CLEAR_SCREEN + "\n");
    }

    @Test
    void progressShowsWheneverStandardErrorIsATerminal() throws Exception {
        try (FerrumDB fdb = FerrumDB.open(db())) {
            for (int i = 0; i < 50; i++) {
                fdb.put(("k" + i).getBytes(StandardCharsets.UTF_8), new byte[100]);
            }
        }
        // stdout is a pipe, stdin is not a terminal: export > dump.jsonl with the terminal only on stderr.
        Terminals errOnly = new Terminals(false, false, true);
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        Progress bar = new Progress(new java.io.PrintStream(err, true, StandardCharsets.UTF_8), errOnly.err(),
                "records", 50, new java.util.function.LongSupplier() {
                    private long now;

                    @Override
                    public long getAsLong() {
                        now += 300_000_000L;
                        return now;
                    }
                });
        bar.at(25);
        bar.finish();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("25/50 records").contains("\r");
        Run export = onTerminal(errOnly, "export");
        assertThat(export.code()).isZero();
        assertThat(export.out().lines()).hasSize(50);
        assertThat(export.out()).doesNotContain("\r");
    }

    @Test
    void progressDelayComesFromTheEnvironmentAndABadOneIsAUsageError() {
        try (FerrumDB fdb = FerrumDB.open(db())) {
            fdb.put("k".getBytes(StandardCharsets.UTF_8), new byte[10]);
        }
        Terminals errOnly = new Terminals(false, false, true);
        // With 0 the first record draws a frame, however fast the export ends (the default waits 200 ms).
        Run immediate = Run.of(db(), NO_INPUT, Map.of(Progress.DELAY_ENV, "0"), null, errOnly, "export");
        assertThat(immediate.code()).isZero();
        assertThat(immediate.err()).contains("records/s");
        Run bad = Run.of(db(), NO_INPUT, Map.of(Progress.DELAY_ENV, "soon"), null, errOnly, "export");
        assertThat(bad.code()).isEqualTo(ExitCode.USAGE);
        assertThat(bad.err()).contains(Progress.DELAY_ENV).contains("'soon'");
    }

    /** Issue 21: compact and backup ran for minutes with no sign of life; they draw the export's bar now. */
    @Test
    void compactAndBackupDrawTheBarWhenStandardErrorIsATerminalAndNothingInPipes() {
        TestDatabases.filled(db(), 20_000, 40);
        TestDatabases.filled(db(), 20_000, 40); // every key again: half the bytes are dead
        Terminals errOnly = new Terminals(false, false, true);
        Map<String, String> immediate = Map.of(Progress.DELAY_ENV, "0");
        Run compact = Run.of(db(), NO_INPUT, immediate, null, errOnly, "compact");
        assertThat(compact.code()).as(compact.err()).isZero();
        assertThat(compact.err()).contains("\r[").contains(" bytes, ").contains("bytes/s").endsWith("\r\u001b[K");
        assertThat(compact.out()).startsWith("compacted ").doesNotContain("\r");
        Run backup = Run.of(db(), NO_INPUT, immediate, null, errOnly, "backup", tmp.resolve("b1").toString());
        assertThat(backup.code()).as(backup.err()).isZero();
        assertThat(backup.err()).contains("\r[").contains("bytes/s");

        Run pipedCompact = Run.of(db(), NO_INPUT, immediate, null, Terminals.NONE, "compact");
        Run pipedBackup = Run.of(db(), NO_INPUT, immediate, null, Terminals.NONE, "backup",
                tmp.resolve("b2").toString());
        assertThat(pipedCompact.code()).isZero();
        assertThat(pipedBackup.code()).isZero();
        assertThat(pipedCompact.err() + pipedBackup.err()).isEmpty();
        assertThat(pipedBackup.out()).startsWith("backup of ").doesNotContain("\r");
    }

    /** Verify and repair read every segment of a database and showed nothing while they did (session 25). */
    @Test
    void verifyAndRepairDrawTheBarWhenStandardErrorIsATerminalAndNothingInPipes() {
        TestDatabases.filled(db(), 20_000, 40);
        Terminals errOnly = new Terminals(false, false, true);
        Map<String, String> immediate = Map.of(Progress.DELAY_ENV, "0");
        for (String command : List.of("verify", "repair")) {
            Run shown = Run.of(db(), NO_INPUT, immediate, null, errOnly, command);
            assertThat(shown.code()).as(shown.err()).isZero();
            assertThat(shown.err()).as(command).contains("\r[").contains(" bytes, ").contains("bytes/s")
                    .endsWith("\r\u001b[K");
            assertThat(shown.out()).as(command).startsWith(command.equals("verify") ? "checked " : "OK: nothing")
                    .doesNotContain("\r");
            Run piped = Run.of(db(), NO_INPUT, immediate, null, Terminals.NONE, command);
            assertThat(piped.code()).isZero();
            assertThat(piped.err()).as(command).isEmpty();
        }
    }

    @Test
    void importSaysHowManyRecordsWentInBeforeABadLine() {
        String lines = "{\"key\":\"a\",\"value\":\"1\"}\n{\"key\":\"b\",\"value\":\"2\"}\n{\"key\":\"c\",\"value\":\"3";
        Run truncated = Run.of(db(), lines, "import");
        assertThat(truncated.code()).isEqualTo(ExitCode.USAGE);
        assertThat(truncated.err()).contains("line 3").contains("malformed JSON")
                .contains("2 record(s) before it were imported").doesNotContain("must be a string");
        assertThat(run("count").out()).isEqualTo("2\n");
        Run cutAfterColon = Run.of(tmp.resolve("db2"), "{\"key\":\"a\",\"value\":", "import");
        assertThat(cutAfterColon.err()).contains("line 1: malformed JSON").contains("0 record(s) before it");
        Run badField = Run.of(tmp.resolve("db3"), "{\"key\":\"a\",\"value\":\"1\"}\n{\"key\":\"b\",\"value\":2}\n",
                "import");
        assertThat(badField.err()).contains("line 2: value must be a string").contains("1 record(s) before it");
        Run notANumber = Run.of(tmp.resolve("db4"), "{\"key\":\"a\",\"value\":\"1\",\"expiresAt\":NaN}\n", "import");
        assertThat(notANumber.err()).contains("line 1: malformed JSON: Non-standard token 'NaN'; JSON has no NaN or"
                + " Infinity").doesNotContain("JsonReadFeature");
    }

    @Test
    void aNewEncryptedDatabaseAsksForThePassphraseTwice() throws Exception {
        Deque<String> answers = new ArrayDeque<>(List.of("secret one", "secret onf"));
        Run typo = Run.of(db(), NO_INPUT, Map.of(), p -> answers.pop().toCharArray(), "--ask-passphrase",
                "put", "k", "v");
        assertThat(typo.code()).isEqualTo(ExitCode.PASSPHRASE);
        assertThat(typo.err()).contains("the two passphrases differ; nothing was created");
        assertThat(Files.exists(db().resolve("META"))).isFalse();

        List<String> prompts = new java.util.ArrayList<>();
        Run created = Run.of(db(), NO_INPUT, Map.of(), p -> {
            prompts.add(p);
            return "secret one".toCharArray();
        }, "--ask-passphrase", "put", "k", "v");
        assertThat(created.code()).isZero();
        assertThat(prompts).hasSize(2);
        prompts.clear();
        Run reopened = Run.of(db(), NO_INPUT, Map.of(), p -> {
            prompts.add(p);
            return "secret one".toCharArray();
        }, "--ask-passphrase", "get", "k");
        assertThat(reopened.out()).isEqualTo("v\n");
        assertThat(prompts).hasSize(1);
    }

    @Test
    void aMistypedCommandGetsOneLineWithTheClosestCommand() {
        Run r = run("cout");
        assertThat(r.code()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("unknown command 'cout'").contains("did you mean 'count'?")
                .contains("ferrumdb --help");
        Run badOption = run("keys", "--limt", "3");
        assertThat(badOption.err().strip().lines()).hasSize(1);
        assertThat(badOption.err()).contains("--limt").contains("ferrumdb keys --help");
    }

    @Test
    void helpNeverWrapsInsideAnAddressOrAJsonString() {
        List<String> commands = run("--help").out().lines().dropWhile(l -> !l.equals("Commands:")).skip(1)
                .filter(l -> l.matches("  [a-z][a-z-]* .*")).map(l -> l.trim().split(" ")[0]).toList();
        assertThat(commands).contains("get", "export", "mcp", "serve", "studio");
        for (String command : commands) {
            String help = run(command, "--help").out();
            for (String line : help.lines().toList()) {
                // A line with an odd number of double quotes holds half of a quoted string.
                assertThat(line.chars().filter(c -> c == '"').count() % 2).as("%s --help: %s", command, line).isZero();
            }
        }
        assertThat(run("mcp", "--help").out()).contains("  http://127.0.0.1:PORT/mcp\n");
        assertThat(run("export", "--help").out())
                .contains("  {\"key\":\"k1\",\"value\":\"v1\",\"encoding\":\"text\",\"expiresAt\":1767225600000}\n");
    }

    @Test
    void theCommandListGivesEachCommandAWholeSentence() {
        // 'ferrumdb --help' shows the first line of each command's description; it once ended export's and mcp's
        // summaries at the colon that introduced an example on the next line, and showed all of get's.
        Map<String, String> summaries = new LinkedHashMap<>();
        String command = null;
        for (String line : run("--help").out().lines().dropWhile(l -> !l.equals("Commands:")).skip(1)
                .takeWhile(l -> !l.isBlank()).toList()) {
            if (line.matches("  [a-z][a-z-]* .*")) {
                command = line.trim().split(" ")[0];
                summaries.put(command, line.substring(line.indexOf(command) + command.length()).strip());
            } else {
                summaries.merge(command, line.strip(), (a, b) -> a + " " + b);
            }
        }
        assertThat(summaries).containsKeys("get", "export", "mcp", "completion");
        summaries.forEach((name, summary) -> assertThat(summary).as(name).doesNotEndWith(":"));
        assertThat(summaries.get("get")).isEqualTo("Prints the value of KEY. Exit code 1 when the key is absent or "
                + "expired.");
        assertThat(summaries.get("export")).endsWith("'import' restores them exactly, TTLs included.");
        assertThat(summaries.get("mcp")).endsWith("and memories as resources.");
    }

    @Test
    void errorsNameNoJavaClasses() throws Exception {
        Run missingFile = run("put", "k", "--file", tmp.resolve("nope.bin").toString());
        assertThat(missingFile.err()).contains("no such file or directory: " + tmp.resolve("nope.bin"))
                .doesNotContain("Exception").doesNotContain("java.");
        assertThat(Main.message(new java.io.UncheckedIOException(
                new java.nio.file.AccessDeniedException("/data/LOCK")))).isEqualTo("permission denied: /data/LOCK");
        assertThat(run("put", "k", "v").code()).isZero();
        Run unwritable = run("get", "k", "--output", tmp.resolve("no/such/dir/out").toString());
        assertThat(unwritable.err()).contains("cannot write the value: no such file or directory")
                .doesNotContain("Exception");
    }

    /** Before: "no FerrumDB database at DIR", inviting a new database over the old segments. */
    @Test
    void aDatabaseWhoseMetaWasDeletedIsNamedAsDamagedNotMissing() throws Exception {
        assertThat(run("put", "k", "v").code()).isZero();
        java.nio.file.Files.delete(db().resolve("META"));
        for (String[] command : new String[][] {{"get", "k"}, {"put", "k2", "v"}, {"verify"}}) {
            Run r = run(command);
            assertThat(r.code()).as(command[0]).isEqualTo(ExitCode.DATABASE);
            // Verify reports it (session 23; it stopped at it) and checks the rest; the others refuse.
            assertThat(command[0].equals("verify") ? r.out() : r.err()).as(command[0])
                    .contains(db().resolve("META").toAbsolutePath().toString())
                    .contains("META is missing, but the directory holds the database files 0000000001.seg")
                    .contains("'ferrumdb repair' rebuilds")
                    .contains(command[0].equals("verify") ? "DAMAGED META" : "corruption in")
                    .doesNotContain("no FerrumDB database");
        }
        assertThat(run("repair").code()).isZero();
        assertThat(run("get", "k").out()).isEqualTo("v");
    }

    /** Before: a TTL past the end of the engine's clock was stored as "the end of time" without a word. */
    @Test
    void aTtlPastTheLimitIsRefusedNamingTheLimit() {
        Run absurd = run("put", "k", "v", "--ttl", "999999999d");
        assertThat(absurd.code()).isEqualTo(ExitCode.USAGE);
        assertThat(absurd.err()).contains("TTL '999999999d' exceeds the limit of 36500 days (100 years)");
        assertThat(run("put", "k", "v", "--ttl", "36500d").code()).isZero();
        assertThat(run("put", "k", "v", "--ttl", "36501d").code()).isEqualTo(ExitCode.USAGE);
    }

    /** Before: exit code 3 (database error) for a refused user input. */
    @Test
    void aUniqueIndexOverDuplicatedValuesIsBadInputNamingIndexFieldAndValue() {
        String longValue = "x".repeat(300);
        assertThat(run("doc", "put", "users", "a", "{\"email\":\"" + longValue + "\"}").code()).isZero();
        assertThat(run("doc", "put", "users", "b", "{\"email\":\"" + longValue + "\"}").code()).isZero();
        Run r = run("doc", "index", "users", "email", "--unique");
        assertThat(r.code()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("unique index 'email' of collection 'users' already has the value \""
                + "x".repeat(99) + "... (302 characters)").doesNotContain("x".repeat(101));
    }

    @Test
    void documentCommandsOnAKeyValueDatabaseSayWhatToDo() {
        assertThat(run("put", "k", "v").code()).isZero();
        Run r = run("doc", "collections");
        assertThat(r.code()).isEqualTo(ExitCode.DATABASE);
        assertThat(r.err()).contains("holds plain keys, not documents").contains("use get, put and keys")
                .doesNotContain("FerrumDB.open");
        Run repl = Run.of(db(), "DOC COLLECTIONS\n", new String[0]);
        assertThat(repl.err()).contains("holds plain keys, not documents");
    }

    @Test
    void keysOnADocumentStoreHidesItsInternalKeysUnlessAll() throws Exception {
        try (DocumentStore store = DocumentStore.open(db())) {
            store.collection("users").put("u1", "{\"name\":\"Ada\"}");
            store.database().put("plain".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(run("keys").out()).isEqualTo("plain\n");
        assertThat(run("--hex", "keys", "--all").out().lines().count()).isGreaterThan(2);
        assertThat(Run.of(db(), "KEYS\n", new String[0]).out()).isEqualTo("plain\n");
        assertThat(Run.of(db(), "KEYS --all\n", new String[0]).out().lines().count()).isGreaterThan(2);
        // Session 28: count counted every raw key (3 here) where keys listed one.
        long raw;
        try (FerrumDB fdb = FerrumDB.open(db())) {
            raw = fdb.size();
        }
        assertThat(run("count").out()).isEqualTo("1\n");
        assertThat(run("count", "--prefix", "pl").out()).isEqualTo("1\n");
        assertThat(run("count", "--all").out()).isEqualTo(raw + "\n");
        assertThat(Run.of(db(), "COUNT\nCOUNT pl\nCOUNT --all\nCOUNT --all pl\n", new String[0]).out())
                .isEqualTo("1\n1\n" + raw + "\n1\n");
    }

    @Test
    void aPlainNumberTtlCountsSeconds() throws Exception {
        assertThat(run("put", "session", "x", "--ttl", "90").code()).isZero();
        try (FerrumDB fdb = FerrumDB.open(db())) {
            long left = fdb.expiresAt("session".getBytes(StandardCharsets.UTF_8)) - System.currentTimeMillis();
            assertThat(left).isBetween(1_000L, 90_000L).isGreaterThan(60_000L);
        }
        assertThat(Durations.parse("90")).hasSeconds(90);
        assertThat(run("put", "k", "x", "--ttl", "0").err()).contains("duration must be positive");
    }

    @Test
    void theEmptyKeyIsAKeyLikeAnyOther() {
        assertThat(run("put", "", "empty").code()).isZero();
        assertThat(run("get", "").out()).isEqualTo("empty");
        assertThat(Run.of(db(), "GET \"\"\n", new String[0]).out()).isEqualTo("empty\n");
        assertThat(run("del", "").code()).isZero();
    }
}
