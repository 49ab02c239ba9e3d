package io.ferrumdb.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Raw JSON-RPC lines to and from a {@code ferrumdb mcp} child process, as an MCP client over stdio sends them. */
final class McpStdio {
    static final String INITIALIZE = """
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",\
            "capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""";
    static final String INITIALIZED = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";

    private McpStdio() {
    }

    /** A {@code ferrumdb ARGS} child past the MCP handshake: its stdin, its stdout, and its stderr file. */
    record Session(Process process, OutputStream in, BufferedReader out, Path err) {
        /** Starts the child and initializes the session (request 1 and the initialized notification). */
        static Session start(Path err, String... args) throws IOException {
            Process process = ChildCli.start(err, args);
            Session session = new Session(process, process.getOutputStream(),
                    new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8)), err);
            send(session.in, INITIALIZE);
            assertThat(answer(session.out, 1)).as("stderr: %s", Files.readString(err)).contains("\"result\"");
            send(session.in, INITIALIZED);
            return session;
        }
    }

    static void send(OutputStream in, String message) throws IOException {
        in.write((message + "\n").getBytes(UTF_8));
        in.flush();
    }

    /** The answer to request {@code id}, skipping notifications. */
    static String answer(BufferedReader out, int id) throws IOException {
        for (String line; (line = out.readLine()) != null; ) {
            if (line.contains("\"id\":" + id + ",")) {
                return line;
            }
        }
        throw new AssertionError("the server ended before answering request " + id);
    }

    /** A tools/call request line. */
    static String toolCall(int id, String tool, String argumentsJson) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + argumentsJson + "}}";
    }
}
