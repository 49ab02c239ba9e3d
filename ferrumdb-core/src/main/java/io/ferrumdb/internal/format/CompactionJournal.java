package io.ferrumdb.internal.format;

import io.ferrumdb.CorruptionException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * File {@code COMPACTION}: the segments a finished compaction has superseded (FORMAT.md, "COMPACTION"). It is
 * written (atomically) after the compaction's output segments are durable under their final names and before any
 * input is deleted; open finishes the deletions it lists. Deleting inputs in one step this way means a crash can
 * never leave a segment holding an old value while the segment whose tombstone hid it is already gone.
 * <pre>
 *  0  8  magic "FDBMRG01"
 *  8  u16 format version
 * 10  u16 flags, zero
 * 12  u32 count
 * 16  count x u64 segment ids
 * end u32 CRC32C of every preceding byte
 * </pre>
 */
public final class CompactionJournal {

    private CompactionJournal() {
    }

    public static byte[] encode(List<Integer> segmentIds) {
        byte[] b = new byte[16 + 8 * segmentIds.size() + 4];
        Magic.MERGE.write(b, 0);
        Bytes.putI32(b, 12, segmentIds.size());
        for (int i = 0; i < segmentIds.size(); i++) {
            Bytes.putI64(b, 16 + 8 * i, segmentIds.get(i));
        }
        Bytes.putI32(b, b.length - 4, Bytes.crc32c(b, 0, b.length - 4));
        return b;
    }

    public static List<Integer> decode(byte[] b, Path file) {
        if (b.length < 20) {
            throw new CorruptionException(file, 0, "compaction journal is only " + b.length + " bytes");
        }
        Magic.MERGE.checkWithChecksum(b, b.length - 4, file, "compaction journal");
        int count = Bytes.i32(b, 12);
        if (count < 0 || 16L + 8L * count + 4 != b.length) {
            throw new CorruptionException(file, 12, "compaction journal count " + count + " does not fit the file");
        }
        List<Integer> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long id = Bytes.i64(b, 16 + 8 * i);
            if (id <= 0 || id > Integer.MAX_VALUE) {
                throw new CorruptionException(file, 16 + 8L * i, "bad segment id " + id);
            }
            ids.add((int) id);
        }
        return ids;
    }
}
