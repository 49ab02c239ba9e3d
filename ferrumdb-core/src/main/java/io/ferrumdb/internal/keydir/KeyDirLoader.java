package io.ferrumdb.internal.keydir;

import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.format.RecordFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads segments' records into a {@link KeyDir} at open, one segment at a time in any order: per key the record
 * with the highest sequence number wins, deletes included. A hint is walked in place ({@link HintFile.Cursor}): each
 * key is hashed and compared straight from the hint's bytes, with no object per entry, and copied into the key
 * arena only when the directory has not seen it (a hash-only directory copies none: it compares the key with the
 * record of a slot whose header matches, see {@link #recover}). A hint's entries are applied in order of their keys' hashes
 * ({@link HashOrderedHint}), so that the probes sweep the table; open prepares that order on another thread,
 * ahead of the loading. Deletes are tombstone markers in the directory itself (naming their delete records)
 * until {@link #finish} clears them. Live bytes per segment are counted as records are applied and replaced. Used
 * by one thread, before the directory is published.
 */
public final class KeyDirLoader {
    private final KeyDir keyDir;
    private int segmentId;
    /** Live record bytes per segment id (one-element arrays: counters updated in place), and the current one's. */
    private final Map<Integer, long[]> liveBytes = new HashMap<>();
    private long[] segmentLive;
    private long minSequence;
    private long maxSequence;

    private static final int BATCH = 16;
    private final byte[] types = new byte[BATCH];
    private final byte[][] keys = new byte[BATCH][];
    private final int[] keyOffsets = new int[BATCH];
    private final int[] keyLengths = new int[BATCH];
    private final int[] recordSizes = new int[BATCH];
    private final long[] offsets = new long[BATCH];
    private final long[] sequences = new long[BATCH];
    private final long[] expiries = new long[BATCH];
    private final long[] hashes = new long[BATCH];
    private int pending;
    /**
     * Entries of a hint ordered at a time: 2^20, so the order takes at most 24 MiB plus the chunk's copy, and a
     * chunk still spreads over the whole table of a 10M-key directory (a 64 MiB segment holds about 470,000).
     */
    static final int CHUNK_ENTRIES = 1 << 20;
    /** Orders the hints given to {@link #load(int, HintFile.Cursor)}. */
    private final HashOrderedHint.Orderer orderer;
    /** Keeps the early slot reads of {@link #flush} from being optimized away; its value means nothing. */
    private long sink;

    public KeyDirLoader(KeyDir keyDir) {
        this(keyDir, CHUNK_ENTRIES);
    }

    /** A loader that orders hints in chunks of {@code chunkEntries} entries (tests use small chunks). */
    KeyDirLoader(KeyDir keyDir, int chunkEntries) {
        this(keyDir, chunkEntries, true);
    }

    /** As above; with {@code ordered} false it loads hints in file order (open's way below 2^20 keys). */
    KeyDirLoader(KeyDir keyDir, int chunkEntries, boolean ordered) {
        this.keyDir = keyDir;
        this.orderer = new HashOrderedHint.Orderer(chunkEntries, ordered);
    }

    /**
     * Loads every entry of a hint of segment {@code id}, which {@link HintFile.Cursor#check} has checked whole (so
     * that a damaged hint is refused before any of its entries is loaded): ordered, then loaded by {@link
     * #load(int, HashOrderedHint)}, on this thread.
     *
     * <p>The entries are applied in order of their keys' hashes, not in file order: the table's home slot is a
     * monotone function of the hash, so the probes sweep the table from start to end instead of jumping all over
     * it. At 10M keys the table is over 400 MB, far beyond the TLB's reach with 4 KiB pages: in file order nearly
     * every probe paid a page walk on top of its cache miss; in hash order consecutive probes share pages and
     * page-table lines. The sort is stable, so the entries of one key keep their file order. A large hint is
     * ordered in chunks of {@link #CHUNK_ENTRIES} entries taken in file order, which keeps that true and bounds the
     * memory the order takes (a 1 GiB segment of small records has tens of millions of entries).
     */
    public void load(int id, HintFile.Cursor hint) {
        load(id, orderer.order(hint));
    }

    /** Loads every entry of a hint of segment {@code id} that a {@link HashOrderedHint.Orderer} ordered. */
    public void load(int id, HashOrderedHint hint) {
        begin(id);
        try {
            for (HintFile.Cursor chunk = hint.nextChunk(); chunk != null; chunk = hint.nextChunk()) {
                HintFile.Cursor sorted = chunk;
                HashOrder order = hint.order();
                int n = sorted.count();
                keyDir.whileLoading(() -> {
                    for (int i = 0; i < n; i++) {
                        sorted.next();
                        entry(sorted.type(), sorted.buffer(), sorted.keyAt(), sorted.keyLength(), order.hash(i),
                                sorted.recordSize(), sorted.offset(), sorted.sequence(), sorted.expiresAt());
                    }
                    flush();
                });
                sorted.checkEnd();
            }
        } finally {
            hint.release();
        }
    }

    /** Loads entries of segment {@code id} decoded elsewhere (a scanned segment). */
    public void load(int id, List<HintFile.Entry> entries) {
        begin(id);
        keyDir.whileLoading(() -> {
            for (HintFile.Entry e : entries) {
                entry(e.type(), e.key(), 0, e.key().length, hash(e.key(), 0, e.key().length), e.recordSize(),
                        e.offset(), e.sequence(), e.expiresAt());
            }
            flush();
        });
    }

    private void begin(int id) {
        segmentId = id;
        segmentLive = liveCounter(id);
        minSequence = Long.MAX_VALUE;
        maxSequence = 0;
    }

    /**
     * Entries are applied in batches of {@link #BATCH}, in order: the keys' hashes are computed and their home
     * slots read first, so that the cache misses of a batch's probes overlap instead of coming one after another
     * (the table is far larger than the CPU caches; loading is bound by these misses, most of all at 10M keys).
     */
    private void entry(byte type, byte[] bytes, int keyOffset, int keyLength, long hash, int recordSize,
                       long offset, long sequence, long expiresAt) {
        minSequence = Math.min(minSequence, sequence);
        maxSequence = Math.max(maxSequence, sequence);
        int i = pending++;
        types[i] = type;
        keys[i] = bytes;
        keyOffsets[i] = keyOffset;
        keyLengths[i] = keyLength;
        hashes[i] = hash;
        recordSizes[i] = recordSize;
        offsets[i] = offset;
        sequences[i] = sequence;
        expiries[i] = expiresAt;
        if (pending == BATCH) {
            flush();
        }
    }

    private void flush() {
        long touched = 0;
        for (int i = 0; i < pending; i++) {
            touched += touchHome(hashes[i]);
        }
        sink += touched;
        for (int i = 0; i < pending; i++) {
            boolean put = types[i] == RecordFormat.TYPE_PUT;
            long replaced = recover(put, keys[i], keyOffsets[i], keyLengths[i], hashes[i], segmentId,
                    offsets[i], recordSizes[i], sequences[i], expiries[i]);
            keys[i] = null;
            if (replaced != OLDER) {
                if (put) {
                    segmentLive[0] += recordSizes[i];
                }
                if (replaced != 0) {
                    liveCounter((int) (replaced >>> 32))[0] -= (int) replaced;
                }
            }
        }
        pending = 0;
    }

    /** The hash {@link #recover} takes for the key {@code key[from, from + length)}. */
    static long hash(byte[] key, int from, int length) {
        return KeyArena.hash(key, from, length);
    }

    /** {@link #recover}'s result for a record older than the key directory's: nothing changed. */
    static final long OLDER = -1;

    /**
     * Applies one record, the key {@code key[from, from + length)} read in place from a hint or a scanned record.
     * Per key the highest sequence number wins, tombstones included: a delete leaves a tombstone marker (see {@link
     * SlotTable#load}) in the key's slot instead of an entry of a separate map, so a key is hashed and found once
     * per record. Segments load in any order (a compaction output has a higher id than the records it holds), so
     * the comparison is by sequence number, kept beside the table while loading ({@link SlotTable#loadedSequence}).
     * Only a key seen for the first time takes arena space; a hash-only directory keeps none, not even while
     * loading: a record whose header matches a slot's is compared with the record that slot names (a tombstone
     * names its delete record), read from the segments being loaded. REQUIRES: the mutation lock is held ({@link
     * KeyDir#whileLoading}, which refuses once {@link #finish} ended the loading).
     *
     * <p>Returns {@link #OLDER} when the record lost to the one the key directory holds; else the record it
     * replaced, as {@code segmentId << 32 | recordSize} (positive), or 0 when it replaced none (a new key, a
     * tombstone): live bytes per segment are counted from this, with no pass over the table.
     */
    private long recover(boolean put, byte[] key, int from, int length, long hash, int segmentId, long offset,
                         int recordSize, long sequence, long expiresAt) {
        assert Thread.holdsLock(keyDir.mutation) : "recover requires the mutation lock";
        if (sequence <= 0) {
            // A tombstone is marked by its negated sequence number, 0 means no record: numbers start at 1.
            throw new IllegalArgumentException("record at offset " + offset + " of segment " + segmentId
                    + " has sequence number " + sequence + "; they start at 1");
        }
        SlotTable t = keyDir.table;
        int slot = keyDir.writer.find(t, key, from, length, hash);
        long replaced = 0;
        long header;
        if (slot >= 0) {
            if (sequence <= t.loadedSequence(slot)) {
                return OLDER;
            }
            replaced = t.isTombstone(slot) ? 0 : (long) t.segmentId(slot) << 32 | t.recordSize(slot);
            header = t.header(slot);
        } else {
            t = keyDir.writer.withRoomForOne(t);
            slot = keyDir.writer.claimSlot(t, hash);
            header = keyDir.keys.add(t, slot, key, from, length, hash);
            if (keyDir.ordered != null) {
                keyDir.ordered.loaded(SlotTable.ref(header));
            }
        }
        t.load(slot, header, put, segmentId, offset, recordSize, sequence, expiresAt);
        if (put) {
            keyDir.writer.noteExpiry(expiresAt, header);
        }
        return replaced;
    }

    /**
     * Reads the header of {@code hash}'s home slot and its loaded sequence number and returns their sum, so that
     * the cache misses of several keys' probes (the slot, and the sequence array's line that {@link #recover} reads
     * or writes next) start before the first of them is probed. The caller folds the result into a value it keeps,
     * so the reads are not optimized away. REQUIRES: the mutation lock is held.
     *
     * <p>In a hash-only directory a record of a key met again is compared with the record its slot names, another
     * miss (a mapped segment's page): when the home slot holds the key's header (where a key usually is, the more
     * so as tables sized for every hint entry are sparse where keys were overwritten), that record is read too.
     * Only the home slot: walking on would wait for the slot's miss in this loop, which costs keys seen once (a
     * measured 0.2 s at 10M) more than it saves.
     */
    private long touchHome(long hash) {
        assert Thread.holdsLock(keyDir.mutation) : "probing a home slot requires the mutation lock";
        SlotTable t = keyDir.table;
        int home = t.home(hash);
        long header = t.header(home);
        long touched = header + t.loadedSequence(home);
        LogKeys logKeys = keyDir.logKeys;
        if (logKeys != null && header == logKeys.match(hash)) {
            touched += logKeys.touch(t.segmentId(home), t.offset(home));
        }
        return touched;
    }

    /** The live-byte counter of segment {@code id}. */
    private long[] liveCounter(int id) {
        return liveBytes.computeIfAbsent(id, k -> new long[1]);
    }

    /**
     * The bytes of the records of segment {@code id} that the key directory points at once loading is finished:
     * counted as records are applied and replaced, so that open needs no pass over the table for it.
     */
    public long liveBytes(int id) {
        long[] counter = liveBytes.get(id);
        return counter == null ? 0 : counter[0];
    }

    /** Lowest sequence number of the last segment loaded; {@code Long.MAX_VALUE} when it had no entries. */
    public long minSequence() {
        return minSequence;
    }

    /** Highest sequence number of the last segment loaded; 0 when it had no entries. */
    public long maxSequence() {
        return maxSequence;
    }

    /** Ends the loading: clears the tombstones; returns how many there were. */
    public int finish() {
        return keyDir.clearTombstones();
    }

    /** The folded early reads (only so that they stay; see {@link #sink}). */
    long sink() {
        return sink;
    }
}
