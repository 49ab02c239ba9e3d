package io.ferrumdb.internal.log;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.DroppedRange;
import io.ferrumdb.MissingSegmentException;
import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.format.ManifestFile.Listed;
import io.ferrumdb.internal.format.SegmentHeader;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;

/**
 * Which segment files make up the database, from the directory listing, the MANIFEST (null for a format-1
 * database, which has none) and the segments a compaction journal superseded. Shared by open, verify and repair so
 * that all three agree on what a missing or stray file is.
 *
 * @param live        segments of the database, present, in increasing order
 * @param missing     listed segments whose file is gone
 * @param unpublished files not listed that hold nothing acknowledged: a segment created just before a crash (no
 *                    record past its header) or a compaction output renamed just before one; a writer deletes them
 * @param unlisted    other files not listed: copied in from elsewhere, or left from another copy of the database
 * @param listedByManifest whether a MANIFEST lists the segments (format 2)
 * @param listed      what the MANIFEST says of each listed segment (empty without one)
 */
public record SegmentInventory(List<Integer> live, List<Integer> missing, List<Integer> unpublished,
                               List<Integer> unlisted, boolean listedByManifest, Map<Integer, Listed> listed) {

    /** {@code listed}: the MANIFEST's entries, or null when there is none (format 1, or a damaged one in repair). */
    public static SegmentInventory take(SegmentFiles files, NavigableMap<Integer, Listed> listed,
                                        Set<Integer> superseded) throws IOException {
        List<Integer> live = new ArrayList<>();
        List<Integer> unpublished = new ArrayList<>();
        List<Integer> unlisted = new ArrayList<>();
        List<Integer> present = files.listSegmentIds();
        for (int id : present) {
            if (superseded.contains(id)) {
                continue;
            }
            if (listed == null || listed.containsKey(id)) {
                live.add(id);
            } else if (holdsNothingAcknowledged(files, id)) {
                unpublished.add(id);
            } else {
                unlisted.add(id);
            }
        }
        List<Integer> missing = new ArrayList<>();
        if (listed != null) {
            for (int id : listed.keySet()) {
                if (!present.contains(id) && !superseded.contains(id)) {
                    missing.add(id);
                }
            }
        }
        return new SegmentInventory(live, missing, unpublished, unlisted, listed != null,
                listed == null ? Map.of() : listed);
    }

    /**
     * Throws when the database is not whole: a listed segment is gone ({@link MissingSegmentException}) or a
     * segment file it does not list would be taken for part of it.
     */
    public void requireWhole(SegmentFiles files) {
        if (!missing.isEmpty()) {
            List<Path> paths = new ArrayList<>();
            for (int id : missing) {
                paths.add(files.dataPath(id));
            }
            throw new MissingSegmentException(SegmentManifest.path(files.dir()), paths);
        }
        if (!unlisted.isEmpty()) {
            throw new CorruptionException(files.dataPath(unlisted.get(0)), 0, "segment file is not listed in the"
                    + " MANIFEST (copied from elsewhere or from another copy of this database?); move it away or run"
                    + " 'ferrumdb repair', which sets it aside");
        }
    }

    /** The rule for which of the {@link #live} segments may end torn ({@link TailRule}). */
    public TailRule tailRule(SegmentFiles files) throws IOException {
        Set<Integer> sealed = new HashSet<>();
        for (Listed s : listed.values()) {
            if (s.sealed()) {
                sealed.add(s.id());
            }
        }
        return TailRule.of(files, live, listedByManifest, sealed);
    }

    /**
     * The MANIFEST as a witness that {@code seg}, opened, was cut short after it was sealed: null when it recorded no
     * seal of it, or a length no longer than the file's.
     */
    public SegmentCut cutSinceSealed(Segment seg) {
        Listed s = sealedListing(seg);
        return s == null || seg.writtenLength() >= s.sealedLength() ? null
                : new SegmentCut(seg.path(), seg.writtenLength(), SegmentCut.Recorder.MANIFEST, s.sealedLength());
    }

    /** What the MANIFEST recorded of {@code seg} when it was sealed; null when no seal, or not under its name. */
    private Listed sealedListing(Segment seg) {
        Listed s = listed.get(seg.id());
        return s == null || !s.sealed() || !seg.path().getFileName().toString().equals(FileNames.segment(seg.id()))
                ? null : s;
    }

    /**
     * The damage the MANIFEST shows in {@code seg}, opened: a length or a header other than those it recorded when
     * the segment was sealed (a sealed segment never changes), or null when it recorded no seal or the file is as
     * sealed. A cut between two records with the hint gone is found here only: every record left is valid. The
     * range is the bytes lost (a cut) or added (bytes appended), or the header (a file put in its place).
     */
    public DroppedRange changedSinceSealed(Segment seg) {
        Listed s = sealedListing(seg);
        if (s == null) {
            return null;
        }
        SegmentCut cut = cutSinceSealed(seg);
        if (cut != null) {
            return cut.range();
        }
        long length = seg.writtenLength();
        long expected = s.sealedLength();
        if (length > expected) {
            return new DroppedRange(seg.path(), expected, length - expected, DroppedRange.Kind.DAMAGED_SEGMENT,
                    "segment is " + length + " bytes but the MANIFEST recorded " + expected + " when it was sealed:"
                            + " bytes [" + expected + ", " + length + ") were added after it was sealed");
        }
        int checksum = seg.header().checksum();
        if (checksum != s.headerChecksum()) {
            return new DroppedRange(seg.path(), 0, SegmentHeader.SIZE, DroppedRange.Kind.DAMAGED_SEGMENT,
                    String.format("segment header (checksum %08x) is not the one the MANIFEST recorded when the"
                            + " segment was sealed (%08x): another file was put in its place", checksum,
                            s.headerChecksum()));
        }
        return null;
    }

    /** An unlisted file with no record after its header, or a compaction output of this database. */
    private static boolean holdsNothingAcknowledged(SegmentFiles files, int id) throws IOException {
        Path path = files.dataPath(id);
        try (StorageFile f = files.io().open(path, false)) {
            long size = f.size();
            if (size <= SegmentHeader.SIZE) {
                return true;
            }
            byte[] b = new byte[SegmentHeader.SIZE];
            f.read(0, ByteBuffer.wrap(b));
            SegmentHeader header;
            try {
                header = SegmentHeader.decode(b, path);
            } catch (RuntimeException e) {
                return false;
            }
            return header.compacted() && header.segmentId() == id
                    && Arrays.equals(header.databaseId(), files.databaseId());
        }
    }
}
