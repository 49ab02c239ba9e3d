package io.ferrumdb.studio;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.doc.DocumentStore;
import io.ferrumdb.doc.Filter;
import java.net.URLEncoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocumentApiTest {
    @TempDir
    Path dir;

    static String q(String s) {
        return URLEncoder.encode(s, UTF_8);
    }

    private static void seed(Path dir) {
        try (DocumentStore store = DocumentStore.open(dir)) {
            var users = store.collection("users");
            for (int i = 0; i < 30; i++) {
                users.put("u" + String.format("%02d", i), "{\"name\":\"User " + i + "\",\"age\":" + (20 + i)
                        + ",\"address\":{\"city\":\"" + (i % 3 == 0 ? "London" : "Paris") + "\"},\"tags\":[\"t"
                        + (i % 2) + "\"]}");
            }
            users.createIndex("address.city");
            store.collection("empty");
        }
    }

    private static List<String> ids(JsonNode query) {
        List<String> ids = new ArrayList<>();
        query.get("results").forEach(r -> ids.add(r.get("id").asText()));
        return ids;
    }

    @Test
    void collectionsListTheirCountsAndIndexes() {
        seed(dir);
        try (Studio studio = Studio.start(StudioConfig.builder(dir).port(0).build())) {
            TestClient client = new TestClient(studio);
            assertThat(client.get("/api/info").json().get("features").get("documents").asBoolean()).isTrue();
            JsonNode cs = client.get("/api/collections").json().get("collections");
            assertThat(cs).hasSize(2);
            assertThat(cs.get(0).get("name").asText()).isEqualTo("empty");
            assertThat(cs.get(1).get("name").asText()).isEqualTo("users");
            assertThat(cs.get(1).get("count").asLong()).isEqualTo(30);
            assertThat(cs.get(1).get("indexes").get(0).get("path").asText()).isEqualTo("address.city");
            assertThat(cs.get(1).get("indexes").get(0).get("unique").asBoolean()).isFalse();
        }
    }

    @Test
    void aQueryReturnsItsPlanCountAndOnePageOfResults() {
        seed(dir);
        try (Studio studio = Studio.start(StudioConfig.builder(dir).port(0).build())) {
            TestClient client = new TestClient(studio);
            // London: i % 3 == 0; age 20 + i >= 30: i >= 10.
            JsonNode indexed = client.get("/api/query?collection=users&filter="
                    + q("{\"address.city\": \"London\", \"age\": {\"$gte\": 30}}")).json();
            assertThat(indexed.get("plan").get("usesIndex").asBoolean()).isTrue();
            assertThat(indexed.get("plan").get("indexes").get(0).asText()).isEqualTo("address.city");
            assertThat(indexed.get("plan").get("summary").asText()).startsWith("INDEX ");
            assertThat(indexed.get("count").asLong()).isEqualTo(6);
            assertThat(ids(indexed)).containsExactly("u12", "u15", "u18", "u21", "u24", "u27");
            JsonNode first = indexed.get("results").get(0);
            assertThat(first.get("pretty").asText()).contains("\n  \"name\": \"User 12\",\n");
            assertThat(Json.PLAIN.readTree(first.get("json").asText()).get("age").asInt()).isEqualTo(32);

            JsonNode scan = client.get("/api/query?collection=users&filter=" + q("{\"tags\": \"t1\"}")
                    + "&sort=age&order=desc&limit=3&offset=1").json();
            assertThat(scan.get("plan").get("usesIndex").asBoolean()).isFalse();
            assertThat(scan.get("plan").get("summary").asText()).startsWith("SCAN ");
            assertThat(scan.get("count").asLong()).isEqualTo(15);
            assertThat(ids(scan)).containsExactly("u27", "u25", "u23");

            JsonNode all = client.get("/api/query?collection=users&limit=1000").json();
            assertThat(all.get("count").asLong()).isEqualTo(30);
            assertThat(all.get("results")).hasSize(30);
            JsonNode logic = client.get("/api/query?collection=users&filter=" + q("{\"$or\": [{\"age\": {\"$lt\": 22}},"
                    + " {\"name\": {\"$startsWith\": \"User 2\"}}], \"$not\": {\"age\": {\"$in\": [20, 43]}}}")).json();
            // age < 22: u00 (20, excluded by $not), u01; name "User 2", "User 20".."User 29": u02, u20..u29 minus u23 (43).
            assertThat(ids(logic)).containsExactly("u01", "u02", "u20", "u21", "u22", "u24", "u25", "u26", "u27",
                    "u28", "u29");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void badQueriesGet400NamingTheProblemAndUnknownCollections404() {
        seed(dir);
        try (Studio studio = Studio.start(StudioConfig.builder(dir).port(0).build())) {
            TestClient client = new TestClient(studio);
            Map<String, String> cases = Map.of(
                    "{\"age\": {\"$near\": 3}}", "unknown operator '$near'",
                    "{\"$xor\": []}", "'$xor'",
                    "{\"tags\": [\"a\"]}", "scalars",
                    "{\"age\": {\"$in\": 3}}", "$in on 'age' takes an array",
                    "{\"age\": {\"$exists\": 1}}", "takes true or false",
                    "{\"age\": {\"$between\": [1]}}", "takes [fromInclusive, toExclusive]",
                    "{\"age\": {\"$eq\": {\"a\": 1}}}", "scalars",
                    "[1]", "must be a JSON object",
                    "{\"age\": ", "invalid filter JSON",
                    "{\"$or\": {}}", "$or takes an array");
            cases.forEach((filter, message) -> {
                TestClient.Response r = client.get("/api/query?collection=users&filter=" + q(filter));
                assertThat(r.status()).as(filter).isEqualTo(400);
                assertThat(r.json().get("error").asText()).as(filter).startsWith("bad filter: ").contains(message);
            });
            assertThat(client.get("/api/query?collection=users&order=up&sort=age").status()).isEqualTo(400);
            // Audit 27c: 'order' without 'sort' was ignored, so order=desc answered in ascending id order.
            TestClient.Response orderAlone = client.get("/api/query?collection=users&order=desc");
            assertThat(orderAlone.status()).isEqualTo(400);
            assertThat(orderAlone.json().get("error").asText()).isEqualTo("'order' needs 'sort', the path to order by");
            assertThat(client.get("/api/query?collection=nope").status()).isEqualTo(404);
            assertThat(client.get("/api/query").status()).isEqualTo(400);
            assertThat(client.get("/api/collections").json().get("collections")).hasSize(2);
        }
    }

    @Test
    void documentsArePutReadAndDeletedAndIndexesCreated() {
        seed(dir);
        try (Studio studio = Studio.start(StudioConfig.builder(dir).port(0).build())) {
            TestClient client = new TestClient(studio);
            String xss = "<script>alert(1)</script>";
            TestClient.Response put = client.put("/api/document", "{\"collection\":\"notes\",\"id\":\"n1\","
                    + "\"document\":{\"title\":\"" + xss + "\",\"email\":\"a@x\"}}");
            assertThat(put.status()).isEqualTo(200);
            assertThat(put.text()).doesNotContain("<", ">");
            JsonNode got = client.get("/api/document?collection=notes&id=n1").json();
            assertThat(got.get("json").asText()).isEqualTo("{\"title\":\"" + xss + "\",\"email\":\"a@x\"}");
            assertThat(client.put("/api/document", "{\"collection\":\"notes\",\"id\":\"n2\","
                    + "\"document\":\"{\\\"email\\\":\\\"b@x\\\"}\"}").status()).as("document as text").isEqualTo(200);

            JsonNode index = client.send("POST", "/api/index", Map.of("X-FerrumDB-Token", client.token()),
                    "{\"collection\":\"notes\",\"path\":\"email\",\"unique\":true}").json();
            assertThat(index.get("indexes").get(0).get("unique").asBoolean()).isTrue();
            TestClient.Response duplicate = client.put("/api/document",
                    "{\"collection\":\"notes\",\"id\":\"n3\",\"document\":{\"email\":\"a@x\"}}");
            assertThat(duplicate.status()).isEqualTo(409);
            assertThat(client.get("/api/document?collection=notes&id=n3").status()).isEqualTo(404);
            JsonNode byEmail = client.get("/api/query?collection=notes&filter=" + q("{\"email\": \"b@x\"}")).json();
            assertThat(byEmail.get("plan").get("usesIndex").asBoolean()).isTrue();
            assertThat(ids(byEmail)).containsExactly("n2");

            assertThat(client.delete("/api/document?collection=notes&id=n1").json().get("deleted").asBoolean()).isTrue();
            assertThat(client.delete("/api/document?collection=notes&id=n1").json().get("deleted").asBoolean()).isFalse();
            assertThat(client.put("/api/document", "{\"collection\":\"notes\",\"id\":\"n4\",\"document\":[1]}")
                    .json().get("error").asText()).contains("must be a JSON object");
            assertThat(client.put("/api/document", "{\"collection\":\"notes\",\"document\":{}}").status())
                    .isEqualTo(400);
            // 2^64 + 1 seconds: asLong() wrapped it to a TTL of one second.
            TestClient.Response wrapped = client.put("/api/document", "{\"collection\":\"notes\",\"id\":\"n5\","
                    + "\"document\":{},\"ttlSeconds\":18446744073709551617}");
            assertThat(wrapped.status()).isEqualTo(400);
            assertThat(wrapped.json().get("error").asText()).contains("'ttlSeconds' must be a whole number of seconds");
            // The key-value rule, 100 years at most, for documents too: Long.MAX_VALUE seconds was stored.
            for (String ttl : List.of("9223372036854775807", "3153600001")) {
                TestClient.Response tooLong = client.put("/api/document", "{\"collection\":\"notes\",\"id\":\"n6\","
                        + "\"document\":{},\"ttlSeconds\":" + ttl + "}");
                assertThat(tooLong.status()).as(ttl).isEqualTo(400);
                assertThat(tooLong.json().get("error").asText()).as(ttl).isEqualTo("'ttlSeconds' must be a whole number"
                        + " of seconds from 1 to 3153600000 (100 years), got " + ttl);
            }
            assertThat(client.get("/api/document?collection=notes&id=n6").status()).isEqualTo(404);
            // "unique": "yes" built a plain index.
            TestClient.Response notABoolean = client.send("POST", "/api/index", Map.of("X-FerrumDB-Token",
                    client.token()), "{\"collection\":\"notes\",\"path\":\"tag\",\"unique\":\"yes\"}");
            assertThat(notABoolean.status()).isEqualTo(400);
            assertThat(notABoolean.json().get("error").asText()).isEqualTo("'unique' must be true or false, got \"yes\"");
        }
        try (DocumentStore store = DocumentStore.open(dir)) {
            assertThat(store.collection("notes").find(Filter.all())).extracting(d -> d.id()).containsExactly("n2");
        }
    }

    @Test
    void aPlainKeyValueDatabaseOpensWithoutDocumentsAndSaysWhy() {
        try (FerrumDB db = FerrumDB.open(dir)) {
            db.put("plain".getBytes(UTF_8), "v".getBytes(UTF_8));
        }
        try (Studio studio = Studio.start(StudioConfig.builder(dir).port(0).build())) {
            TestClient client = new TestClient(studio);
            JsonNode info = client.get("/api/info").json();
            assertThat(info.get("features").get("documents").asBoolean()).isFalse();
            assertThat(info.get("documentsUnavailable").asText()).isEqualTo("the database " + dir + " holds plain"
                    + " keys, not documents (it is not a document store): its keys are on the Keys page; a new"
                    + " directory opened in Studio becomes a document store");
            // Said for every document endpoint, not "no such page or endpoint" as for a mistyped URL.
            for (String path : List.of("/api/collections", "/api/query?collection=c", "/api/document?collection=c&id=1")) {
                TestClient.Response r = client.get(path);
                assertThat(r.status()).as(path).isEqualTo(404);
                assertThat(r.json().get("error").asText()).as(path)
                        .isEqualTo("no documents: " + info.get("documentsUnavailable").asText());
            }
            assertThat(client.get("/api/kv?key=plain").json().get("text").asText()).isEqualTo("v");
        }
    }

    @Test
    void readOnlyModeQueriesButRefusesDocumentWrites() {
        seed(dir);
        try (Studio studio = Studio.start(StudioConfig.builder(dir).port(0).readOnly(true).build())) {
            TestClient client = new TestClient(studio);
            assertThat(client.get("/api/query?collection=users").json().get("count").asLong()).isEqualTo(30);
            assertThat(client.put("/api/document", "{\"collection\":\"users\",\"id\":\"x\",\"document\":{}}")
                    .status()).isEqualTo(405);
            assertThat(client.delete("/api/document?collection=users&id=u01").status()).isEqualTo(405);
            assertThat(client.send("POST", "/api/index", Map.of("X-FerrumDB-Token", client.token()),
                    "{\"collection\":\"users\",\"path\":\"age\"}").status()).isEqualTo(405);
        }
        try (DocumentStore store = DocumentStore.open(dir)) {
            assertThat(store.collection("users").get("u01")).isNotNull();
            assertThat(store.collection("users").listIndexes()).extracting(i -> i.path()).containsExactly("address.city");
        }
    }
}
