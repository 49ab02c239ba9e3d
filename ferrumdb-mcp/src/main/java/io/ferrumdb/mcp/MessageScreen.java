package io.ferrumdb.mcp;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides what becomes of each line of stdin (and each HTTP request body, {@link MalformedBodyFilter}): a JSON-RPC
 * message goes on to the SDK's session; a line that is not
 * one (bad JSON, JSON that is not a request, notification or response, tools/call without a name or with arguments
 * that are not an object, a line over {@link MessageLimit#MAX_BYTES}) is answered with JSON-RPC's parse
 * error (-32700), invalid request (-32600) or invalid params (-32602), naming what is wrong, and the server goes on.
 * The SDK (2.1) logged such a line with a stack trace and stopped reading, after which no request was answered
 * and the process never ended; its tools/call answered bad params with the text of a NullPointerException or of
 * Jackson's type error.
 */
final class MessageScreen {
    /** What to do with one line. */
    sealed interface Verdict permits Pass, Refuse, Skip {
    }

    /** A message for the session. */
    record Pass(McpSchema.JSONRPCMessage message) implements Verdict {
    }

    /** Not a message: {@code reply} (a JSON-RPC error, one line of JSON) answers it. */
    record Refuse(String reply) implements Verdict {
    }

    /** A blank line: nothing to do. */
    record Skip() implements Verdict {
    }

    private final McpJsonMapper json;
    /** What one message arrives as, for the parse error: "the line" (stdio) or "the request body" (HTTP). */
    private final String carrier;

    MessageScreen(McpJsonMapper json, String carrier) {
        this.json = json;
        this.carrier = carrier;
    }

    Verdict screen(StdinLines.Line line) throws IOException {
        if (line instanceof StdinLines.TooLong tooLong) {
            OversizedLine oversized = tooLong.line();
            return new Refuse(errorReply(json, oversized.id(), -32600, MessageLimit.refusal(oversized.length())));
        }
        String text = ((StdinLines.Text) line).text().strip();
        return text.isEmpty() ? new Skip() : screen(text);
    }

    /** Screens one whole message (an HTTP request body); blank text is not JSON here, so it is refused. */
    Verdict screenMessage(String text) throws IOException {
        return text.isBlank() ? new Refuse(errorReply(json, null, -32700, "Parse error: " + carrier + " is empty"))
                : screen(text);
    }

    private Verdict screen(String line) throws IOException {
        Object value;
        try {
            value = json.readValue(line, Object.class);
        } catch (IOException | RuntimeException notJson) {
            return new Refuse(errorReply(json, null, -32700, "Parse error: " + carrier + " is not JSON: "
                    + firstLine(notJson)));
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
            return new Refuse(errorReply(json, id, -32600, "Invalid Request: " + problem));
        }
        String params = paramsProblem((Map<?, ?>) value);
        if (params != null) {
            return new Refuse(errorReply(json, id, -32602, "Invalid params: " + params));
        }
        return new Pass(message);
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
