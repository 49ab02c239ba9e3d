package io.ferrumdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncryptedDatabaseTest {
    private static final Map<String, String> RIGHT = Map.of(Cli.PASSPHRASE_ENV, "correct horse");
    private static final byte[] NO_INPUT = new byte[0];

    @TempDir
    Path tmp;

    Path db() {
        return tmp.resolve("db");
    }

    Run run(Map<String, String> env, String... args) {
        return Run.of(db(), NO_INPUT, env, args);
    }

    @Test
    void missingOrWrongPassphraseIsExitCodeFourAndWritesNothing() throws IOException {
        assertThat(run(RIGHT, "put", "k", "secret value").code()).isZero();
        Map<String, String> before = listing();

        Run missing = run(Map.of(), "get", "k");
        assertThat(missing.code()).isEqualTo(ExitCode.PASSPHRASE);
        assertThat(missing.err()).contains("is encrypted").contains("--passphrase-file")
                .contains(Cli.PASSPHRASE_ENV).doesNotContain("Options.builder").doesNotContain("\tat ");
        Run wrong = run(Map.of(Cli.PASSPHRASE_ENV, "wrong horse"), "put", "k2", "v");
        assertThat(wrong.code()).isEqualTo(ExitCode.PASSPHRASE);
        Run repl = Run.of(db(), "SET a 1\n".getBytes(StandardCharsets.UTF_8), Map.of());
        assertThat(repl.code()).isEqualTo(ExitCode.PASSPHRASE);
        assertThat(run(Map.of(), "verify").code()).isEqualTo(ExitCode.PASSPHRASE);
        assertThat(run(Map.of(), "export").out()).isEmpty();
        assertThat(listing()).isEqualTo(before);

        assertThat(run(RIGHT, "get", "k").out()).isEqualTo("secret value");
    }

    @Test
    void passphraseFromFileOrPromptAndToolsOnAnEncryptedDatabase() throws IOException {
        run(RIGHT, "put", "k", "v");
        Path file = tmp.resolve("pass.txt");
        Files.writeString(file, "correct horse\n");
        assertThat(run(Map.of(), "--passphrase-file", file.toString(), "get", "k").out()).isEqualTo("v");

        AtomicInteger asked = new AtomicInteger();
        Run prompted = Run.of(db(), NO_INPUT, Map.of(), prompt -> {
            asked.incrementAndGet();
            assertThat(prompt).contains(db().toAbsolutePath().toString());
            return "correct horse".toCharArray();
        }, "get", "k");
        assertThat(prompted.out()).isEqualTo("v\n");
        assertThat(asked).hasValue(1);

        assertThat(run(RIGHT, "info").out()).contains("encryption:          encrypted");
        Run verify = run(RIGHT, "verify");
        assertThat(verify.code()).as(verify.out()).isZero();
        assertThat(verify.out()).contains("1 record(s)");

        Files.writeString(file, "\n");
        assertThat(run(Map.of(), "--passphrase-file", file.toString(), "get", "k").code())
                .isEqualTo(ExitCode.PASSPHRASE);
    }

    @Test
    void askPassphraseCreatesAnEncryptedDatabaseAndNeedsATerminal() {
        Run created = Run.of(db(), NO_INPUT, Map.of(), prompt -> "new one".toCharArray(), "--ask-passphrase",
                "put", "k", "v");
        assertThat(created.code()).as(created.err()).isZero();
        assertThat(run(Map.of(Cli.PASSPHRASE_ENV, "new one"), "info").out()).contains("encrypted");
        Run noTerminal = run(Map.of(), "--ask-passphrase", "get", "k");
        assertThat(noTerminal.code()).isEqualTo(ExitCode.PASSPHRASE);
        assertThat(noTerminal.err()).contains("no terminal to ask for the passphrase");
    }

    @Test
    void aPassphraseForAPlaintextDatabaseIsRefused() {
        run(Map.of(), "put", "k", "v");
        Run r = run(RIGHT, "get", "k");
        assertThat(r.code()).isEqualTo(ExitCode.PASSPHRASE);
        // The way out is to give none, not another one.
        assertThat(r.err()).contains("is not encrypted").contains("takes no passphrase")
                .doesNotContain("give the passphrase");
    }

    private Map<String, String> listing() throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (var files = Files.list(db())) {
            for (Path p : (Iterable<Path>) files::iterator) {
                m.put(p.getFileName().toString(), Files.size(p) + "@" + Files.getLastModifiedTime(p).toMillis());
            }
        }
        return m;
    }
}
