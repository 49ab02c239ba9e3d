package io.ferrumdb.internal.format;

import io.ferrumdb.CorruptionException;
import java.nio.file.Path;

/**
 * The 64-byte header of a segment file (FORMAT.md, "Segment files"):
 * <pre>
 *  0  8  magic "FDBSEG01"
 *  8  u16 format version: 1, or 2 (may end in a zero tail until sealed)
 * 10  u16 flags: bit 0 = encrypted, bit 1 = written by compaction (complete before it got its name)
 * 12  u32 reserved, zero
 * 16  u64 segment id (equals the number in the file name)
 * 24  16  database id
 * 40  16  salt (random per segment when encrypted; zero otherwise)
 * 56  u32 reserved, zero
 * 60  u32 CRC32C of bytes [0, 60)
 * </pre>
 */
public record SegmentHeader(long segmentId, byte[] databaseId, boolean encrypted, boolean compacted, byte[] salt,
                            int version) {
    public static final int SIZE = 64;
    /** The first version whose segments may end in zeros after their records while never sealed. */
    public static final int ZERO_TAIL_VERSION = 2;
    public static final int FLAG_ENCRYPTED = 1;
    public static final int FLAG_COMPACTED = 2;

    /** A header of the version this release writes. */
    public SegmentHeader(long segmentId, byte[] databaseId, boolean encrypted, boolean compacted, byte[] salt) {
        this(segmentId, databaseId, encrypted, compacted, salt, Magic.SEGMENT.version());
    }

    /**
     * Whether a never-sealed segment with this header may end in zeros after its records (written ahead by the log
     * writer, FORMAT.md "Zero tail"); in a version-1 segment zeros there are a torn write, as they always were.
     */
    public boolean mayEndInZeros() {
        return version >= ZERO_TAIL_VERSION;
    }

    public byte[] encode() {
        byte[] b = new byte[SIZE];
        Magic.SEGMENT.write(b, 0, version);
        Bytes.putU16(b, 10, (encrypted ? FLAG_ENCRYPTED : 0) | (compacted ? FLAG_COMPACTED : 0));
        Bytes.putI64(b, 16, segmentId);
        System.arraycopy(databaseId, 0, b, 24, 16);
        System.arraycopy(salt, 0, b, 40, 16);
        Bytes.putI32(b, 60, Bytes.crc32c(b, 0, 60));
        return b;
    }

    /**
     * The header's CRC32C as stored in its bytes 60 to 64 (what a MANIFEST records of a sealed segment, so that a
     * file put in its place is noticed even when its header is intact).
     */
    public int checksum() {
        return Bytes.i32(encode(), 60);
    }

    public static SegmentHeader decode(byte[] b, Path file) {
        if (b.length < SIZE) {
            throw new CorruptionException(file, 0, "segment header is shorter than " + SIZE + " bytes");
        }
        int version = Magic.SEGMENT.checkWithChecksum(b, 60, file, "segment header");
        int flags = Bytes.u16(b, 10);
        if ((flags & ~(FLAG_ENCRYPTED | FLAG_COMPACTED)) != 0) {
            throw new CorruptionException(file, 10, "unknown segment flags 0x" + Integer.toHexString(flags));
        }
        byte[] dbId = new byte[16];
        byte[] salt = new byte[16];
        System.arraycopy(b, 24, dbId, 0, 16);
        System.arraycopy(b, 40, salt, 0, 16);
        return new SegmentHeader(Bytes.i64(b, 16), dbId, (flags & FLAG_ENCRYPTED) != 0,
                (flags & FLAG_COMPACTED) != 0, salt, version);
    }
}
