package io.ferrumdb.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.memory.AgentMemory;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * remember and forget when telling the resource list fails after the change is stored, as the SDK's stdio transport
 * did under many calls in flight ("Failed to enqueue message" for the list_changed notification): the result
 * still says what was done, so that the model does not remember or forget it again.
 */
class ResourcePublishingTest {
    private final McpJsonMapper json = McpJsonDefaults.getMapper();

    @TempDir
    Path dir;

    @Test
    void aStoredChangeIsReportedAsDoneWhenTheResourceListCannotBeTold() {
        try (FerrumDB db = FerrumDB.open(dir)) {
            AgentMemory memory = AgentMemory.on(db);
            RuntimeException refused = new RuntimeException("Failed to enqueue message");
            MemoryTools tools = new MemoryTools(memory, new JsonValues(json), r -> {
                throw refused;
            }, (namespace, ids) -> {
                throw refused;
            });
            CallToolResult kept = call(tools, "remember", Map.of("text", "Kept despite the notification"));
            assertThat(kept.isError()).as("%s", kept.content()).isFalse();
            String id = (String) ((Map<?, ?>) kept.structuredContent()).get("id");
            assertThat(memory.get("default", id)).isPresent();

            CallToolResult forgotten = call(tools, "forget", Map.of("id", id));
            assertThat(forgotten.isError()).as("%s", forgotten.content()).isFalse();
            assertThat(forgotten.structuredContent()).isEqualTo(Map.of("forgotten", 1));
            assertThat(memory.get("default", id)).isEmpty();
        }
    }

    private CallToolResult call(MemoryTools tools, String name, Map<String, Object> args) {
        SyncToolSpecification spec = tools.tools().stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow().toSpecification(json);
        return spec.callHandler().apply(null, new CallToolRequest(name, args));
    }
}
