package io.ferrumdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An Error escaping a command (here a class path without the MCP SDK, as a broken install would have) ends the
 * process with exit code 3 and says what it was; it must not leave the process running on the threads it started.
 */
class BrokenClassPathTest {
    @TempDir
    Path tmp;

    @Test
    void anErrorEscapingACommandEndsTheProcessAndNamesIt() throws Exception {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("modelcontextprotocol"))
                .collect(Collectors.joining(File.pathSeparator));
        Path err = tmp.resolve("err.txt");
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, Main.class.getName(), "--db", tmp.resolve("db").toString(), "mcp", "--http"))
                .redirectError(err.toFile()).redirectOutput(tmp.resolve("out.txt").toFile()).start();
        p.getOutputStream().close();
        boolean ended = p.waitFor(120, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(ended).as("the process ended; stderr: %s", Files.readString(err)).isTrue();
        assertThat(p.exitValue()).isEqualTo(ExitCode.DATABASE);
        assertThat(Files.readString(err)).contains("ferrumdb: internal error: java.lang.NoClassDefFoundError");
    }
}
