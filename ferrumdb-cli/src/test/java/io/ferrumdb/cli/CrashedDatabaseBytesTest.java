package io.ferrumdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After kill -9 of a process writing under {@code always()}, {@code ferrumdb info} and {@code ferrumdb verify}
 * printed two different byte totals for the same database, each unlabelled: verify the segment files' sizes (with the
 * zeros the writer had filled ahead of its records, FORMAT.md "Zero tail"), info the segments' headers and records.
 * Each number now says what it counts, and verify prints info's too.
 */
class CrashedDatabaseBytesTest {
    @TempDir
    Path tmp;

    @Test
    void infoAndVerifyLabelTheirByteTotalsAndVerifyShowsInfosAfterAKill() throws Exception {
        Path db = tmp.resolve("db").toAbsolutePath();
        Path err = tmp.resolve("writer.err");
        Process writer = ChildCli.start(err, "--db", db.toString()); // the REPL, under always() (the default)
        try {
            BufferedReader replies = new BufferedReader(new InputStreamReader(writer.getInputStream(),
                    StandardCharsets.UTF_8));
            OutputStream in = writer.getOutputStream();
            for (int i = 0; i < 200; i++) {
                in.write(("SET key" + i + " value-" + i + "\n").getBytes(StandardCharsets.UTF_8));
                in.flush();
                assertThat(replies.readLine()).as("reply %d; stderr: %s", i, Files.readString(err)).isEqualTo("OK");
            }
        } finally {
            writer.destroyForcibly(); // SIGKILL: no close, the active segment keeps its zero tail
            assertThat(writer.waitFor(120, TimeUnit.SECONDS)).isTrue();
        }
        long fileBytes;
        try (Stream<Path> files = Files.list(db)) {
            fileBytes = files.filter(p -> p.toString().endsWith(".seg")).mapToLong(p -> p.toFile().length()).sum();
        }

        Run info = Run.of(db, "", "info"); // read-only: cuts nothing
        assertThat(info.code()).as(info.err()).isZero();
        long total = number(info.out(), "total bytes: +(\\d+) \\(segment headers and records, up to each"
                + " segment's last complete record\\)");
        assertThat(total).as("the zeros written ahead of the records are not counted").isLessThan(fileBytes);

        Run verify = Run.of(db, "", "verify");
        assertThat(verify.code()).as(verify.out()).isZero();
        assertThat(verify.out()).contains("checked 1 segment(s), 200 record(s), " + fileBytes
                + " bytes of segment files in " + db + "\n")
                .contains("of which " + total + " bytes are segment headers and records ('ferrumdb info' total"
                        + " bytes) and " + (fileBytes - total) + " lie past a segment's last intact record");
    }

    private static long number(String out, String regex) {
        Matcher m = Pattern.compile(regex).matcher(out);
        assertThat(m.find()).as("%s in:%n%s", regex, out).isTrue();
        return Long.parseLong(m.group(1));
    }
}
