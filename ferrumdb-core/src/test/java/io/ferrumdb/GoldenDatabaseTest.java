package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.internal.format.Bytes;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.format.SegmentHeader;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every version of FerrumDB must open the databases earlier versions wrote (see {@link GoldenDatabase}): v1 (no
 * MANIFEST; it gains one at its first writable open) and v2 (database format 2, with a MANIFEST).
 */
class GoldenDatabaseTest {
    @TempDir
    Path tmp;

    private Path copyOfGolden(String name) throws IOException, URISyntaxException {
        return copyOfGolden("v1", name);
    }

    private Path copyOfGolden(String version, String name) throws IOException, URISyntaxException {
        Path golden = Path.of(GoldenDatabaseTest.class.getResource("/golden/" + version + "/META").toURI())
                .getParent();
        Path copy = tmp.resolve(name);
        SegmentLayout.copyDir(golden, copy);
        return copy;
    }

    @Test
    void goldenFilesAreFormatVersionOne() throws Exception {
        Path dir = copyOfGolden("version");
        List<Path> segments = SegmentLayout.segments(dir);
        assertThat(segments).as("the golden database spans several segments").hasSizeGreaterThan(3);
        for (Path seg : segments) {
            assertThat(Bytes.u16(Files.readAllBytes(seg), 8)).as(seg.toString()).isEqualTo(1);
            assertThat(SegmentLayout.hintOf(seg)).exists();
        }
    }

    @Test
    void opensWithExactlyItsContent() throws Exception {
        Path dir = copyOfGolden("rw");
        TreeMap<String, String> expected = GoldenDatabase.expected();
        try (FerrumDB db = FerrumDB.open(dir)) {
            assertThat(db.recoveryReport()).isEmpty();
            assertThat(History.dump(db)).isEqualTo(expected);
            assertThat(db.size()).isEqualTo(expected.size());
            assertThat(db.get(GoldenDatabase.EXPIRED_KEY)).isNull();
            assertThat(db.get(GoldenDatabase.LASTING_KEY)).containsExactly(9, 9, 9, 9);
            db.put(new byte[] {'n', 'e', 'w'}, new byte[] {1});
        }
        expected.put("6e6577", "01");
        try (FerrumDB db = FerrumDB.open(dir)) {
            assertThat(History.dump(db)).isEqualTo(expected);
        }
    }

    @Test
    void opensReadOnlyAndWithoutHints() throws Exception {
        Path dir = copyOfGolden("ro");
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().readOnly(true).build())) {
            assertThat(History.dump(db)).isEqualTo(GoldenDatabase.expected());
        }
        for (Path seg : SegmentLayout.segments(dir)) {
            Files.delete(SegmentLayout.hintOf(seg));
        }
        try (FerrumDB db = FerrumDB.open(dir)) {
            assertThat(db.recoveryReport()).isEmpty();
            assertThat(History.dump(db)).isEqualTo(GoldenDatabase.expected());
        }
    }

    @Test
    void aVersionOneDatabaseGainsItsManifestAtItsFirstWritableOpenOnly() throws Exception {
        Path dir = copyOfGolden("upgrade");
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().readOnly(true).build())) {
            assertThat(History.dump(db)).isEqualTo(GoldenDatabase.expected());
        }
        assertThat(dir.resolve("MANIFEST")).doesNotExist();
        assertThat(Bytes.u16(Files.readAllBytes(dir.resolve("META")), 8)).isEqualTo(1);
        // Without background compaction, whose merge of small segments at close would leave too few to delete one.
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().autoCompaction(false).build())) {
            assertThat(History.dump(db)).isEqualTo(GoldenDatabase.expected());
        }
        assertThat(dir.resolve("MANIFEST")).exists();
        assertThat(Bytes.u16(Files.readAllBytes(dir.resolve("META")), 8)).isEqualTo(2);
        Files.delete(SegmentLayout.segments(dir).get(3));
        assertThatThrownBy(() -> FerrumDB.open(dir)).isInstanceOf(MissingSegmentException.class);
    }

    @Test
    void goldenVersionTwoOpensWithExactlyItsContentAndKnowsItsSegments() throws Exception {
        Path dir = copyOfGolden("v2", "v2");
        assertThat(Bytes.u16(Files.readAllBytes(dir.resolve("META")), 8)).isEqualTo(2);
        assertThat(Bytes.i32(Files.readAllBytes(dir.resolve("MANIFEST")), 12))
                .isEqualTo(SegmentLayout.segments(dir).size());
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().readOnly(true).build())) {
            assertThat(db.recoveryReport()).isEmpty();
            assertThat(History.dump(db)).isEqualTo(GoldenDatabase.expected());
        }
        assertThat(FerrumDB.verify(dir, Options.defaults()).problems()).isEmpty();
        Path newest = SegmentLayout.segments(dir).get(SegmentLayout.segments(dir).size() - 1);
        Files.delete(newest);
        assertThatThrownBy(() -> FerrumDB.open(dir)).isInstanceOf(MissingSegmentException.class)
                .hasMessageContaining(newest.getFileName().toString());
    }

    /**
     * v2-zero-tail (segment version 2): power was lost under always() after the last write; the newest segment has
     * no hint and ends in the writer's zero tail, which open ends the log at, reports nothing about and cuts.
     */
    @Test
    void goldenZeroTailOpensWithExactlyItsContentAndCutsTheZeros() throws Exception {
        Path dir = copyOfGolden("v2-zero-tail", "zero-tail");
        List<Path> segments = SegmentLayout.segments(dir);
        Path newest = segments.get(segments.size() - 1);
        byte[] b = Files.readAllBytes(newest);
        assertThat(Bytes.u16(b, 8)).isEqualTo(2);
        assertThat(SegmentLayout.hintOf(newest)).doesNotExist();
        int end = SegmentHeader.SIZE;
        while (end + RecordFormat.HEADER_SIZE <= b.length && RecordFormat.headerProblem(b, end) == null) {
            end += RecordFormat.HEADER_SIZE + RecordFormat.keyLength(b, end) + RecordFormat.valueLength(b, end);
        }
        int recordsEnd = end;
        assertThat(b.length).as("zeros after the records").isGreaterThan(recordsEnd);
        assertThat(Arrays.copyOfRange(b, recordsEnd, b.length)).containsOnly(0);
        assertThat(FerrumDB.verify(dir, Options.defaults()).problems()).isEmpty();
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().readOnly(true).build())) {
            assertThat(db.recoveryReport()).isEmpty();
            assertThat(History.dump(db)).isEqualTo(GoldenDatabase.expected());
        }
        assertThat(Files.readAllBytes(newest)).as("a read-only open writes nothing").isEqualTo(b);
        // No background compaction: it would merge the small segments at close, the one looked at below among them.
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().autoCompaction(false).build())) {
            assertThat(db.recoveryReport()).isEmpty();
            assertThat(History.dump(db)).isEqualTo(GoldenDatabase.expected());
        }
        assertThat(Files.size(newest)).as("cut to its records").isEqualTo(recordsEnd);
        assertThat(SegmentLayout.hintOf(newest)).exists();
    }
}
