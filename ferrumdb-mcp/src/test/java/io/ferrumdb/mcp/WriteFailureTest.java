package io.ferrumdb.mcp;

import static io.ferrumdb.mcp.ToolResults.call;
import static io.ferrumdb.mcp.ToolResults.structured;
import static io.ferrumdb.mcp.ToolResults.text;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FaultFileIO;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import io.ferrumdb.WriteFault;
import io.ferrumdb.doc.DocumentStore;
import io.ferrumdb.memory.AgentMemory;
import io.ferrumdb.memory.RecallQuery;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tool calls whose write meets an injected I/O error, a failed fsync or a full disk (the core's fault-injecting file
 * system, its test-jar), over the streamable HTTP transport: the call is a tool error ({@code isError}) naming the
 * failure, never a success and never a protocol error; later writes are tool errors too, reads go on answering, and
 * after a reopen on a healthy disk what was acknowledged is there and each failed write is whole or absent.
 */
class WriteFailureTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(WriteFault.class)
    void aFailedWriteIsAToolErrorNamingTheFailureAndTheServerGoesOnAnswering(WriteFault fault) {
        FaultFileIO io = new FaultFileIO(fault.ordinal());
        Options options = Options.builder().fsyncPolicy(FsyncPolicy.always()).build();
        FerrumMcpServer server = FerrumMcpServer.open(dir, io.forOneOpen(options));
        String keptId;
        try (McpHttpEndpoint endpoint = server.serveHttp(0)) {
            McpSyncClient client = client(endpoint);
            try {
                client.initialize();
                structured(call(client, "kv_put", Map.of("key", "kept", "value", "acknowledged")));
                keptId = (String) structured(call(client, "remember", Map.of("text", "the build runs on Fridays")))
                        .get("id");
                fault.armNext(io);
                String failure = fault.words();
                assertThat(error(call(client, "kv_put", Map.of("key", "lost", "value", "failed"))))
                        .startsWith("kv_put: the database refused: ").contains(failure);
                WriteFault.heal(io);
                // The database refuses writes until reopen: each tool says so in words.
                assertThat(error(call(client, "remember", Map.of("text", "a memory after the failure"))))
                        .startsWith("remember: the database refused: ");
                assertThat(error(call(client, "kv_delete", Map.of("key", "kept"))))
                        .startsWith("kv_delete: the database refused: ");
                assertThat(error(call(client, "forget", Map.of("id", keptId))))
                        .startsWith("forget: the database refused: ");
                // Reads of what was acknowledged go on.
                assertThat(structured(call(client, "kv_get", Map.of("key", "kept"))).get("value")).isEqualTo("acknowledged");
                assertThat(text(call(client, "recall", Map.of("query", "build Fridays")))).contains(keptId);
            } finally {
                client.closeGracefully();
            }
        } finally {
            closeAfterFailure(server);
        }
        try (DocumentStore reopened = DocumentStore.open(dir, options)) {
            FerrumDB db = reopened.database();
            assertThat(db.get(bytes("kept"))).isEqualTo(bytes("acknowledged"));
            byte[] lost = db.get(bytes("lost"));
            assertThat(lost == null || Arrays.equals(lost, bytes("failed")))
                    .as("the failed kv_put is whole or absent: %s", lost == null ? null : new String(lost, UTF_8))
                    .isTrue();
            AgentMemory memory = AgentMemory.on(db);
            assertThat(memory.ids("default")).containsExactly(keptId);
            assertThat(memory.recall(RecallQuery.of("build Fridays"))).hasSize(1);
            assertThat(memory.recall(RecallQuery.of("memory after the failure"))).isEmpty();
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }

    private static McpSyncClient client(McpHttpEndpoint endpoint) {
        return HttpTestClients.client(endpoint, endpoint.token());
    }

    /** The reason of a tool error, in words: no Java class names. */
    private static String error(CallToolResult r) {
        assertThat(r.isError()).as("a tool error, was: %s", r.content()).isTrue();
        assertThat(text(r)).doesNotContain("Exception").doesNotContain("internal error");
        return text(r);
    }

    /** A database whose writer failed may report that failure again on close. */
    private static void closeAfterFailure(FerrumMcpServer server) {
        try {
            server.close();
        } catch (RuntimeException expected) {
            assertThat(expected).hasMessageNotContaining("Exception");
        }
    }
}
