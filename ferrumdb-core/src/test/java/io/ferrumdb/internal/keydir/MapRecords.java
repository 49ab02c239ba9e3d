package io.ferrumdb.internal.keydir;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Records for a hash-only key directory's tests ({@link KeyDir#keysInLog}): the key each (segment id, offset)
 * holds, in a map. Segments in {@link #gone} were retired (compaction); {@link #compares} counts compares.
 */
final class MapRecords implements RecordKeys {
    final Map<Long, byte[]> keys = new HashMap<>();
    final Set<Integer> gone = new HashSet<>();
    int compares;

    void put(int segmentId, long offset, byte[] key) {
        keys.put((long) segmentId << 40 | offset, key.clone());
    }

    private byte[] at(int segmentId, long offset) {
        byte[] stored = keys.get((long) segmentId << 40 | offset);
        if (stored == null) {
            throw new AssertionError("the key directory compares with a record that was never written: "
                    + segmentId + "/" + offset);
        }
        return stored;
    }

    @Override
    public int compare(int segmentId, long offset, int recordSize, byte[] key, int from, int len) {
        compares++;
        if (gone.contains(segmentId)) {
            return GONE;
        }
        byte[] stored = at(segmentId, offset);
        return Arrays.equals(stored, 0, stored.length, key, from, from + len) ? MATCH : OTHER;
    }

    @Override
    public byte[] key(int segmentId, long offset, int recordSize) {
        return gone.contains(segmentId) ? null : at(segmentId, offset).clone();
    }

    @Override
    public RuntimeException damaged(int segmentId, long offset, int recordSize) {
        return new IllegalStateException("damaged " + segmentId + "/" + offset);
    }
}
