package io.ferrumdb.mcp;

import static io.ferrumdb.mcp.ToolResults.call;
import static io.ferrumdb.mcp.ToolResults.structured;
import static io.ferrumdb.mcp.ToolResults.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.Options;
import io.ferrumdb.doc.DocumentStore;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20's tool contract as an agent developer meets it through the official Java SDK client (over streamable
 * HTTP, in process): each tool's result shape and text, TTLs, tags, since, newest-first, vectors, doc_find, the
 * errors a model reads, the protocol versions the SDK speaks, and many clients at once.
 */
class ToolContractTest {
    @TempDir
    Path dir;

    private FerrumMcpServer server;
    private McpHttpEndpoint endpoint;
    private final List<McpSyncClient> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        try (DocumentStore store = DocumentStore.open(dir)) {
            store.collection("users").put("ada", "{\"name\": \"Ada\", \"age\": 36, \"city\": \"London\"}");
            store.collection("users").put("alan", "{\"name\": \"Alan\", \"age\": 41, \"city\": \"Wilmslow\"}");
            store.collection("users").put("grace", "{\"name\": \"Grace\", \"age\": 29, \"city\": \"New York\"}");
        }
        server = FerrumMcpServer.open(dir, Options.defaults());
        endpoint = server.serveHttp(0);
    }

    @AfterEach
    void stop() {
        clients.forEach(McpSyncClient::closeGracefully);
        endpoint.close();
        server.close();
    }

    private McpSyncClient connect(List<String> protocolVersions) {
        McpSyncClient client = HttpTestClients.client(endpoint, endpoint.token(), protocolVersions);
        clients.add(client);
        client.initialize();
        return client;
    }

    private McpSyncClient connect() {
        return connect(List.of("2025-06-18"));
    }

    private static String error(CallToolResult r) {
        assertThat(r.isError()).as("an error, got %s", r.structuredContent()).isTrue();
        return text(r);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> memories(CallToolResult r) {
        return (List<Map<String, Object>>) structured(r).get("memories");
    }

    @Test
    void rememberWithATtlAnswersItsExpiryAndRecallShowsIt() {
        McpSyncClient c = connect();
        CallToolResult kept = call(c, "remember", Map.of("text", "The sprint ends on Friday", "ttl_seconds", 3600,
                "namespace", "team-1", "metadata", Map.of("source", "standup")));
        Map<String, Object> out = structured(kept);
        assertThat(out).containsOnlyKeys("id", "namespace", "created_at", "expires_at");
        assertThat(out.get("namespace")).isEqualTo("team-1");
        Instant created = Instant.parse((String) out.get("created_at"));
        Instant expires = Instant.parse((String) out.get("expires_at"));
        assertThat(Duration.between(created, expires).toSeconds()).isBetween(3599L, 3601L);
        assertThat(text(kept)).isEqualTo("Remembered " + out.get("id") + " in namespace team-1 (expires "
                + out.get("expires_at") + ").");
        Map<String, Object> recalled = memories(call(c, "recall", Map.of("namespace", "team-1",
                "query", "when does the sprint end"))).get(0);
        assertThat(recalled).containsEntry("id", out.get("id")).containsEntry("expires_at", out.get("expires_at"))
                .containsEntry("created_at", out.get("created_at")).containsEntry("metadata", Map.of("source", "standup"))
                .containsKeys("text", "tags", "score");
        assertThat(error(call(c, "remember", Map.of("text", "x", "ttl_seconds", 4e8)))).contains("ttl_seconds")
                .contains("315360000");
    }

    @Test
    void recallWithoutAQueryIsNewestFirstAndTagsAndSinceFilter() throws Exception {
        McpSyncClient c = connect();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add((String) structured(call(c, "remember", Map.of("text", "note number " + i,
                    "tags", i % 2 == 0 ? List.of("even", "note") : List.of("note")))).get("id"));
            Thread.sleep(2); // distinct creation milliseconds, so that "since" can split them
        }
        assertThat(memories(call(c, "recall", Map.of()))).extracting(m -> m.get("id"))
                .containsExactly(ids.get(4), ids.get(3), ids.get(2), ids.get(1), ids.get(0));
        assertThat(memories(call(c, "recall", Map.of("limit", 2)))).extracting(m -> m.get("id"))
                .containsExactly(ids.get(4), ids.get(3));
        assertThat(memories(call(c, "recall", Map.of("tags", List.of("even", "note"))))).extracting(m -> m.get("id"))
                .containsExactly(ids.get(4), ids.get(2), ids.get(0));
        assertThat(memories(call(c, "recall", Map.of("tags", List.of("EVEN"))))).as("tags match exactly").isEmpty();
        String since = (String) memories(call(c, "recall", Map.of("limit", 3))).get(2).get("created_at");
        assertThat(memories(call(c, "recall", Map.of("since", since)))).extracting(m -> m.get("id"))
                .containsExactly(ids.get(4), ids.get(3), ids.get(2));
        assertThat(memories(call(c, "recall", Map.of("query", "note number", "since", since))))
                .extracting(m -> m.get("id")).containsExactlyInAnyOrder(ids.get(4), ids.get(3), ids.get(2));
        assertThat(structured(call(c, "forget", Map.of("tags", List.of("even"))))).isEqualTo(Map.of("forgotten", 3));
        assertThat(structured(call(c, "forget", Map.of("id", ids.get(1), "tags", List.of("even")))))
                .as("with id and tags: only if it carries them").isEqualTo(Map.of("forgotten", 0));
        assertThat(structured(call(c, "list_namespaces", Map.of())))
                .isEqualTo(Map.of("namespaces", List.of(Map.of("name", "default", "count", 2))));
    }

    @Test
    void aClientsVectorsJoinTheScore() {
        McpSyncClient c = connect();
        String cats = (String) structured(call(c, "remember", Map.of("text", "Notes about the office pets",
                "vector", List.of(1.0, 0.0, 0.0)))).get("id");
        String cars = (String) structured(call(c, "remember", Map.of("text", "Notes about the company fleet",
                "vector", List.of(0.0, 1.0, 0.0)))).get("id");
        assertThat(memories(call(c, "recall", Map.of("query", "notes", "vector", List.of(0.1, 0.9, 0.0)))))
                .extracting(m -> m.get("id")).containsExactly(cars, cats);
        assertThat(memories(call(c, "recall", Map.of("vector", List.of(0.9, 0.1, 0.0)))))
                .extracting(m -> m.get("id")).first().isEqualTo(cats);
        assertThat(error(call(c, "remember", Map.of("text", "x", "vector", List.of(1.0, "two")))))
                .contains("vector");
    }

    @Test
    void docFindUsesTheFilterSyntaxAndKvToolsKeepTheirTtl() {
        McpSyncClient c = connect();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> found = (List<Map<String, Object>>) structured(call(c, "doc_find", Map.of(
                "collection", "users", "filter", Map.of("age", Map.of("$gte", 30)), "sort", "age",
                "descending", true))).get("documents");
        assertThat(found).extracting(d -> d.get("id")).containsExactly("alan", "ada");
        assertThat(found.get(1).get("document")).isEqualTo(Map.of("name", "Ada", "age", 36, "city", "London"));
        assertThat(error(call(c, "doc_find", Map.of("collection", "users", "filter", Map.of("age",
                Map.of("$near", 3)))))).startsWith("doc_find: invalid input:").contains("$near");
        // The command line's rule and words for a collection that does not exist (README, "Documents").
        assertThat(error(call(c, "doc_find", Map.of("collection", "user")))).isEqualTo("doc_find: invalid input:"
                + " collection: no collection 'user' (the collections are users; a collection is created by its first"
                + " document)");

        structured(call(c, "kv_put", Map.of("key", "session", "value", "abc", "ttl_seconds", 60)));
        Map<String, Object> got = structured(call(c, "kv_get", Map.of("key", "session")));
        assertThat(got).containsEntry("found", true).containsEntry("value", "abc").containsKey("expires_at");
        assertThat(Duration.between(Instant.now(), Instant.parse((String) got.get("expires_at"))).toSeconds())
                .isBetween(1L, 60L);
    }

    /**
     * Before, no tool declared an outputSchema (issue 20's notes: "Missing"). Each call in this class is checked
     * against it twice: by the server's SDK, which turns a result that does not match into an error, and by the
     * client's.
     */
    @Test
    void everyToolDeclaresTheShapeOfItsStructuredResult() {
        McpSyncClient c = connect();
        Map<String, List<?>> required = new HashMap<>();
        for (McpSchema.Tool tool : c.listTools().tools()) {
            assertThat(tool.outputSchema()).as(tool.name()).containsEntry("type", "object").containsKey("properties");
            required.put(tool.name(), (List<?>) tool.outputSchema().get("required"));
        }
        assertThat(required).containsOnly(
                Map.entry("remember", List.of("id", "namespace", "created_at")),
                Map.entry("recall", List.of("memories")),
                Map.entry("forget", List.of("forgotten")),
                Map.entry("list_namespaces", List.of("namespaces")),
                Map.entry("kv_get", List.of("key", "found")),
                Map.entry("kv_put", List.of("key", "bytes")),
                Map.entry("kv_delete", List.of("key", "deleted")),
                Map.entry("kv_scan", List.of("items")),
                Map.entry("doc_find", List.of("documents")));
        // A result of each shape, with its optional members, against the declared schemas.
        structured(call(c, "remember", Map.of("text", "Shaped", "ttl_seconds", 60, "tags", List.of("t"))));
        structured(call(c, "recall", Map.of("query", "shaped")));
        structured(call(c, "kv_put", Map.of("key", "k", "value", "v", "ttl_seconds", 60)));
        structured(call(c, "kv_get", Map.of("key", "k")));
        structured(call(c, "kv_put", Map.of("key", "k2", "value", "v")));
        structured(call(c, "kv_get", Map.of("key", "absent")));
        assertThat(structured(call(c, "kv_scan", Map.of("limit", 1)))).containsKey("next_cursor");
        structured(call(c, "kv_delete", Map.of("key", "k")));
        structured(call(c, "doc_find", Map.of("collection", "users")));
        structured(call(c, "list_namespaces", Map.of()));
        structured(call(c, "forget", Map.of("tags", List.of("t"))));
    }

    /** Before, an expired memory stayed on the resource list until the next start (reading it said it was gone). */
    @Test
    void aMemoryLeavesTheResourceListWhenItExpires() throws Exception {
        // One stored before the server starts, one remembered through it; a third, lasting, stays.
        endpoint.close();
        server.close();
        String before;
        try (io.ferrumdb.FerrumDB db = io.ferrumdb.FerrumDB.open(dir)) {
            before = io.ferrumdb.memory.AgentMemory.on(db).remember(new io.ferrumdb.memory.MemoryInput(null,
                    "Stored with a short TTL", null, Duration.ofSeconds(2), null, null)).id();
        }
        server = FerrumMcpServer.open(dir, Options.defaults());
        endpoint = server.serveHttp(0);
        McpSyncClient c = connect();
        String during = (String) structured(call(c, "remember", Map.of("text", "Remembered with a short TTL",
                "ttl_seconds", 1))).get("id");
        String lasting = (String) structured(call(c, "remember", Map.of("text", "Lasting", "ttl_seconds", 3600)))
                .get("id");
        List<String> expired = List.of("ferrumdb://memory/default/" + before, "ferrumdb://memory/default/" + during);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        List<String> listed = listed(c);
        while (expired.stream().anyMatch(listed::contains) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            listed = listed(c);
        }
        assertThat(listed).doesNotContainAnyElementsOf(expired).contains("ferrumdb://memory/default/" + lasting);
    }

    private static List<String> listed(McpSyncClient c) {
        return c.listResources().resources().stream().map(McpSchema.Resource::uri).toList();
    }

    /** What a model sends wrong: each is a tool result it can read (or, for a tool that does not exist, -32602). */
    @Test
    void badCallsAreReadableErrorsNeverCrashes() {
        McpSyncClient c = connect();
        assertThatThrownBy(() -> call(c, "remember_everything", Map.of("text", "x")))
                .isInstanceOfSatisfying(McpError.class, e -> {
                    assertThat(e.getJsonRpcError().code()).isEqualTo(McpSchema.ErrorCodes.INVALID_PARAMS);
                    // The message itself (what clients show) names the tool and lists the server's tools.
                    assertThat(e.getJsonRpcError().message()).contains("\"remember_everything\"")
                            .contains("remember, recall, forget, list_namespaces, kv_get, kv_put, kv_delete, kv_scan,"
                                    + " doc_find");
                });
        assertThat(error(call(c, "remember", Map.of("text", "x", "importance", 5)))).contains("importance");
        assertThat(error(call(c, "remember", Map.of("text", 42)))).contains("/text");
        assertThat(error(call(c, "remember", Map.of("text", "x".repeat(40_000))))).contains("text")
                .contains("32768");
        assertThat(error(call(c, "remember", Map.of("text", "x", "namespace", "../etc")))).contains("namespace");
        assertThat(error(call(c, "recall", Map.of("limit", 1_000_000)))).contains("limit").contains("100");
        assertThat(error(call(c, "recall", Map.of("limit", "ten")))).contains("limit");
        // Finite in JSON, but past what a stored 32-bit component holds: named as such, not as "not finite".
        assertThat(error(call(c, "remember", Map.of("text", "x", "vector", List.of(1.0, 1e308)))))
                .contains("vector[1]").contains("1.0E308").contains("32-bit").doesNotContain("finite");
        Map<String, Object> nulls = new HashMap<>();
        nulls.put("text", null);
        assertThat(error(call(c, "remember", nulls))).contains("text");
        for (String t : List.of("remember", "recall", "forget", "kv_put", "kv_scan", "doc_find")) {
            String e = error(call(c, t, Map.of("limit", -1, "key", "", "text", "", "collection", "")));
            assertThat(e).as(t).doesNotContain("Exception").doesNotContain("\tat ");
        }
        // The server is still there.
        structured(call(c, "list_namespaces", Map.of()));
    }

    /** The streamable HTTP versions the SDK speaks; stdio's oldest (2024-11-05) is in JavaSdkClientTest. */
    @Test
    void everyProtocolVersionTheSdkSpeaksOverHttpIsNegotiated() {
        for (String version : List.of("2025-03-26", "2025-06-18", "2025-11-25")) {
            McpSyncClient c = connect(List.of(version));
            assertThat(c.getCurrentInitializationResult().protocolVersion()).isEqualTo(version);
            String id = (String) structured(call(c, "remember", Map.of("text", "spoken in " + version))).get("id");
            assertThat(memories(call(c, "recall", Map.of("query", "spoken in " + version))))
                    .first().satisfies(m -> assertThat(m.get("id")).isEqualTo(id));
        }
    }

    @Test
    void manyClientsAtOnceEachGetTheirOwnAnswers() throws Exception {
        int agents = 12;
        int each = 15;
        List<McpSyncClient> connected = new ArrayList<>();
        for (int a = 0; a < agents; a++) {
            connected.add(connect());
        }
        ExecutorService pool = Executors.newFixedThreadPool(agents);
        try {
            List<Future<List<String>>> done = new ArrayList<>();
            for (int a = 0; a < agents; a++) {
                McpSyncClient c = connected.get(a);
                String namespace = "agent-" + a;
                done.add(pool.submit((Callable<List<String>>) () -> {
                    List<String> ids = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        Map<String, Object> out = structured(call(c, "remember", Map.of("namespace", namespace,
                                "text", namespace + " remembers fact " + i)));
                        assertThat(out.get("namespace")).isEqualTo(namespace);
                        ids.add((String) out.get("id"));
                    }
                    return ids;
                }));
            }
            for (int a = 0; a < agents; a++) {
                List<String> ids = done.get(a).get();
                assertThat(server.memory().ids("agent-" + a)).containsExactlyInAnyOrderElementsOf(ids);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
