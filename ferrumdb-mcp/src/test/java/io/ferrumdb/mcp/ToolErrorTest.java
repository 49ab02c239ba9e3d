package io.ferrumdb.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumException;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ToolErrorTest {
    private static String errorOf(RuntimeException failure) {
        Function<Args, ToolOutput> handler = args -> {
            throw failure;
        };
        McpSchema.CallToolResult result = new ToolSpec("t", "T", "d", "{}", "{}", true, false, handler)
                .call(Set.of(), Map.of());
        assertThat(result.isError()).isTrue();
        return ((McpSchema.TextContent) result.content().get(0)).text();
    }

    @Test
    void engineFailuresReachTheModelInWordsWithoutJavaClassNames() {
        NoSuchFileException missing = new NoSuchFileException("/data/000003.log");
        assertThat(errorOf(new FerrumException("I/O error reading /data/000003.log at offset 7: " + missing,
                missing))).isEqualTo("t: the database refused: I/O error reading /data/000003.log at offset 7: no"
                        + " such file or directory: /data/000003.log");
        assertThat(errorOf(new UncheckedIOException(new AccessDeniedException("/data/LOCK"))))
                .isEqualTo("t: internal error: permission denied: /data/LOCK");
        assertThat(errorOf(new IllegalStateException())).isEqualTo("t: internal error: unexpected failure");
    }
}
