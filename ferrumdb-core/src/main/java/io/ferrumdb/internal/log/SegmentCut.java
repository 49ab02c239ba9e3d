package io.ferrumdb.internal.log;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.DroppedRange;
import java.nio.file.Path;

/**
 * One witness that a sealed segment was cut short: a file that recorded the segment's length when it was sealed
 * (the MANIFEST, the segment's hint file, the key directory image), longer than the segment is now. Typed, so that
 * verify and repair merge the witnesses of one cut on these fields (io.ferrumdb.CutWitnesses), not on their text.
 *
 * @param segment  the segment file
 * @param length   the bytes it holds now
 * @param recorder the file that recorded its length
 * @param recorded the length that file recorded (more than {@code length})
 */
public record SegmentCut(Path segment, long length, Recorder recorder, long recorded) {
    /** The files that record a sealed segment's length. */
    public enum Recorder {
        /** The MANIFEST, which records every sealed segment's length: it names the bytes lost. */
        MANIFEST,
        /** The segment's hint file, which names the length of the segment it describes. */
        HINT,
        /** The key directory image written at the last close, which names each segment's length. */
        IMAGE
    }

    public SegmentCut {
        assert recorded > length : "not a cut: " + segment + " holds " + length + ", " + recorder + " " + recorded;
    }

    /** What the recorder says, without the segment: "its hint file describes 3529". */
    public String witness() {
        return switch (recorder) {
            case MANIFEST -> "the MANIFEST recorded " + recorded + " when it was sealed";
            case HINT -> "its hint file describes " + recorded;
            case IMAGE -> "the key directory image written when the database was last closed describes " + recorded;
        };
    }

    /** The finding as reported alone: the segment's length, the witness, and (from the MANIFEST) the bytes lost. */
    public String reason() {
        String reason = "segment is " + length + " bytes but " + witness() + ": it was cut short after it was sealed";
        return recorder == Recorder.MANIFEST
                ? reason + ", and the records in bytes [" + length + ", " + recorded + ") are lost" : reason;
    }

    /**
     * The finding as a range from where the file now ends: the bytes lost, when the MANIFEST is the witness; empty
     * for the others, which are reported as knowing only that bytes are gone.
     */
    public DroppedRange range() {
        long lost = recorder == Recorder.MANIFEST ? recorded - length : 0;
        return new DroppedRange(segment, length, lost, DroppedRange.Kind.DAMAGED_SEGMENT, reason());
    }

    /** The finding as the exception an open fails with. */
    public CorruptionException exception() {
        return new CorruptionException(segment, length, reason());
    }
}
