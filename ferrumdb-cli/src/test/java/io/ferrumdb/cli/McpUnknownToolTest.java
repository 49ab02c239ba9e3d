package io.ferrumdb.cli;

import static io.ferrumdb.cli.McpStdio.answer;
import static io.ferrumdb.cli.McpStdio.send;
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

/**
 * {@code ferrumdb mcp} asked for a tool it does not have (a model's typo, an old tool name): the error's message
 * itself names the tool and lists the server's tools, over stdio and over {@code --http}. The SDK's message was
 * "Unknown tool: invalid_tool_name", with the name only in the error's data, which clients seldom show.
 */
class McpUnknownToolTest {
    private static final String TOOLS = "remember, recall, forget, list_namespaces, kv_get, kv_put, kv_delete, "
            + "kv_scan, doc_find";
    private static final Pattern START_LINE = Pattern.compile(
            "(http://127\\.0\\.0\\.1:\\d+/mcp) with header 'Authorization: Bearer ([A-Za-z0-9_-]{43})'");

    @TempDir
    Path tmp;

    @Test
    void overStdioTheErrorNamesTheToolAndListsTheTools() throws Exception {
        Path err = tmp.resolve("mcp.err");
        McpStdio.Session session = McpStdio.Session.start(err, "--db", tmp.resolve("db").toString(), "mcp");
        try {
            send(session.in(), McpStdio.toolCall(2, "remember_everything", "{\"text\":\"x\"}"));
            assertThat(answer(session.out(), 2)).as("stderr: %s", Files.readString(err))
                    .contains("\"code\":-32602")
                    .contains("\"message\":\"Unknown tool: \\\"remember_everything\\\"; the tools of this server are "
                            + TOOLS + "\"");
            // The session goes on.
            send(session.in(), McpStdio.toolCall(3, "kv_put", "{\"key\":\"k\",\"value\":\"v\"}"));
            assertThat(answer(session.out(), 3)).contains("\"result\"").contains("Stored 1 bytes");
        } finally {
            session.in().close();
            assertThat(session.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            session.process().destroyForcibly();
        }
    }

    @Test
    void overHttpTheErrorNamesTheToolAndListsTheTools() throws Exception {
        Path err = tmp.resolve("mcp.err");
        Process p = ChildCli.start(err, "--db", tmp.resolve("db").toString(), "mcp", "--http", "--port", "0");
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8))) {
            Matcher m = null;
            for (String line; m == null && (line = out.readLine()) != null; ) {
                Matcher candidate = START_LINE.matcher(line);
                m = candidate.find() ? candidate : null;
            }
            assertThat(m).as("the start line on stdout; stderr: %s", Files.readString(err)).isNotNull();
            URI url = URI.create(m.group(1));
            String token = m.group(2);
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> initialized = http.send(post(url, token, null, McpStdio.INITIALIZE),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(initialized.statusCode()).isEqualTo(200);
            String session = initialized.headers().firstValue("Mcp-Session-Id").orElseThrow();

            HttpResponse<String> unknown = http.send(post(url, token, session,
                    McpStdio.toolCall(2, "remember_everything", "{\"text\":\"x\"}")), HttpResponse.BodyHandlers.ofString());
            assertThat(unknown.statusCode()).isEqualTo(200);
            assertThat(unknown.body()).contains("\"id\":2").contains("\"code\":-32602")
                    .contains("\"message\":\"Unknown tool: \\\"remember_everything\\\"; the tools of this server are "
                            + TOOLS + "\"");
        } finally {
            p.destroy();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            p.destroyForcibly();
        }
    }

    private static HttpRequest post(URI url, String token, String session, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            request.header("Mcp-Session-Id", session);
        }
        return request.build();
    }
}
