package io.ferrumdb;

import io.ferrumdb.DroppedRange.Kind;
import io.ferrumdb.internal.log.SegmentScanner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Whether the {@code KEY} file of an encrypted database opens none of its segments, from verify's and repair's scans
 * of them: every segment holding records looks encrypted under another data key ({@link
 * SegmentScanner.Result#underAnotherKey()}). Each such segment reads as damaged from its first record on, and repair
 * would set every one aside, losing the database for want of the right {@code KEY} file (a copy from before a
 * data-key rotation, put back). Verify reports it as one finding on the {@code KEY} file in place of the segments'
 * and hints' failures; repair refuses ({@link KeyMismatchException}).
 */
final class KeyMismatch {
    private final Path keyFile;
    private final boolean encrypted;
    /** The segments the KEY file did not open, and their hint files. */
    private final Set<Path> refused = new HashSet<>();
    private int holdingRecords;
    private int notOpened;

    /** For the database whose key file is {@code keyFile}; {@code encrypted}: whether it is encrypted. */
    KeyMismatch(Path keyFile, boolean encrypted) {
        this.keyFile = keyFile;
        this.encrypted = encrypted;
    }

    /** Takes the scan {@code r} of the segment {@code file}, whose hint file is {@code hint}. */
    void scanned(Path file, Path hint, SegmentScanner.Result r) {
        if (r.records().isEmpty() && r.dropped().isEmpty()) {
            return; // a header alone says nothing of the key
        }
        holdingRecords++;
        if (r.underAnotherKey()) {
            notOpened++;
            refused.add(file);
            refused.add(hint);
        }
    }

    /** Whether the KEY file opened none of the segments holding records (and there was at least one). */
    boolean opensNone() {
        return encrypted && holdingRecords > 0 && notOpened == holdingRecords;
    }

    /**
     * {@code problems} with the failures of the segments and hints the KEY file did not open replaced by one finding
     * on the KEY file, first. REQUIRES {@link #opensNone()}.
     */
    List<DroppedRange> merge(List<DroppedRange> problems) {
        assert opensNone() : "the KEY file opened a segment";
        List<DroppedRange> merged = new ArrayList<>();
        merged.add(new DroppedRange(keyFile, 0, 0, Kind.MISMATCHED_KEY, problem()));
        for (DroppedRange p : problems) {
            if (!refused.contains(p.file())) {
                merged.add(p);
            }
        }
        return merged;
    }

    /** Repair's refusal. REQUIRES {@link #opensNone()}. */
    KeyMismatchException refusal() {
        assert opensNone() : "the KEY file opened a segment";
        return new KeyMismatchException(keyFile, holdingRecords, problem() + "; repair refuses, as it would set"
                + " every segment aside");
    }

    private String problem() {
        return "the KEY file " + keyFile + " does not match the data: it opens none of the " + holdingRecords
                + " segment(s) holding records (each one's first record has an intact checksum but fails"
                + " authentication, so the segments are encrypted under a data key this KEY file does not hold, as"
                + " when a copy from before a data-key rotation is put back); restore the KEY file that goes with"
                + " these segments in place of " + keyFile;
    }
}
