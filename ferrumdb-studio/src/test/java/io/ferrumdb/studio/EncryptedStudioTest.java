package io.ferrumdb.studio;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.EncryptionKeyException;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.Options;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncryptedStudioTest {
    @TempDir
    Path tmp;
    Path dir;

    @BeforeEach
    void createEncryptedDatabase() {
        dir = tmp.resolve("db");
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().passphrase("correct horse".toCharArray()).build())) {
            db.put("secret".getBytes(UTF_8), "42".getBytes(UTF_8));
        }
    }

    private static StudioConfig parse(Map<String, String> env, String... args) {
        return StudioMain.parse(args, System.err, env, () -> {
            throw new AssertionError("no prompt expected");
        });
    }

    /** Every file's size and modification time: a refused open must leave them as they were. */
    private Map<String, String> files() {
        try (Stream<Path> s = Files.list(dir)) {
            Map<String, String> out = new TreeMap<>();
            s.forEach(p -> {
                try {
                    out.put(p.getFileName().toString(), Files.size(p) + "@" + Files.getLastModifiedTime(p));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theRightPassphraseFromAFileOpensIt() throws IOException {
        Path file = tmp.resolve("pass");
        Files.writeString(file, "correct horse\n");
        StudioConfig config = StudioConfig.builder(dir).port(0)
                .options(parse(Map.of(), "--db", dir.toString(), "--passphrase-file", file.toString()).options())
                .build();
        try (Studio studio = Studio.start(config)) {
            assertThat(new TestClient(studio).get("/api/kv?key=secret").json().get("text").asText()).isEqualTo("42");
        }
    }

    @Test
    void theRightPassphraseFromTheEnvironmentOpensIt() {
        StudioConfig parsed = parse(Map.of(StudioMain.PASSPHRASE_ENV, "correct horse"), "--db", dir.toString());
        try (Studio studio = Studio.start(StudioConfig.builder(dir).port(0).options(parsed.options()).build())) {
            assertThat(new TestClient(studio).get("/api/kv?key=secret").json().get("text").asText()).isEqualTo("42");
            assertThat(new TestClient(studio).get("/api/info").json().get("encrypted").asBoolean()).isTrue();
        }
    }

    @Test
    void theRightPassphraseFromThePromptOpensIt() {
        StudioConfig parsed = StudioMain.parse(new String[] {"--db", dir.toString(), "--ask-passphrase"}, System.err,
                Map.of(), "correct horse"::toCharArray);
        try (Studio studio = Studio.start(StudioConfig.builder(dir).port(0).options(parsed.options()).build())) {
            assertThat(new TestClient(studio).get("/api/keys").json().get("count").asInt()).isPositive();
        }
    }

    @Test
    void aMissingOrWrongPassphraseIsAClearErrorAndWritesNothing() {
        Map<String, String> before = files();
        assertThatThrownBy(() -> Studio.start(StudioConfig.builder(dir).port(0).build()))
                .isInstanceOf(EncryptionKeyException.class);
        StudioConfig wrong = parse(Map.of(StudioMain.PASSPHRASE_ENV, "wrong"), "--db", dir.toString());
        assertThatThrownBy(() -> Studio.start(StudioConfig.builder(dir).port(0).options(wrong.options()).build()))
                .isInstanceOf(EncryptionKeyException.class);
        assertThat(files()).isEqualTo(before);
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().passphrase("correct horse".toCharArray()).build())) {
            assertThat(db.size()).isEqualTo(1);
        }
    }

    @Test
    void passphraseSourcesAreExclusiveAndChecked() throws IOException {
        Path empty = tmp.resolve("empty");
        Files.writeString(empty, "\n");
        assertThatThrownBy(() -> parse(Map.of(StudioMain.PASSPHRASE_ENV, "x"), "--ask-passphrase"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one way only");
        assertThatThrownBy(() -> parse(Map.of(), "--passphrase-file", empty.toString()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty first line");
        assertThatThrownBy(() -> parse(Map.of(), "--passphrase-file", tmp.resolve("missing").toString()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot read the passphrase file");
        assertThatThrownBy(() -> parse(Map.of(StudioMain.PASSPHRASE_ENV, ""))).hasMessageContaining("empty");
        assertThat(parse(Map.of()).options().encrypted()).isFalse();
    }
}
