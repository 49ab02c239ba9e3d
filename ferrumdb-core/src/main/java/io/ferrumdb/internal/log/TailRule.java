package io.ferrumdb.internal.log;

import io.ferrumdb.internal.format.SegmentHeader;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;

/**
 * Which segments may end in something other than whole committed records: the one rule open ({@code Recovery}),
 * verify and repair apply (FORMAT.md, "Which records are trusted, and torn tails"), so that what open truncates or
 * deletes after a crash verify reports as a torn tail and repair leaves to open, and what open refuses verify and
 * repair report as damage.
 *
 * <p><b>The invariant it rests on</b>, kept by the writer:
 * <ol>
 *   <li>a new segment's header is written and fsynced, and the directory fsynced, before the segment is listed in
 *   the MANIFEST and before any record is appended to it ({@link SegmentFiles#create(int)});</li>
 *   <li>a writer segment is cut to its last record and fsynced before any byte of a later writer segment is written,
 *   whatever the fsync policy ({@code CycleIo.write}, {@link ZeroTail#cut}), and its hint is written only after
 *   that, so a segment with a hint file was complete; the MANIFEST records a segment as sealed (its length and
 *   header) only after its hint ({@link SegmentManifest#seal}), so such a segment was complete too;</li>
 *   <li>what a crash can leave after the records of the segment being written is a torn write, or (segment version
 *   2) the zeros {@link ZeroTail} wrote ahead of them;</li>
 *   <li>compaction and repair outputs (the compaction-output flag) are complete and fsynced before they are renamed
 *   into place.</li>
 * </ol>
 * Hence, after any crash or power loss, a segment may end in a torn write, or (version 2) a zero tail, only when it
 * is a writer segment without a hint file, not recorded as sealed, and no later writer segment holds a byte after
 * its header that is not zero: the segment being written, or one created during a roll just before the crash (zeros
 * at most). A header may be torn only under the same condition and only where nothing lists the segment (a database
 * of format 1, which has no MANIFEST; in format 2 an unlisted new segment is left to {@link SegmentInventory}).
 * Every other segment that ends badly was damaged at rest: open refuses it, verify reports it and repair rewrites
 * it.
 */
public final class TailRule {
    /** What a report says of a segment {@link #mayHaveTornHeader} lets pass; each reader adds what it does with it. */
    public static final String TORN_HEADER = "segment header torn while the segment was created (it holds no record)";

    /** The newest writer segment holding a non-zero byte after its header, or -1 when none does. */
    private final int newestWithData;
    /** Whether a MANIFEST lists the segments (format 2): then no listed segment's header can be torn by a crash. */
    private final boolean listed;
    /** Segments the MANIFEST recorded as sealed: complete and fsynced, so none of them can end torn. */
    private final Set<Integer> sealed;

    private TailRule(int newestWithData, boolean listed, Set<Integer> sealed) {
        this.newestWithData = newestWithData;
        this.listed = listed;
        this.sealed = sealed;
    }

    /**
     * The rule for the segments {@code live} (in increasing order) of the database in {@code files}; {@code listed}:
     * a MANIFEST lists them; {@code sealed}: those it recorded as sealed. Reads, from the newest segment back,
     * headers and bytes up to the first writer segment holding a non-zero byte after its header (usually the newest
     * segment, at its first record). A segment whose header cannot be read does not count: it is reported where the
     * segment itself is read.
     */
    public static TailRule of(SegmentFiles files, List<Integer> live, boolean listed, Set<Integer> sealed)
            throws IOException {
        for (int i = live.size() - 1; i >= 0; i--) {
            int id = live.get(i);
            try (StorageFile f = files.io().open(files.dataPath(id), false)) {
                byte[] b = new byte[(int) Math.min(f.size(), SegmentHeader.SIZE)];
                f.read(0, ByteBuffer.wrap(b));
                if (!SegmentHeader.decode(b, files.dataPath(id)).compacted() && holdsNonZeroBytes(f, b.length)) {
                    return new TailRule(id, listed, sealed);
                }
            } catch (RuntimeException e) {
                // An unreadable header: see above.
            }
        }
        return new TailRule(-1, listed, sealed);
    }

    /** Whether {@code seg} (with a hint file when {@code hinted}) may end in a torn write. */
    public boolean mayEndTorn(Segment seg, boolean hinted) {
        return !hinted && !seg.header().compacted() && !sealed.contains(seg.id()) && seg.id() >= newestWithData;
    }

    /** Whether {@code seg} may end in a zero tail: it may end torn and is of segment version 2. */
    public boolean mayEndInZeros(Segment seg, boolean hinted) {
        return mayEndTorn(seg, hinted) && seg.header().mayEndInZeros();
    }

    /**
     * Whether segment {@code id}, of {@code size} bytes and with a hint file when {@code hinted}, whose header is
     * invalid, was torn while it was being created (it holds no record; a writer deletes it) rather than damaged.
     */
    public boolean mayHaveTornHeader(int id, long size, boolean hinted) {
        return !listed && !hinted && size <= SegmentHeader.SIZE && id > newestWithData;
    }

    /** Why {@code seg} may not end torn, for a message that refuses damage at its end. */
    public String whyNotTorn(Segment seg, boolean hinted) {
        if (seg.header().compacted()) {
            return "it is a compaction output, complete before it was published";
        }
        if (hinted) {
            return "it has a hint file, so it was complete when sealed";
        }
        if (sealed.contains(seg.id())) {
            return "the MANIFEST records it as sealed, so it was complete";
        }
        return "segment " + newestWithData + " after it holds data";
    }

    /** Whether any byte of {@code f} from {@code from} on is not zero. */
    private static boolean holdsNonZeroBytes(StorageFile f, long from) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(64 << 10);
        for (long at = from; at < f.size(); ) {
            int n = f.read(at, b.clear());
            if (n <= 0) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                if (b.get(i) != 0) {
                    return true;
                }
            }
            at += n;
        }
        return false;
    }
}
