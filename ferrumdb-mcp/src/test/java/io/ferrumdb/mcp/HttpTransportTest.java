package io.ferrumdb.mcp;

import static io.ferrumdb.mcp.ToolResults.structured;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferrumdb.Options;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serveHttp}: the official Java SDK client over streamable HTTP, and the token and host/origin guards. */
class HttpTransportTest {
    private static final String INITIALIZE = """
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",\
            "capabilities":{},"clientInfo":{"name":"http-test","version":"1"}}}""";

    @TempDir
    Path dir;

    private FerrumMcpServer server;
    private McpHttpEndpoint endpoint;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        server = FerrumMcpServer.open(dir.resolve("db"), Options.defaults());
        endpoint = server.serveHttp(0);
    }

    @AfterEach
    void stop() {
        endpoint.close();
        server.close();
    }

    private McpSyncClient client(String token) {
        return HttpTestClients.client(endpoint, token);
    }

    @Test
    void theJavaSdkClientListsToolsRemembersAndRecallsWithTheToken() {
        assertThat(endpoint.port()).isPositive();
        assertThat(endpoint.uri()).hasToString("http://127.0.0.1:" + endpoint.port() + "/mcp");
        assertThat(endpoint.banner()).contains(endpoint.uri().toString()).contains("Bearer " + endpoint.token());
        McpSyncClient client = client(endpoint.token());
        try {
            client.initialize();
            assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name).containsExactlyInAnyOrder(
                    "remember", "recall", "forget", "list_namespaces", "kv_get", "kv_put", "kv_delete", "kv_scan",
                    "doc_find");
            String id = (String) structured(client.callTool(new CallToolRequest("remember", Map.of(
                    "text", "The staging cluster is rebuilt every Friday night", "tags", List.of("ops")))))
                    .get("id");
            structured(client.callTool(new CallToolRequest("remember", Map.of(
                    "text", "Lunch is at noon on Fridays"))));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> memories = (List<Map<String, Object>>) structured(client.callTool(
                    new CallToolRequest("recall", Map.of("query", "staging cluster rebuilt")))).get("memories");
            assertThat(memories).first().satisfies(m -> {
                assertThat(m.get("id")).isEqualTo(id);
                assertThat(m.get("tags")).isEqualTo(List.of("ops"));
            });
        } finally {
            client.closeGracefully();
        }
        // Written through HTTP into the same database the in-process API reads.
        assertThat(server.memory().ids("default")).hasSize(2);
    }

    @Test
    void requestsWithoutTheTokenOrWithAWrongOneGet401() throws Exception {
        HttpResponse<String> none = post(Map.of());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("Bearer"));
        assertThat(none.body()).contains("no Authorization header");
        HttpResponse<String> wrong = post(Map.of("Authorization", "Bearer " + endpoint.token() + "x"));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("wrong token");
        assertThat(post(Map.of("Authorization", "Basic " + endpoint.token())).statusCode()).isEqualTo(401);
        assertThat(http.send(HttpRequest.newBuilder(endpoint.uri()).GET().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/other"))
                .GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        // The control: the same request with the token is served.
        assertThat(post(Map.of("Authorization", "Bearer " + endpoint.token())).statusCode()).isEqualTo(200);

        McpSyncClient intruder = client("not-the-token");
        try {
            assertThatThrownBy(intruder::initialize).hasStackTraceContaining("401");
        } finally {
            intruder.close();
        }
    }

    @Test
    void aForeignOriginGets403EvenWithTheToken() throws Exception {
        String bearer = "Bearer " + endpoint.token();
        assertThat(post(Map.of("Authorization", bearer, "Origin", "http://evil.example")).statusCode())
                .isEqualTo(403);
        assertThat(post(Map.of("Authorization", bearer, "Origin", "http://localhost:" + (endpoint.port() + 1)))
                .statusCode()).isEqualTo(403);
        assertThat(post(Map.of("Authorization", bearer, "Origin", "null")).statusCode()).isEqualTo(403);
        assertThat(post(Map.of("Authorization", bearer, "Origin", "http://localhost:" + endpoint.port()))
                .statusCode()).isEqualTo(200);
        assertThat(post(Map.of("Authorization", bearer, "Origin", "http://127.0.0.1:" + endpoint.port()))
                .statusCode()).isEqualTo(200);
    }

    /** DNS rebinding: a page on evil.example resolved to 127.0.0.1 sends its own name as Host. */
    @Test
    void aForeignHostGets421EvenWithTheToken() throws IOException {
        assertThat(statusWithHost("evil.example:" + endpoint.port())).isEqualTo(421);
        assertThat(statusWithHost("localhost:" + endpoint.port())).isEqualTo(200);
    }

    @Test
    void listensOnLoopbackOnly() throws IOException {
        Optional<InetAddress> other = NetworkInterface.networkInterfaces()
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
                .findFirst();
        assumeTrue(other.isPresent(), "no non-loopback IPv4 address on this machine");
        assertThatThrownBy(() -> new Socket(other.get(), endpoint.port()).close())
                .isInstanceOf(ConnectException.class);
    }

    /**
     * A body over the 16 MiB a message may hold, announced by its Content-Length or sent in chunks, gets 413 with a
     * JSON-RPC error naming the limit in bytes (before, a bare 413), and the server goes on.
     */
    @Test
    void aBodyOverTheLimitGets413WithAJsonRpcErrorNamingTheLimit() throws Exception {
        long announced = MessageLimit.MAX_BYTES + 1L;
        String refusal = rawPost("Content-Length: " + announced + "\r\n", out -> { }); // refused on its header
        assertThat(refusal).startsWith("HTTP/1.1 413 ").containsIgnoringCase("Content-Type: application/json");
        assertThat(jsonRpcError(refusal)).containsEntry("code", -32600).hasEntrySatisfying("message", m -> assertThat(m)
                .asString().contains("the message is " + announced + " bytes, over the limit of 16777216 bytes"));

        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) ' '); // JSON whitespace
        String chunked = rawPost("Transfer-Encoding: chunked\r\n", out -> {
            byte[] head = (Integer.toHexString(chunk.length) + "\r\n").getBytes(US_ASCII);
            for (long sent = 0; sent <= MessageLimit.MAX_BYTES; sent += chunk.length) {
                out.write(head);
                out.write(chunk);
                out.write("\r\n".getBytes(US_ASCII));
            }
            out.write("0\r\n\r\n".getBytes(US_ASCII));
        });
        assertThat(chunked).startsWith("HTTP/1.1 413 ");
        assertThat(jsonRpcError(chunked)).containsEntry("code", -32600).hasEntrySatisfying("message", m -> assertThat(m)
                .asString().contains("the message is over the limit of 16777216 bytes"));

        assertThat(post(Map.of("Authorization", "Bearer " + endpoint.token())).statusCode()).isEqualTo(200);
    }

    /** Writes the body of a POST to the endpoint with the token; the whole response, as text. */
    private interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    @Test
    void aBodyThatIsNotAJsonRpcMessageGets400WithAJsonRpcErrorAndNoJavaInternals() throws Exception {
        // The SDK (2.1) answered these with its exception serialised: class names and a stack trace.
        Map<String, Object> cases = Map.of(
                "not json", -32700,
                "[1,2]", -32600,
                "{\"jsonrpc\":\"2.0\"}", -32600,
                "{\"id\":7,\"method\":\"tools/list\"}", -32600,
                "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/call\",\"params\":{\"name\":\"recall\","
                        + "\"arguments\":[1]}}", -32602,
                "", -32700);
        for (Map.Entry<String, Object> c : cases.entrySet()) {
            byte[] body = c.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            String response = rawPost("Content-Length: " + body.length + "\r\n", out -> out.write(body));
            assertThat(response).as(c.getKey()).startsWith("HTTP/1.1 400 ")
                    .containsIgnoringCase("Content-Type: application/json")
                    .doesNotContain("stackTrace", "Exception", "io.modelcontextprotocol");
            assertThat(jsonRpcError(response)).as(c.getKey()).containsEntry("code", c.getValue());
        }
        assertThat(post(Map.of("Authorization", "Bearer " + endpoint.token())).statusCode()).isEqualTo(200);
    }

    /**
     * A request without {@code Mcp-Session-Id}, or of a session that does not exist or was deleted, keeps the SDK's
     * 400 or 404 (a client starts a new session on 404) with JSON-RPC's error; the SDK wrote its McpError exception
     * serialised, "stackTrace" and class names included (audit29b). A reply in a live session is untouched.
     */
    @Test
    void requestsOutsideALiveSessionGetTheSdksStatusWithAJsonRpcErrorAndNoJavaInternals() throws Exception {
        String toolsList = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}";
        HttpResponse<String> init = post(Map.of("Authorization", "Bearer " + endpoint.token()));
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        HttpRequest.Builder noSession = request(toolsList);
        HttpRequest.Builder unknown = request(toolsList).header("Mcp-Session-Id", "no-such-session");
        HttpRequest.Builder listen = HttpRequest.newBuilder(endpoint.uri()).header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + endpoint.token()).GET();
        for (Map.Entry<HttpRequest.Builder, Integer> c : List.of(Map.entry(noSession, 400), Map.entry(unknown, 404),
                Map.entry(listen, 400))) {
            HttpResponse<String> response = http.send(c.getKey().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(c.getValue());
            assertThat(response.body()).doesNotContain("stackTrace", "Exception", "io.modelcontextprotocol",
                    "localizedMessage");
            Map<?, ?> reply = io.modelcontextprotocol.json.McpJsonDefaults.getMapper().readValue(response.body(),
                    Map.class);
            assertThat(List.copyOf(reply.keySet())).asList().containsExactly("jsonrpc", "id", "error");
            assertThat(reply.get("id")).isNull();
            assertThat(((Map<?, ?>) reply.get("error")).get("message").toString())
                    .containsAnyOf("Session ID required", "Session not found: no-such-session");
        }
        HttpRequest delete = HttpRequest.newBuilder(endpoint.uri()).header("Mcp-Session-Id", session)
                .header("Authorization", "Bearer " + endpoint.token()).DELETE().build();
        assertThat(http.send(delete, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        HttpResponse<String> deleted = http.send(request(toolsList).header("Mcp-Session-Id", session).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(deleted.statusCode()).isEqualTo(404);
        assertThat(deleted.body()).startsWith("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{").doesNotContain("stackTrace");
    }

    private HttpRequest.Builder request(String body) {
        return HttpRequest.newBuilder(endpoint.uri()).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .header("Authorization", "Bearer " + endpoint.token()).POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private String rawPost(String lengthHeader, Body body) throws IOException {
        String head = "POST " + McpHttpEndpoint.PATH + " HTTP/1.1\r\nHost: 127.0.0.1:" + endpoint.port() + "\r\n"
                + "Authorization: Bearer " + endpoint.token() + "\r\nContent-Type: application/json\r\n"
                + "Accept: application/json, text/event-stream\r\n" + lengthHeader + "Connection: close\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", endpoint.port())) {
            socket.setSoTimeout(60_000);
            OutputStream out = new java.io.BufferedOutputStream(socket.getOutputStream());
            out.write(head.getBytes(US_ASCII));
            body.writeTo(out);
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> jsonRpcError(String response) throws IOException {
        String body = response.substring(response.indexOf("\r\n\r\n") + 4);
        Map<String, Object> message = io.modelcontextprotocol.json.McpJsonDefaults.getMapper().readValue(body,
                Map.class);
        assertThat(message).containsEntry("jsonrpc", "2.0").containsKey("id");
        return (Map<String, Object>) message.get("error");
    }

    private HttpResponse<String> post(Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint.uri())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(INITIALIZE));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** java.net.http will not send a chosen Host header: a plain socket does. */
    private int statusWithHost(String host) throws IOException {
        byte[] body = INITIALIZE.getBytes(US_ASCII);
        String head = "POST " + McpHttpEndpoint.PATH + " HTTP/1.1\r\nHost: " + host + "\r\n"
                + "Authorization: Bearer " + endpoint.token() + "\r\nContent-Type: application/json\r\n"
                + "Accept: application/json, text/event-stream\r\nContent-Length: " + body.length + "\r\n"
                + "Connection: close\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", endpoint.port())) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder statusLine = new StringBuilder();
            for (int c; (c = in.read()) != -1 && c != '\n'; ) {
                statusLine.append((char) c);
            }
            String[] parts = statusLine.toString().split(" ");
            assertThat(parts).as("status line %s", statusLine).hasSizeGreaterThan(1);
            return Integer.parseInt(parts[1]);
        }
    }
}
