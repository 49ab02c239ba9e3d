package io.ferrumdb.internal.format;

import io.ferrumdb.CorruptionException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * File {@code MANIFEST} (FORMAT.md, "MANIFEST"): the segments that make up the database, so that a missing or
 * foreign segment file is noticed, and (version 3) the length and header checksum of each one sealed, so that a
 * sealed segment cut short (even between two records, its hint gone too) or replaced is noticed. Rewritten whole
 * (temporary file, fsync, rename, directory fsync) whenever the set or a seal changes.
 * <pre>
 *  0  8  magic "FDBMAN01"
 *  8  u16 format version (3; 2 is still read)
 * 10  u16 flags, zero
 * 12  u32 count N
 * 16  16  database id
 * 32  N entries, segment numbers strictly increasing:
 *         version 3: u64 segment number, u64 sealed length (0: not sealed), u32 header checksum (0: not sealed)
 *         version 2: u64 segment number
 * end u32 CRC32C of every preceding byte
 * </pre>
 */
public final class ManifestFile {
    private static final int ENTRIES = 32;
    /** Bytes per entry in version 3, and in version 2 (no seal). */
    private static final int ENTRY = 20;
    private static final int ENTRY_V2 = 8;

    private ManifestFile() {
    }

    /**
     * What a MANIFEST says of one segment: its number and, once the segment was sealed (complete, fsynced, never
     * to change again), its length in bytes and its header's CRC32C (the header's bytes 60 to 64); both 0 while the
     * segment is not sealed, or when a version-2 MANIFEST (which records no seal) listed it.
     */
    public record Listed(int id, long sealedLength, int headerChecksum) {
        public static Listed unsealed(int id) {
            return new Listed(id, 0, 0);
        }

        public boolean sealed() {
            return sealedLength > 0;
        }
    }

    public static byte[] encode(byte[] databaseId, Collection<Listed> segments) {
        TreeMap<Integer, Listed> ordered = new TreeMap<>();
        for (Listed s : segments) {
            ordered.put(s.id(), s);
        }
        byte[] b = new byte[ENTRIES + ENTRY * ordered.size() + 4];
        Magic.MANIFEST.write(b, 0);
        Bytes.putI32(b, 12, ordered.size());
        System.arraycopy(databaseId, 0, b, 16, 16);
        int at = ENTRIES;
        for (Listed s : ordered.values()) {
            Bytes.putI64(b, at, s.id());
            Bytes.putI64(b, at + 8, s.sealedLength());
            Bytes.putI32(b, at + 16, s.headerChecksum());
            at += ENTRY;
        }
        Bytes.putI32(b, b.length - 4, Bytes.crc32c(b, 0, b.length - 4));
        return b;
    }

    /** The segments listed, by number; those of a version-2 file are all {@link Listed#unsealed unsealed}. */
    public static NavigableMap<Integer, Listed> decode(byte[] b, Path file, byte[] databaseId) {
        if (b.length < ENTRIES + 4) {
            throw new CorruptionException(file, 0, "MANIFEST is only " + b.length + " bytes");
        }
        int version = Magic.MANIFEST.checkWithChecksum(b, b.length - 4, file, "MANIFEST");
        if (!Arrays.equals(b, 16, 32, databaseId, 0, 16)) {
            throw new CorruptionException(file, 16, "MANIFEST belongs to another database");
        }
        int entry = version >= 3 ? ENTRY : ENTRY_V2;
        int count = Bytes.i32(b, 12);
        if (count < 0 || ENTRIES + (long) entry * count + 4 != b.length) {
            throw new CorruptionException(file, 12, "MANIFEST count " + count + " does not fit the file");
        }
        NavigableMap<Integer, Listed> listed = new TreeMap<>();
        long previous = 0;
        for (int i = 0; i < count; i++) {
            int at = ENTRIES + entry * i;
            long id = Bytes.i64(b, at);
            if (id <= previous || id > Integer.MAX_VALUE) {
                throw new CorruptionException(file, at, "bad or unordered segment number " + id);
            }
            Listed s = entry == ENTRY ? new Listed((int) id, Bytes.i64(b, at + 8), Bytes.i32(b, at + 16))
                    : Listed.unsealed((int) id);
            if (s.sealedLength() < 0 || (!s.sealed() && s.headerChecksum() != 0)
                    || (s.sealed() && s.sealedLength() < SegmentHeader.SIZE)) {
                throw new CorruptionException(file, at + 8, "bad sealed length " + s.sealedLength()
                        + " of segment " + id);
            }
            listed.put((int) id, s);
            previous = id;
        }
        return listed;
    }
}
