package io.ferrumdb.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.util.Map;

/** Calling a tool through an SDK client and reading its result, for the client tests. */
final class ToolResults {
    private ToolResults() {
    }

    static CallToolResult call(McpSyncClient client, String tool, Map<String, Object> args) {
        return client.callTool(new CallToolRequest(tool, args));
    }

    /** The structured content of a result that must not be an error. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> structured(CallToolResult r) {
        assertThat(r.isError()).as("tool error: %s", r.content()).isFalse();
        return (Map<String, Object>) r.structuredContent();
    }

    /** The text rendering (the first content item). */
    static String text(CallToolResult r) {
        return ((McpSchema.TextContent) r.content().get(0)).text();
    }
}
