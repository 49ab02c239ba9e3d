package io.ferrumdb.internal.keydir;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * Keys of the newest single puts, not yet written into the slot table: a put stages its key here (a few cached
 * lines) instead of probing the table, whose slot is a cache and TLB miss that every later locked instruction of
 * the put would wait for; {@link KeyDir} writes the staged keys into the table in batches, loading their home slots
 * first so that their misses overlap.
 *
 * <p>An entry holds a copy of its key (an encrypted record cannot be compared in place), its hash and the location
 * of its newest record. Keys are unique here: a second put of a staged key replaces its entry's location.
 *
 * <p>Concurrency: one writer at a time (the log writer's lock, which every put and drain holds), any number of
 * lock-free readers. The writer makes {@link #version} odd, changes entries, and publishes the next even version
 * with a release store; a reader reads the version (acquire), the entries, then the version again, and retries on
 * a change (a seqlock), so it never uses a torn entry. A reader may see garbage between the two reads of the version: every read is bounded
 * so that garbage cannot throw.
 */
final class StagedKeys {
    /** Entries at most; a full stage is written into the table. */
    static final int CAPACITY = 32;
    /** Longer keys are not staged (they go straight into the table). */
    static final int MAX_KEY = 64;
    /** Slots of the hash index: a power of two, twice {@link #CAPACITY} at least, so probes stay short. */
    private static final int INDEX = 128;
    private static final VarHandle VERSION;

    static {
        try {
            VERSION = MethodHandles.lookup().findVarHandle(StagedKeys.class, "version", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through VERSION
    private volatile int version;
    private int count;
    private final byte[] keys = new byte[CAPACITY * MAX_KEY];
    private final int[] lengths = new int[CAPACITY];
    private final long[] hashes = new long[CAPACITY];
    private final int[] segmentIds = new int[CAPACITY];
    private final long[] offsets = new long[CAPACITY];
    private final int[] sizes = new int[CAPACITY];
    /**
     * The log position of the record that staged each entry ({@link KeyDir#logPosition}), which a later put of the
     * key does not change: if the drain adds the key, that record added it ({@link SizeChanges}). Writer only.
     */
    private final long[] firstPositions = new long[CAPACITY];
    /** Entry number + 1 at the hash's slot (linear probing), 0 for none. */
    private final byte[] index = new byte[INDEX];

    static boolean fits(int keyLength) {
        return keyLength <= MAX_KEY;
    }

    // ------------------------------------------------------------------ writer (the log writer's lock held)

    int count() {
        return count;
    }

    boolean isFull() {
        return count == CAPACITY;
    }

    /** The entry of the key {@code key[from, from + length)}, or -1. Writer only. */
    int entryOf(byte[] key, int from, int length, long hash) {
        for (int i = (int) hash & (INDEX - 1); ; i = (i + 1) & (INDEX - 1)) {
            int e = (index[i] & 0xFF) - 1;
            if (e < 0) {
                return -1;
            }
            if (hashes[e] == hash && sameKey(e, key, from, length)) {
                return e;
            }
        }
    }

    /** Stages a key that is not staged yet; the stage is not full. Writer only. */
    void add(byte[] key, int from, int length, long hash, int segmentId, long offset, int recordSize) {
        int e = count;
        int at = (int) hash & (INDEX - 1);
        while (index[at] != 0) {
            at = (at + 1) & (INDEX - 1);
        }
        beginWrite();
        System.arraycopy(key, from, keys, e * MAX_KEY, length);
        lengths[e] = length;
        hashes[e] = hash;
        segmentIds[e] = segmentId;
        offsets[e] = offset;
        sizes[e] = recordSize;
        firstPositions[e] = KeyDir.logPosition(segmentId, offset);
        index[at] = (byte) (e + 1);
        count = e + 1;
        endWrite();
    }

    /** Points entry {@code e} at a newer record of its key; returns the replaced one as {@code segmentId << 32 | size}. */
    long replace(int e, int segmentId, long offset, int recordSize) {
        long previous = (long) segmentIds[e] << 32 | (sizes[e] & 0xFFFFFFFFL);
        beginWrite();
        segmentIds[e] = segmentId;
        offsets[e] = offset;
        sizes[e] = recordSize;
        endWrite();
        return previous;
    }

    /** Empties the stage, once every entry is in the table. Writer only. */
    void clear() {
        beginWrite();
        count = 0;
        Arrays.fill(index, (byte) 0);
        endWrite();
    }

    byte[] keys() {
        return keys;
    }

    static int keyAt(int e) {
        return e * MAX_KEY;
    }

    int length(int e) {
        return lengths[e];
    }

    long hash(int e) {
        return hashes[e];
    }

    int segmentId(int e) {
        return segmentIds[e];
    }

    long offset(int e) {
        return offsets[e];
    }

    long firstPosition(int e) {
        return firstPositions[e];
    }

    int recordSize(int e) {
        return sizes[e];
    }

    private void beginWrite() {
        VERSION.setOpaque(this, (int) VERSION.getOpaque(this) + 1);
        // The odd version must be visible before any entry changes (a reader's second read then sees a change).
        VarHandle.storeStoreFence();
    }

    private void endWrite() {
        VERSION.setRelease(this, (int) VERSION.getOpaque(this) + 1);
    }

    // ------------------------------------------------------------------ lock-free readers

    /**
     * True when nothing was staged as of a moment during the call; a reader that has seen a put return (a
     * happens-before edge) sees its key staged or in the table.
     */
    boolean isEmpty() {
        VERSION.getAcquire(this);
        return count == 0;
    }

    /**
     * Fills {@code into} with the staged entry of the key {@code key[from, from + length)} (slot {@link #SLOT},
     * no expiry: puts with a TTL are not staged) and returns true, or returns false when the key is not staged.
     * Lock-free; allocates nothing.
     */
    boolean find(byte[] key, int from, int length, long hash, SlotProbe into) {
        while (true) {
            int v = (int) VERSION.getAcquire(this);
            if ((v & 1) != 0) {
                Thread.onSpinWait();
                continue;
            }
            int e = count == 0 ? -1 : racyEntryOf(key, from, length, hash);
            int segmentId = e < 0 ? 0 : segmentIds[e];
            long offset = e < 0 ? 0 : offsets[e];
            int size = e < 0 ? 0 : sizes[e];
            VarHandle.loadLoadFence();
            if ((int) VERSION.getOpaque(this) == v) {
                if (e >= 0) {
                    into.set(SLOT, 0, segmentId, offset, size, 0);
                }
                return e >= 0;
            }
        }
    }

    /** {@link SlotProbe#slot} of an entry found here: none of the table's. */
    static final int SLOT = -2;

    /** {@link #entryOf} for a reader, whose reads may see a writer's changes half done: bounded, never throws. */
    private int racyEntryOf(byte[] key, int from, int length, long hash) {
        for (int i = (int) hash & (INDEX - 1), probes = 0; probes < INDEX; probes++, i = (i + 1) & (INDEX - 1)) {
            int e = (index[i] & 0xFF) - 1;
            if (e < 0) {
                return -1;
            }
            if (e < CAPACITY && hashes[e] == hash && sameKey(e, key, from, length)) {
                return e;
            }
        }
        return -1;
    }

    private boolean sameKey(int e, byte[] key, int from, int length) {
        int at = e * MAX_KEY;
        return lengths[e] == length && Arrays.equals(keys, at, at + length, key, from, from + length);
    }
}
