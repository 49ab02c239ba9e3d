package io.ferrumdb.cli;

import static io.ferrumdb.cli.McpStdio.answer;
import static io.ferrumdb.cli.McpStdio.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.memory.AgentMemory;
import java.io.BufferedReader;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
        McpStdio.Session session = McpStdio.Session.start(err, "--db", db.toString(), "--fsync", "never", "mcp");
        Process mcp = session.process();
        try {
            OutputStream in = session.in();
            BufferedReader out = session.out();
            // One call at a time, as clients usually do (with many in flight the SDK's stdio transport can drop
            // an answer; README "Agent memory over MCP"). stdin stays open: the client is there when the signal
            // comes.
            for (int i = 0; i < MEMORIES; i++) {
                send(in, McpStdio.toolCall(i + 2, "remember", "{\"text\":\"memory " + i + "\"}"));
                assertThat(answer(out, i + 2)).as("stderr: %s", Files.readString(err)).contains("Remembered ");
            }
            mcp.destroy(); // SIGTERM
            assertThat(mcp.waitFor(120, TimeUnit.SECONDS)).as("exited; stderr: %s", Files.readString(err)).isTrue();
        } finally {
            mcp.destroyForcibly();
        }
        // A clean close seals the segment being written, with its hint file; a JVM that ended without closing
        // leaves that segment without one.
        List<String> files;
        try (Stream<Path> listing = Files.list(db)) {
            files = listing.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(files).as("closed cleanly (exit %d); stderr: %s", mcp.exitValue(), Files.readString(err))
                .anyMatch(f -> f.endsWith(".seg"))
                .filteredOn(f -> f.endsWith(".seg")).allMatch(seg -> files.contains(seg.replace(".seg", ".hint")));
        try (FerrumDB reopened = FerrumDB.open(db)) {
            assertThat(AgentMemory.on(reopened).ids("default")).hasSize(MEMORIES);
        }
    }
}
