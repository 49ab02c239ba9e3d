package io.ferrumdb.internal.keydir;

/**
 * The entries of one hint put in order of their keys' hashes, for {@link KeyDirLoader}: the order in which their
 * probes walk the slot table from its start to its end (a key's home slot is a monotone function of its hash,
 * whatever the table's capacity, see {@link SlotTable#homeOfTag}).
 *
 * <p>A counting sort on the hash's leading bits: one pass to count, one to place. It is stable, so entries whose
 * hashes share those bits (all entries of one key among them) keep the order they were added in, and "the newest
 * record of a key wins" does not depend on it. The order within a bucket is the file's: with at most
 * 2^{@value #MAX_BITS} buckets, a bucket of a 10M-key table spans a few KiB of slots, which is all the sweep needs.
 * Arrays are reused from hint to hint.
 */
final class HashOrder {
    /** Leading hash bits that order the entries, at most. */
    static final int MAX_BITS = 16;

    private final long[] hashes;
    private final int[] positions;
    /** Made by the first {@link #sort}: an order kept in file order ({@link #keepFileOrder}) needs none of them. */
    private long[] sortedHashes;
    private int[] sortedPositions;
    private int[] starts;
    private int size;
    private int bits;
    private boolean sorted;
    /** Set by {@link #keepFileOrder}: the entries stay in the order they were added. */
    private boolean fileOrder;

    HashOrder(int capacity) {
        hashes = new long[capacity];
        positions = new int[capacity];
    }

    int capacity() {
        return hashes.length;
    }

    /** Starts a new order of {@code entries} entries, which {@link #add} then gives one by one. */
    HashOrder reset(int entries) {
        if (entries < 0 || entries > hashes.length) {
            throw new IllegalArgumentException(entries + " entries do not fit an order of " + hashes.length);
        }
        size = entries;
        // About one entry a bucket: a finer order than the entries can use only costs a larger count array.
        bits = Math.max(1, Math.min(MAX_BITS, 32 - Integer.numberOfLeadingZeros(entries)));
        sorted = false;
        fileOrder = false;
        return this;
    }

    /** Ends the entries added since {@link #reset} without sorting them: they are read back in the order added. */
    void keepFileOrder() {
        fileOrder = true;
        sorted = true;
    }

    /** Sets entry {@code i} (in file order): where it starts in the hint, and its key's hash. */
    void add(int i, int entryAt, long hash) {
        positions[i] = entryAt;
        hashes[i] = hash;
    }

    /** Sorts the entries added since {@link #reset} by the leading bits of their hashes, stably. */
    void sort() {
        int shift = 64 - bits;
        int buckets = 1 << bits;
        if (starts == null) {
            sortedHashes = new long[hashes.length];
            sortedPositions = new int[hashes.length];
            starts = new int[(1 << MAX_BITS) + 1];
        }
        java.util.Arrays.fill(starts, 0, buckets + 1, 0);
        for (int i = 0; i < size; i++) {
            starts[(int) (hashes[i] >>> shift) + 1]++;
        }
        for (int b = 0; b < buckets; b++) {
            starts[b + 1] += starts[b];
        }
        for (int i = 0; i < size; i++) {
            int to = starts[(int) (hashes[i] >>> shift)]++;
            sortedHashes[to] = hashes[i];
            sortedPositions[to] = positions[i];
        }
        sorted = true;
    }

    /** Where the entries start in their hint, in hash order: the first {@code entries} of the array are valid. */
    int[] entryStarts() {
        checkSorted(size - 1);
        return fileOrder ? positions : sortedPositions;
    }

    /** The hash of the {@code i}-th entry's key in hash order. */
    long hash(int i) {
        checkSorted(i);
        return fileOrder ? hashes[i] : sortedHashes[i];
    }

    private void checkSorted(int i) {
        if (!sorted || i >= size || i < -1) {
            throw new IllegalStateException(sorted ? "entry " + i + " of an order of " + size
                    : "the order is read before it is sorted");
        }
    }
}
