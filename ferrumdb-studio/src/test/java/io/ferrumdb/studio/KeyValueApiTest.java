package io.ferrumdb.studio;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.Options;
import java.net.URLEncoder;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyValueApiTest {
    static final String XSS = "<img src=x onerror=alert(1)></script><script>alert('x')</script>&amp;\u2028";

    /** A clock the test moves, to expire TTLs without sleeping. */
    static final class MovableClock extends Clock {
        volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @TempDir
    Path dir;
    final MovableClock clock = new MovableClock();
    Studio studio;
    TestClient client;
    FerrumDB db;
    /** Keys a new Studio database holds before the test writes any (the document store's format marker). */
    long baseline;

    @BeforeEach
    void start() {
        studio = Studio.start(StudioConfig.builder(dir).port(0).options(Options.builder().clock(clock).build()).build());
        client = new TestClient(studio);
        db = studio.database();
        baseline = db.size();
    }

    @AfterEach
    void stop() {
        studio.close();
    }

    static String q(String s) {
        return URLEncoder.encode(s, UTF_8);
    }

    static String json(Object o) throws Exception {
        return Json.PLAIN.writeValueAsString(o);
    }

    @Test
    void aFieldOfTheWrongTypeOrALoneSurrogateIsRefusedNotStoredAsAnotherKey() throws Exception {
        // Jackson's asText() made "" of an object: the empty key, an empty value, every key as the prefix.
        TestClient.Response hexObject = client.put("/api/kv", "{\"hex\":{},\"value\":\"v\"}");
        assertThat(hexObject.status()).isEqualTo(400);
        assertThat(hexObject.json().get("error").asText()).isEqualTo("'hex' must be a string, got object");
        assertThat(db.get(new byte[0])).isNull();
        TestClient.Response base64Array = client.put("/api/kv", "{\"key\":\"k\",\"valueBase64\":[]}");
        assertThat(base64Array.status()).isEqualTo(400);
        assertThat(db.get("k".getBytes(UTF_8))).isNull();
        TestClient.Response prefixObject = client.send("POST", "/api/kv/delete-prefix",
                Map.of("X-FerrumDB-Token", client.token()), "{\"prefix\":{},\"expectedCount\":" + baseline + "}");
        assertThat(prefixObject.status()).isEqualTo(400);
        assertThat(prefixObject.json().get("error").asText()).isEqualTo("'prefix' must be a string, got object");
        TestClient.Response surrogate = client.put("/api/kv", "{\"key\":\"x\\ud800\",\"value\":\"v\"}");
        assertThat(surrogate.status()).isEqualTo(400);
        assertThat(surrogate.json().get("error").asText()).startsWith("'key' is not valid Unicode text");
        assertThat(db.get("x?".getBytes(UTF_8))).isNull();
        TestClient.Response both = client.put("/api/kv", "{\"key\":\"a\",\"hex\":\"00\",\"value\":\"v\"}");
        assertThat(both.status()).isEqualTo(400);
        assertThat(both.json().get("error").asText()).isEqualTo("name the key with 'hex' or 'key', not both");
        assertThat(client.get("/api/kv?key=a&hex=00").status()).isEqualTo(400);
        assertThat(db.size()).isEqualTo(baseline);
    }

    /** Each of these wrote something other than what was sent, or said it in Jackson's terms. */
    @Test
    void aValueGivenTwiceOrOfTheWrongTypeAndAFieldRepeatedAreRefusedNaming() {
        TestClient.Response both = client.put("/api/kv", "{\"key\":\"a\",\"value\":\"b\",\"valueBase64\":\"YQ==\"}");
        assertThat(both.status()).isEqualTo(400);
        assertThat(both.json().get("error").asText())
                .isEqualTo("give the value as 'value' (text) or 'valueBase64', not both");
        TestClient.Response number = client.put("/api/kv", "{\"key\":\"a\",\"value\":5}");
        assertThat(number.status()).isEqualTo(400);
        assertThat(number.json().get("error").asText()).isEqualTo("'value' must be a string, got number");
        TestClient.Response repeated = client.put("/api/kv", "{\"key\":\"a\",\"value\":\"b\",\"key\":\"c\"}");
        assertThat(repeated.status()).isEqualTo(400);
        assertThat(repeated.json().get("error").asText()).contains("Duplicate field 'key'");
        TestClient.Response truncated = client.put("/api/kv", "{\"key\":\"a\",\"value\":\"b\"");
        assertThat(truncated.status()).isEqualTo(400);
        assertThat(truncated.json().get("error").asText()).isEqualTo("the request body is not valid JSON: Unexpected"
                + " end-of-input: expected close marker for Object (start marker at line 1, column 1)");
        assertThat(db.size()).isEqualTo(baseline);
    }

    /** A mistyped field was ignored: "ttlSecond" wrote a value that never expires. */
    @Test
    void aFieldTheCallDoesNotTakeIsRefusedNamingTheOnesItDoes() {
        TestClient.Response typo = client.put("/api/kv", "{\"key\":\"t\",\"value\":\"v\",\"ttlSecond\":60}");
        assertThat(typo.status()).isEqualTo(400);
        assertThat(typo.json().get("error").asText()).isEqualTo("unknown field 'ttlSecond' (this call takes key, hex,"
                + " value, valueBase64, ttlSeconds)");
        assertThat(db.get("t".getBytes(UTF_8))).isNull();
        TestClient.Response ttl = client.send("POST", "/api/kv/ttl", Map.of("X-FerrumDB-Token", client.token()),
                "{\"key\":\"t\",\"ttl\":60}");
        assertThat(ttl.status()).isEqualTo(400);
        assertThat(ttl.json().get("error").asText()).startsWith("unknown field 'ttl'");
        TestClient.Response backup = client.send("POST", "/api/backup", Map.of("X-FerrumDB-Token", client.token()),
                "{\"target\":\"" + dir.resolveSibling("copy") + "\",\"overwrite\":true}");
        assertThat(backup.status()).isEqualTo(400);
        assertThat(backup.json().get("error").asText()).isEqualTo("unknown field 'overwrite' (this call takes target)");
        assertThat(dir.resolveSibling("copy")).doesNotExist();
    }

    @Test
    void putThenGetShowsTextJsonAndHex() throws Exception {
        assertThat(client.put("/api/kv", json(Map.of("key", "user:1", "value", "{\"name\":\"Ada\",\"tags\":[1,2]}")))
                .status()).isEqualTo(200);
        assertThat(new String(db.get("user:1".getBytes(UTF_8)), UTF_8)).isEqualTo("{\"name\":\"Ada\",\"tags\":[1,2]}");
        JsonNode v = client.get("/api/kv?key=user%3A1").json();
        assertThat(v.get("kind").asText()).isEqualTo("json");
        assertThat(v.get("size").asInt()).isEqualTo(27);
        assertThat(v.get("text").asText()).isEqualTo("{\"name\":\"Ada\",\"tags\":[1,2]}");
        assertThat(v.get("pretty").asText()).isEqualTo("{\n  \"name\": \"Ada\",\n  \"tags\": [\n    1,\n    2\n  ]\n}");
        assertThat(v.get("hex").asText()).startsWith("00000000  7b 22 6e 61 6d 65 22 3a  22 41 64 61 22 2c 22 74  |{\"name\":\"Ada\",\"t|\n");
        assertThat(v.get("key").get("hex").asText()).isEqualTo(HexFormat.of().formatHex("user:1".getBytes(UTF_8)));

        client.put("/api/kv", json(Map.of("key", "plain", "value", "just text, {not json")));
        JsonNode t = client.get("/api/kv?key=plain").json();
        assertThat(t.get("kind").asText()).isEqualTo("text");
        assertThat(t.has("pretty")).isFalse();
        client.put("/api/kv", json(Map.of("key", "trailing", "value", "{\"a\":1} {")));
        assertThat(client.get("/api/kv?key=trailing").json().get("kind").asText()).isEqualTo("text");
    }

    @Test
    void binaryKeysAndValuesRoundTripByHexAndBase64() throws Exception {
        byte[] key = {0, (byte) 0xFF, (byte) 0xC3, 0x28};
        byte[] value = {(byte) 0x80, 1, 2, 3, (byte) 0xFE};
        String keyHex = HexFormat.of().formatHex(key);
        assertThat(client.put("/api/kv", json(Map.of("hex", keyHex,
                "valueBase64", Base64.getEncoder().encodeToString(value)))).status()).isEqualTo(200);
        assertThat(db.get(key)).isEqualTo(value);
        JsonNode v = client.get("/api/kv?hex=" + keyHex).json();
        assertThat(v.get("kind").asText()).isEqualTo("binary");
        assertThat(v.has("text")).isFalse();
        assertThat(v.get("key").get("key").isNull()).isTrue();
        assertThat(v.get("hex").asText()).isEqualTo(
                "00000000  80 01 02 03 fe                                    |.....|\n");
        TestClient.Response raw = client.get("/api/kv/raw?hex=" + keyHex);
        assertThat(raw.status()).isEqualTo(200);
        assertThat(raw.header("Content-Type")).isEqualTo("application/octet-stream");
        assertThat(raw.header("Content-Disposition")).startsWith("attachment");
        assertThat(raw.body()).isEqualTo(value);
    }

    @Test
    void xssPayloadAsKeyAndValueIsReturnedJsonEscapedAndExact() throws Exception {
        client.put("/api/kv", json(Map.of("key", XSS, "value", XSS)));
        String listing = "/api/keys?prefix=" + q(XSS.substring(0, 4));
        for (TestClient.Response r : List.of(client.get(listing), client.get("/api/kv?key=" + q(XSS)))) {
            assertThat(r.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
            assertThat(r.text()).doesNotContain("<", ">", "&", "'", "\u2028").contains("\\u003C", "\\u003E");
        }
        assertThat(client.get(listing).json().get("keys").get(0).get("key").asText()).isEqualTo(XSS);
        JsonNode v = client.get("/api/kv?key=" + q(XSS)).json();
        assertThat(v.get("key").get("key").asText()).isEqualTo(XSS);
        assertThat(v.get("text").asText()).isEqualTo(XSS);
        assertThat(new String(db.get(XSS.getBytes(UTF_8)), UTF_8)).isEqualTo(XSS);
        // An error message quoting the key is escaped too.
        TestClient.Response missing = client.get("/api/kv?key=" + q(XSS + "missing"));
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.text()).doesNotContain("<", ">");
        assertThat(missing.json().get("error").asText()).contains(XSS);
    }

    @Test
    void keysArePagedByCursorInOrderAndFilteredByPrefix() {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            String k = String.format("user:%03d", i);
            db.put(k.getBytes(UTF_8), "v".getBytes(UTF_8));
            expected.add(k);
        }
        db.put("order:1".getBytes(UTF_8), "v".getBytes(UTF_8));
        db.put("uses".getBytes(UTF_8), "v".getBytes(UTF_8));
        List<String> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            JsonNode page = client.get("/api/keys?prefix=user%3A&limit=50" + (after == null ? "" : "&after=" + after))
                    .json();
            pages++;
            assertThat(page.get("keys").size()).isLessThanOrEqualTo(50);
            page.get("keys").forEach(k -> seen.add(k.get("key").asText()));
            if (after == null) {
                assertThat(page.get("count").asInt()).isEqualTo(120);
                assertThat(page.get("countIsLowerBound").asBoolean()).isFalse();
            } else {
                assertThat(page.has("count")).isFalse();
            }
            after = page.get("next").isNull() ? null : page.get("next").asText();
        } while (after != null);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).isEqualTo(expected);
        JsonNode all = client.get("/api/keys?limit=1000&prefix=o").json();
        assertThat(all.get("count").asInt()).isEqualTo(1);
        assertThat(all.get("keys").get(0).get("key").asText()).isEqualTo("order:1");
        JsonNode u = client.get("/api/keys?limit=1000&prefix=u").json();
        assertThat(u.get("count").asInt()).isEqualTo(121);
        assertThat(u.get("keys").get(120).get("key").asText()).isEqualTo("uses");
        // The document store's own keys (the baseline) are listed only on request.
        assertThat(client.get("/api/keys?limit=1000").json().get("count").asLong()).isEqualTo(122);
        assertThat(client.get("/api/keys?limit=1000&all=true").json().get("count").asLong()).isEqualTo(baseline + 122);
        assertThat(all.get("next").isNull()).isTrue();
        JsonNode byHex = client.get("/api/keys?prefixHex=" + HexFormat.of().formatHex("ord".getBytes(UTF_8))).json();
        assertThat(byHex.get("keys")).hasSize(1);
    }

    @Test
    void aCursorBeforeThePrefixStartsAtThePrefix() {
        db.put("a".getBytes(UTF_8), "v".getBytes(UTF_8));
        db.put("b1".getBytes(UTF_8), "v".getBytes(UTF_8));
        JsonNode page = client.get("/api/keys?prefix=b&after=" + HexFormat.of().formatHex("a".getBytes(UTF_8))).json();
        assertThat(page.get("keys").get(0).get("key").asText()).isEqualTo("b1");
    }

    @Test
    void countStopsAtTheLimitForHugePrefixes() {
        for (int i = 0; i <= KeyValueApi.COUNT_LIMIT; i++) {
            db.putAsync(("k" + i).getBytes(UTF_8), new byte[0]);
        }
        db.sync();
        JsonNode page = client.get("/api/keys?limit=10").json();
        assertThat(page.get("count").asInt()).isEqualTo(KeyValueApi.COUNT_LIMIT);
        assertThat(page.get("countIsLowerBound").asBoolean()).isTrue();
        assertThat(page.get("keys")).hasSize(10);
    }

    @Test
    void deleteRemovesTheKeyAndSaysWhetherItExisted() throws Exception {
        client.put("/api/kv", json(Map.of("key", "gone", "value", "x")));
        assertThat(client.delete("/api/kv?key=gone").json().get("deleted").asBoolean()).isTrue();
        assertThat(db.get("gone".getBytes(UTF_8))).isNull();
        assertThat(client.delete("/api/kv?key=gone").json().get("deleted").asBoolean()).isFalse();
        assertThat(client.get("/api/kv?key=gone").status()).isEqualTo(404);
    }

    @Test
    void putWithTtlExpires() throws Exception {
        client.put("/api/kv", json(Map.of("key", "session", "value", "s", "ttlSeconds", 60)));
        JsonNode fresh = client.get("/api/kv?key=session").json();
        assertThat(fresh.get("ttlSeconds").asLong()).isEqualTo(60);
        assertThat(fresh.get("expiresAtMillis").asLong()).isEqualTo(clock.now.plusSeconds(60).toEpochMilli());
        clock.now = clock.now.plus(Duration.ofMillis(59_500));
        assertThat(client.get("/api/kv?key=session").json().get("ttlSeconds").asLong()).isEqualTo(1);
        client.put("/api/kv", json(Map.of("key", "forever", "value", "f")));
        assertThat(client.get("/api/kv?key=forever").json().has("ttlSeconds")).isFalse();
        clock.now = clock.now.plus(Duration.ofSeconds(1));
        assertThat(client.get("/api/kv?key=session").status()).isEqualTo(404);
        assertThat(client.get("/api/keys?prefix=session").json().get("count").asInt()).isZero();
    }

    @Test
    void badRequestsGet400WithAMessageAndWriteNothing() {
        Map<String, String> cases = Map.of(
                "{\"value\":\"v\"}", "name the key",
                "{\"key\":\"k\"}", "give the value",
                "{\"key\":\"k\",\"value\":\"v\",\"ttlSeconds\":0}", "ttlSeconds",
                "{\"key\":\"k\",\"value\":\"v\",\"ttlSeconds\":1.5}", "ttlSeconds",
                "{\"hex\":\"0z\",\"value\":\"v\"}", "'hex' is not valid hex: 'z' at position 2 is not a hex digit",
                "{\"hex\":\"abc\",\"value\":\"v\"}", "3 digits, an odd number",
                "{\"key\":\"k\",\"valueBase64\":\"AA*\"}", "not valid base64: '*' at position 3 is not a base64 character",
                "[1]", "must be a JSON object",
                "{\"key\":", "not valid JSON",
                "{\"key\":\"k\",\"value\":\"v\"} trailing", "not valid JSON");
        cases.forEach((body, message) -> {
            TestClient.Response r = client.put("/api/kv", body);
            assertThat(r.status()).as(body).isEqualTo(400);
            assertThat(r.json().get("error").asText()).as(body).contains(message);
        });
        TestClient.Response tooLong = client.put("/api/kv",
                "{\"key\":\"" + "k".repeat(70_000) + "\",\"value\":\"v\"}");
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.json().get("error").asText()).contains("MAX_KEY_SIZE");
        assertThat(client.get("/api/kv").status()).isEqualTo(400);
        assertThat(client.get("/api/keys?limit=0").json().get("error").asText()).contains("between 1 and 1000");
        assertThat(client.get("/api/keys?limit=ten").status()).isEqualTo(400);
        assertThat(client.get("/api/keys?after=xyz").status()).isEqualTo(400);
        // The words of the CLI's --hex and --base64 (ProblemWording), not the JDK's ("not a hexadecimal digit").
        assertThat(client.get("/api/keys?after=xyz").json().get("error").asText())
                .isEqualTo("'after' is not valid hex: 'x' at position 1 is not a hex digit (0-9, a-f)");
        assertThat(client.put("/api/kv", "{\"key\":\"k\",\"valueBase64\":\"A\"}").json().get("error").asText())
                .isEqualTo("'valueBase64' is not valid base64: 1 characters before any padding leave a last group"
                        + " of 1, which holds no whole byte (base64 comes in groups of 4 characters, the last of 2 to"
                        + " 4)");
        assertThat(client.get("/api/keys?limit=1&limit=2").json().get("error").asText()).contains("more than once");
        assertThat(db.size()).isEqualTo(baseline);
    }

    @Test
    void unknownPathsAndMethodsAreRefused() {
        assertThat(client.get("/api/nothing").status()).isEqualTo(404);
        TestClient.Response r = client.send("PATCH", "/api/kv", Map.of("X-FerrumDB-Token", client.token()), "{}");
        assertThat(r.status()).isEqualTo(405);
        assertThat(r.header("Allow")).isEqualTo("DELETE, GET, HEAD, PUT");
        assertThat(client.put("/static/app.js", "{}").status()).isEqualTo(405);
    }

    @Test
    void infoDescribesTheDatabase() {
        JsonNode info = client.get("/api/info").json();
        assertThat(info.get("database").asText()).isEqualTo(db.directory().toString());
        assertThat(info.get("readOnly").asBoolean()).isFalse();
        assertThat(info.get("features").get("keyValue").asBoolean()).isTrue();
    }
}
