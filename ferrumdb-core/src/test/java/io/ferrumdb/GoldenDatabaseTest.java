package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.internal.format.Bytes;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every version of FerrumDB must open the database FerrumDB 0.1 wrote (see {@link GoldenDatabase}). */
class GoldenDatabaseTest {
    @TempDir
    Path tmp;

    private Path copyOfGolden(String name) throws IOException, URISyntaxException {
        Path golden = Path.of(GoldenDatabaseTest.class.getResource("/golden/v1/META").toURI()).getParent();
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
}
