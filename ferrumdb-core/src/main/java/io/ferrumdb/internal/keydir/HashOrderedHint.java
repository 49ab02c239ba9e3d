package io.ferrumdb.internal.keydir;

import io.ferrumdb.internal.format.HintFile;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A checked hint's entries put in order of their keys' hashes, a chunk at a time, as {@link KeyDirLoader} applies
 * them (see {@link KeyDirLoader#load(int, HintFile.Cursor)} for why that order).
 *
 * <p>Ordering a chunk (hash every key, sort by the hashes, copy the entries into that order) needs nothing of the
 * key directory, and it was about 30% of the opening thread's time at 10M keys. So open orders a hint's first chunk
 * on the hint reader thread, one segment ahead of the loading ({@link Orderer}), and the opening thread
 * is left with the probes. Later chunks of a hint larger than one chunk are ordered by the loading thread when it
 * asks for them, each in the buffers of the chunk before: that bounds the memory a huge hint's order takes, as
 * before. The object is handed from the reader thread to the loading thread through a {@code Future}, whose
 * happens-before edge covers the prepared chunk; after that one thread uses it.
 */
public final class HashOrderedHint {
    /** The arrays one chunk is ordered in, reused from hint to hint. */
    static final class Buffers {
        private HashOrder order;
        private byte[] copy;

        /** Makes room for {@code entries} entries of {@code bytes} bytes in all. */
        private Buffers fit(int entries, int bytes) {
            if (order == null || order.capacity() < entries) {
                order = new HashOrder(entries);
            }
            if (copy == null || copy.length < bytes) {
                copy = new byte[bytes];
            }
            return this;
        }
    }

    /** The hint in file order; null once every entry is ordered (its bytes are then not needed any more). */
    private HintFile.Cursor hint;
    private final int count;
    private final int chunkEntries;
    private final Queue<Buffers> spare;
    private Buffers buffers;
    /** Entries of the hint ordered so far. */
    private int done;
    /** The chunk ordered ahead and not yet taken by {@link #nextChunk}. */
    private HintFile.Cursor ready;

    /**
     * Puts checked hints in order of their keys' hashes, a chunk of up to {@code chunkEntries} entries at a time,
     * reusing the buffers of hints loaded before. {@link #order} may be called on any thread: open calls it on its
     * hint reader thread, before the key directory it loads into even exists.
     */
    public static final class Orderer {
        private final int chunkEntries;
        /** False when the table is small enough that file order costs the probes nothing ({@link #ORDER_FROM_KEYS}). */
        private final boolean ordered;
        /**
         * Buffers given back as each hint is loaded: with one hint ordered ahead on another thread, two sets are in
         * use at a time, not one per segment.
         */
        private final Queue<Buffers> spare = new ConcurrentLinkedQueue<>();

        /**
         * An orderer in chunks of {@link KeyDirLoader#CHUNK_ENTRIES} for a key directory sized for
         * {@code expectedKeys}: below {@link #ORDER_FROM_KEYS} it leaves every hint in file order.
         */
        public Orderer(long expectedKeys) {
            this(KeyDirLoader.CHUNK_ENTRIES, expectedKeys >= ORDER_FROM_KEYS);
        }

        Orderer(int chunkEntries, boolean ordered) {
            if (chunkEntries < 1) {
                throw new IllegalArgumentException("chunks of " + chunkEntries + " entries");
            }
            this.chunkEntries = chunkEntries;
            this.ordered = ordered;
        }

        /**
         * Checks every entry of {@code hint} (a cursor at its first entry, {@link HintFile#open} having checked the
         * header and checksum), so that a damaged hint is refused before any entry is loaded, and orders its first
         * chunk; a hint of one chunk is checked by the walk that orders it, and for a small directory the walk
         * only hashes its keys, in file order (see {@link #ORDER_FROM_KEYS}).
         */
        public HashOrderedHint order(HintFile.Cursor hint) {
            if (!ordered) {
                return new HashOrderedHint(hint, spare);
            }
            // A hint of one chunk is checked by the walk that orders it (orderNext); a larger one must be checked
            // whole first, since its later chunks are ordered only as the loader reaches them.
            return new HashOrderedHint(hint.count() > chunkEntries ? hint.check() : hint, chunkEntries, spare);
        }
    }

    /**
     * Orders the first chunk of {@code hint} (checked whole) at once, in buffers taken from {@code spare} (or new);
     * {@link #release} gives them back.
     */
    private HashOrderedHint(HintFile.Cursor hint, int chunkEntries, Queue<Buffers> spare) {
        this.hint = hint;
        this.count = hint.count();
        this.chunkEntries = chunkEntries;
        this.spare = spare;
        if (count > 0) {
            ready = orderNext();
        } else {
            this.hint = null;
        }
    }

    /**
     * {@code hint} in file order, one chunk: a single walk checks every entry ({@link HintFile.Cursor#next} refuses
     * an inconsistent one, and after the last one trailing bytes) and hashes its key, so that the loading thread
     * only probes. Before, a small hint was walked four times (checked, hashed, copied in order, loaded) and sorted.
     */
    private HashOrderedHint(HintFile.Cursor hint, Queue<Buffers> spare) {
        this.count = hint.count();
        this.chunkEntries = Math.max(1, count);
        this.spare = spare;
        done = count;
        if (count == 0) {
            hint.checkEnd();
            return;
        }
        Buffers b = spare.poll();
        buffers = (b == null ? new Buffers() : b).fit(count, 0);
        HashOrder order = buffers.order.reset(count);
        for (int i = 0; i < count; i++) {
            hint.next();
            order.add(i, hint.entryAt(), KeyDirLoader.hash(hint.buffer(), hint.keyAt(), hint.keyLength()));
        }
        hint.checkEnd();
        order.keepFileOrder();
        ready = hint.duplicate();
    }

    /**
     * Key directories sized for fewer keys than this (2^20) load hints in file order. Ordering pays at 10M keys,
     * where the table is hundreds of MB and a probe in file order also pays a page walk. Below 2^20 keys the table
     * is at most a few tens of MB, and loading in file order took as long as in hash order (100,000 and 1,000,000
     * keys, warm JVM), while ordering (a second walk that hashes, a sort, a copy of every entry, and a third walk
     * of the copy) was the larger part of the hint reader's time in a fresh JVM, on the opening thread's path
     * (benchmarks.md, issue 18, YCSB run 11).
     */
    static final long ORDER_FROM_KEYS = 1L << 20;

    /** The hint's entry count. */
    public int count() {
        return count;
    }

    /**
     * The next chunk's entries in hash order, or null after the last; {@link #order} holds their hashes. Ordering a
     * chunk reuses the buffers of the one before: the caller is done with it.
     */
    HintFile.Cursor nextChunk() {
        HintFile.Cursor c = ready;
        if (c != null) {
            ready = null;
            return c;
        }
        return hint == null ? null : orderNext();
    }

    /** The order of the chunk {@link #nextChunk} returned last: {@code order().hash(i)} is its i-th entry's hash. */
    HashOrder order() {
        if (buffers == null) {
            throw new IllegalStateException("no chunk of the hint is ordered");
        }
        return buffers.order;
    }

    /** Gives the buffers back for the next hint; the chunks returned are then invalid. */
    void release() {
        if (buffers != null) {
            spare.offer(buffers);
            buffers = null;
        }
        hint = null;
        ready = null;
    }

    private HintFile.Cursor orderNext() {
        int n = Math.min(chunkEntries, count - done);
        if (buffers == null) {
            Buffers b = spare.poll();
            buffers = b == null ? new Buffers() : b;
        }
        HashOrder order = buffers.fit(n, 0).order.reset(n);
        int bytes = 0;
        for (int i = 0; i < n; i++) {
            if (!hint.next()) {
                throw new IllegalStateException("hint of segment " + hint.segmentId() + " ended after "
                        + (done + i) + " of the " + count + " entries it counts");
            }
            order.add(i, hint.entryAt(), KeyDirLoader.hash(hint.buffer(), hint.keyAt(), hint.keyLength()));
            bytes += HintFile.ENTRY_FIXED_SIZE + hint.keyLength();
        }
        if (done + n == count) {
            hint.checkEnd();
        }
        order.sort();
        HintFile.Cursor sorted = hint.reordered(order.entryStarts(), n, buffers.fit(n, bytes).copy);
        done += n;
        if (done == count) {
            hint = null;
        }
        return sorted;
    }
}
