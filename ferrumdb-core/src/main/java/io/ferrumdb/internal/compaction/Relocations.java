package io.ferrumdb.internal.compaction;

import io.ferrumdb.internal.keydir.CompactionView;
import io.ferrumdb.internal.keydir.SlotProbe;
import io.ferrumdb.internal.log.SegmentSet;
import java.util.Arrays;

/**
 * The key directory switches a compaction owes once its outputs are published: for each copied record the key
 * directory pointed at, the slot found when it was copied, where the record was and where it is now. Kept in one
 * primitive array: a profile of a 300,000-key compaction showed a Key and two Location objects per record
 * surviving the whole run, promoted by the young collections and costing pauses of 0.1-0.3 s.
 *
 * <p>The switches are applied grouped by slot, so that the slot table is written nearly in address order: in the
 * hint's order every switch missed the cache on a slot the probe had loaded long before. The entries are moved
 * into that order ({@link #bySlot}, one pass that reads them sequentially and appends to a few thousand groups),
 * so that the switches read them sequentially too: visiting them through a permutation instead missed the cache
 * once per entry, and that was the largest single cost of a compaction in the sixth session's profile.
 */
final class Relocations {
    /**
     * Longs per relocation: probe header, old location word, new location word, slot and new record size, old
     * record size, new expiry. Location words are packed as the slot table packs them ({@link
     * CompactionView#locationWord}): the new one is checked against the table's limits when it is added, before
     * anything is published.
     */
    private static final int LONGS = 6;

    /** Switches per hold of the key directory's lock: writers wait at most for this many slot writes. */
    static final int BATCH = 1024;
    /**
     * Groups of {@link #bySlot}, at most (a power of two: a group is a run of slots of a power-of-two length, found
     * by a shift): few enough that the groups' write positions stay in the core's cache while the entries are
     * moved, many enough that one group's slots span a few tens of KiB of table at the sizes measured (1.5M slots:
     * 1,024 slots a group, 24 KiB), which the cache holds while the group's switches write them in any order.
     */
    static final int MAX_GROUPS = 2048;

    private long[] entries = new long[0];
    private int size;
    /** The largest slot added; the groups of {@link #bySlot} split {@code [0, maxSlot]}. */
    private int maxSlot;

    int size() {
        return size;
    }

    /** Makes room for {@code more} relocations at once (a growing array copied at every step cost a tenth of a run). */
    void ensureRoom(int more) {
        long need = (long) size + more;
        if (need * LONGS > entries.length) {
            long grown = Math.max(need, Math.min(Integer.MAX_VALUE / LONGS, 3L * size / 2));
            if (grown * LONGS > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("compaction limit: " + need + " relocations in one run");
            }
            entries = Arrays.copyOf(entries, (int) grown * LONGS);
        }
    }

    /**
     * Records that the key found at {@code probe} pointed at the record there, which was copied to {@code toOffset}
     * of segment {@code toSegment} ({@code toSize} bytes, with its expiry).
     *
     * @throws io.ferrumdb.FerrumException if the key directory cannot hold that location
     */
    void add(SlotProbe probe, int toSegment, long toOffset, int toSize, long toExpiresAt) {
        long to = CompactionView.locationWord(toSegment, toOffset);
        ensureRoom(1);
        int l = size * LONGS;
        int slot = Math.max(0, probe.slot());
        entries[l] = probe.header();
        // A holder filled from a Location (no slot, header 0) is never switched (see CompactionView#switchHeld):
        // its location need not fit the table's packing.
        entries[l + 1] = probe.slot() < 0 ? 0 : CompactionView.locationWord(probe.segmentId(), probe.offset());
        entries[l + 2] = to;
        entries[l + 3] = (long) slot << 32 | (toSize & 0xFFFFFFFFL);
        entries[l + 4] = probe.recordSize();
        entries[l + 5] = toExpiresAt;
        maxSlot = Math.max(maxSlot, slot);
        size++;
    }

    /**
     * Switches each key that still points at its old record to the copy (compare-and-set: a write that landed
     * meanwhile wins) and moves the live bytes of the switched records, summed per segment. Returns how many keys
     * were switched. The switches go by slot ({@link #bySlot}), {@link #BATCH} per hold of the key directory's lock.
     */
    int apply(CompactionView view, SegmentSet segments) {
        entries = bySlot(); // the list in hint order is garbage from here on
        Batch batch = new Batch(entries);
        int count = 0;
        for (int from = 0; from < size; from += BATCH) {
            count += view.relocate(batch, from, Math.min(size, from + BATCH));
        }
        segments.moveLive(batch.released.ids(), batch.released.sums(), batch.added.ids(), batch.added.sums());
        return count;
    }

    /**
     * The entries grouped by slot, in a new array: a counting sort on the slot's top bits (at most
     * {@link #MAX_GROUPS} groups), one pass to count, one to move (reading the entries in order and appending each
     * to its group's run). Order within a group does not matter: its slots lie close together. A slot that moved
     * because the table grew since the probe is found again by the switch.
     */
    private long[] bySlot() {
        int bits = 32 - Integer.numberOfLeadingZeros(maxSlot);
        int shift = Math.max(0, bits - Integer.numberOfTrailingZeros(MAX_GROUPS));
        int[] starts = new int[(maxSlot >>> shift) + 2];
        int end = size * LONGS;
        for (int l = 0; l < end; l += LONGS) {
            starts[((int) (entries[l + 3] >>> 32) >>> shift) + 1]++;
        }
        for (int g = 1; g < starts.length; g++) {
            starts[g] += starts[g - 1];
        }
        long[] sorted = new long[end];
        long[] e = entries;
        for (int l = 0; l < end; l += LONGS) {
            int to = starts[(int) (e[l + 3] >>> 32) >>> shift]++ * LONGS;
            sorted[to] = e[l];
            sorted[to + 1] = e[l + 1];
            sorted[to + 2] = e[l + 2];
            sorted[to + 3] = e[l + 3];
            sorted[to + 4] = e[l + 4];
            sorted[to + 5] = e[l + 5];
        }
        return sorted;
    }

    /** Bytes summed per segment id; a compaction touches a few segments, so a short list searched from its end. */
    private static final class PerSegment {
        private int[] ids = new int[4];
        private long[] sums = new long[4];
        private int n;

        /** The index {@link #add} found last: the outputs are filled one after another. */
        private int last;

        void add(int id, long bytes) {
            if (n > 0 && ids[last] == id) {
                sums[last] += bytes;
                return;
            }
            for (int i = n - 1; i >= 0; i--) {
                if (ids[i] == id) {
                    sums[i] += bytes;
                    last = i;
                    return;
                }
            }
            if (n == ids.length) {
                ids = Arrays.copyOf(ids, 2 * n);
                sums = Arrays.copyOf(sums, 2 * n);
            }
            ids[n] = id;
            sums[n] = bytes;
            last = n++;
        }

        int[] ids() {
            return Arrays.copyOf(ids, n);
        }

        long[] sums() {
            return Arrays.copyOf(sums, n);
        }
    }

    /** The entries grouped by slot as the key directory's view reads them; sums the switched ones' bytes. */
    private static final class Batch implements CompactionView.Batch {
        private final long[] sorted;
        /** Bytes of the switched records per input segment, and of their copies per output. */
        final PerSegment released = new PerSegment();
        final PerSegment added = new PerSegment();

        Batch(long[] sorted) {
            this.sorted = sorted;
        }

        @Override
        public long header(int i) {
            return sorted[i * LONGS];
        }

        @Override
        public int slot(int i) {
            return (int) (sorted[i * LONGS + 3] >>> 32);
        }

        @Override
        public long fromLocation(int i) {
            return sorted[i * LONGS + 1];
        }

        @Override
        public long toLocation(int i) {
            return sorted[i * LONGS + 2];
        }

        @Override
        public int toSize(int i) {
            return (int) sorted[i * LONGS + 3];
        }

        @Override
        public long toExpiresAt(int i) {
            return sorted[i * LONGS + 5];
        }

        @Override
        public void switched(int i) {
            int l = i * LONGS;
            // The sizes differ when the copy was sealed under another cipher than the original.
            released.add(CompactionView.segmentOf(sorted[l + 1]), sorted[l + 4]);
            added.add(CompactionView.segmentOf(sorted[l + 2]), (int) sorted[l + 3]);
        }
    }
}
