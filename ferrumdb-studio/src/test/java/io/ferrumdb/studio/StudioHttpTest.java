package io.ferrumdb.studio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Studio's HTTP layer itself: URL decoding by Studio (typed 400s), what the HTTP decoder rejects (400, 414, 431),
 * bodies over the limit (413), keep-alive, pipelining, {@code 100 Continue}, chunked requests, streaming
 * responses and shutdown. Every answer, the layer's own errors included, is JSON with the security headers.
 */
class StudioHttpTest {
    @TempDir
    Path dir;
    Studio studio;
    TestClient client;

    @BeforeEach
    void start() {
        studio = Studio.start(StudioConfig.builder(dir.resolve("db")).port(0).build());
        client = new TestClient(studio);
    }

    @AfterEach
    void stop() {
        studio.close();
    }

    private static void assertJsonErrorWithSecurityHeaders(TestClient.Response r, int status, String... mentions) {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        JsonNode json = r.json();
        assertThat(json.get("status").asInt()).isEqualTo(status);
        assertThat(json.get("error").asText()).contains(mentions);
        assertThat(r.header("Content-Security-Policy")).isEqualTo(Guard.CONTENT_SECURITY_POLICY);
        assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(r.header("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
    }

    @Test
    void aMalformedPercentEncodingInTheQueryIsAJson400NamingTheParameter() {
        assertJsonErrorWithSecurityHeaders(client.get("/api/keys?prefix=%zz"), 400,
                "malformed percent-encoding", "query parameter 'prefix'", "'%zz'");
        // Positions count from 1, as the hex and base64 errors' do (session 28: "at character 2" meant the third).
        assertJsonErrorWithSecurityHeaders(client.get("/api/keys?limit=10&prefix=ab%2"), 400,
                "query parameter 'prefix'", "'%2' at position 3 is not '%' followed by two hex digits");
        assertJsonErrorWithSecurityHeaders(client.get("/api/kv?%zz=1"), 400, "a query parameter name");
        assertJsonErrorWithSecurityHeaders(client.get("/api/kv?key=%FF%FE"), 400, "query parameter 'key'",
                "not UTF-8");
        // Without a credential the answer is the same kind: JSON with the headers (401 here).
        assertJsonErrorWithSecurityHeaders(client.send("GET", "/api/keys?prefix=%zz", Map.of(), null), 401,
                "no token");
    }

    @Test
    void aMalformedPercentEncodingInThePathIsAJson400() {
        assertJsonErrorWithSecurityHeaders(client.get("/api/kv/%zz"), 400, "malformed percent-encoding",
                "the path");
        assertJsonErrorWithSecurityHeaders(client.get("/static/%e2%82"), 400, "the path", "not UTF-8");
    }

    @Test
    void wellFormedEncodingsAreDecodedByStudio() {
        assertThat(client.put("/api/kv", "{\"key\":\"a b+c/é\",\"value\":\"v\"}").status()).isEqualTo(200);
        TestClient.Response r = client.get("/api/kv?key=a+b%2Bc%2F%C3%A9");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().get("text").asText()).isEqualTo("v");
        // Percent-encoded path segments name the same route.
        assertThat(client.get("/api/%69nfo").status()).isEqualTo(200);
        // '+' in a path is a plus, not a space: no such asset.
        assertThat(client.get("/static/app+js").status()).isEqualTo(404);
    }

    @Test
    void aRequestTheDecoderCannotParseIsAJson400() throws IOException {
        assertJsonErrorWithSecurityHeaders(rawExchange("THIS IS NOT HTTP\r\n\r\n"), 400, "malformed HTTP request");
        assertJsonErrorWithSecurityHeaders(rawExchange("GET /api/info HTTP/1.1\r\nHost: 127.0.0.1:" + studio.port()
                + "\r\nContent-Length: nine\r\n\r\n"), 400, "malformed HTTP request");
        assertJsonErrorWithSecurityHeaders(rawExchange("PUT /api/kv HTTP/1.1\r\nHost: 127.0.0.1:" + studio.port()
                + "\r\nX-FerrumDB-Token: " + studio.token() + "\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
                400, "the request body is malformed");
    }

    @Test
    void aTooLongRequestLineIs414AndTooLargeHeadersAre431() throws IOException {
        String longKey = "k".repeat(WebServer.MAX_REQUEST_LINE_BYTES + 1);
        assertJsonErrorWithSecurityHeaders(client.get("/api/kv?key=" + longKey), 414, "request line is longer than");
        String bigHeader = "X-Filler: " + "f".repeat(WebServer.MAX_HEADER_BYTES + 1) + "\r\n";
        assertJsonErrorWithSecurityHeaders(rawExchange("GET /api/info HTTP/1.1\r\nHost: 127.0.0.1:" + studio.port()
                + "\r\n" + bigHeader + "\r\n"), 431, "headers are larger than");
        // A request line just under the limit is served: the longest key the engine takes fits.
        String hexKey = "ab".repeat(io.ferrumdb.Limits.MAX_KEY_SIZE);
        TestClient.Response longest = client.get("/api/kv?hex=" + hexKey);
        assertThat(longest.status()).as(longest.text()).isEqualTo(404);
    }

    @Test
    void aDeclaredBodyOverTheLimitIs413WithoutSendingIt() throws IOException {
        try (Socket socket = connect()) {
            long declared = Call.MAX_BODY_BYTES + 1L;
            write(socket, "PUT /api/kv HTTP/1.1\r\nHost: 127.0.0.1:" + studio.port() + "\r\nX-FerrumDB-Token: "
                    + studio.token() + "\r\nContent-Type: application/json\r\nContent-Length: " + declared
                    + "\r\n\r\n{\"key\":");
            TestClient.Response r = readResponse(socket.getInputStream());
            assertJsonErrorWithSecurityHeaders(r, 413, "larger than the limit of " + Call.MAX_BODY_BYTES);
            // The connection cannot go on (the body would follow): it says so and closes.
            assertThat(r.header("Connection")).isEqualTo("close");
        }
        assertThat(client.get("/api/info").status()).as("still serving").isEqualTo(200);
    }

    @Test
    void aChunkedBodyOverTheLimitIs413() throws IOException {
        try (Socket socket = connect()) {
            write(socket, "PUT /api/kv HTTP/1.1\r\nHost: 127.0.0.1:" + studio.port() + "\r\nX-FerrumDB-Token: "
                    + studio.token() + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
            byte[] piece = new byte[1 << 20];
            Arrays.fill(piece, (byte) 'a');
            byte[] head = (Integer.toHexString(piece.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            OutputStream out = socket.getOutputStream();
            try {
                for (int i = 0; i <= Call.MAX_BODY_BYTES / piece.length; i++) {
                    out.write(head);
                    out.write(piece);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.flush();
            } catch (SocketException closedWhileSending) {
                // The server may answer and close while the last pieces are in flight; its answer is still read.
            }
            TestClient.Response r = readResponse(socket.getInputStream());
            assertJsonErrorWithSecurityHeaders(r, 413, "larger than " + Call.MAX_BODY_BYTES);
        }
        assertThat(studio.database().get("a".getBytes(StandardCharsets.UTF_8))).isNull();
    }

    @Test
    void errorsOfTheRoutingLayerCarryTheSecurityHeaders() {
        assertJsonErrorWithSecurityHeaders(client.get("/no/such/page"), 404, "no such page");
        TestClient.Response methodNotAllowed = client.send("PATCH", "/api/kv", Map.of("X-FerrumDB-Token",
                studio.token()), "{}");
        assertJsonErrorWithSecurityHeaders(methodNotAllowed, 405, "PATCH is not allowed");
        assertThat(methodNotAllowed.header("Allow")).isEqualTo("DELETE, GET, HEAD, PUT");
    }

    @Test
    void aKeepAliveConnectionServesManyRequestsWithTcpNoDelay() throws IOException {
        try (Socket socket = connect()) {
            for (int i = 0; i < 20; i++) {
                write(socket, "GET /api/info HTTP/1.1\r\nHost: 127.0.0.1:" + studio.port() + "\r\nX-FerrumDB-Token: "
                        + studio.token() + "\r\n\r\n");
                TestClient.Response r = readResponse(socket.getInputStream());
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("Connection")).isNull();
                assertThat(r.json().get("readOnly").asBoolean()).isFalse();
            }
            // The server side of this very connection has TCP_NODELAY: small answers are not held back by Nagle.
            assertThat(studio.server().connectionsWithNoDelay(true)).isGreaterThanOrEqualTo(1);
            assertThat(studio.server().connectionsWithNoDelay(false)).isZero();
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws IOException {
        client.put("/api/kv", "{\"key\":\"p1\",\"value\":\"one\"}");
        client.put("/api/kv", "{\"key\":\"p2\",\"value\":\"two\"}");
        String auth = "Host: 127.0.0.1:" + studio.port() + "\r\nX-FerrumDB-Token: " + studio.token() + "\r\n";
        String put = "{\"key\":\"p3\",\"value\":\"three\"}";
        try (Socket socket = connect()) {
            write(socket, "GET /api/kv?key=p1 HTTP/1.1\r\n" + auth + "\r\n"
                    + "PUT /api/kv HTTP/1.1\r\n" + auth + "Content-Length: " + put.length() + "\r\n\r\n" + put
                    + "GET /api/kv?key=p2 HTTP/1.1\r\n" + auth + "\r\n"
                    + "GET /api/kv?key=p3 HTTP/1.1\r\n" + auth + "Connection: close\r\n\r\n");
            InputStream in = socket.getInputStream();
            assertThat(readResponse(in).json().get("text").asText()).isEqualTo("one");
            assertThat(readResponse(in).status()).isEqualTo(200);
            assertThat(readResponse(in).json().get("text").asText()).isEqualTo("two");
            TestClient.Response last = readResponse(in);
            assertThat(last.json().get("text").asText()).isEqualTo("three");
            assertThat(last.header("Connection")).isEqualTo("close");
            assertThat(in.read()).as("closed after the request that asked").isEqualTo(-1);
        }
    }

    @Test
    void expectContinueIsAnsweredBeforeTheBodyIsSent() throws IOException {
        String body = "{\"key\":\"c\",\"value\":\"continued\"}";
        try (Socket socket = connect()) {
            write(socket, "PUT /api/kv HTTP/1.1\r\nHost: 127.0.0.1:" + studio.port() + "\r\nX-FerrumDB-Token: "
                    + studio.token() + "\r\nExpect: 100-continue\r\nContent-Length: " + body.length() + "\r\n\r\n");
            TestClient.Response interim = readResponse(socket.getInputStream());
            assertThat(interim.status()).isEqualTo(100);
            write(socket, body);
            assertThat(readResponse(socket.getInputStream()).status()).isEqualTo(200);
        }
        assertThat(studio.database().get("c".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("continued".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aRequestWithoutTheTokenIsRefusedBeforeItsBodyIsInvited() throws IOException {
        try (Socket socket = connect()) {
            write(socket, "PUT /api/kv HTTP/1.1\r\nHost: 127.0.0.1:" + studio.port() + "\r\nExpect: 100-continue\r\n"
                    + "Content-Length: 50000000\r\n\r\n");
            TestClient.Response r = readResponse(socket.getInputStream());
            // No "100 Continue" first: the refusal is the first thing the client reads.
            assertJsonErrorWithSecurityHeaders(r, 401, "no token");
            assertThat(r.header("Connection")).isEqualTo("close");
        }
    }

    @Test
    void aChunkedRequestBodyIsStreamedToTheImport() throws IOException {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            lines.append("{\"key\":\"chunk:").append(i).append("\",\"value\":\"v").append(i).append("\"}\n");
        }
        byte[] all = lines.toString().getBytes(StandardCharsets.UTF_8);
        try (Socket socket = connect()) {
            write(socket, "POST /api/import HTTP/1.1\r\nHost: 127.0.0.1:" + studio.port() + "\r\nX-FerrumDB-Token: "
                    + studio.token() + "\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (int at = 0; at < all.length; at += 1000) {
                int n = Math.min(1000, all.length - at);
                write(socket, Integer.toHexString(n) + "\r\n" + new String(all, at, n, StandardCharsets.UTF_8) + "\r\n");
            }
            write(socket, "0\r\n\r\n");
            TestClient.Response r = readResponse(socket.getInputStream());
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            assertThat(r.json().get("imported").asInt()).isEqualTo(500);
        }
        assertThat(studio.database().get("chunk:499".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("v499".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theLiveTailStreamsEventsAsTheyHappen() throws IOException {
        try (Socket socket = connect()) {
            write(socket, "GET /api/tail HTTP/1.1\r\nHost: 127.0.0.1:" + studio.port() + "\r\nX-FerrumDB-Token: "
                    + studio.token() + "\r\n\r\n");
            InputStream in = socket.getInputStream();
            Map<String, String> headers = readHead(in);
            assertThat(headers.get(":status")).isEqualTo("200");
            assertThat(headers.get("content-type")).startsWith("text/event-stream");
            assertThat(headers.get("transfer-encoding")).isEqualTo("chunked");
            assertThat(headers.get("content-security-policy")).isEqualTo(Guard.CONTENT_SECURITY_POLICY);
            // The first events arrive while the stream is open (30 s): it is not collected whole.
            assertThat(new String(readChunk(in), StandardCharsets.UTF_8)).isEqualTo("retry: 1000\n\n");
            studio.database().put("t".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
            String event = new String(readChunk(in), StandardCharsets.UTF_8);
            assertThat(event).startsWith("data: {").contains("\"puts\":");
        }
    }

    @Test
    void aStreamedExportWaitsForAClientThatDoesNotReadAndArrivesWhole() throws Exception {
        int keys = 160;
        int valueBytes = 256 << 10;
        for (int i = 0; i < keys; i++) {
            byte[] value = new byte[valueBytes];
            Arrays.fill(value, (byte) ('a' + i % 26));
            studio.database().put(("big:" + i).getBytes(StandardCharsets.UTF_8), value);
        }
        try (Socket socket = connect()) {
            write(socket, "GET /api/export?prefix=big: HTTP/1.1\r\nHost: 127.0.0.1:" + studio.port()
                    + "\r\nX-FerrumDB-Token: " + studio.token() + "\r\n\r\n");
            // Not reading for a while: the socket buffers fill, and then the export must wait for the client
            // instead of queueing its 40 MiB in memory (and must not drop anything).
            long mostQueued = 0;
            for (int i = 0; i < 40; i++) {
                Thread.sleep(50);
                mostQueued = Math.max(mostQueued, studio.server().maxQueuedOutboundBytes());
            }
            assertThat(mostQueued).as("bytes queued for the client that does not read").isLessThan(1 << 20);
            TestClient.Response r = readResponse(socket.getInputStream());
            assertThat(r.status()).isEqualTo(200);
            String[] lines = r.text().split("\n");
            assertThat(lines).hasSize(keys);
            for (String line : lines) {
                JsonNode record = Json.MAPPER.readTree(line);
                int i = Integer.parseInt(record.get("key").asText().substring("big:".length()));
                assertThat(record.get("value").asText()).hasSize(valueBytes)
                        .isEqualTo(String.valueOf((char) ('a' + i % 26)).repeat(valueBytes));
            }
        }
    }

    @Test
    void closeEndsOpenStreamsAndHalfSentBodiesAndReleasesThePort() throws Exception {
        studio.close();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        studio = Studio.start(StudioConfig.builder(dir.resolve("db")).port(0)
                .console(new java.io.PrintStream(console, true, StandardCharsets.UTF_8)).build());
        int port = studio.port();
        try (Socket tail = connect(); Socket upload = connect()) {
            write(tail, "GET /api/tail HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nX-FerrumDB-Token: "
                    + studio.token() + "\r\n\r\n");
            assertThat(readHead(tail.getInputStream()).get(":status")).isEqualTo("200");
            write(upload, "POST /api/import HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nX-FerrumDB-Token: "
                    + studio.token() + "\r\nContent-Length: 1000\r\n\r\n{\"key\":\"half");
            studio.close();
            assertThat(studio.database().isClosed()).isTrue();
            // Both connections were closed by the server.
            assertThat(drain(tail.getInputStream())).isTrue();
            assertThat(drain(upload.getInputStream())).isTrue();
        }
        // The handlers whose clients were cut off end quietly: no 500 attempted, no stack trace.
        assertThat(console.toString(StandardCharsets.UTF_8)).isEmpty();
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
        studio = Studio.start(StudioConfig.builder(dir.resolve("db")).port(0).build());
    }

    @Test
    void http10ClientsGetAnEndOfBodyByClose() throws IOException {
        TestClient.Response r = rawExchange("GET /api/export HTTP/1.0\r\nHost: 127.0.0.1:" + studio.port()
                + "\r\nX-FerrumDB-Token: " + studio.token() + "\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Transfer-Encoding")).isNull();
        assertThat(r.header("Connection")).isEqualTo("close");
    }

    // ---- a raw HTTP/1.1 client that reads one response at a time from a kept-alive connection

    private Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), studio.port());
        socket.setSoTimeout(60_000); // a reply, not a duration: a busy machine may take seconds
        return socket;
    }

    private static void write(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Sends the bytes as they are on a new connection and reads everything the server sends until it closes. */
    private TestClient.Response rawExchange(String request) throws IOException {
        try (Socket socket = connect()) {
            write(socket, request);
            socket.shutdownOutput();
            return readResponse(socket.getInputStream());
        }
    }

    /** True when the server closed the connection (reads reach the end, or a reset). */
    private static boolean drain(InputStream in) throws IOException {
        try {
            while (in.read() >= 0) {
                // skip what was in flight
            }
            return true;
        } catch (SocketException reset) {
            return true;
        }
    }

    private static Map<String, String> readHead(InputStream in) throws IOException {
        String statusLine = readLine(in);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(":status", statusLine.split(" ")[1]);
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
                    (a, b) -> a + ", " + b);
        }
        return headers;
    }

    private static TestClient.Response readResponse(InputStream in) throws IOException {
        Map<String, String> head = readHead(in);
        int status = Integer.parseInt(head.remove(":status"));
        Map<String, java.util.List<String>> headers = new LinkedHashMap<>();
        head.forEach((k, v) -> headers.put(k, java.util.List.of(v)));
        byte[] body;
        if (status == 100 || status == 204 || status == 304) {
            body = new byte[0];
        } else if ("chunked".equals(head.get("transfer-encoding"))) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (byte[] chunk = readChunk(in); chunk.length > 0; chunk = readChunk(in)) {
                all.write(chunk);
            }
            readLine(in);
            body = all.toByteArray();
        } else if (head.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(head.get("content-length")));
        } else {
            body = in.readAllBytes();
        }
        return new TestClient.Response(status, headers, body);
    }

    /** One chunk's bytes (empty for the last chunk, whose trailer the caller reads). */
    private static byte[] readChunk(InputStream in) throws IOException {
        int size = Integer.parseInt(readLine(in).split(";")[0].trim(), 16);
        if (size == 0) {
            return new byte[0];
        }
        byte[] chunk = in.readNBytes(size);
        if (chunk.length < size || !readLine(in).isEmpty()) {
            throw new EOFException("chunk cut short");
        }
        return chunk;
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new EOFException("connection closed inside a line: " + line);
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }
}
