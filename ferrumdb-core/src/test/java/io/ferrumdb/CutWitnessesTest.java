package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.DroppedRange.Kind;
import io.ferrumdb.internal.log.SegmentCut;
import io.ferrumdb.internal.log.SegmentCut.Recorder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link CutWitnesses} alone: the witnesses of one cut, typed ({@link SegmentCut}), merged into one finding whose
 * reason is the MANIFEST's (which names the bytes lost) with the others' witness in its words, and the record the
 * cut went through; anything not a witness of this segment as it is now is left to the caller.
 */
class CutWitnessesTest {
    private static final Path SEG = Path.of("db", "0000000003.seg");

    @Test
    void everyWitnessAndTheCutRecordMakeOneFindingRunningToTheLengthTheManifestRecorded() {
        CutWitnesses cut = new CutWitnesses(SEG, 3000);
        assertThat(cut.offer(new SegmentCut(SEG, 3000, Recorder.IMAGE, 3100))).isTrue();
        assertThat(cut.offer(new SegmentCut(SEG, 3000, Recorder.MANIFEST, 3100))).isTrue();
        assertThat(cut.offer(new SegmentCut(SEG, 3000, Recorder.HINT, 3100))).isTrue();
        DroppedRange torn = new DroppedRange(SEG, 2950, 50, Kind.DAMAGED_RECORD, "record of 150 bytes extends past"
                + " end of file");
        DroppedRange earlier = new DroppedRange(SEG, 100, 40, Kind.DAMAGED_RECORD, "checksum mismatch");

        List<DroppedRange> merged = cut.merge(List.of(earlier, torn), "; its intact records are kept");

        assertThat(merged).containsExactly(new DroppedRange(SEG, 2950, 150, Kind.DAMAGED_SEGMENT,
                "segment is 3000 bytes but the MANIFEST recorded 3100 when it was sealed: it was cut short after it"
                        + " was sealed, and the records in bytes [3000, 3100) are lost (likewise the key directory"
                        + " image written when the database was last closed describes 3100, and its hint file"
                        + " describes 3100); the cut goes through the record at offset 2950 (record of 150 bytes"
                        + " extends past end of file), so bytes [2950, 3100) are lost; its intact records are kept"),
                earlier);
    }

    @Test
    void withoutTheManifestTheFirstWitnessSpeaksAndOnlyWitnessesOfThisSegmentAsItIsAreTaken() {
        CutWitnesses cut = new CutWitnesses(SEG, 3000);
        assertThat(cut.offer(null)).isFalse();
        assertThat(cut.offer(new SegmentCut(Path.of("db", "0000000004.seg"), 3000, Recorder.HINT, 3100))).isFalse();
        assertThat(cut.offer(new SegmentCut(SEG, 2900, Recorder.HINT, 3100))).as("another length").isFalse();
        assertThat(cut.merge(List.of(), "")).as("no witness: the scan alone").isEmpty();
        assertThat(cut.offer(new SegmentCut(SEG, 3000, Recorder.HINT, 3100))).isTrue();

        assertThat(cut.merge(List.of(), "")).containsExactly(new DroppedRange(SEG, 3000, 0, Kind.DAMAGED_SEGMENT,
                "segment is 3000 bytes but its hint file describes 3100: it was cut short after it was sealed"));
    }
}
