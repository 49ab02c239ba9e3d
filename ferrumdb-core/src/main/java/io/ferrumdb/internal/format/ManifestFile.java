package io.ferrumdb.internal.format;

import io.ferrumdb.CorruptionException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * File {@code MANIFEST} (FORMAT.md, "MANIFEST"): the segment numbers that make up the database, so that a missing
 * or foreign segment file is noticed. Rewritten whole (temporary file, fsync, rename, directory fsync) whenever
 * the set changes.
 * <pre>
 *  0  8  magic "FDBMAN01"
 *  8  u16 format version
 * 10  u16 flags, zero
 * 12  u32 count N
 * 16  16  database id
 * 32  N x u64 segment numbers, strictly increasing
 * end u32 CRC32C of every preceding byte
 * </pre>
 */
public final class ManifestFile {
    private static final int IDS = 32;

    private ManifestFile() {
    }

    public static byte[] encode(byte[] databaseId, SortedSet<Integer> segmentIds) {
        byte[] b = new byte[IDS + 8 * segmentIds.size() + 4];
        Magic.MANIFEST.write(b, 0);
        Bytes.putI32(b, 12, segmentIds.size());
        System.arraycopy(databaseId, 0, b, 16, 16);
        int at = IDS;
        for (int id : segmentIds) {
            Bytes.putI64(b, at, id);
            at += 8;
        }
        Bytes.putI32(b, b.length - 4, Bytes.crc32c(b, 0, b.length - 4));
        return b;
    }

    public static SortedSet<Integer> decode(byte[] b, Path file, byte[] databaseId) {
        if (b.length < IDS + 4) {
            throw new CorruptionException(file, 0, "MANIFEST is only " + b.length + " bytes");
        }
        Magic.MANIFEST.checkWithChecksum(b, b.length - 4, file, "MANIFEST");
        if (!Arrays.equals(b, 16, 32, databaseId, 0, 16)) {
            throw new CorruptionException(file, 16, "MANIFEST belongs to another database");
        }
        int count = Bytes.i32(b, 12);
        if (count < 0 || IDS + 8L * count + 4 != b.length) {
            throw new CorruptionException(file, 12, "MANIFEST count " + count + " does not fit the file");
        }
        SortedSet<Integer> ids = new TreeSet<>();
        long previous = 0;
        for (int i = 0; i < count; i++) {
            long id = Bytes.i64(b, IDS + 8 * i);
            if (id <= previous || id > Integer.MAX_VALUE) {
                throw new CorruptionException(file, IDS + 8L * i, "bad or unordered segment number " + id);
            }
            ids.add((int) id);
            previous = id;
        }
        return ids;
    }
}
