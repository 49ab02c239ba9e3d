package io.ferrumdb.internal.log;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Keeps the active segment's blocks ahead of its records written with zeros and fsynced, under {@code always()}
 * (FORMAT.md, "Zero tail"), so that a cycle's fdatasync flushes only data. An fdatasync after an append must also
 * journal the file's new size and extents; measured on this project's machine (ext4): 213-280 us per append of 1,600
 * bytes + fdatasync, 140-149 us for the same overwrite of blocks already written with zeros and fsynced.
 *
 * <p>Owned by the holder of the cycle token ({@link GroupCommit}), like the rest of {@link CycleIo}: before a cycle
 * writes its records to the active segment, {@link #ahead} zero-fills and fsyncs the file from where those records
 * start up to {@link #AHEAD_MAX} past where they end, when less than half of that is zeroed already. The extension
 * runs on the cycle (about 1 ms per MiB on that disk, once per MiB or more of records) rather than on a thread of
 * its own: an fdatasync of the active file while zero pages are dirty would write them, and journal the size, inside
 * a commit anyway. What is zeroed ahead grows with what the segment holds (from {@link #AHEAD_MIN}), so that a
 * database that writes little writes few zeros; it never passes the segment size limit. {@link #cut} truncates a
 * segment to the end of its records before it is sealed (at roll and close), so sealed segments never hold zeros.
 *
 * <p>Not used under {@code never()} and {@code periodic()}: their fsyncs are rare, so zeroing would double the bytes
 * written to save a journal commit per interval. The fsyncs of zeros are not counted in {@code Stats.fsyncs()}, which
 * counts the cycles' (records per fsync stays what the commits carried).
 */
final class ZeroTail {
    /** The least zeroed ahead of the records (a new segment's first cycle). */
    static final long AHEAD_MIN = 64 << 10;
    /** The most zeroed ahead of the records: about 2 ms of zeros on the measured disk. */
    static final long AHEAD_MAX = 2 << 20;
    private static final int ZEROS = 256 << 10;

    private final long segmentSize;
    /** Read-only zeros, duplicated per write. */
    private final ByteBuffer zeros = ByteBuffer.allocateDirect(ZEROS).asReadOnlyBuffer();
    /** The segment {@link #zeroedTo} describes; the last one extended. */
    private Segment segment;
    /** Where the fsynced zeros of {@link #segment} end. */
    private long zeroedTo;

    ZeroTail(long segmentSize) {
        this.segmentSize = segmentSize;
    }

    /**
     * Makes sure the blocks of {@code segment} from {@code start} (where this cycle's records start: nothing past it
     * was handed to the OS) up to past {@code end} (where they end) are zeros on disk, extending the zeroed region
     * when less than half of what should lie ahead of {@code end} does. A failure (a full disk) stops the writer as
     * any failed write does, before the cycle's records are written: none of them was acknowledged.
     */
    void ahead(Segment segment, long start, long end) throws IOException {
        if (segment != this.segment) {
            this.segment = segment;
            zeroedTo = start;
        }
        long want = Math.min(segmentSize, end + Math.max(AHEAD_MIN, Math.min(AHEAD_MAX, end)));
        if (want <= end || zeroedTo - end >= (want - end) / 2) {
            return;
        }
        // The failure itself is what the writer stops with (its users get it as the cause, as for any write).
        for (long at = Math.max(zeroedTo, start); at < want; at += ZEROS) {
            ByteBuffer z = zeros.duplicate();
            z.limit((int) Math.min(ZEROS, want - at));
            segment.file().write(at, z);
        }
        segment.file().force();
        zeroedTo = want;
    }

    /**
     * Truncates {@code segment} to the end of its records if it was zero-filled past them; the caller fsyncs it
     * before its hint is written (a hint describes the file's exact length).
     */
    void cut(Segment segment) throws IOException {
        if (segment == this.segment) {
            if (zeroedTo > segment.writtenLength()) {
                segment.file().truncate(segment.writtenLength());
            }
            this.segment = null;
        }
    }
}
