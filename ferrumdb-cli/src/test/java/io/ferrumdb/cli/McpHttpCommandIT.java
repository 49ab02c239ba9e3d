package io.ferrumdb.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./ferrumdb --db DIR mcp --http --port 0}: through the real launcher, as a user starts it. */
class McpHttpCommandIT {
    private static final Pattern START_LINE = Pattern.compile(
            "(http://127\\.0\\.0\\.1:\\d+/mcp) with header 'Authorization: Bearer ([A-Za-z0-9_-]{43})'");
    private static final String INITIALIZE = """
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",\
            "capabilities":{},"clientInfo":{"name":"cli-it","version":"1"}}}""";

    @TempDir
    Path dir;

    @Test
    void servesOnThePrintedUrlWithThePrintedTokenUntilStopped() throws Exception {
        Path db = dir.resolve("db");
        Process p = new ProcessBuilder(Launcher.FERRUMDB.toString(), "--db", db.toString(), "mcp", "--http",
                "--port", "0").directory(dir.toFile()).redirectError(dir.resolve("mcp.err").toFile()).start();
        try {
            Matcher m = null;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    Matcher candidate = START_LINE.matcher(line);
                    if (candidate.find()) {
                        m = candidate;
                        break;
                    }
                }
                assertThat(m).as("the start line on stdout; stderr: " + Files.readString(dir.resolve("mcp.err")))
                        .isNotNull();
                URI url = URI.create(m.group(1));
                HttpClient http = HttpClient.newHttpClient();
                assertThat(http.send(initialize(url).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                        .isEqualTo(401);
                HttpResponse<String> served = http.send(initialize(url)
                        .header("Authorization", "Bearer " + m.group(2)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(served.statusCode()).isEqualTo(200);
                assertThat(served.body()).contains("\"serverInfo\":{\"name\":\"ferrumdb\"");
                p.destroy(); // SIGTERM, as Ctrl+C: the shutdown hook stops the server and closes the database
                assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the MCP server stopped after SIGTERM").isTrue();
            }
        } finally {
            p.destroyForcibly();
        }
        // The database was closed and its lock released: another command opens it.
        assertThat(Launcher.ferrumdb(dir, "", "--db", db.toString(), "put", "after", "stop").code()).isZero();
    }

    @Test
    void portWithoutHttpIsAUsageError() {
        Launcher.Result r = Launcher.ferrumdb(dir, "", "--db", dir.resolve("db").toString(), "mcp", "--port", "7");
        assertThat(r.code()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("--port is only for --http");
        assertThat(r.out()).isEmpty();
    }

    private static HttpRequest.Builder initialize(URI url) {
        return HttpRequest.newBuilder(url).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(INITIALIZE));
    }
}
