package io.ferrumdb.internal.compaction;

import io.ferrumdb.internal.keydir.CompactionView;
import io.ferrumdb.internal.keydir.KeyDir;
import io.ferrumdb.internal.keydir.SlotProbe;
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

    /** Switches per hold of the key directory's lock: writers wait at most for this many slot writes. */
    static final int BATCH = 1024;
    /** Slots per bucket of {@link #bySlot}: 64 slots of 32 bytes, 2 KiB of table. */
    private static final int SLOTS_PER_BUCKET = 64;

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
     * Records that the key found at {@code probe} pointed at the record there, which was copied to {@code toOffset}
     * of segment {@code toSegment} ({@code toSize} bytes, with its expiry).
     */
    void add(SlotProbe probe, int toSegment, long toOffset, int toSize, long toExpiresAt) {
        ensureRoom(1);
        int l = size * LONGS;
        longs[l] = probe.header();
        longs[l + 1] = probe.offset();
        longs[l + 2] = toOffset;
        longs[l + 3] = toExpiresAt;
        int i = size * INTS;
        ints[i] = probe.slot();
        ints[i + 1] = probe.segmentId();
        ints[i + 2] = toSegment;
        ints[i + 3] = probe.recordSize();
        ints[i + 4] = toSize;
        size++;
    }

    /**
     * Switches each key that still points at its old record to the copy (compare-and-set: a write that landed
     * meanwhile wins) and moves the live bytes of the switched records, summed per pair of segments. Returns how
     * many keys were switched. The switches go by slot ({@link #bySlot}), {@link #BATCH} per hold of the key
     * directory's lock: in hint order every switch missed the cache again on a slot the probe had loaded long
     * before (a fifth of a compaction's CPU time), while in slot order the table is written nearly sequentially.
     */
    int apply(CompactionView view, SegmentSet segments) {
        int[] order = bySlot();
        boolean[] switched = new boolean[size];
        Batch batch = new Batch(order);
        int count = 0;
        for (int from = 0; from < size; from += BATCH) {
            count += view.relocate(batch, from, Math.min(size, from + BATCH), switched);
        }
        int runFrom = -1;
        int runTo = -1;
        long runFromBytes = 0;
        long runToBytes = 0;
        for (int r = 0; r < size; r++) {
            if (!switched[r]) {
                continue;
            }
            int i = r * INTS;
            int from = ints[i + 1];
            int to = ints[i + 2];
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
            runToBytes += ints[i + 4];
        }
        if (runToBytes != 0) {
            segments.moveLive(runFrom, runFromBytes, runTo, runToBytes);
        }
        return count;
    }

    /**
     * The relocations' indexes ordered by slot, to within {@link #SLOTS_PER_BUCKET} slots (a counting sort by
     * bucket: one pass to count, one to place; order within a bucket does not matter, its slots share a few
     * cache lines). A slot that moved because the table grew since the probe is found again by the switch.
     */
    private int[] bySlot() {
        int maxSlot = 0;
        for (int r = 0; r < size; r++) {
            maxSlot = Math.max(maxSlot, ints[r * INTS]);
        }
        int[] starts = new int[maxSlot / SLOTS_PER_BUCKET + 2];
        for (int r = 0; r < size; r++) {
            starts[Math.max(0, ints[r * INTS]) / SLOTS_PER_BUCKET + 1]++;
        }
        for (int b = 1; b < starts.length; b++) {
            starts[b] += starts[b - 1];
        }
        int[] order = new int[size];
        for (int r = 0; r < size; r++) {
            order[starts[Math.max(0, ints[r * INTS]) / SLOTS_PER_BUCKET]++] = r;
        }
        return order;
    }

    /** This list as the key directory's view reads it. */
    private final class Batch implements CompactionView.Batch {
        private final int[] order;

        Batch(int[] order) {
            this.order = order;
        }

        @Override
        public int order(int i) {
            return order[i];
        }

        @Override
        public long header(int r) {
            return longs[r * LONGS];
        }

        @Override
        public int slot(int r) {
            return ints[r * INTS];
        }

        @Override
        public int fromSegment(int r) {
            return ints[r * INTS + 1];
        }

        @Override
        public long fromOffset(int r) {
            return longs[r * LONGS + 1];
        }

        @Override
        public int toSegment(int r) {
            return ints[r * INTS + 2];
        }

        @Override
        public long toOffset(int r) {
            return longs[r * LONGS + 2];
        }

        @Override
        public int toSize(int r) {
            return ints[r * INTS + 4];
        }

        @Override
        public long toExpiresAt(int r) {
            return longs[r * LONGS + 3];
        }
    }
}
