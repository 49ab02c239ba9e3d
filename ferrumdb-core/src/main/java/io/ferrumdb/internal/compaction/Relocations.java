package io.ferrumdb.internal.compaction;

import io.ferrumdb.internal.concurrent.ArrayPool;
import io.ferrumdb.internal.keydir.CompactionView;
import io.ferrumdb.internal.keydir.SlotProbe;
import io.ferrumdb.internal.log.SegmentSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The key directory switches a compaction owes once its outputs are published: for each copied record the key
 * directory pointed at, the slot found when it was copied, where the record was and where it is now. Kept in
 * primitive arrays: a profile of a 300,000-key compaction showed a Key and two Location objects per record
 * surviving the whole run, promoted by the young collections and costing pauses of 0.1-0.3 s.
 *
 * <p>The switches are appended in the order the records are copied, into blocks kept from one run to the next (an
 * {@link ArrayPool}): each add writes the next 48 bytes of a block, a sequential stream, and a warm run allocates
 * nothing. Filed by slot as they were added, into 1.5 KiB chunks allocated new each run (sessions 6 to 19), the
 * 14 MB of chunks of a 300,000-record run were alive at every young collection that fell inside it (pauses of
 * 50-80 ms in session 20's runs), and the chunks' allocation was the largest single frame of the copying threads'
 * profile.
 *
 * <p>The switches are applied grouped by slot, so that the slot table is written nearly in address order: in the
 * copy's order each switch is a cache and TLB miss at a random slot (twice the time for the switches of a
 * 300,000-record run in session 20's measurement). {@link #sortBySlot} moves them into that order once the part
 * has copied its records, on the part's thread (the parts sort at once; the switches run on one thread).
 */
final class Relocations {
    /**
     * Longs per relocation: probe header, old location word, new location word, slot and new record size, old
     * record size, new expiry. Location words are packed as the slot table packs them ({@link
     * CompactionView#locationWord}): the new one is checked against the table's limits when it is added, before
     * anything is published. A header of 0 is never switched (see {@link #add}).
     */
    private static final int LONGS = 6;
    /** Relocations a block holds (192 KiB, under G1's humongous size for any heap with 1 MiB regions or more). */
    private static final int BLOCK = 4096;
    private static final int BLOCK_SHIFT = Integer.numberOfTrailingZeros(BLOCK);
    /** Blocks a compactor keeps between runs (15 MiB, the switches of 327,680 records). */
    static final int KEPT_BLOCKS = 80;

    /** Switches per hold of the key directory's lock: writers wait at most for this many slot writes. */
    static final int BATCH = 1024;
    /**
     * Groups of slots, at most (a power of two: a group is a run of slots of a power-of-two length, found by a
     * shift). Few enough that the sort's 256 write streams stay in the core's cache; many enough that one group's
     * slots fit the cache while its switches write them in any order (544,071 slots: 4,096 slots a group, 96 KiB
     * of table).
     */
    static final int MAX_GROUPS = 256;

    private final ArrayPool<long[]> pool;
    private final int shift;
    private final int groups;
    private final List<long[]> blocks = new ArrayList<>();
    /** The block being filled, the last of {@link #blocks}; null before the first add. */
    private long[] current;
    private int size;

    /**
     * @param pool  blocks of {@link #newBlock}'s length, kept from run to run (and shared by a run's parts)
     * @param slots the key directory's table size when the compaction starts; a slot found later beyond it (the
     *              table grew) goes to the last group, which costs locality, not correctness
     */
    Relocations(ArrayPool<long[]> pool, int slots) {
        this.pool = pool;
        int bits = 32 - Integer.numberOfLeadingZeros(Math.max(1, slots - 1));
        this.shift = Math.max(0, bits - Integer.numberOfTrailingZeros(MAX_GROUPS));
        this.groups = ((Math.max(1, slots) - 1) >>> shift) + 1;
    }

    /** A pool of blocks for {@link #Relocations}, keeping {@code kept} of them between runs. */
    static ArrayPool<long[]> blockPool(int kept) {
        return new ArrayPool<>(Relocations::newBlock, kept);
    }

    private static long[] newBlock() {
        return new long[BLOCK * LONGS];
    }

    int size() {
        return size;
    }

    /**
     * Records that the key found at {@code probe} pointed at the record there, which was copied to {@code toOffset}
     * of segment {@code toSegment} ({@code toSize} bytes, with its expiry).
     *
     * @throws io.ferrumdb.FerrumException if the key directory cannot hold that location
     */
    void add(SlotProbe probe, int toSegment, long toOffset, int toSize, long toExpiresAt) {
        long to = CompactionView.locationWord(toSegment, toOffset);
        if (size == Integer.MAX_VALUE / 2) {
            throw new IllegalStateException("compaction limit: " + size + " relocations in one run");
        }
        int place = size & (BLOCK - 1);
        if (place == 0) {
            current = pool.take(); // holds the last run's switches: only places below size are read
            blocks.add(current);
        }
        long[] block = current;
        int l = place * LONGS;
        block[l] = probe.header();
        // A holder filled from a Location (no slot, header 0) is never switched (see CompactionView#switchHeld):
        // its location need not fit the table's packing.
        block[l + 1] = probe.slot() < 0 ? 0 : CompactionView.locationWord(probe.segmentId(), probe.offset());
        block[l + 2] = to;
        block[l + 3] = (long) Math.max(0, probe.slot()) << 32 | (toSize & 0xFFFFFFFFL);
        block[l + 4] = probe.recordSize();
        block[l + 5] = toExpiresAt;
        size++;
    }

    /**
     * Puts the relocations in slot-group order, in place (an American flag sort by group: a count, then each entry
     * swapped straight into the next free place of its group), so that a run needs no second copy of its list.
     */
    void sortBySlot() {
        int[] next = new int[groups];
        for (int i = 0; i < size; i += BLOCK) {
            long[] block = blocks.get(i >>> BLOCK_SHIFT);
            for (int l = 3, end = Math.min(BLOCK, size - i) * LONGS; l < end; l += LONGS) {
                next[group(block[l])]++;
            }
        }
        int[] end = new int[groups];
        for (int g = 0, start = 0; g < groups; g++) {
            int count = next[g];
            next[g] = start;
            start += count;
            end[g] = start;
        }
        long[][] all = blocks.toArray(new long[0][]);
        for (int g = 0; g < groups; g++) {
            while (next[g] < end[g]) {
                int i = next[g];
                long[] block = all[i >>> BLOCK_SHIFT];
                int at = (i & (BLOCK - 1)) * LONGS;
                int belongs = group(block[at + 3]);
                if (belongs == g) {
                    next[g]++;
                } else {
                    int to = next[belongs]++;
                    swap(block, at, all[to >>> BLOCK_SHIFT], (to & (BLOCK - 1)) * LONGS);
                }
            }
        }
        current = null; // sorted: no more adds
    }

    private static void swap(long[] a, int at, long[] b, int bt) {
        for (int w = 0; w < LONGS; w++) {
            long x = a[at + w];
            a[at + w] = b[bt + w];
            b[bt + w] = x;
        }
    }

    /** The group of a relocation's word 3 (slot and new size). */
    private int group(long slotAndSize) {
        return Math.min(groups - 1, (int) (slotAndSize >>> 32) >>> shift);
    }

    /**
     * Switches each key that still points at its old record to the copy (compare-and-set: a write that landed
     * meanwhile wins) and moves the live bytes of the switched records, summed per segment. Returns how many keys
     * were switched. The switches go in the list's order (by slot after {@link #sortBySlot}), {@link #BATCH} per
     * hold of the key directory's lock; the blocks go back to the pool after.
     */
    int apply(CompactionView view, SegmentSet segments) {
        Batch batch = new Batch(blocks.toArray(new long[0][]));
        int count = 0;
        for (int from = 0; from < size; from += BATCH) {
            count += view.relocate(batch, from, Math.min(size, from + BATCH));
        }
        segments.moveLive(batch.released.ids(), batch.released.sums(), batch.added.ids(), batch.added.sums());
        release();
        return count;
    }

    /** Gives the blocks back to the pool; the list is empty after. */
    void release() {
        for (long[] b : blocks) {
            pool.give(b);
        }
        blocks.clear();
        current = null;
        size = 0;
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

    /**
     * The blocks as the key directory's view reads them, relocation {@code i} being place {@code i % BLOCK} of block
     * {@code i / BLOCK}; sums the switched records' bytes.
     */
    private static final class Batch implements CompactionView.Batch {
        private final long[][] blocks;
        /** Bytes of the switched records per input segment, and of their copies per output. */
        final PerSegment released = new PerSegment();
        final PerSegment added = new PerSegment();

        Batch(long[][] blocks) {
            this.blocks = blocks;
        }

        private long word(int i, int w) {
            return blocks[i >>> BLOCK_SHIFT][(i & (BLOCK - 1)) * LONGS + w];
        }

        @Override
        public long header(int i) {
            return word(i, 0);
        }

        @Override
        public int slot(int i) {
            return (int) (word(i, 3) >>> 32);
        }

        @Override
        public long fromLocation(int i) {
            return word(i, 1);
        }

        @Override
        public long toLocation(int i) {
            return word(i, 2);
        }

        @Override
        public int toSize(int i) {
            return (int) word(i, 3);
        }

        @Override
        public long toExpiresAt(int i) {
            return word(i, 5);
        }

        @Override
        public void switched(int i) {
            // The sizes differ when the copy was sealed under another cipher than the original.
            released.add(CompactionView.segmentOf(word(i, 1)), word(i, 4));
            added.add(CompactionView.segmentOf(word(i, 2)), (int) word(i, 3));
        }
    }
}
