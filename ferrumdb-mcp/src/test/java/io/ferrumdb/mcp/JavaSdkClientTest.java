package io.ferrumdb.mcp;

import static io.ferrumdb.mcp.ToolResults.structured;
import static io.ferrumdb.mcp.ToolResults.call;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.memory.AgentMemory;
import io.ferrumdb.memory.RecallQuery;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The official MCP Java SDK client against the server in a child JVM over stdio, including kill -9. */
class JavaSdkClientTest {
    @TempDir
    Path dir;

    /** A connected client and the pid of its server process. */
    private record Connection(McpSyncClient client, CompletableFuture<Long> pid) implements AutoCloseable {
        @Override
        public void close() {
            client.closeGracefully();
        }
    }

    private Connection connect() {
        return connect(null);
    }

    /** @param offered the protocol versions the client offers, the newest last; null for the SDK's own list */
    private Connection connect(List<String> offered) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ServerParameters params = ServerParameters.builder(java)
                .args("-cp", System.getProperty("java.class.path"), StdioServerMain.class.getName(),
                        dir.toString())
                .build();
        StdioClientTransport transport = new StdioClientTransport(params, McpJsonDefaults.getMapper()) {
            @Override
            public List<String> protocolVersions() {
                return offered == null ? super.protocolVersions() : offered;
            }
        };
        CompletableFuture<Long> pid = new CompletableFuture<>();
        transport.setStdErrorHandler(line -> {
            if (line.startsWith("pid=")) {
                pid.complete(Long.parseLong(line.substring(4).trim()));
            }
        });
        // A busy machine runs a child JVM's first calls slowly. (The kill -9 test ends its call in flight by closing
        // the client, not by this timeout, which the test once kept at 30 s and then a slow call failed.)
        McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(120))
                .initializationTimeout(Duration.ofSeconds(180)).build(); // a busy machine starts JVMs slowly
        client.initialize();
        return new Connection(client, pid);
    }

    @Test
    void toolsAndResourcesOverTheJavaSdk() {
        try (Connection c = connect()) {
            assertThat(c.client().listTools().tools()).extracting(McpSchema.Tool::name).containsExactlyInAnyOrder(
                    "remember", "recall", "forget", "list_namespaces", "kv_get", "kv_put", "kv_delete", "kv_scan",
                    "doc_find");
            String id = (String) structured(call(c.client(), "remember", Map.of("text",
                    "The invoice template lives in the finance share", "tags", List.of("finance")))).get("id");
            CallToolResult recall = call(c.client(), "recall", Map.of("query", "invoice template"));
            assertThat(((McpSchema.TextContent) recall.content().get(0)).text()).isEqualTo("1 memory:\n- [" + id
                    + "] The invoice template lives in the finance share (tags: finance)");
            Map<String, Object> recalled = structured(recall);
            List<Map<String, Object>> memories = (List<Map<String, Object>>) recalled.get("memories");
            assertThat(memories).first().satisfies(m -> assertThat(m.get("id")).isEqualTo(id));
            String uri = "ferrumdb://memory/default/" + id;
            assertThat(c.client().listResources().resources()).extracting(McpSchema.Resource::uri).contains(uri);
            McpSchema.ReadResourceResult read = c.client().readResource(new McpSchema.ReadResourceRequest(uri));
            assertThat(((McpSchema.TextResourceContents) read.contents().get(0)).text())
                    .contains("The invoice template lives in the finance share");
            CallToolResult bad = call(c.client(), "remember", Map.of("text", "x", "ttl_seconds", -5));
            assertThat(bad.isError()).isTrue();
            assertThat(((McpSchema.TextContent) bad.content().get(0)).text()).contains("ttl_seconds");
        }
    }

    /** A client of the first MCP release (stdio only then); the HTTP versions are in ToolContractTest. */
    @Test
    void aClientOfTheOldestProtocolVersionIsServed() {
        try (Connection c = connect(List.of("2024-11-05"))) {
            assertThat(c.client().getCurrentInitializationResult().protocolVersion()).isEqualTo("2024-11-05");
            String id = (String) structured(call(c.client(), "remember", Map.of("text", "Spoken in 2024-11-05")))
                    .get("id");
            assertThat(((McpSchema.TextContent) call(c.client(), "recall", Map.of("query", "spoken")).content()
                    .get(0)).text()).isEqualTo("1 memory:\n- [" + id + "] Spoken in 2024-11-05");
            assertThat(c.client().listResources().resources()).extracting(McpSchema.Resource::uri)
                    .containsExactly("ferrumdb://memory/default/" + id);
        }
    }

    @Test
    void everyRememberThatReturnedSurvivesKillMinus9() throws Exception {
        List<String> acknowledged = new ArrayList<>();
        Connection c = connect();
        long pid = c.pid().get(180, TimeUnit.SECONDS);
        // Warm up, then kill the server at a random moment while remembers keep coming.
        for (int i = 0; i < 20; i++) {
            acknowledged.add(remember(c.client(), i));
        }
        long delay = ThreadLocalRandom.current().nextLong(50, 600);
        CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS).execute(() -> ProcessHandle.of(pid)
                .ifPresent(server -> {
                    server.destroyForcibly();
                    // The SDK does not fail the call in flight when its server's process exits; closing the client
                    // does (it dismisses pending requests), so the loop ends now, not after the request timeout.
                    server.onExit().join();
                    c.client().close();
                }));
        try {
            for (int i = 20; i < 100_000; i++) {
                acknowledged.add(remember(c.client(), i));
            }
        } catch (RuntimeException expected) {
            // The server died mid-call: that remember never returned, so it may or may not be there.
        } finally {
            c.client().close();
        }
        ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
        try (FerrumDB db = FerrumDB.open(dir)) {
            AgentMemory memory = AgentMemory.on(db);
            for (int i = 0; i < acknowledged.size(); i++) {
                String id = acknowledged.get(i);
                assertThat(memory.get("crash", id)).as("acknowledged memory %d (%s)", i, id).isPresent();
                assertThat(memory.recall(new RecallQuery("crash", "marker" + i, null, 1, null, null)))
                        .as("recall of memory %d", i).singleElement()
                        .satisfies(r -> assertThat(r.memory().id()).isEqualTo(id));
            }
        }
    }

    private static String remember(McpSyncClient client, int i) {
        return (String) structured(call(client, "remember", Map.of("namespace", "crash",
                "text", "crash test memory marker" + i, "tags", List.of("crash")))).get("id");
    }
}
