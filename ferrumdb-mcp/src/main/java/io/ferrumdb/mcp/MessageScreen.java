package io.ferrumdb.mcp;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Decides what becomes of each line of stdin (and each HTTP request body, {@link MalformedBodyFilter}): a JSON-RPC
 * message goes on to the SDK's session; a line that is not
 * one (bad JSON, JSON that is not a request, notification or response, tools/call without a name or with arguments
 * that are not an object, a line over {@link MessageLimit#MAX_BYTES}) is answered with JSON-RPC's parse
 * error (-32700), invalid request (-32600) or invalid params (-32602), naming what is wrong, and the server goes on.
 * The SDK (2.1) logged such a line with a stack trace and stopped reading, after which no request was answered
 * and the process never ended; its tools/call answered bad params with the text of a NullPointerException or of
 * Jackson's type error.
 *
 * <p>A well-formed call of a tool the server does not have is answered here too, with -32602 naming the tool and
 * listing the server's tools: the SDK's own answer said only "Unknown tool: invalid_tool_name" (the name was in
 * {@code data}, which clients seldom show), and it offers no hook to word it otherwise.
 */
final class MessageScreen {
    /** What to do with one line. */
    sealed interface Verdict permits Pass, Refuse, Skip {
    }

    /** A message for the session. */
    record Pass(McpSchema.JSONRPCMessage message) implements Verdict {
    }

    /**
     * Answered here: {@code reply} (a JSON-RPC error, one line of JSON). {@code wellFormed} when the line is a
     * valid request that the server refuses (an unknown tool), as opposed to a line that is not a message at all.
     */
    record Refuse(String reply, boolean wellFormed) implements Verdict {
    }

    /** A blank line: nothing to do. */
    record Skip() implements Verdict {
    }

    private final McpJsonMapper json;
    /** What one message arrives as, for the parse error: "the line" (stdio) or "the request body" (HTTP). */
    private final String carrier;
    /** The names of the server's tools, asked for each tools/call (the server is built after its transport). */
    private final Supplier<List<String>> toolNames;

    MessageScreen(McpJsonMapper json, String carrier, Supplier<List<String>> toolNames) {
        this.json = json;
        this.carrier = carrier;
        this.toolNames = toolNames;
    }

    Verdict screen(StdinLines.Line line) throws IOException {
        if (line instanceof StdinLines.TooLong tooLong) {
            OversizedLine oversized = tooLong.line();
            return malformed(oversized.id(), -32600, MessageLimit.refusal(oversized.length()));
        }
        String text = ((StdinLines.Text) line).text().strip();
        return text.isEmpty() ? new Skip() : screen(text);
    }

    /** Screens one whole message (an HTTP request body); blank text is not JSON here, so it is refused. */
    Verdict screenMessage(String text) throws IOException {
        return text.isBlank() ? malformed(null, -32700, "Parse error: " + carrier + " is empty") : screen(text);
    }

    private Verdict screen(String line) throws IOException {
        Object value;
        try {
            value = json.readValue(line, Object.class);
        } catch (IOException | RuntimeException notJson) {
            return malformed(null, -32700, "Parse error: " + carrier + " is not JSON: " + firstLine(notJson));
        }
        Object id = value instanceof Map<?, ?> m && (m.get("id") instanceof String || m.get("id") instanceof Number)
                ? m.get("id") : null;
        String problem = problem(value);
        McpSchema.JSONRPCMessage message = null;
        if (problem == null) {
            try {
                message = McpSchema.deserializeJsonRpcMessage(json, line);
            } catch (IOException | RuntimeException notAMessage) {
                problem = "not a JSON-RPC 2.0 request, notification or response: " + firstLine(notAMessage);
            }
        }
        if (problem != null) {
            return malformed(id, -32600, "Invalid Request: " + problem);
        }
        String params = paramsProblem((Map<?, ?>) value);
        if (params != null) {
            return malformed(id, -32602, "Invalid params: " + params);
        }
        String unknownTool = unknownTool((Map<?, ?>) value);
        if (unknownTool != null) {
            return new Refuse(errorReply(json, id, -32602, unknownTool), true);
        }
        return new Pass(message);
    }

    private Refuse malformed(Object id, int code, String message) throws IOException {
        return new Refuse(errorReply(json, id, code, message), false);
    }

    /** For a tools/call of a tool this server does not have: which one, and the tools it has; else null. */
    private String unknownTool(Map<?, ?> message) {
        if (!"tools/call".equals(message.get("method"))) {
            return null;
        }
        Object name = ((Map<?, ?>) message.get("params")).get("name");
        List<String> tools = toolNames.get();
        return tools.contains(name) ? null
                : "Unknown tool: " + shownName((String) name) + "; the tools of this server are "
                        + String.join(", ", tools);
    }

    /** Longest tool name an error quotes whole; a longer one (any length fits in a 16 MiB line) is cut. */
    private static final int SHOWN_NAME_CHARS = 64;

    /** The name in quotes, cut after {@link #SHOWN_NAME_CHARS} with its length said: a reply stays a short line. */
    private static String shownName(String name) {
        if (name.length() <= SHOWN_NAME_CHARS) {
            return "\"" + name + "\"";
        }
        return "\"" + name.substring(0, SHOWN_NAME_CHARS) + "\u2026\" (" + name.length() + " characters)";
    }

    /** What makes a parsed line not a JSON-RPC 2.0 message, in words; null when its shape is right. */
    private static String problem(Object value) {
        if (!(value instanceof Map<?, ?> m)) {
            return "a JSON-RPC message is a JSON object, not " + (value == null ? "null" : value instanceof List
                    ? "an array" : value instanceof String ? "a string" : value instanceof Number ? "a number"
                    : "a boolean");
        }
        if (!"2.0".equals(m.get("jsonrpc"))) {
            return "\"jsonrpc\" must be \"2.0\"";
        }
        if (!(m.get("method") instanceof String) && !m.containsKey("result") && !m.containsKey("error")) {
            return "a message needs \"method\" (a request or notification) or \"result\" or \"error\" (a response)";
        }
        return null;
    }

    /** What is wrong with the params of a tools/call request (name, arguments), or null. */
    private static String paramsProblem(Map<?, ?> message) {
        if (!"tools/call".equals(message.get("method"))) {
            return null;
        }
        if (!(message.get("params") instanceof Map<?, ?> params)) {
            return "tools/call needs \"params\", an object with the tool's \"name\" and its \"arguments\"";
        }
        if (!(params.get("name") instanceof String)) {
            return "tools/call needs \"name\", the tool's name as a string";
        }
        Object arguments = params.get("arguments");
        if (arguments != null && !(arguments instanceof Map)) {
            return "the \"arguments\" of tools/call must be an object";
        }
        return null;
    }

    /** The names of the tools of {@code server} (a server that may still be being built: the supplier waits). */
    static Supplier<List<String>> toolsOf(Supplier<McpSyncServer> server) {
        return () -> server.get().listTools().stream().map(McpSchema.Tool::name).toList();
    }

    /** A JSON-RPC error response, one line of JSON; {@code id} null when the request's id is unknown. */
    static String errorReply(McpJsonMapper json, Object id, int code, String message) throws IOException {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("jsonrpc", "2.0");
        reply.put("id", id);
        reply.put("error", error);
        return json.writeValueAsString(reply);
    }

    private static String firstLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && m.startsWith("Failed to read value")) {
            m = cause.getMessage();
        }
        int newline = m.indexOf('\n');
        return newline < 0 ? m : m.substring(0, newline);
    }
}
