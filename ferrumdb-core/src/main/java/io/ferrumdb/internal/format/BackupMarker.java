package io.ferrumdb.internal.format;

import io.ferrumdb.CorruptionException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * File {@code BACKUP} in a directory written by {@code FerrumDB.backup} (FORMAT.md, "BACKUP"). The backup writes it
 * first with the IN_PROGRESS state and replaces it (atomically) with the COMPLETE state as its last step, listing
 * every segment it copied with its length. Opening a directory whose marker says IN_PROGRESS fails; opening one
 * whose marker says COMPLETE checks that every listed segment is there with its length. A writable open then
 * deletes the marker: from there on the copy is a database of its own.
 * <pre>
 *  0  8  magic "FDBBAK01"
 *  8  u16 format version
 * 10  u16 flags: bit 0 = complete (0: in progress)
 * 12  u32 count
 * 16  16  database id
 * 32  i64 time written, epoch milliseconds
 * 40  count x (u64 segment id, u64 segment length in bytes)
 * end u32 CRC32C of every preceding byte
 * </pre>
 */
public record BackupMarker(boolean complete, byte[] databaseId, long writtenMillis, List<Segment> segments) {
    /** One copied segment. */
    public record Segment(int id, long length) {
    }

    private static final int FIXED = 40;
    private static final int ENTRY = 16;

    public byte[] encode() {
        byte[] b = new byte[FIXED + ENTRY * segments.size() + 4];
        Magic.BACKUP.write(b, 0);
        Bytes.putU16(b, 10, complete ? 1 : 0);
        Bytes.putI32(b, 12, segments.size());
        System.arraycopy(databaseId, 0, b, 16, 16);
        Bytes.putI64(b, 32, writtenMillis);
        for (int i = 0; i < segments.size(); i++) {
            Bytes.putI64(b, FIXED + ENTRY * i, segments.get(i).id());
            Bytes.putI64(b, FIXED + ENTRY * i + 8, segments.get(i).length());
        }
        Bytes.putI32(b, b.length - 4, Bytes.crc32c(b, 0, b.length - 4));
        return b;
    }

    public static BackupMarker decode(byte[] b, Path file) {
        if (b.length < FIXED + 4) {
            throw new CorruptionException(file, 0, "backup marker is only " + b.length + " bytes");
        }
        Magic.BACKUP.checkWithChecksum(b, b.length - 4, file, "backup marker");
        int flags = Bytes.u16(b, 10);
        if ((flags & ~1) != 0) {
            throw new CorruptionException(file, 10, "unknown backup marker flags 0x" + Integer.toHexString(flags));
        }
        int count = Bytes.i32(b, 12);
        if (count < 0 || (long) FIXED + (long) ENTRY * count + 4 != b.length) {
            throw new CorruptionException(file, 12, "backup marker count " + count + " does not fit the file");
        }
        byte[] id = new byte[16];
        System.arraycopy(b, 16, id, 0, 16);
        List<Segment> segments = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long segmentId = Bytes.i64(b, FIXED + ENTRY * i);
            long length = Bytes.i64(b, FIXED + ENTRY * i + 8);
            if (segmentId <= 0 || segmentId > Integer.MAX_VALUE || length < SegmentHeader.SIZE) {
                throw new CorruptionException(file, FIXED + (long) ENTRY * i, "bad segment entry " + segmentId
                        + " of " + length + " bytes");
            }
            segments.add(new Segment((int) segmentId, length));
        }
        return new BackupMarker((flags & 1) != 0, id, Bytes.i64(b, 32), List.copyOf(segments));
    }
}
