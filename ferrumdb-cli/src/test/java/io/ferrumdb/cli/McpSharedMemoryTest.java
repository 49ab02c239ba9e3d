package io.ferrumdb.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two agents, one memory over MCP: a second {@code ferrumdb mcp} on a directory that {@code ferrumdb mcp --http}
 * serves is refused with the server's URL, and two MCP clients following that advice share the memory.
 */
class McpSharedMemoryTest {
    private static final Pattern BANNER = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+/mcp) with header "
            + "'Authorization: Bearer ([A-Za-z0-9_-]+)'");
    private static final Pattern ADVISED_URL = Pattern.compile("serving MCP at (http://\\S+): connect MCP clients");

    @TempDir
    Path tmp;

    @Test
    void aSecondMcpServerIsToldTheFirstOnesUrlAndTwoClientsThereShareTheMemory() throws Exception {
        Path db = tmp.resolve("memory").toAbsolutePath();
        Path err = tmp.resolve("server.err");
        Process server = ChildCli.start(err, "--db", db.toString(), "mcp", "--http");
        try {
            String banner = new BufferedReader(new InputStreamReader(server.getInputStream(), UTF_8)).readLine();
            Matcher started = BANNER.matcher(banner == null ? "" : banner);
            assertThat(started.find()).as("banner %s; stderr: %s", banner, Files.readString(err)).isTrue();
            String token = started.group(2);

            // A second agent's client starts its own server on the same directory, as its config says.
            for (List<String> command : List.of(List.of("mcp"), List.of("mcp", "--http"))) {
                Run second = Run.of(db, "", command.toArray(String[]::new));
                assertThat(second.code()).as("ferrumdb %s", command).isEqualTo(ExitCode.DATABASE);
                assertThat(second.err()).as("ferrumdb %s", command)
                        .contains("it is `ferrumdb mcp --http` (pid " + server.pid() + ") serving MCP at "
                                + started.group(1) + ": connect MCP clients to that URL");
            }
            Matcher advised = ADVISED_URL.matcher(Run.of(db, "", "mcp").err());
            assertThat(advised.find()).isTrue();
            URI url = URI.create(advised.group(1));

            // Following the advice: both agents' clients connect to that URL with the printed token.
            McpSyncClient first = client(url, token);
            McpSyncClient other = client(url, token);
            try {
                McpSchema.CallToolResult kept = first.callTool(new CallToolRequest("remember", Map.of(
                        "text", "The customer prefers invoices in Swiss francs", "tags", List.of("billing"))));
                assertThat(kept.isError()).as("%s", kept.content()).isFalse();
                McpSchema.CallToolResult found = other.callTool(new CallToolRequest("recall", Map.of(
                        "query", "which currency for invoices")));
                assertThat(((McpSchema.TextContent) found.content().get(0)).text())
                        .contains("The customer prefers invoices in Swiss francs");
            } finally {
                first.closeGracefully();
                other.closeGracefully();
            }
        } finally {
            server.destroy(); // SIGTERM
            assertThat(server.waitFor(120, TimeUnit.SECONDS)).as("server stopped").isTrue();
        }
        assertThat(db.resolve("SERVING")).as("the notice is gone with the server").doesNotExist();
    }

    private static McpSyncClient client(URI url, String token) {
        McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport
                        .builder(url.getScheme() + "://" + url.getAuthority()).endpoint(url.getPath())
                        .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + token)).build())
                .requestTimeout(Duration.ofSeconds(60)).initializationTimeout(Duration.ofSeconds(60)).build();
        client.initialize();
        return client;
    }
}
