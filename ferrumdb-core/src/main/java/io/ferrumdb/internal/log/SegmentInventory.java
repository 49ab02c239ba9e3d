package io.ferrumdb.internal.log;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.MissingSegmentException;
import io.ferrumdb.internal.format.SegmentHeader;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;

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
 */
public record SegmentInventory(List<Integer> live, List<Integer> missing, List<Integer> unpublished,
                               List<Integer> unlisted, boolean listedByManifest) {

    public static SegmentInventory take(SegmentFiles files, SortedSet<Integer> listed, Set<Integer> superseded)
            throws IOException {
        List<Integer> live = new ArrayList<>();
        List<Integer> unpublished = new ArrayList<>();
        List<Integer> unlisted = new ArrayList<>();
        List<Integer> present = files.listSegmentIds();
        for (int id : present) {
            if (superseded.contains(id)) {
                continue;
            }
            if (listed == null || listed.contains(id)) {
                live.add(id);
            } else if (holdsNothingAcknowledged(files, id)) {
                unpublished.add(id);
            } else {
                unlisted.add(id);
            }
        }
        List<Integer> missing = new ArrayList<>();
        if (listed != null) {
            for (int id : listed) {
                if (!present.contains(id) && !superseded.contains(id)) {
                    missing.add(id);
                }
            }
        }
        return new SegmentInventory(live, missing, unpublished, unlisted, listed != null);
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
        return TailRule.of(files, live, listedByManifest);
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
