package io.ferrumdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.Options;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferrumdb repair} and what {@code verify} and the other commands say about damage, as a script sees it. */
class RepairCommandTest {
    @TempDir
    Path tmp;
    Path db;

    @BeforeEach
    void fill() {
        db = tmp.resolve("db");
        try (FerrumDB fdb = FerrumDB.open(db, Options.builder().segmentSize(4096).autoCompaction(false).build())) {
            for (int i = 0; i < 300; i++) {
                fdb.put(("key-" + i).getBytes(StandardCharsets.UTF_8),
                        ("value-" + i + "-".repeat(30)).getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private List<Path> segments() throws Exception {
        try (Stream<Path> s = Files.list(db)) {
            return s.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
        }
    }

    @Test
    void aSealedSegmentCutShortFailsInOneLineThenRepairKeepsTheRest() throws Exception {
        Path seg = segments().get(2);
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.setLength(f.length() - 7);
        }
        Run count = Run.of(db, "", "count");
        assertThat(count.code()).isEqualTo(ExitCode.DATABASE);
        assertThat(count.err().strip()).doesNotContain("\n").contains(seg.getFileName().toString())
                .contains("ferrumdb repair");
        Run verify = Run.of(db, "", "verify");
        assertThat(verify.code()).isEqualTo(ExitCode.DATABASE);
        assertThat(verify.out()).contains("DAMAGED " + seg.toAbsolutePath());

        Run repair = Run.of(db, "", "repair");
        assertThat(repair.code()).as(repair.err()).isZero();
        assertThat(repair.out()).contains("copied the intact records of " + seg.toAbsolutePath() + " into new segments")
                .containsPattern("new segment .*\\.seg").contains("moved 2 original file(s) to")
                .contains("damaged-").contains("key affected: key-");
        assertThat(Run.of(db, "", "verify").code()).isZero();
        Run after = Run.of(db, "", "count");
        assertThat(after.code()).isZero();
        assertThat(Integer.parseInt(after.out().strip())).isEqualTo(299);
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("damaged-"));
        }
        assertThat(Run.of(db, "", "compact").code()).isZero();
        assertThat(Run.of(db, "", "backup", tmp.resolve("copy").toString()).code()).isZero();
        assertThat(Run.of(tmp.resolve("copy"), "", "count").out().strip()).isEqualTo("299");
    }

    @Test
    void discardDamagedLeavesNoFolderBehind() throws Exception {
        Path seg = segments().get(1);
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.seek(200);
            f.write(f.read() ^ 0x10);
        }
        Run repair = Run.of(db, "", "repair", "--discard-damaged");
        assertThat(repair.code()).as(repair.err()).isZero();
        assertThat(repair.out()).contains("deleted 2 original file(s)");
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("damaged-"));
        }
        assertThat(Run.of(db, "", "verify").code()).isZero();
    }

    @Test
    void aTornTailIsReportedAsSuchWithExitCodeZero() throws Exception {
        List<Path> segs = segments();
        Path newest = segs.get(segs.size() - 1);
        Files.deleteIfExists(newest.resolveSibling(newest.getFileName().toString().replace(".seg", ".hint")));
        Files.write(newest, new byte[] {1, 2, 3, 4, 5}, StandardOpenOption.APPEND);
        Run verify = Run.of(db, "", "verify");
        assertThat(verify.code()).isZero();
        assertThat(verify.out()).contains("TORN TAIL " + newest.toAbsolutePath() + ": 5 bytes after the last complete"
                + " record").contains("truncated at the next open; no acknowledged write is affected");
    }

    @Test
    void aMissingSegmentIsRepairedOnlyWhenAskedExplicitly() throws Exception {
        Path seg = segments().get(1);
        Files.delete(seg);
        Run get = Run.of(db, "", "get", "key-1");
        assertThat(get.code()).isEqualTo(ExitCode.DATABASE);
        assertThat(get.err()).contains("--allow-missing-segments");
        assertThat(Run.of(db, "", "verify").out()).contains("MISSING " + seg.toAbsolutePath());
        Run refused = Run.of(db, "", "repair");
        assertThat(refused.code()).isEqualTo(ExitCode.DATABASE);
        assertThat(refused.err()).contains(seg.getFileName().toString()).contains("--allow-missing-segments");
        Run repair = Run.of(db, "", "repair", "--allow-missing-segments");
        assertThat(repair.code()).as(repair.err()).isZero();
        assertThat(repair.out()).contains("GONE " + seg.toAbsolutePath())
                .contains("keys deleted or overwritten in it may show older values");
        assertThat(Run.of(db, "", "verify").code()).isZero();
        assertThat(Run.of(db, "", "count").code()).isZero();
    }
}
