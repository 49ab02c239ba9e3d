package io.ferrumdb.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportGeneratorTest {
    @TempDir
    Path tmp;

    private Path sampleResults() throws IOException {
        Path results = Files.createDirectories(tmp.resolve("docs/benchmarks-data"));
        for (String f : new String[] {"jmh.json", "harness.json"}) {
            try (InputStream in = getClass().getResourceAsStream("/sample-results/" + f)) {
                Files.copy(in, results.resolve(f));
            }
        }
        return results;
    }

    @Test
    void rendersRatiosTargetsAndPlotsAndKeepsOtherSections() throws IOException {
        Path results = sampleResults();
        Path docs = tmp.resolve("docs");
        Files.writeString(docs.resolve("benchmarks.md"), "# FerrumDB benchmarks\n\nintro\n\n" + ReportGenerator.BEGIN
                + "\nstale figures\n" + ReportGenerator.END + "\n\n## Documents\n\nkept by the doc module\n");

        ReportGenerator.render(results, docs);

        String md = Files.readString(docs.resolve("benchmarks.md"), StandardCharsets.UTF_8);
        assertThat(md).doesNotContain("stale figures").contains("intro").contains("kept by the doc module");
        assertThat(md.indexOf("## Documents")).isGreaterThan(md.indexOf(ReportGenerator.END));
        // ferrum 300 ns against raw pread 200 ns, raw mmap 100 ns, CHM 60 ns
        assertThat(md).contains("| ferrum | 270 | 300 ± 15 | 1,200 | 6,000 | 1.50x | 3.00x | 5.00x | 1.50x |");
        assertThat(md).containsPattern("Harness run from \\S+ to \\S+ \\(the JMH benchmarks ran just before it\\)");
        assertThat(md).contains("GET within 1.5x of a raw FileChannel positional read (median; mean ratio 1.50x): **1.50x — met**");
        // 1.2 M puts/s against a 3 M/s raw append; 4x RocksDB's 300 k/s
        assertThat(md).contains("| ferrum | 1.20 M ± 60.0 k | 0.40x |");
        assertThat(md).contains("at least 3x RocksDB with its WAL unsynced: **4.00x — met**");
        // 50 k/s durable at 64 threads against 90 k/s raw at batch 63: 0.56x; Redis 25 k/s
        assertThat(md).contains("| 64 threads | 50.0 k | 62.5 | 1,200 / 5,000 µs | 90.0 k (batch 63) | 0.56x |");
        assertThat(md).contains("with 64 threads above Redis appendfsync always with 64 clients: **2.00x of Redis — met**");
        assertThat(md).contains("at equal batch size (1 thread): **0.80x — met**");
        assertThat(md).contains("GET latency at most LMDB's (median; mean ratio 0.50x): **0.50x of LMDB — met**");
        assertThat(md).contains("GET latency at most half of RocksDB's (median; mean ratio 0.25x): **0.25x of RocksDB — met**");
        assertThat(md).contains("ordered keys within 10% of hash-only: **3.4% — met**");
        assertThat(md).contains("Not measured: `durable mapdb 1 2.0 100`: mapdb: not measured");
        assertThat(md).contains("| ferrum | 12.00x |");
        assertThat(md).contains("| lmdb | 540 | 600 ± 30 | 2,400 | 12,000 | 2.00x | 2.00x |");
        assertThat(md).contains("Sample CPU @ 2.0GHz, 2 CPUs");
        assertThat(md).contains("load average seen by the harness measurements: 2.5 to 6.0 on 2 CPUs");

        for (String png : new String[] {"get-latency-100.png", "durable-throughput-100.png"}) {
            Path file = docs.resolve("img").resolve(png);
            assertThat(md).contains("](img/" + png + ")");
            BufferedImage image = ImageIO.read(file.toFile());
            assertThat(image.getWidth()).isEqualTo(LineChart.WIDTH);
            assertThat(image.getHeight()).isEqualTo(LineChart.HEIGHT);
            assertThat(countPixels(image, 0xD62728)).as("pixels of the first series in " + png).isGreaterThan(15);
        }
    }

    @Test
    void createsTheDocumentOnFirstUseAndRefusesAHalfMarkedOne() throws IOException {
        Path results = sampleResults();
        Path docs = tmp.resolve("docs");
        ReportGenerator.render(results, docs);
        String md = Files.readString(docs.resolve("benchmarks.md"));
        assertThat(md).startsWith("# FerrumDB benchmarks").contains(ReportGenerator.BEGIN).contains(ReportGenerator.END);

        assertThatThrownBy(() -> ReportGenerator.splice("x\n" + ReportGenerator.BEGIN + "\nno end\n", "block"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("markers");
    }

    @Test
    void missingResultsAreNamed() {
        assertThatThrownBy(() -> ReportGenerator.render(tmp.resolve("nothing"), tmp.resolve("docs")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jmh.json");
    }

    private static int countPixels(BufferedImage image, int rgb) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xFFFFFF) == rgb) {
                    n++;
                }
            }
        }
        return n;
    }
}
