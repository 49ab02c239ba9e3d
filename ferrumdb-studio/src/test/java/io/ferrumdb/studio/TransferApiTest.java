package io.ferrumdb.studio;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.KeyRange;
import io.ferrumdb.Options;
import io.ferrumdb.doc.DocumentStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/export} and {@code POST /api/import}: the JSON Lines of {@code ferrumdb export}/{@code import}. */
class TransferApiTest {
    /** Both databases share one fixed clock, so that a TTL re-based at import lands on the exported expiry exactly. */
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-06-01T12:00:00Z"), ZoneOffset.UTC);
    private static final Options OPTIONS = Options.builder().clock(CLOCK).build();

    @TempDir
    Path dir;

    private static Studio start(Path db, boolean readOnly) {
        return Studio.start(StudioConfig.builder(db).port(0).readOnly(readOnly).options(OPTIONS).build());
    }

    /**
     * Every live key with its value and absolute expiry, in key order, without a document store's own keys
     * (Studio makes a new directory a document store, so the fresh database has those keys of its own).
     */
    private static List<String> contents(FerrumDB db) {
        return DocumentStore.plainKeys(db, KeyRange.all())
                .map(key -> HexFormat.of().formatHex(key) + "=" + HexFormat.of().formatHex(db.get(key)) + "@"
                        + db.expiresAt(key))
                .toList();
    }

    /** The key of one exported line, decoded (base64 keys that are not text decode to replacement characters). */
    private static String keyOf(String line) {
        try {
            JsonNode record = Json.MAPPER.readTree(line);
            String key = record.get("key").asText();
            return "base64".equals(record.get("encoding").asText())
                    ? new String(Base64.getDecoder().decode(key), UTF_8) : key;
        } catch (IOException e) {
            throw new UncheckedIOException(line, e);
        }
    }

    private static TestClient.Response importBody(TestClient client, String body) {
        return client.send("POST", "/api/import", Map.of("X-FerrumDB-Token", client.token(),
                "Content-Type", TransferApi.NDJSON), body);
    }

    @Test
    void exportThenImportIntoAFreshDatabaseGivesIdenticalKeysValuesAndTtls() {
        Path source = dir.resolve("shop");
        try (FerrumDB db = FerrumDB.open(source, OPTIONS)) {
            Random random = new Random(21);
            for (int i = 0; i < 300; i++) {
                byte[] key = i % 3 == 0 ? new byte[4 + random.nextInt(20)] : ("user:" + i).getBytes(UTF_8);
                if (i % 3 == 0) {
                    random.nextBytes(key);
                    key[0] = (byte) 0xFF; // never UTF-8 (exported as base64), never a document store's own key
                }
                byte[] value = new byte[random.nextInt(200)];
                random.nextBytes(value);
                if (i % 5 == 0) {
                    value = ("text \u00e9\u20ac \"quoted\"\n" + i).getBytes(UTF_8);
                }
                if (i % 4 == 0) {
                    db.put(key, value, Duration.ofSeconds(1 + random.nextInt(100_000)));
                } else {
                    db.put(key, value);
                }
            }
            db.put(new byte[0], "the empty key".getBytes(UTF_8));
        }
        byte[] dump;
        List<String> expected;
        try (Studio studio = start(source, false)) {
            TestClient client = new TestClient(studio);
            TestClient.Response export = client.get("/api/export");
            assertThat(export.status()).isEqualTo(200);
            assertThat(export.header("Content-Type")).isEqualTo("application/x-ndjson");
            assertThat(export.header("Content-Disposition")).contains("filename=\"shop.jsonl\"");
            dump = export.body();
            expected = contents(studio.database());
            assertThat(expected).hasSize(301);
            assertThat(expected).filteredOn(line -> !line.endsWith("@0")).as("keys with a TTL").hasSize(75);
        }

        Path fresh = dir.resolve("fresh");
        try (Studio studio = start(fresh, false)) {
            TestClient client = new TestClient(studio);
            TestClient.Response imported = importBody(client, new String(dump, UTF_8));
            assertThat(imported.status()).as(imported.text()).isEqualTo(200);
            assertThat(imported.json().get("imported").asLong()).isEqualTo(new String(dump, UTF_8).lines().count());
            assertThat(imported.json().get("expired").asLong()).isZero();
            assertThat(contents(studio.database())).isEqualTo(expected);
            TestClient.Response again = client.get("/api/export?prefix=user%3A1");
            assertThat(again.header("Content-Disposition")).contains("filename=\"fresh-user_1.jsonl\"");
            List<String> userOnes = new String(dump, UTF_8).lines().filter(l -> keyOf(l).startsWith("user:1"))
                    .toList();
            assertThat(userOnes).isNotEmpty();
            assertThat(again.text().lines().toList()).as("a prefix export is the matching lines, byte for byte")
                    .isEqualTo(userOnes);
        }
    }

    @Test
    void aMalformedLineIsRefusedByNumberAndTheRecordsBeforeItStay() {
        try (Studio studio = start(dir.resolve("db"), false)) {
            TestClient client = new TestClient(studio);
            String body = "{\"key\":\"a\",\"value\":\"1\",\"encoding\":\"text\"}\n"
                    + "{\"key\":\"b\",\"value\":\"2\",\"encoding\":\"text\"}\n"
                    + "{\"key\":\"c\" \"value\":\"3\"}\n"
                    + "{\"key\":\"d\",\"value\":\"4\",\"encoding\":\"text\"}\n";
            TestClient.Response r = importBody(client, body);
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.json().get("error").asText())
                    .startsWith("line 3: malformed JSON")
                    .contains("2 record(s) before it were imported");
            FerrumDB db = studio.database();
            assertThat(db.get("a".getBytes(UTF_8))).isEqualTo("1".getBytes(UTF_8));
            assertThat(db.get("b".getBytes(UTF_8))).isEqualTo("2".getBytes(UTF_8));
            assertThat(db.get("c".getBytes(UTF_8))).isNull();
            assertThat(db.get("d".getBytes(UTF_8))).isNull();

            TestClient.Response badBase64 = importBody(client,
                    "{\"key\":\"!!\",\"value\":\"AA==\",\"encoding\":\"base64\"}\n");
            assertThat(badBase64.status()).isEqualTo(400);
            assertThat(badBase64.json().get("error").asText()).startsWith("line 1: key is not valid base64: '!' at position 1 is not a base64 character")
                    .contains("0 record(s) before it were imported");
        }
    }

    @Test
    void aKeyOverTheLimitALoneSurrogateOrATwiceGivenFieldIsALineProblem() {
        try (Studio studio = start(dir.resolve("db"), false)) {
            TestClient client = new TestClient(studio);
            String good = "{\"key\":\"a\",\"value\":\"1\"}\n";
            TestClient.Response tooLong = importBody(client, good + good + "{\"key\":\""
                    + "k".repeat(io.ferrumdb.Limits.MAX_KEY_SIZE + 1) + "\",\"value\":\"v\"}\n");
            assertThat(tooLong.status()).isEqualTo(400);
            assertThat(tooLong.json().get("error").asText()).startsWith("line 3: key of 65536 bytes exceeds the limit")
                    .contains("2 record(s) before it were imported");
            assertThat(studio.database().get("a".getBytes(UTF_8))).isEqualTo("1".getBytes(UTF_8));
            // An unpaired surrogate escape: String.getBytes would have stored the key "?".
            TestClient.Response surrogate = importBody(client, "{\"key\":\"x\\ud800\",\"value\":\"v\"}\n");
            assertThat(surrogate.status()).isEqualTo(400);
            assertThat(surrogate.json().get("error").asText()).startsWith("line 1: key is not valid Unicode text");
            assertThat(studio.database().get("x?".getBytes(UTF_8))).isNull();
            TestClient.Response twice = importBody(client, "{\"key\":\"p\",\"key\":\"q\",\"value\":\"v\"}\n");
            assertThat(twice.json().get("error").asText()).startsWith("line 1: field 'key' appears twice");
        }
    }

    @Test
    void recordsExpiredSinceTheExportAreSkippedAndCounted() {
        try (Studio studio = start(dir.resolve("db"), false)) {
            TestClient client = new TestClient(studio);
            long past = CLOCK.millis() - 1;
            TestClient.Response r = importBody(client,
                    "{\"key\":\"gone\",\"value\":\"x\",\"encoding\":\"text\",\"expiresAt\":" + past + "}\n"
                            + "{\"key\":\"kept\",\"value\":\"y\",\"encoding\":\"text\",\"expiresAt\":"
                            + (CLOCK.millis() + 60_000) + "}\n");
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            assertThat(r.json().get("imported").asLong()).isEqualTo(1);
            assertThat(r.json().get("expired").asLong()).isEqualTo(1);
            assertThat(studio.database().expiresAt("kept".getBytes(UTF_8))).isEqualTo(CLOCK.millis() + 60_000);
            assertThat(studio.database().get("gone".getBytes(UTF_8))).isNull();
        }
    }

    @Test
    void importIsRefusedInReadOnlyModeWhileExportWorks() {
        Path db = dir.resolve("db");
        try (FerrumDB open = FerrumDB.open(db, OPTIONS)) {
            open.put("k".getBytes(UTF_8), "v".getBytes(UTF_8));
        }
        try (Studio studio = start(db, true)) {
            TestClient client = new TestClient(studio);
            TestClient.Response r = importBody(client, "{\"key\":\"x\",\"value\":\"y\",\"encoding\":\"text\"}\n");
            assertThat(r.status()).isEqualTo(405);
            assertThat(r.header("Allow")).isEqualTo("");
            assertThat(r.json().get("error").asText()).contains("read-only");
            TestClient.Response export = client.get("/api/export");
            assertThat(export.status()).isEqualTo(200);
            assertThat(export.text()).isEqualTo("{\"key\":\"k\",\"value\":\"v\",\"encoding\":\"text\"}\n");
        }
    }

    @Test
    void importTakesTheSameSecurityChecksAsEveryWrite() {
        try (Studio studio = start(dir.resolve("db"), false)) {
            TestClient client = new TestClient(studio);
            String line = "{\"key\":\"x\",\"value\":\"y\",\"encoding\":\"text\"}\n";
            String cookie = client.login();
            assertThat(client.send("POST", "/api/import", Map.of("Cookie", cookie, "Origin", "http://evil.example"),
                    line).status()).as("cross-origin").isEqualTo(403);
            assertThat(client.send("POST", "/api/import", Map.of("Cookie", cookie), line).status())
                    .as("a cookie without origin evidence").isEqualTo(403);
            assertThat(client.send("POST", "/api/import", Map.of(), line).status()).as("no credential")
                    .isEqualTo(401);
            assertThat(client.send("POST", "/api/import", Map.of("Host", "evil.example:" + studio.port(),
                    "X-FerrumDB-Token", studio.token()), line).status()).as("foreign Host").isEqualTo(421);
            assertThat(studio.database().get("x".getBytes(UTF_8))).isNull();
            assertThat(client.send("GET", "/api/export", Map.of(), null).status()).as("export needs a credential")
                    .isEqualTo(401);
            TestClient.Response fromPage = client.send("POST", "/api/import", Map.of("Cookie", cookie,
                    "Sec-Fetch-Site", "same-origin", "Origin", "http://" + client.host()), line);
            assertThat(fromPage.status()).as(fromPage.text()).isEqualTo(200);
            assertThat(studio.database().get("x".getBytes(UTF_8))).isEqualTo("y".getBytes(UTF_8));
        }
    }
}
