package io.ferrumdb.internal.keydir;

import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.format.RecordFormat;
import java.util.List;

/**
 * Loads segments' records into a {@link KeyDir} at open, one segment at a time in any order: per key the record
 * with the highest sequence number wins, deletes included. A hint is walked in place ({@link HintFile.Cursor}): each
 * key is hashed and compared straight from the hint's bytes, with no object per entry, and copied into the key
 * arena only when the directory has not seen it. Deletes are tombstone markers in the directory itself until
 * {@link #finish} clears them. Used by one thread, before the directory is published.
 */
public final class KeyDirLoader {
    private final KeyDir keyDir;
    private int segmentId;
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
    /** Keeps the early slot reads of {@link #flush} from being optimized away; its value means nothing. */
    private long sink;

    public KeyDirLoader(KeyDir keyDir) {
        this.keyDir = keyDir;
    }

    /**
     * Loads every entry of a hint of segment {@code id}, which {@link HintFile.Cursor#check} has checked whole (so
     * that a damaged hint is refused before any of its entries is loaded).
     */
    public void load(int id, HintFile.Cursor hint) {
        begin(id);
        keyDir.whileLoading(() -> {
            while (hint.next()) {
                entry(hint.type(), hint.buffer(), hint.keyAt(), hint.keyLength(), hint.recordSize(), hint.offset(),
                        hint.sequence(), hint.expiresAt());
            }
            flush();
        });
    }

    /** Loads entries of segment {@code id} decoded elsewhere (a scanned segment). */
    public void load(int id, List<HintFile.Entry> entries) {
        begin(id);
        keyDir.whileLoading(() -> {
            for (HintFile.Entry e : entries) {
                entry(e.type(), e.key(), 0, e.key().length, e.recordSize(), e.offset(), e.sequence(), e.expiresAt());
            }
            flush();
        });
    }

    private void begin(int id) {
        segmentId = id;
        minSequence = Long.MAX_VALUE;
        maxSequence = 0;
    }

    /**
     * Entries are applied in batches of {@link #BATCH}, in order: the keys' hashes are computed and their home
     * slots read first, so that the cache misses of a batch's probes overlap instead of coming one after another
     * (the table is far larger than the CPU caches; loading is bound by these misses, most of all at 10M keys).
     */
    private void entry(byte type, byte[] bytes, int keyOffset, int keyLength, int recordSize, long offset,
                       long sequence, long expiresAt) {
        minSequence = Math.min(minSequence, sequence);
        maxSequence = Math.max(maxSequence, sequence);
        int i = pending++;
        types[i] = type;
        keys[i] = bytes;
        keyOffsets[i] = keyOffset;
        keyLengths[i] = keyLength;
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
            hashes[i] = KeyDir.hash(keys[i], keyOffsets[i], keyLengths[i]);
            touched += keyDir.touchHome(hashes[i]);
        }
        sink += touched;
        for (int i = 0; i < pending; i++) {
            keyDir.recover(types[i] == RecordFormat.TYPE_PUT, keys[i], keyOffsets[i], keyLengths[i], hashes[i],
                    segmentId, offsets[i], recordSizes[i], sequences[i], expiries[i]);
            keys[i] = null;
        }
        pending = 0;
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
