package io.ferrumdb.mcp;

import io.ferrumdb.ProblemWording;
import io.ferrumdb.FerrumException;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tool: its name, description, the JSON schemas of its arguments and of its structured result, and the
 * handler. {@link #toSpecification} wraps the
 * handler so that every failure becomes a tool error the model can read ({@code isError: true} with the reason),
 * never a protocol error or a crash of the server.
 */
record ToolSpec(String name, String title, String description, String inputSchema, String outputSchema,
                boolean readOnly, boolean destructive, Function<Args, ToolOutput> handler) {
    private static final Logger LOG = LoggerFactory.getLogger(ToolSpec.class);

    SyncToolSpecification toSpecification(McpJsonMapper json) {
        Map<String, Object> schema = parse(json, inputSchema);
        @SuppressWarnings("unchecked")
        Set<String> known = ((Map<String, Object>) schema.getOrDefault("properties", Map.of())).keySet();
        McpSchema.Tool tool = McpSchema.Tool.builder().name(name).title(title).description(description)
                .inputSchema(schema)
                // Declared so that clients know the shape of structuredContent; the SDK checks each result against
                // it (a result that does not match becomes a tool error), which the tests' every call exercises.
                .outputSchema(parse(json, outputSchema))
                .annotations(new McpSchema.ToolAnnotations(title, readOnly, destructive, !destructive && readOnly,
                        false, null))
                .build();
        return SyncToolSpecification.builder().tool(tool)
                .callHandler((exchange, request) -> call(Set.copyOf(known), request.arguments()))
                .build();
    }

    CallToolResult call(Set<String> known, Map<String, Object> arguments) {
        try {
            ToolOutput out = handler.apply(new Args(arguments, known));
            return CallToolResult.builder().structuredContent(out.structured()).addTextContent(out.text())
                    .isError(false).build();
        } catch (ToolInputException | IllegalArgumentException e) {
            // Includes InvalidMemoryRequestException and the engine's own limit checks.
            return error("invalid input: " + ProblemWording.describe(e));
        } catch (FerrumException e) {
            LOG.warn("tool {} failed", name, e);
            return error("the database refused: " + ProblemWording.describe(e));
        } catch (RuntimeException e) {
            LOG.error("tool {} failed unexpectedly", name, e);
            return error("internal error: " + ProblemWording.describe(e));
        }
    }

    private CallToolResult error(String message) {
        return CallToolResult.builder().addTextContent(name + ": " + message).isError(true).build();
    }

    private static Map<String, Object> parse(McpJsonMapper json, String schema) {
        try {
            return json.readValue(schema, new TypeRef<Map<String, Object>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException("a built-in tool schema is not valid JSON", e);
        }
    }
}
