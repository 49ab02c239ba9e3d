package io.ferrumdb.internal.format;

import io.ferrumdb.CorruptionException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * File {@code COMPACTION}: the segments a finished compaction has superseded (FORMAT.md, "COMPACTION"). It is
 * written (atomically) after the compaction's output segments are durable under their final names and before any
 * input is deleted; open finishes the deletions it lists. Deleting inputs in one step this way means a crash can
 * never leave a segment holding an old value while the segment whose tombstone hid it is already gone.
 * <pre>
 *  0  8  magic "FDBMRG01"
 *  8  u16 format version (2; version 1 has no database id)
 * 10  u16 flags, zero
 * 12  u32 count
 * 16  16  database id (version 2 only)
 * 32  count x u64 segment ids (at 16 in version 1)
 * end u32 CRC32C of every preceding byte
 * </pre>
 * A journal from another database would make open delete live segments, so one whose id differs is refused, and
 * so is an id-less version-1 journal in a database whose META is version 2 (no release writes that).
 */
public final class CompactionJournal {
    private static final int IDS_V1 = 16;
    private static final int IDS_V2 = 32;

    private CompactionJournal() {
    }

    public static byte[] encode(byte[] databaseId, List<Integer> segmentIds) {
        byte[] b = new byte[IDS_V2 + 8 * segmentIds.size() + 4];
        Magic.MERGE.write(b, 0);
        Bytes.putI32(b, 12, segmentIds.size());
        System.arraycopy(databaseId, 0, b, 16, 16);
        for (int i = 0; i < segmentIds.size(); i++) {
            Bytes.putI64(b, IDS_V2 + 8 * i, segmentIds.get(i));
        }
        Bytes.putI32(b, b.length - 4, Bytes.crc32c(b, 0, b.length - 4));
        return b;
    }

    /**
     * The segment ids of a journal that belongs to database {@code databaseId}, whose META has format version
     * {@code databaseVersion}.
     */
    public static List<Integer> decode(byte[] b, Path file, byte[] databaseId, int databaseVersion) {
        if (b.length < 20) {
            throw new CorruptionException(file, 0, "compaction journal is only " + b.length + " bytes");
        }
        int version = Magic.MERGE.checkWithChecksum(b, b.length - 4, file, "compaction journal");
        int idsAt = IDS_V1;
        if (version >= 2) {
            idsAt = IDS_V2;
            if (b.length < IDS_V2 + 4 || !Arrays.equals(b, 16, 32, databaseId, 0, 16)) {
                throw new CorruptionException(file, 16, "compaction journal belongs to another database");
            }
        } else if (databaseVersion >= MetaFile.MANIFEST_VERSION) {
            throw new CorruptionException(file, 8, "compaction journal of format 1 carries no database id, but"
                    + " this database is format " + databaseVersion + ": it was copied from another database");
        }
        int count = Bytes.i32(b, 12);
        if (count < 0 || idsAt + 8L * count + 4 != b.length) {
            throw new CorruptionException(file, 12, "compaction journal count " + count + " does not fit the file");
        }
        List<Integer> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long id = Bytes.i64(b, idsAt + 8 * i);
            if (id <= 0 || id > Integer.MAX_VALUE) {
                throw new CorruptionException(file, idsAt + 8L * i, "bad segment id " + id);
            }
            ids.add((int) id);
        }
        return ids;
    }
}
