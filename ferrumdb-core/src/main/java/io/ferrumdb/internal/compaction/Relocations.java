package io.ferrumdb.internal.compaction;

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
 * <p>The switches are applied grouped by slot, so that the slot table is written nearly in address order: in the
 * hint's order every switch missed the cache on a slot the probe had loaded long before. The entries are filed by
 * slot as they are added, each appended to its group's current chunk, so that the switches then read them
 * sequentially: visiting them in hint-ordered arrays through a slot-ordered permutation missed the cache once per
 * entry (the largest single cost of a warm compaction in the sixth session's profile), and moving them into slot
 * order after the copy cost a pass over the list and a second copy of it.
 */
final class Relocations {
    /**
     * Longs per relocation: probe header, old location word, new location word, slot and new record size, old
     * record size, new expiry. Location words are packed as the slot table packs them ({@link
     * CompactionView#locationWord}): the new one is checked against the table's limits when it is added, before
     * anything is published. A header of 0 marks an unused place (a key's header is never 0).
     */
    private static final int LONGS = 6;
    /** Relocations a chunk holds (1.5 KiB): the groups' partly filled chunks together stay under 384 KiB. */
    private static final int CHUNK = 32;
    private static final int CHUNK_SHIFT = Integer.numberOfTrailingZeros(CHUNK);

    /** Switches per hold of the key directory's lock: writers wait at most for this many slot writes. */
    static final int BATCH = 1024;
    /**
     * Groups, at most (a power of two: a group is a run of slots of a power-of-two length, found by a shift). Few
     * enough that the groups' current chunks stay in the core's cache while entries are filed during the copy,
     * which has its own buffers in the cache (with 2,048 groups, 3 MiB of chunks, filing missed the cache and cost
     * more than the switches saved); many enough that one group's slots fit the cache while the group's switches
     * write them in any order (544,071 slots: 4,096 slots a group, 96 KiB of table).
     */
    static final int MAX_GROUPS = 256;

    private final int shift;
    /** Per group, its full chunks in the order they filled; the current one is in {@link #current}. */
    private final List<List<long[]>> full;
    private final long[][] current;
    private final int[] filled;
    private int size;

    /**
     * @param slots the key directory's table size when the compaction starts; a slot found later beyond it (the
     *              table grew) goes to the last group, which costs locality, not correctness
     */
    Relocations(int slots) {
        int bits = 32 - Integer.numberOfLeadingZeros(Math.max(1, slots - 1));
        this.shift = Math.max(0, bits - Integer.numberOfTrailingZeros(MAX_GROUPS));
        int groups = ((Math.max(1, slots) - 1) >>> shift) + 1;
        this.full = new ArrayList<>(groups);
        for (int g = 0; g < groups; g++) {
            full.add(null);
        }
        this.current = new long[groups][];
        this.filled = new int[groups];
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
        int slot = Math.max(0, probe.slot());
        int g = Math.min(current.length - 1, slot >>> shift);
        long[] chunk = current[g];
        if (chunk == null) {
            // New, not kept from the last run: a new chunk's lines were just zeroed by its allocation, so the adds
            // that fill it hit the cache, where a kept one's first writes miss: with new chunks a warm compaction
            // took 0.76-0.86x the CPU it took with kept ones (issue 23, session 11).
            chunk = new long[CHUNK * LONGS];
            current[g] = chunk;
        }
        int l = filled[g] * LONGS;
        chunk[l] = probe.header();
        // A holder filled from a Location (no slot, header 0) is never switched (see CompactionView#switchHeld):
        // its location need not fit the table's packing.
        chunk[l + 1] = probe.slot() < 0 ? 0 : CompactionView.locationWord(probe.segmentId(), probe.offset());
        chunk[l + 2] = to;
        chunk[l + 3] = (long) slot << 32 | (toSize & 0xFFFFFFFFL);
        chunk[l + 4] = probe.recordSize();
        chunk[l + 5] = toExpiresAt;
        if (++filled[g] == CHUNK) {
            fileFull(g, chunk);
        }
        size++;
    }

    /** Files group {@code g}'s current chunk as full (out of {@link #add}, which runs once per copied record). */
    private void fileFull(int g, long[] chunk) {
        List<long[]> groupChunks = full.get(g);
        if (groupChunks == null) {
            groupChunks = new ArrayList<>();
            full.set(g, groupChunks);
        }
        groupChunks.add(chunk);
        current[g] = null;
        filled[g] = 0;
    }

    /**
     * Switches each key that still points at its old record to the copy (compare-and-set: a write that landed
     * meanwhile wins) and moves the live bytes of the switched records, summed per segment. Returns how many keys
     * were switched. The switches go group by group, {@link #BATCH} places per hold of the key directory's lock.
     */
    int apply(CompactionView view, SegmentSet segments) {
        Batch batch = new Batch(inSlotOrder());
        int places = batch.chunks.length * CHUNK;
        int count = 0;
        for (int from = 0; from < places; from += BATCH) {
            count += view.relocate(batch, from, Math.min(places, from + BATCH));
        }
        segments.moveLive(batch.released.ids(), batch.released.sums(), batch.added.ids(), batch.added.sums());
        return count;
    }

    /** Every chunk, group after group; a group's last chunk may be partly filled (its unused places have header 0). */
    private long[][] inSlotOrder() {
        List<long[]> all = new ArrayList<>(size / CHUNK + current.length);
        for (int g = 0; g < current.length; g++) {
            if (full.get(g) != null) {
                all.addAll(full.get(g));
            }
            if (current[g] != null) {
                all.add(current[g]);
            }
        }
        return all.toArray(new long[0][]);
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
     * The chunks in slot order as the key directory's view reads them, place {@code i} being place
     * {@code i % CHUNK} of chunk {@code i / CHUNK}; sums the switched records' bytes.
     */
    private static final class Batch implements CompactionView.Batch {
        private final long[][] chunks;
        /** Bytes of the switched records per input segment, and of their copies per output. */
        final PerSegment released = new PerSegment();
        final PerSegment added = new PerSegment();

        Batch(long[][] chunks) {
            this.chunks = chunks;
        }

        private long word(int i, int w) {
            return chunks[i >>> CHUNK_SHIFT][(i & (CHUNK - 1)) * LONGS + w];
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
