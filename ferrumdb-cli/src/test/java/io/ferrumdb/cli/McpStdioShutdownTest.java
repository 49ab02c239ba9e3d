package io.ferrumdb.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.memory.AgentMemory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferrumdb mcp} over stdio stopped by SIGTERM (Ctrl+C, or a client stopping its server) mid-session. */
class McpStdioShutdownTest {
    private static final int MEMORIES = 50;

    @TempDir
    Path tmp;

    @Test
    void sigtermClosesTheDatabaseWithEveryAcknowledgedMemory() throws Exception {
        Path db = tmp.resolve("db");
        Path err = tmp.resolve("mcp.err");
        Process mcp = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--db", db.toString(),
                "--fsync", "never", "mcp").redirectError(err.toFile()).start();
        try {
            OutputStream in = mcp.getOutputStream();
            StringBuilder requests = new StringBuilder("""
                    {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",\
                    "capabilities":{},"clientInfo":{"name":"t","version":"1"}}}
                    {"jsonrpc":"2.0","method":"notifications/initialized"}
                    """);
            for (int i = 0; i < MEMORIES; i++) {
                requests.append("{\"jsonrpc\":\"2.0\",\"id\":").append(i + 2).append(",\"method\":\"tools/call\","
                        + "\"params\":{\"name\":\"remember\",\"arguments\":{\"text\":\"memory ").append(i)
                        .append("\"}}}\n");
            }
            in.write(requests.toString().getBytes(UTF_8));
            in.flush(); // stdin stays open: the client is still there when the signal comes
            BufferedReader out = new BufferedReader(new InputStreamReader(mcp.getInputStream(), UTF_8));
            String last = "\"id\":" + (MEMORIES + 1) + ",\"result\"";
            for (String line; (line = out.readLine()) != null && !line.contains(last); ) {
                assertThat(line).as("stderr: %s", Files.readString(err)).doesNotContain("\"isError\":true");
            }
            mcp.destroy(); // SIGTERM
            assertThat(mcp.waitFor(120, TimeUnit.SECONDS)).as("exited; stderr: %s", Files.readString(err)).isTrue();
        } finally {
            mcp.destroyForcibly();
        }
        // A clean close writes the key directory's image; a JVM that ended without closing leaves none.
        assertThat(db.resolve("KEYDIR")).as("closed cleanly; stderr: %s", Files.readString(err)).exists();
        try (FerrumDB reopened = FerrumDB.open(db)) {
            assertThat(AgentMemory.on(reopened).ids("default")).hasSize(MEMORIES);
        }
    }
}
