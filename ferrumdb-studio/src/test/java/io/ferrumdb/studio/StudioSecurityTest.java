package io.ferrumdb.studio;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StudioSecurityTest {
    @TempDir
    Path dir;
    Studio studio;
    TestClient client;
    String cookie;
    /** Keys a new Studio database holds before the test writes any (the document store's format marker). */
    long baseline;

    @BeforeEach
    void start() {
        studio = Studio.start(StudioConfig.builder(dir).port(0).build());
        client = new TestClient(studio);
        cookie = client.login();
        baseline = studio.database().size();
    }

    @AfterEach
    void stop() {
        studio.close();
    }

    private Map<String, String> withCookie(String... extra) {
        Map<String, String> h = new HashMap<>();
        h.put("Cookie", cookie);
        for (int i = 0; i < extra.length; i += 2) {
            h.put(extra[i], extra[i + 1]);
        }
        return h;
    }

    private String putBody(String key) {
        return "{\"key\":\"" + key + "\",\"value\":\"v\"}";
    }

    @Test
    void bindsLoopbackByDefaultAndTheLoginUrlCarriesA256BitToken() {
        assertThat(StudioConfig.builder(dir).build().bindAddress().isLoopbackAddress()).isTrue();
        assertThat(studio.loginUri().toString()).startsWith("http://127.0.0.1:" + studio.port() + "/?token=");
        String token = studio.loginUri().getQuery().substring("token=".length());
        assertThat(Base64.getUrlDecoder().decode(token)).hasSize(32);
    }

    @Test
    void everyStartHasAnotherToken() {
        String first = studio.token();
        studio.close();
        studio = Studio.start(StudioConfig.builder(dir).port(0).build());
        assertThat(studio.token()).isNotEqualTo(first);
    }

    @Test
    void requestsWithoutTokenGet401EverywhereIncludingPagesAndAssets() {
        for (String path : new String[] {"/api/info", "/api/keys", "/api/metrics", "/", "/static/app.js", "/nope"}) {
            TestClient.Response r = client.send("GET", path, Map.of(), null);
            assertThat(r.status()).as(path).isEqualTo(401);
            // A page gets a page saying what to do; the API gets JSON.
            assertThat(path.startsWith("/api/") ? r.json().get("error").asText() : r.text()).contains("no token");
        }
        assertThat(client.send("PUT", "/api/kv", Map.of(), putBody("k")).status()).isEqualTo(401);
        assertThat(studio.database().get("k".getBytes(StandardCharsets.UTF_8))).isNull();
    }

    @Test
    void wrongTokenIn401ForHeaderCookieAndLoginUrl() {
        String wrong = studio.token().substring(1) + "x";
        assertThat(client.send("GET", "/api/info", Map.of("X-FerrumDB-Token", wrong), null).status()).isEqualTo(401);
        assertThat(client.send("GET", "/api/info", Map.of("Cookie", "ferrumdb_studio_" + studio.port() + "=" + wrong),
                null).status()).isEqualTo(401);
        // Another Studio's cookie (another port) is not this one's.
        assertThat(client.send("GET", "/api/info", Map.of("Cookie", "ferrumdb_studio_1=" + studio.token()), null)
                .status()).isEqualTo(401);
        TestClient.Response login = client.send("GET", "/?token=" + wrong, Map.of(), null);
        assertThat(login.status()).isEqualTo(401);
        assertThat(login.header("Set-Cookie")).isNull();
        assertThat(client.send("PUT", "/api/kv", Map.of("X-FerrumDB-Token", wrong), putBody("k")).status())
                .isEqualTo(401);
        assertThat(studio.database().size()).isEqualTo(baseline);
    }

    @Test
    void loginUrlSetsAnHttpOnlyStrictCookieAndRedirectsTokenOutOfTheAddressBar() {
        TestClient.Response login = client.send("GET", "/?token=" + studio.token(), Map.of(), null);
        assertThat(login.status()).isEqualTo(303);
        assertThat(login.header("Location")).isEqualTo("/");
        String name = "ferrumdb_studio_" + studio.port() + "=";
        assertThat(login.header("Set-Cookie")).startsWith(name).endsWith("; Path=/; HttpOnly; SameSite=Strict")
                .doesNotContain(studio.token());
        // Each login is its own random session; the token itself is not accepted as a cookie.
        assertThat(login.header("Set-Cookie").split(";")[0]).isNotEqualTo(cookie);
        assertThat(client.send("GET", "/api/info", Map.of("Cookie", name + studio.token()), null).status())
                .isEqualTo(401);
        TestClient.Response page = client.send("GET", "/", withCookie(), null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.text()).contains("<script type=\"module\" src=\"/static/app.js\"></script>");
        assertThat(client.send("GET", "/api/info", withCookie(), null).json().get("readOnly").asBoolean()).isFalse();
    }

    @Test
    void foreignHostHeaderIsRefusedEvenWithTheToken() {
        for (String host : new String[] {"evil.example:" + studio.port(), "evil.example", "127.0.0.1:1",
                "localhost.evil.example:" + studio.port(), "127.0.0.1:" + studio.port() + "@evil"}) {
            TestClient.Response r = client.send("GET", "/api/info",
                    Map.of("Host", host, "X-FerrumDB-Token", studio.token()), null);
            assertThat(r.status()).as(host).isEqualTo(421);
            assertThat(r.json().get("error").asText()).contains("DNS rebinding");
        }
        TestClient.Response login = client.send("GET", "/?token=" + studio.token(),
                Map.of("Host", "evil.example:" + studio.port()), null);
        assertThat(login.status()).isEqualTo(421);
        assertThat(login.header("Set-Cookie")).isNull();
        assertThat(client.raw("GET", "/api/info", Map.of("X-FerrumDB-Token", studio.token()), null).status())
                .as("no Host header").isEqualTo(421);
        assertThat(client.send("PUT", "/api/kv", Map.of("Host", "evil.example:" + studio.port(),
                "X-FerrumDB-Token", studio.token()), putBody("k")).status()).isEqualTo(421);
        assertThat(studio.database().size()).isEqualTo(baseline);
    }

    @Test
    void anAbsoluteFormTargetMustNameThisServerToo() {
        String own = "127.0.0.1:" + studio.port();
        Map<String, String> headers = Map.of("Host", own, "X-FerrumDB-Token", studio.token());
        for (String target : new String[] {"http://evil.example/api/info", "http://evil.example:" + studio.port()
                + "/api/info", "http://x@" + own + "/api/info", "HTTP://EVIL.EXAMPLE?x"}) {
            TestClient.Response r = client.raw("GET", target, headers, null);
            assertThat(r.status()).as(target).isEqualTo(421);
            assertThat(r.json().get("error").asText()).as(target).contains("request target names")
                    .contains("DNS rebinding");
        }
        assertThat(client.raw("PUT", "http://evil.example/api/kv", headers, putBody("k")).status()).isEqualTo(421);
        assertThat(studio.database().size()).isEqualTo(baseline);
        assertThat(client.raw("GET", "http://" + own + "/api/info", headers, null).status()).isEqualTo(200);
        assertThat(client.raw("GET", "http://LOCALHOST:" + studio.port() + "/api/info", headers, null).status())
                .isEqualTo(200);
    }

    @Test
    void aRequestWithoutHostSaysSoInOneSentence() {
        TestClient.Response r = client.raw("GET", "/api/info", Map.of("X-FerrumDB-Token", studio.token()), null);
        assertThat(r.status()).isEqualTo(421);
        assertThat(r.json().get("error").asText())
                .isEqualTo("the request has no Host header; refused (DNS rebinding protection)");
    }

    @Test
    void localhostAndLoopbackNamesAreAccepted() {
        for (String host : new String[] {"127.0.0.1:" + studio.port(), "localhost:" + studio.port(),
                "LocalHost:" + studio.port(), "[::1]:" + studio.port()}) {
            assertThat(client.send("GET", "/api/info", Map.of("Host", host, "X-FerrumDB-Token", studio.token()), null)
                    .status()).as(host).isEqualTo(200);
        }
    }

    @Test
    void crossOriginWritesAreRefusedAndWriteNothing() {
        String self = "http://" + client.host();
        Map<String, Map<String, String>> attacks = new java.util.LinkedHashMap<>();
        attacks.put("cookie, foreign Origin", withCookie("Origin", "http://evil.example"));
        attacks.put("cookie, Origin null", withCookie("Origin", "null"));
        attacks.put("cookie, cross-site fetch", withCookie("Sec-Fetch-Site", "cross-site"));
        attacks.put("cookie, same-site fetch", withCookie("Sec-Fetch-Site", "same-site"));
        attacks.put("cookie, foreign Referer", withCookie("Referer", "http://evil.example/page"));
        attacks.put("cookie, look-alike Referer", withCookie("Referer", self + ".evil.example/"));
        attacks.put("cookie, no origin evidence", withCookie());
        attacks.put("cookie, same-origin fetch but foreign Origin",
                withCookie("Sec-Fetch-Site", "same-origin", "Origin", "http://evil.example"));
        attacks.put("token header, foreign Origin",
                Map.of("X-FerrumDB-Token", studio.token(), "Origin", "http://evil.example"));
        attacks.put("token header, cross-site fetch",
                Map.of("X-FerrumDB-Token", studio.token(), "Sec-Fetch-Site", "cross-site"));
        for (Map.Entry<String, Map<String, String>> attack : attacks.entrySet()) {
            for (String method : new String[] {"PUT", "DELETE", "POST"}) {
                TestClient.Response r = client.send(method, "PUT".equals(method) ? "/api/kv" : "/api/kv?key=k",
                        attack.getValue(), "PUT".equals(method) ? putBody("k") : null);
                assertThat(r.status()).as(attack.getKey() + " " + method).isEqualTo(403);
                assertThat(r.json().get("error").asText()).as(attack.getKey()).containsAnyOf("cross-origin",
                        "same-origin");
            }
        }
        assertThat(studio.database().size()).isEqualTo(baseline);
    }

    @Test
    void sameOriginWritesFromThePagesAndHeaderTokenWritesFromScriptsAreAccepted() {
        String self = "http://" + client.host();
        assertThat(client.send("PUT", "/api/kv", withCookie("Sec-Fetch-Site", "same-origin"), putBody("a")).status())
                .isEqualTo(200);
        assertThat(client.send("PUT", "/api/kv", withCookie("Origin", self), putBody("b")).status()).isEqualTo(200);
        assertThat(client.send("PUT", "/api/kv", withCookie("Referer", self + "/#keys"), putBody("c")).status())
                .isEqualTo(200);
        assertThat(client.send("PUT", "/api/kv", withCookie("Origin", "http://localhost:" + studio.port(),
                "Host", "localhost:" + studio.port()), putBody("d")).status()).isEqualTo(200);
        assertThat(client.put("/api/kv", putBody("e")).status()).isEqualTo(200);
        assertThat(studio.database().size()).isEqualTo(baseline + 5);
    }

    @Test
    void everyResponseCarriesTheSecurityHeaders() {
        TestClient.Response[] responses = {
            client.get("/api/info"),
            client.get("/"),
            client.get("/static/app.js"),
            client.get("/no/such/page"),
            client.send("GET", "/api/info", Map.of(), null),
            client.send("GET", "/api/info", Map.of("Host", "evil.example"), null),
            client.send("PUT", "/api/kv", withCookie("Origin", "http://evil.example"), putBody("k")),
        };
        for (TestClient.Response r : responses) {
            assertThat(r.header("Content-Security-Policy")).as("status " + r.status())
                    .contains("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'",
                            "require-trusted-types-for 'script'")
                    .doesNotContain("unsafe-inline", "unsafe-eval");
            assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
            assertThat(r.header("Referrer-Policy")).isEqualTo("no-referrer");
            assertThat(r.header("Access-Control-Allow-Origin")).isNull();
        }
    }

    @Test
    void pagesHaveNoInlineScriptAndNoExternalAssets() {
        String page = client.get("/").text();
        assertThat(page).doesNotContainPattern("<script(?![^>]*\\bsrc=)");
        assertThat(page).doesNotContain("http://", "https://").doesNotContainPattern("\\son[a-z]+\\s*=");
        for (String asset : new String[] {"/static/app.js", "/static/charts.js", "/static/style.css"}) {
            String body = client.get(asset).text();
            assertThat(body).as(asset).doesNotContain("http://", "https://", "innerHTML", "outerHTML",
                    "insertAdjacentHTML", "document.write", "eval(");
        }
    }

    @Test
    void headRequestsAreCheckedLikeGets() {
        assertThat(client.send("HEAD", "/api/info", Map.of(), null).status()).isEqualTo(401);
        TestClient.Response ok = client.send("HEAD", "/", Map.of("X-FerrumDB-Token", studio.token()), null);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body()).isEmpty();
    }

    @Test
    void corsPreflightIsNeverGranted() {
        TestClient.Response r = client.send("OPTIONS", "/api/kv", Map.of("Origin", "http://evil.example",
                "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "x-ferrumdb-token"), null);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("Access-Control-Allow-Origin")).isNull();
        assertThat(r.header("Access-Control-Allow-Headers")).isNull();
    }

    @Test
    void nonLoopbackBindWarnsAndAllowsOnlyThisMachinesAddresses() throws Exception {
        studio.close();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        studio = Studio.start(StudioConfig.builder(dir).port(0).bindAddress(InetAddress.getByName("0.0.0.0"))
                .console(new PrintStream(console, true, StandardCharsets.UTF_8)).build());
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("WARNING", "reachable from the network",
                "plain HTTP");
        client = new TestClient(studio);
        assertThat(client.get("/api/info").status()).isEqualTo(200);
        assertThat(client.send("GET", "/api/info", Map.of("Host", "evil.example:" + studio.port(),
                "X-FerrumDB-Token", studio.token()), null).status()).isEqualTo(421);
    }

    @Test
    void loopbackBindPrintsNoWarning() {
        studio.close();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        studio = Studio.start(StudioConfig.builder(dir).port(0)
                .console(new PrintStream(console, true, StandardCharsets.UTF_8)).build());
        assertThat(console.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void ipv6HostLiteralsAreWrittenAsBrowsersSendThem() throws Exception {
        assertThat(Studio.hostLiteral(InetAddress.getByName("::1"))).isEqualTo("[::1]");
        assertThat(Studio.hostLiteral(InetAddress.getByName("fe80:0:0:0:1:0:0:2"))).isEqualTo("[fe80::1:0:0:2]");
        assertThat(Studio.hostLiteral(InetAddress.getByName("2001:db8:0:0:0:0:2:1"))).isEqualTo("[2001:db8::2:1]");
        assertThat(Studio.hostLiteral(InetAddress.getByName("2001:db8:1:1:1:1:1:1"))).isEqualTo("[2001:db8:1:1:1:1:1:1]");
        assertThat(Studio.hostLiteral(InetAddress.getByName("::"))).isEqualTo("[::]");
        assertThat(Studio.allowedHosts(InetAddress.getLoopbackAddress(), 7474))
                .contains("127.0.0.1:7474", "localhost:7474", "[::1]:7474").doesNotContain("127.0.0.1");
    }

    @Test
    void aSecondStudioOnTheSameDatabaseFailsClearlyAndLeavesTheFirstRunning() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> Studio.start(StudioConfig.builder(dir).port(0).build()))
                .isInstanceOf(io.ferrumdb.DatabaseLockedException.class);
        assertThat(client.get("/api/info").status()).isEqualTo(200);
    }

    @Test
    void aPortInUseFailsClearlyAndReleasesTheDatabase() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Studio.start(
                        StudioConfig.builder(dir.resolve("other")).port(studio.port()).build()))
                .isInstanceOf(java.io.UncheckedIOException.class)
                .hasMessageContaining("could not listen on 127.0.0.1:" + studio.port());
        try (FerrumDB reopened = FerrumDB.open(dir.resolve("other"))) {
            assertThat(reopened.isClosed()).as("the lock was released").isFalse();
        }
    }
}
