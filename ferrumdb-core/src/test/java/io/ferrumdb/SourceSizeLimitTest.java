package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17's size limits, held by the build: the public facade {@code FerrumDB.java} stays under
 * {@value #FACADE_LIMIT} lines (arguments, state checks, delegation), and no source file of the core under
 * {@value #PART_LIMIT} (parts with one job each). Lines are counted as {@code wc -l} counts them. A file that reaches
 * its limit is named with its count: split it along a seam (ARCHITECTURE.md names the file that owns each job) rather
 * than raising the limit.
 */
class SourceSizeLimitTest {
    static final int FACADE_LIMIT = 500;
    static final int PART_LIMIT = 700;
    /** The core's main sources; Maven runs the tests in the module's directory. */
    private static final Path MAIN = Path.of("src", "main", "java");

    @Test
    void theFacadeStaysUnderItsLimit() throws IOException {
        Path facade = MAIN.resolve(Path.of("io", "ferrumdb", "FerrumDB.java"));
        assertThat(facade).as("the facade's source, from the module's directory").isRegularFile();
        assertThat(lines(facade)).as("lines of %s (limit %d)", facade, FACADE_LIMIT).isLessThan(FACADE_LIMIT);
    }

    @Test
    void noCoreSourceFileReachesThePartLimit() throws IOException {
        List<String> tooLong = new ArrayList<>();
        int files = 0;
        try (Stream<Path> sources = Files.walk(MAIN)) {
            for (Path p : (Iterable<Path>) sources.filter(f -> f.toString().endsWith(".java"))::iterator) {
                files++;
                long n = lines(p);
                if (n >= PART_LIMIT) {
                    tooLong.add(p + ": " + n + " lines");
                }
            }
        }
        assertThat(files).as("Java sources found under %s", MAIN.toAbsolutePath()).isGreaterThan(100);
        assertThat(tooLong).as("core sources of %d lines or more (split them into parts with one job each)",
                PART_LIMIT).isEmpty();
    }

    @Test
    void linesAreCountedAsWcCountsThem(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("A.java");
        Files.writeString(f, "class A {\n}\n");
        assertThat(lines(f)).isEqualTo(2);
        Files.writeString(f, "class A {\n}");
        assertThat(lines(f)).as("no newline at the end: wc -l counts newlines").isEqualTo(1);
    }

    /** Newlines in {@code file}, as {@code wc -l} counts. */
    static long lines(Path file) throws IOException {
        long n = 0;
        for (byte b : Files.readAllBytes(file)) {
            if (b == '\n') {
                n++;
            }
        }
        return n;
    }
}
