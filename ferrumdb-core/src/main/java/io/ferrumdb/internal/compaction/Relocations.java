package io.ferrumdb.internal.compaction;

import io.ferrumdb.internal.keydir.KeyDir;
import io.ferrumdb.internal.keydir.Location;
import io.ferrumdb.internal.log.SegmentSet;
import java.util.Arrays;

/**
 * The key directory switches a compaction owes once its outputs are published: for each copied record the key
 * directory pointed at, the slot found when it was copied, where the record was and where it is now. Kept in
 * primitive arrays: a profile of a 300,000-key compaction showed a Key and two Location objects per record
 * surviving the whole run, promoted by the young collections and costing pauses of 0.1-0.3 s.
 */
final class Relocations {
    /** Longs per relocation: probe header, old offset, new offset, expiry. */
    private static final int LONGS = 4;
    /** Ints per relocation: probe slot, old segment, new segment, old record size, new record size. */
    private static final int INTS = 5;

    private long[] longs = new long[0];
    private int[] ints = new int[0];
    private int size;

    int size() {
        return size;
    }

    /** Makes room for {@code more} relocations at once (a growing array copied at every step cost a tenth of a run). */
    void ensureRoom(int more) {
        long need = (long) size + more;
        if (need * LONGS > longs.length) {
            long grown = Math.max(need, Math.min(Integer.MAX_VALUE / LONGS, 3L * size / 2));
            if (grown * LONGS > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("compaction limit: " + need + " relocations in one run");
            }
            longs = Arrays.copyOf(longs, (int) grown * LONGS);
            ints = Arrays.copyOf(ints, (int) grown * INTS);
        }
    }

    /**
     * Records that the key found at {@code probe} pointed at {@code from}, whose record was copied to
     * {@code to}.
     */
    void add(KeyDir.Probe probe, Location from, Location to) {
        ensureRoom(1);
        int l = size * LONGS;
        longs[l] = probe.header();
        longs[l + 1] = from.offset();
        longs[l + 2] = to.offset();
        longs[l + 3] = to.expiresAt();
        int i = size * INTS;
        ints[i] = probe.slot();
        ints[i + 1] = from.segmentId();
        ints[i + 2] = to.segmentId();
        ints[i + 3] = from.recordSize();
        ints[i + 4] = to.recordSize();
        size++;
    }

    /**
     * Switches each key that still points at its old record to the copy (compare-and-set: a write that landed
     * meanwhile wins) and moves the live bytes of the switched records, summed per pair of segments. Returns how
     * many keys were switched.
     */
    int apply(KeyDir keyDir, SegmentSet segments) {
        int switched = 0;
        int runFrom = -1;
        int runTo = -1;
        long runFromBytes = 0;
        long runToBytes = 0;
        for (int r = 0; r < size; r++) {
            int l = r * LONGS;
            int i = r * INTS;
            int from = ints[i + 1];
            int to = ints[i + 2];
            int newSize = ints[i + 4];
            Location replacement = new Location(to, longs[l + 2], newSize, longs[l + 3]);
            if (!keyDir.relocate(longs[l], ints[i], from, longs[l + 1], replacement)) {
                continue;
            }
            switched++;
            if (from != runFrom || to != runTo) {
                if (runToBytes != 0) {
                    segments.moveLive(runFrom, runFromBytes, runTo, runToBytes);
                }
                runFrom = from;
                runTo = to;
                runFromBytes = 0;
                runToBytes = 0;
            }
            // The sizes differ when the copy was sealed under another cipher than the original.
            runFromBytes += ints[i + 3];
            runToBytes += newSize;
        }
        if (runToBytes != 0) {
            segments.moveLive(runFrom, runFromBytes, runTo, runToBytes);
        }
        return switched;
    }
}
