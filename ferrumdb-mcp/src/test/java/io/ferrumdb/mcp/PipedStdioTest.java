package io.ferrumdb.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.Options;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A client that writes all its requests and closes stdin at once still gets every answer. */
class PipedStdioTest {
    @TempDir
    Path dir;

    @Test
    void requestsReadBeforeTheEndOfStdinAreAllAnswered() throws Exception {
        String requests = String.join("\n",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                        + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}",
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"remember\","
                        + "\"arguments\":{\"text\":\"piped memory\"}}}",
                "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"kv_put\","
                        + "\"arguments\":{\"key\":\"k\",\"value\":\"v\"}}}") + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (FerrumMcpServer server = FerrumMcpServer.open(dir, Options.defaults())) {
            server.serveStdio(new ByteArrayInputStream(requests.getBytes(StandardCharsets.UTF_8)), out);
        }
        List<String> lines = Arrays.asList(out.toString(StandardCharsets.UTF_8).split("\n"));
        assertThat(lines).anyMatch(l -> l.contains("\"id\":1,\"result\""))
                .anyMatch(l -> l.contains("\"id\":2,\"result\"") && l.contains("Remembered"))
                .anyMatch(l -> l.contains("\"id\":3,\"result\"") && l.contains("Stored 1 bytes"));
    }

    @Test
    void aLineThatIsNotAMessageGetsAJsonRpcErrorAndTheServerGoesOn() throws Exception {
        String requests = String.join("\n",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                        + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}",
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
                "{bad json",
                "",
                "5",
                "{\"jsonrpc\":\"2.0\",\"id\":7,\"params\":{}}",
                "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"kv_put\","
                        + "\"arguments\":{\"key\":\"k\",\"value\":\"v\"}}}",
                // The prefix's error named the argument "key"; the surrogate was stored as "?".
                "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"kv_scan\","
                        + "\"arguments\":{\"prefix\":\"\\u0001\"}}}",
                "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"kv_put\","
                        + "\"arguments\":{\"key\":\"x\\ud800\",\"value\":\"v\"}}}",
                "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/call\",\"params\":{\"name\":\"remember\","
                        + "\"arguments\":{\"text\":\"a\\ud800b\"}}}",
                // The SDK answered these with a NullPointerException's text and Jackson's type error.
                "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/call\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":{\"name\":\"kv_get\","
                        + "\"arguments\":[1]}}",
                // The SDK's answer said "Unknown tool: invalid_tool_name", the name only in its data.
                "{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"tools/call\",\"params\":{\"name\":\"kv_gett\","
                        + "\"arguments\":{\"key\":\"k\"}}}",
                // A name of any length was echoed whole (the SDK put it in data too): the message cuts it.
                "{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"tools/call\",\"params\":{\"name\":\""
                        + "y".repeat(100_000) + "\",\"arguments\":{}}}") + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // Before, the SDK stopped reading at the bad line: nothing after it was answered and serveStdio never returned.
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(120), () -> {
            try (FerrumMcpServer server = FerrumMcpServer.open(dir, Options.defaults())) {
                server.serveStdio(new ByteArrayInputStream(requests.getBytes(StandardCharsets.UTF_8)), out);
            }
        });
        List<String> lines = Arrays.asList(out.toString(StandardCharsets.UTF_8).split("\n"));
        assertThat(lines).anyMatch(l -> l.contains("\"code\":-32700") && l.contains("Parse error: the line is not JSON"))
                .anyMatch(l -> l.contains("\"code\":-32600") && !l.contains("\"id\":7"))
                .anyMatch(l -> l.contains("\"id\":7") && l.contains("\"code\":-32600"))
                .anyMatch(l -> l.contains("\"id\":3,\"result\"") && l.contains("Stored 1 bytes"));
        assertThat(lines).allMatch(l -> l.startsWith("{") && l.endsWith("}"))
                .anyMatch(l -> l.contains("\"id\":4,") && l.contains("prefix: must not start with a control character"))
                .anyMatch(l -> l.contains("\"id\":5,") && l.contains("key: is not valid Unicode text"))
                .anyMatch(l -> l.contains("\"id\":6,") && l.contains("text: is not valid Unicode text"))
                .anyMatch(l -> l.contains("a JSON-RPC message is a JSON object, not a number"))
                .anyMatch(l -> l.contains("\"id\":8,") && l.contains("\"code\":-32602")
                        && l.contains("tools/call needs \\\"params\\\""))
                .anyMatch(l -> l.contains("\"id\":9,") && l.contains("must be an object"))
                .anyMatch(l -> l.contains("\"id\":10,") && l.contains("\"code\":-32602")
                        && l.contains("Unknown tool: \\\"kv_gett\\\"") && l.contains("kv_get, kv_put"))
                .anyMatch(l -> l.contains("\"id\":11,") && l.contains("(100000 characters)") && l.length() < 2_000)
                .noneMatch(l -> l.contains("java.") || l.contains("Exception"));
        try (FerrumDB db = FerrumDB.open(dir)) {
            assertThat(db.get("x?".getBytes(StandardCharsets.UTF_8))).isNull();
        }
    }
    /**
     * A line over the 16 MiB message limit, with the id first (as the Java and Python SDKs write it) or last (as the
     * TypeScript SDK does): each gets an error naming the limit for its id, and later requests are answered.
     */
    @Test
    void aMessageOverTheLimitIsRefusedForItsIdAndTheServerGoesOn() throws Exception {
        String big = "v".repeat(MessageLimit.MAX_BYTES);
        String requests = String.join("\n",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                        + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}",
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"kv_put\","
                        + "\"arguments\":{\"key\":\"big\",\"value\":\"" + big + "\"}}}",
                "{\"method\":\"tools/call\",\"params\":{\"name\":\"kv_put\",\"arguments\":{\"key\":\"big\","
                        + "\"value\":\"" + big + "\",\"id\":7}},\"jsonrpc\":\"2.0\",\"id\":\"last-3\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"kv_put\","
                        + "\"arguments\":{\"key\":\"small\",\"value\":\"v\"}}}") + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // Before, the SDK stopped reading at the long line: serveStdio never returned.
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(120), () -> {
            try (FerrumMcpServer server = FerrumMcpServer.open(dir, Options.defaults())) {
                server.serveStdio(new ByteArrayInputStream(requests.getBytes(StandardCharsets.UTF_8)), out);
            }
        });
        List<String> lines = Arrays.asList(out.toString(StandardCharsets.UTF_8).split("\n"));
        assertThat(lines).anyMatch(l -> l.contains("\"id\":2,") && l.contains("\"code\":-32600")
                        && l.contains("over the limit of 16777216 bytes"))
                .anyMatch(l -> l.contains("\"id\":\"last-3\"") && l.contains("\"code\":-32600"))
                .anyMatch(l -> l.contains("\"id\":4,\"result\"") && l.contains("Stored 1 bytes"));
        try (FerrumDB db = FerrumDB.open(dir)) {
            assertThat(db.get("big".getBytes(StandardCharsets.UTF_8))).isNull();
        }
    }
    /** Before, each stored memory's resource was added to the built server with a list_changed notification. */
    @Test
    void storedMemoriesAreListedWithoutANotificationEachAtStart() throws Exception {
        List<String> ids = new java.util.ArrayList<>();
        try (FerrumDB db = FerrumDB.open(dir)) {
            io.ferrumdb.memory.AgentMemory memory = io.ferrumdb.memory.AgentMemory.on(db);
            for (int i = 0; i < 3; i++) {
                ids.add(memory.remember(io.ferrumdb.memory.MemoryInput.of("stored before start " + i)).id());
            }
        }
        String requests = String.join("\n",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                        + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}",
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"resources/list\",\"params\":{}}") + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (FerrumMcpServer server = FerrumMcpServer.open(dir, Options.defaults())) {
            server.serveStdio(new ByteArrayInputStream(requests.getBytes(StandardCharsets.UTF_8)), out);
        }
        List<String> lines = Arrays.asList(out.toString(StandardCharsets.UTF_8).split("\n"));
        assertThat(lines).noneMatch(l -> l.contains("list_changed"));
        assertThat(lines).filteredOn(l -> l.contains("\"id\":2,\"result\"")).singleElement()
                .satisfies(l -> ids.forEach(id -> assertThat(l).contains("ferrumdb://memory/default/" + id)));
    }
}
