package io.ferrumdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.Options;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A KEY file from before a data-key rotation, copied back, opens none of the segments: every record's checksum
 * holds but none authenticates. Verify advised "'ferrumdb repair' keeps every intact record", and repair would have
 * set every segment aside. Now verify says the KEY file does not match the data and to restore the one that goes
 * with it, naming the file, and repair refuses (exit code 3, nothing moved).
 */
class MismatchedKeyFileTest {
    private static final Map<String, String> ENV = Map.of(Cli.PASSPHRASE_ENV, "s3cret");

    @TempDir
    Path tmp;

    @Test
    void aKeyFileFromBeforeARotationIsNamedAndRepairRefusesToSetEverySegmentAside() throws Exception {
        Path db = tmp.resolve("db").toAbsolutePath();
        Options options = Options.builder().passphrase("s3cret".toCharArray()).build();
        try (FerrumDB d = FerrumDB.open(db, options)) {
            for (int i = 0; i < 50; i++) {
                d.put(("k" + i).getBytes(StandardCharsets.UTF_8), ("v" + i).getBytes(StandardCharsets.UTF_8));
            }
        }
        Path key = db.resolve("KEY");
        Path before = tmp.resolve("KEY.before-rotation");
        Files.copy(key, before);
        try (FerrumDB d = FerrumDB.open(db, options)) {
            d.rotateDataKey();
            d.put("after".getBytes(StandardCharsets.UTF_8), "rotation".getBytes(StandardCharsets.UTF_8));
        }
        Path rotated = tmp.resolve("KEY.rotated");
        Files.copy(key, rotated);
        Files.copy(before, key, StandardCopyOption.REPLACE_EXISTING);
        List<String> files = listing(db);

        Run verify = Run.of(db, new byte[0], ENV, "verify");
        assertThat(verify.code()).as(verify.out() + verify.err()).isEqualTo(ExitCode.DATABASE);
        assertThat(verify.out()).contains("MISMATCHED KEY " + key + ": the KEY file " + key + " does not match the"
                        + " data: it opens none of the 2 segment(s) holding records")
                .contains("1 problem(s) found; the KEY file does not match the data: restore the KEY file that goes"
                        + " with these segments in place of " + key + " ('ferrumdb repair' refuses")
                .doesNotContain("DAMAGED").doesNotContain("keeps every intact record");

        Run repair = Run.of(db, new byte[0], ENV, "repair");
        assertThat(repair.code()).as(repair.out() + repair.err()).isEqualTo(ExitCode.DATABASE);
        assertThat(repair.err()).startsWith("ferrumdb: the KEY file " + key + " does not match the data")
                .contains("restore the KEY file that goes with these segments in place of " + key)
                .contains("repair refuses, as it would set every segment aside");
        assertThat(listing(db)).as("nothing set aside or rewritten").isEqualTo(files);
        try (Stream<Path> beside = Files.list(tmp)) {
            assertThat(beside.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("damaged-"));
        }

        Files.copy(rotated, key, StandardCopyOption.REPLACE_EXISTING);
        assertThat(Run.of(db, new byte[0], ENV, "verify").out()).contains("OK: no problems found");
        assertThat(Run.of(db, new byte[0], ENV, "get", "k7").out()).isEqualTo("v7");
    }

    private static List<String> listing(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName() + " " + p.toFile().length()).sorted().toList();
        }
    }
}
