package io.ferrumdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferrumdb backup DIR} as the README and its {@code --help} describe it: what it prints, each exit code (0
 * written, 2 a target that is not new or empty, is a file or lies inside the database, 3 a database error such as a
 * missing or locked database, 4 a missing or wrong passphrase), and copies that open as databases
 * of their own: of an encrypted database (with its passphrase only) and of a database a crash interrupted.
 */
class BackupCommandTest {
    private static final byte[] NO_INPUT = new byte[0];
    private static final Map<String, String> PASSPHRASE = Map.of(Cli.PASSPHRASE_ENV, "correct horse");

    @TempDir
    Path tmp;

    private Run run(Path db, Map<String, String> env, String... args) {
        return Run.of(db, NO_INPUT, env, args);
    }

    @Test
    void printsWhatItWroteAndTheCopyOpensAsADatabase() {
        Path db = tmp.resolve("db");
        Path copy = tmp.resolve("copy");
        assertThat(run(db, Map.of(), "put", "k", "v").code()).isZero();
        Run backup = run(db, Map.of(), "backup", copy.toString());
        assertThat(backup.code()).as(backup.err()).isZero();
        assertThat(backup.out()).isEqualTo("backup of " + db.toAbsolutePath() + " (1 live key) written to "
                + copy.toAbsolutePath() + "\n");
        assertThat(backup.err()).isEmpty();
        assertThat(run(copy, Map.of(), "get", "k").out()).isEqualTo("v");
        assertThat(run(copy, Map.of(), "put", "k2", "v2").code()).as("the copy is a database of its own").isZero();
        assertThat(run(db, Map.of(), "get", "k2").code()).isEqualTo(ExitCode.NOT_FOUND);
    }

    @Test
    void eachRefusalHasItsExitCodeAndWritesNoCopy() throws IOException {
        Path db = tmp.resolve("db");
        assertThat(run(db, Map.of(), "put", "k", "v").code()).isZero();
        Path notEmpty = Files.createDirectories(tmp.resolve("not-empty"));
        Files.writeString(notEmpty.resolve("note.txt"), "mine");
        Path file = Files.writeString(tmp.resolve("a-file"), "mine");

        Run intoNotEmpty = run(db, Map.of(), "backup", notEmpty.toString());
        assertThat(intoNotEmpty.code()).isEqualTo(ExitCode.USAGE);
        assertThat(intoNotEmpty.err()).contains("backup target " + notEmpty.toAbsolutePath() + " is not empty");
        assertThat(notEmpty.resolve("note.txt")).hasContent("mine");
        assertThat(Files.list(notEmpty).count()).isOne();

        Run inside = run(db, Map.of(), "backup", db.resolve("copy").toString());
        assertThat(inside.code()).isEqualTo(ExitCode.USAGE);
        assertThat(inside.err()).contains("must lie outside the database directory");

        Run noTarget = run(db, Map.of(), "backup");
        assertThat(noTarget.code()).isEqualTo(ExitCode.USAGE);
        assertThat(noTarget.err()).contains("DIR");

        Run intoFile = run(db, Map.of(), "backup", file.toString());
        // A mistaken argument as a non-empty directory is, and as Studio answers it (400), not a database error.
        assertThat(intoFile.code()).isEqualTo(ExitCode.USAGE);
        assertThat(intoFile.err()).contains("backup target " + file.toAbsolutePath() + " is a file, not a directory")
                .doesNotContain("java.");
        assertThat(file).hasContent("mine");

        Run noDatabase = run(tmp.resolve("none"), Map.of(), "backup", tmp.resolve("copy1").toString());
        assertThat(noDatabase.code()).isEqualTo(ExitCode.DATABASE);
        assertThat(noDatabase.err()).contains("no FerrumDB database at");
        assertThat(tmp.resolve("none")).doesNotExist();

        try (FerrumDB writer = FerrumDB.open(db)) {
            Run locked = run(db, Map.of(), "backup", tmp.resolve("copy2").toString());
            assertThat(locked.code()).isEqualTo(ExitCode.DATABASE);
            assertThat(locked.err()).contains("is locked");
        }
        for (String copy : new String[] {"copy1", "copy2"}) {
            assertThat(tmp.resolve(copy)).as("no copy left by a refused backup").satisfiesAnyOf(
                    p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyDirectory());
        }
    }

    @Test
    void anEncryptedDatabaseIsBackedUpWithItsPassphraseOnly() throws IOException {
        Path db = tmp.resolve("db");
        Path copy = tmp.resolve("copy");
        assertThat(run(db, PASSPHRASE, "put", "KNOWNKEY", "KNOWNVALUE").code()).isZero();

        Run missing = run(db, Map.of(), "backup", copy.toString());
        assertThat(missing.code()).isEqualTo(ExitCode.PASSPHRASE);
        assertThat(missing.err()).contains("is encrypted");
        Run wrong = run(db, Map.of(Cli.PASSPHRASE_ENV, "wrong horse"), "backup", copy.toString());
        assertThat(wrong.code()).isEqualTo(ExitCode.PASSPHRASE);
        assertThat(wrong.err()).contains("wrong passphrase").doesNotContain("wrong horse");
        assertThat(copy).doesNotExist();

        Run backup = run(db, PASSPHRASE, "backup", copy.toString());
        assertThat(backup.code()).as(backup.err()).isZero();
        try (Stream<Path> files = Files.list(copy)) {
            for (Path f : files.toList()) {
                assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).as("%s", f)
                        .doesNotContain("KNOWNKEY").doesNotContain("KNOWNVALUE");
            }
        }
        assertThat(run(copy, Map.of(), "get", "KNOWNKEY").code()).isEqualTo(ExitCode.PASSPHRASE);
        assertThat(run(copy, PASSPHRASE, "get", "KNOWNKEY").out()).isEqualTo("KNOWNVALUE");
    }

    /** The files of a database copied while it is open under always(): what a kill -9 leaves. */
    @Test
    void aDatabaseACrashInterruptedIsBackedUpWithEveryRecord() throws IOException {
        Path db = tmp.resolve("db");
        Path crashed = Files.createDirectories(tmp.resolve("crashed"));
        try (FerrumDB open = FerrumDB.open(db, Options.builder().fsyncPolicy(FsyncPolicy.always()).build())) {
            for (int i = 0; i < 200; i++) {
                open.put(("key-" + i).getBytes(StandardCharsets.UTF_8), ("value-" + i).getBytes(StandardCharsets.UTF_8));
            }
            try (Stream<Path> files = Files.list(db)) {
                for (Path f : files.toList()) {
                    Files.copy(f, crashed.resolve(f.getFileName()));
                }
            }
        }
        Path copy = tmp.resolve("copy");
        Run backup = run(crashed, Map.of(), "backup", copy.toString());
        assertThat(backup.code()).as(backup.err()).isZero();
        assertThat(backup.out()).contains("(200 live keys)");
        Run verify = run(copy, Map.of(), "verify");
        assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
        assertThat(run(copy, Map.of(), "count").out()).isEqualTo("200\n");
        assertThat(run(copy, Map.of(), "get", "key-199").out()).isEqualTo("value-199");
    }
}
