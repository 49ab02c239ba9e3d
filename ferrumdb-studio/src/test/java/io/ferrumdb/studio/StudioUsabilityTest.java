package io.ferrumdb.studio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.doc.DocumentStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Studio behaviours users of RedisInsight and Compass expect, through the HTTP API. */
class StudioUsabilityTest {
    @TempDir
    Path dir;
    Studio studio;
    TestClient client;

    @BeforeEach
    void start() {
        studio = Studio.start(StudioConfig.builder(dir.resolve("db")).port(0).build());
        client = new TestClient(studio);
    }

    @AfterEach
    void stop() {
        studio.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private TestClient.Response post(String path, String json) {
        return client.send("POST", path, Map.of("X-FerrumDB-Token", studio.token()), json);
    }

    @Test
    void aValueOf64MebibytesCanBeWritten() {
        int size = 64 << 20;
        String json = "{\"key\":\"big\",\"valueBase64\":\"" + Base64.getEncoder().encodeToString(new byte[size]) + "\"}";
        TestClient.Response put = client.put("/api/kv", json);
        assertThat(put.status()).as(put.text()).isEqualTo(200);
        assertThat(studio.database().get(b("big"))).hasSize(size);
    }

    @Test
    void theCookieHoldsASessionIdAndLogoutEndsIt() {
        String cookie = client.login();
        assertThat(cookie).doesNotContain(studio.token());
        Map<String, String> page = Map.of("Cookie", cookie, "Sec-Fetch-Site", "same-origin");
        assertThat(client.send("GET", "/api/info", page, null).status()).isEqualTo(200);
        TestClient.Response logout = client.send("POST", "/api/logout", page, null);
        assertThat(logout.status()).isEqualTo(200);
        assertThat(logout.header("Set-Cookie")).contains("Max-Age=0");
        TestClient.Response after = client.send("GET", "/api/info", page, null);
        assertThat(after.status()).isEqualTo(401);
        assertThat(after.json().get("error").asText()).contains("session has ended");
        // The token header stays the credential of scripts.
        assertThat(client.get("/api/info").status()).isEqualTo(200);
    }

    @Test
    void anExpiredOrStaleLinkShowsAPageThatSaysWhatToDo() {
        TestClient.Response stale = client.send("GET", "/?token=" + "A".repeat(43), Map.of(), null);
        assertThat(stale.status()).isEqualTo(401);
        assertThat(stale.header("Content-Type")).startsWith("text/html");
        assertThat(stale.text()).contains("no longer valid").contains("Open http://");
        assertThat(stale.header("Content-Security-Policy")).isEqualTo(Guard.CONTENT_SECURITY_POLICY);
        TestClient.Response ended = client.send("GET", "/", Map.of("Cookie", "ferrumdb_studio_" + studio.port()
                + "=gone"), null);
        assertThat(ended.status()).isEqualTo(401);
        assertThat(ended.text()).contains("session has ended");
        assertThat(client.send("GET", "/api/keys", Map.of(), null).json().get("error").asText()).contains("no token");
    }

    @Test
    void theAddressTypedWithoutTheLinkAsksForTheLinkInsteadOfCallingItStale() {
        for (String path : List.of("/", "/?")) {
            TestClient.Response bare = client.send("GET", path, Map.of(), null);
            assertThat(bare.status()).as(path).isEqualTo(401);
            assertThat(bare.text()).as(path).contains("<h1>Open the link Studio printed</h1>")
                    .contains("Open http://").doesNotContain("no longer valid");
        }
    }

    @Test
    void badBackupTargetsAre400NamingTheProblem() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        TestClient.Response onFile = post("/api/backup", "{\"target\":\"" + file + "\"}");
        assertThat(onFile.status()).isEqualTo(400);
        assertThat(onFile.json().get("error").asText()).contains(file.toString()).contains("is a file");
        Path orphan = dir.resolve("missing/parent/backup");
        TestClient.Response noParent = post("/api/backup", "{\"target\":\"" + orphan + "\"}");
        assertThat(noParent.status()).isEqualTo(400);
        assertThat(noParent.json().get("error").asText()).contains(orphan.getParent().toString())
                .contains("does not exist");
        assertThat(noParent.text()).doesNotContain("Exception");
        assertThat(post("/api/backup", "{\"target\":\"" + dir.resolve("good") + "\"}").status()).isEqualTo(200);
    }

    @Test
    void ttlIsBoundedAndPlainSeconds() {
        TestClient.Response huge = client.put("/api/kv", "{\"key\":\"k\",\"value\":\"v\",\"ttlSeconds\":"
                + Long.MAX_VALUE + "}");
        assertThat(huge.status()).isEqualTo(400);
        assertThat(huge.json().get("error").asText()).contains("1 to " + KeyValueApi.MAX_TTL_SECONDS);
        assertThat(client.put("/api/kv", "{\"key\":\"k\",\"value\":\"v\",\"ttlSeconds\":"
                + KeyValueApi.MAX_TTL_SECONDS + "}").status()).isEqualTo(200);
        assertThat(studio.database().get(b("k"))).isEqualTo(b("v"));
    }

    @Test
    void theEmptyKeyIsAKeyAsInTheEngine() {
        assertThat(client.put("/api/kv", "{\"key\":\"\",\"value\":\"empty\"}").status()).isEqualTo(200);
        assertThat(client.get("/api/kv?key=").json().get("text").asText()).isEqualTo("empty");
        assertThat(client.get("/api/kv?hex=").json().get("text").asText()).isEqualTo("empty");
        assertThat(client.get("/api/keys").json().get("keys").get(0).get("hex").asText()).isEmpty();
        assertThat(studio.database().get(new byte[0])).isEqualTo(b("empty"));
    }

    @Test
    void expireAndPersistKeepTheStoredValueExactly() {
        byte[] binary = {0, (byte) 0xFF, (byte) 0xC3, 0x28, 1};
        studio.database().put(b("bin"), binary);
        TestClient.Response expire = post("/api/kv/ttl", "{\"key\":\"bin\",\"ttlSeconds\":5000}");
        assertThat(expire.status()).as(expire.text()).isEqualTo(200);
        FerrumDB db = studio.database();
        assertThat(db.get(b("bin"))).isEqualTo(binary);
        long left = db.expiresAt(b("bin")) - System.currentTimeMillis();
        assertThat(left).isBetween(4_000_000L, 5_000_000L);
        JsonNode shown = client.get("/api/kv?key=bin").json();
        assertThat(shown.get("ttlSeconds").asLong()).isBetween(4_000L, 5_000L);
        assertThat(post("/api/kv/ttl", "{\"key\":\"bin\",\"ttlSeconds\":null}").status()).isEqualTo(200);
        assertThat(db.expiresAt(b("bin"))).isZero();
        assertThat(db.get(b("bin"))).isEqualTo(binary);
        assertThat(post("/api/kv/ttl", "{\"key\":\"nope\",\"ttlSeconds\":5}").status()).isEqualTo(404);
        assertThat(post("/api/kv/ttl", "{\"key\":\"bin\"}").status()).isEqualTo(400);
    }

    @Test
    void bulkDeleteByPrefixNeedsTheConfirmedCount() {
        for (String k : new String[] {"a:1", "a:2", "a:3", "b:1"}) {
            studio.database().put(b(k), b("v"));
        }
        assertThat(client.get("/api/kv/count?prefix=a:").json().get("count").asLong()).isEqualTo(3);
        TestClient.Response stale = post("/api/kv/delete-prefix", "{\"prefix\":\"a:\",\"expectedCount\":2}");
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.json().get("count").asLong()).isEqualTo(3);
        assertThat(studio.database().get(b("a:1"))).isNotNull();
        TestClient.Response done = post("/api/kv/delete-prefix", "{\"prefix\":\"a:\",\"expectedCount\":3}");
        assertThat(done.json().get("deleted").asLong()).isEqualTo(3);
        assertThat(studio.database().get(b("a:2"))).isNull();
        assertThat(studio.database().get(b("b:1"))).isNotNull();
        assertThat(post("/api/kv/delete-prefix", "{\"prefix\":\"b:\"}").status()).isEqualTo(400);
    }

    /**
     * Audit 27c: a prefix given both ways had {@code prefixHex} win silently, so a bulk delete of
     * {@code prefix=a:, prefixHex=623a} removed the b: keys; and {@code all=yes} read as false.
     */
    @Test
    void aPrefixGivenBothWaysAndAFlagThatIsNotTrueOrFalseAreRefused() {
        for (String k : new String[] {"a:1", "b:1"}) {
            studio.database().put(b(k), b("v"));
        }
        TestClient.Response delete = post("/api/kv/delete-prefix",
                "{\"prefix\":\"a:\",\"prefixHex\":\"623a\",\"expectedCount\":1}");
        assertThat(delete.status()).isEqualTo(400);
        assertThat(delete.json().get("error").asText())
                .isEqualTo("name the prefix with 'prefixHex' or 'prefix', not both");
        assertThat(studio.database().get(b("b:1"))).isNotNull();
        assertThat(studio.database().get(b("a:1"))).isNotNull();
        for (String path : new String[] {"/api/keys", "/api/kv/count", "/api/export"}) {
            assertThat(client.get(path + "?prefix=a:&prefixHex=623a").status()).as(path).isEqualTo(400);
        }
        TestClient.Response yes = client.get("/api/keys?all=yes");
        assertThat(yes.status()).isEqualTo(400);
        assertThat(yes.json().get("error").asText()).isEqualTo("query parameter 'all' must be true or false, got 'yes'");
        assertThat(client.get("/api/kv/count?all=1").status()).isEqualTo(400);
        assertThat(client.get("/api/keys?all=false").status()).isEqualTo(200);
    }

    @Test
    void theDocumentStoresOwnKeysAreHiddenUnlessAskedFor() {
        TestClient.Response doc = client.put("/api/document", "{\"collection\":\"users\",\"id\":\"u1\","
                + "\"document\":{\"name\":\"Ada\"}}");
        assertThat(doc.status()).as(doc.text()).isEqualTo(200);
        studio.database().put(b("plain"), b("v"));
        JsonNode shown = client.get("/api/keys").json();
        assertThat(shown.get("count").asLong()).isEqualTo(1);
        assertThat(shown.get("keys").get(0).get("key").asText()).isEqualTo("plain");
        assertThat(client.get("/api/keys?all=true").json().get("count").asLong()).isGreaterThan(2);
        assertThat(DocumentStore.internalKeys().contains(new byte[] {0x01, 'u'})).isTrue();
    }

    @Test
    void theDownloadIsNamedAfterTheKey() {
        studio.database().put(b("photos/cat \u00e9.jpg"), b("jpeg"));
        TestClient.Response raw = client.get("/api/kv/raw?key=" + java.net.URLEncoder.encode("photos/cat \u00e9.jpg",
                StandardCharsets.UTF_8));
        assertThat(raw.header("Content-Disposition"))
                .isEqualTo("attachment; filename=\"photos_cat _.jpg\"; filename*=UTF-8''photos_cat%20%C3%A9.jpg");
        studio.database().put(new byte[] {(byte) 0xFF, 0}, b("x"));
        assertThat(client.get("/api/kv/raw?hex=ff00").header("Content-Disposition")).contains("filename=\"ff00\"");
    }

    @Test
    void readOnlyRefusalsSayWhichMethodsAreAllowed() {
        studio.close();
        studio = Studio.start(StudioConfig.builder(dir.resolve("db")).port(0).readOnly(true).build());
        client = new TestClient(studio);
        TestClient.Response put = client.put("/api/kv", "{\"key\":\"k\",\"value\":\"v\"}");
        assertThat(put.status()).isEqualTo(405);
        assertThat(put.header("Allow")).isEqualTo("DELETE, GET, HEAD, PUT".replace("DELETE, ", "")
                .replace(", PUT", ""));
        assertThat(post("/api/kv/ttl", "{\"key\":\"k\",\"ttlSeconds\":5}").header("Allow")).isEmpty();
    }
    @Test
    void theLiveTailStreamsCounterDeltasAsServerSentEvents() throws Exception {
        try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), studio.port())) {
            socket.setSoTimeout(60_000);
            socket.getOutputStream().write(("GET /api/tail HTTP/1.1\r\nHost: 127.0.0.1:" + studio.port()
                    + "\r\nX-FerrumDB-Token: " + studio.token() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                    socket.getInputStream(), StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
            studio.database().put(b("t1"), b("v"));
            studio.database().put(b("t2"), b("v"));
            long puts = 0;
            for (int events = 0; events < 5 && puts < 2; ) {
                String line = in.readLine();
                assertThat(line).as("the stream ended early").isNotNull();
                if (line.startsWith("data: ")) {
                    events++;
                    puts += Json.MAPPER.readTree(line.substring(6)).get("puts").asLong();
                }
            }
            assertThat(puts).isEqualTo(2);
        }
    }
}
