package io.ferrumdb;

import io.ferrumdb.DroppedRange.Kind;
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
 * <p>A witness is a {@link Kind#DAMAGED_SEGMENT} range of this segment that starts where the file now ends (the
 * MANIFEST's names the bytes lost; the hint's and the image's, which know only that bytes are gone, are empty).
 * Anything else offered (a grown segment, a replaced header) is not a cut, and is left to the caller.
 */
final class CutWitnesses {
    private final Path segment;
    private final long length;
    private final List<DroppedRange> witnesses = new ArrayList<>();

    /** For {@code segment}, whose file now holds {@code length} bytes. */
    CutWitnesses(Path segment, long length) {
        this.segment = segment;
        this.length = length;
    }

    /** Keeps {@code found} (may be null) if it witnesses this segment's cut and returns true; else false. */
    boolean offer(DroppedRange found) {
        if (found == null || !found.file().equals(segment) || found.kind() != Kind.DAMAGED_SEGMENT
                || found.offset() != length) {
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
        DroppedRange main = witnesses.get(0);
        long end = length;
        for (DroppedRange w : witnesses) {
            if (w.offset() + w.length() > end) {
                end = w.offset() + w.length();
                main = w; // the one that knows how many bytes are gone names them
            }
        }
        StringBuilder reason = new StringBuilder(main.reason());
        List<String> others = new ArrayList<>();
        for (DroppedRange w : witnesses) {
            if (w != main) {
                others.add(withoutSharedWords(w.reason()));
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

    /**
     * A witness's reason without the words every witness of a cut says ("segment is N bytes but", "it was cut short
     * after it was sealed"), which the main reason says already: "its hint file describes 3529".
     */
    private String withoutSharedWords(String reason) {
        String prefix = "segment is " + length + " bytes but ";
        String suffix = ": it was cut short after it was sealed";
        String s = reason.startsWith(prefix) ? reason.substring(prefix.length()) : reason;
        return s.endsWith(suffix) ? s.substring(0, s.length() - suffix.length()) : s;
    }
}
