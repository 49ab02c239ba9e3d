package io.ferrumdb.internal.format;

import io.ferrumdb.CorruptionException;
import java.nio.file.Path;

/**
 * The database's identity, file {@code META} (FORMAT.md, "META"):
 * <pre>
 *  0  8  magic "FDBMETA1"
 *  8  u16 format version (the database's: 2 when a MANIFEST lists its segments)
 * 10  u16 flags: bit 0 = encrypted (a KEY file exists and is required)
 * 12  u32 reserved, zero
 * 16  16  database id (random)
 * 32  i64 creation time, epoch milliseconds
 * 40  u32 CRC32C of bytes [0, 40)
 * </pre>
 */
public record MetaFile(int version, byte[] databaseId, boolean encrypted, long createdMillis) {
    public static final int SIZE = 44;
    /** The first database format version whose segments are listed in a MANIFEST. */
    public static final int MANIFEST_VERSION = 2;

    /** A META of the current database format version. */
    public MetaFile(byte[] databaseId, boolean encrypted, long createdMillis) {
        this(Magic.META.version(), databaseId, encrypted, createdMillis);
    }

    /** Whether the database's segments are listed in a MANIFEST (format 2 and later). */
    public boolean hasManifest() {
        return version >= MANIFEST_VERSION;
    }

    /** This META at the current format version (the upgrade written once a MANIFEST exists). */
    public MetaFile upgraded() {
        return new MetaFile(databaseId, encrypted, createdMillis);
    }

    public byte[] encode() {
        byte[] b = new byte[SIZE];
        Magic.META.write(b, 0, version);
        Bytes.putU16(b, 10, encrypted ? 1 : 0);
        System.arraycopy(databaseId, 0, b, 16, 16);
        Bytes.putI64(b, 32, createdMillis);
        Bytes.putI32(b, 40, Bytes.crc32c(b, 0, 40));
        return b;
    }

    public static MetaFile decode(byte[] b, Path file) {
        if (b.length != SIZE) {
            throw new CorruptionException(file, 0, "META file has " + b.length + " bytes, expected " + SIZE);
        }
        int version = Magic.META.checkWithChecksum(b, 40, file, "META");
        int flags = Bytes.u16(b, 10);
        if ((flags & ~1) != 0) {
            throw new CorruptionException(file, 10, "unknown META flags 0x" + Integer.toHexString(flags));
        }
        byte[] id = new byte[16];
        System.arraycopy(b, 16, id, 0, 16);
        return new MetaFile(version, id, (flags & 1) != 0, Bytes.i64(b, 32));
    }
}
