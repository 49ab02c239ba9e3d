package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sealed segment cut short is one finding in {@code verify} and {@code repair}, whether the cut goes through a
 * record or falls between two, with its hint file and the key directory image present or gone: every witness (the
 * MANIFEST, the hint, the image) is named in its reason, and the range runs to the length recorded at the seal.
 */
class CutSegmentReportTest {
    @TempDir
    Path tmp;

    private Path database(String name) {
        Path dir = tmp.resolve(name);
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().segmentSize(4096).autoCompaction(false).build())) {
            for (int i = 0; i < 100; i++) {
                db.put(("key-" + (100 + i)).getBytes(StandardCharsets.UTF_8), new byte[200]);
            }
        }
        return dir;
    }

    private static void cut(Path file, long length) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(length);
        }
    }

    private static List<DroppedRange> damage(Path dir) {
        return FerrumDB.verify(dir, Options.defaults()).damage();
    }

    @Test
    void aCutThroughARecordOrBetweenTwoIsOneFindingNamingEveryWitness() throws Exception {
        Path through = database("through");
        Path segment = through.resolve("0000000003.seg");
        long sealed = Files.size(segment);
        cut(segment, sealed - 7);
        List<DroppedRange> found = damage(through);
        assertThat(found).hasSize(1);
        DroppedRange one = found.get(0);
        assertThat(one.file()).isEqualTo(segment);
        assertThat(one.offset() + one.length()).isEqualTo(sealed);
        assertThat(one.reason()).contains("MANIFEST recorded " + sealed).contains("hint file describes " + sealed)
                .contains("key directory image").contains("the cut goes through the record at offset "
                        + one.offset());
        long boundary = one.offset(); // where the record the cut went through began

        for (boolean witnessesKept : new boolean[] {true, false}) {
            Path between = database("between-" + witnessesKept);
            cut(between.resolve("0000000003.seg"), boundary);
            if (!witnessesKept) {
                Files.delete(between.resolve("0000000003.hint"));
                Files.delete(between.resolve("KEYDIR"));
            }
            List<DroppedRange> d = damage(between);
            assertThat(d).as("hint and image kept: %s", witnessesKept).hasSize(1);
            assertThat(d.get(0).offset()).isEqualTo(boundary);
            assertThat(d.get(0).length()).isEqualTo(sealed - boundary);
            assertThat(d.get(0).reason()).contains("MANIFEST recorded " + sealed);
            if (witnessesKept) {
                assertThat(d.get(0).reason()).contains("hint file describes " + sealed).contains("key directory image");
            }
            RepairReport repaired = FerrumDB.repair(between, Options.defaults());
            assertThat(repaired.problems().stream().filter(p -> p.kind().isDamage())).hasSize(1);
            assertThat(damage(between)).isEmpty();
        }
    }
}
