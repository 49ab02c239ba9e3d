package io.ferrumdb;

import io.ferrumdb.DroppedRange.Kind;
import io.ferrumdb.internal.log.SegmentCut;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The findings about one segment that was cut short after it was sealed, reported as one. Up to three files record
 * a sealed segment's length (the MANIFEST, its hint file, the key directory image), and the scan finds the record
 * the cut went through: verify and repair listed each as a problem of its own, "4 problem(s) found" for one cut.
 * fsck and SQLite's {@code PRAGMA integrity_check} name a damaged structure once, with everything known about it;
 * so does this: one range, from the first byte of the record the cut went through (or the cut, when it fell between
 * records) to the length the witnesses recorded, its reason naming every witness.
 *
 * <p>A witness is a {@link SegmentCut} of this segment as it now is: which file recorded its length, and that length.
 * The MANIFEST's names the bytes lost; the hint's and the image's are reported as knowing only that bytes are gone.
 */
final class CutWitnesses {
    private final Path segment;
    private final long length;
    private final List<SegmentCut> witnesses = new ArrayList<>();

    /** For {@code segment}, whose file now holds {@code length} bytes. */
    CutWitnesses(Path segment, long length) {
        this.segment = segment;
        this.length = length;
    }

    /** Keeps {@code found} (may be null) if it witnesses this segment's cut and returns true; else false. */
    boolean offer(SegmentCut found) {
        if (found == null || !found.segment().equals(segment) || found.length() != length) {
            return false;
        }
        witnesses.add(found);
        return true;
    }

    /**
     * {@code scanned} (the ranges the scan of the segment dropped), with the witnesses and the record the cut went
     * through (a damaged range ending where the file ends) as one finding, first; {@code scanned} alone when no
     * witness was offered. {@code kept} ends the finding's reason ("its intact records are kept"), or is empty.
     */
    List<DroppedRange> merge(List<DroppedRange> scanned, String kept) {
        if (witnesses.isEmpty()) {
            return scanned;
        }
        DroppedRange cutRecord = null;
        for (DroppedRange d : scanned) {
            if (d.kind().isDamage() && d.offset() + d.length() == length) {
                cutRecord = d;
            }
        }
        SegmentCut main = witnesses.get(0);
        long end = length;
        for (SegmentCut w : witnesses) {
            DroppedRange alone = w.range();
            if (alone.offset() + alone.length() > end) {
                end = alone.offset() + alone.length();
                main = w; // the one that knows how many bytes are gone names them
            }
        }
        StringBuilder reason = new StringBuilder(main.reason());
        List<String> others = new ArrayList<>();
        for (SegmentCut w : witnesses) {
            if (w != main) {
                others.add(w.witness());
            }
        }
        if (!others.isEmpty()) {
            reason.append(" (likewise ").append(String.join(", and ", others)).append(')');
        }
        long start = length;
        if (cutRecord != null) {
            start = cutRecord.offset();
            reason.append("; the cut goes through the record at offset ").append(start).append(" (")
                    .append(cutRecord.reason()).append("), so bytes [").append(start).append(", ").append(end)
                    .append(") are lost");
        }
        reason.append(kept);
        List<DroppedRange> merged = new ArrayList<>();
        merged.add(new DroppedRange(segment, start, end - start, Kind.DAMAGED_SEGMENT, reason.toString()));
        for (DroppedRange d : scanned) {
            if (d != cutRecord) {
                merged.add(d);
            }
        }
        return merged;
    }
}
