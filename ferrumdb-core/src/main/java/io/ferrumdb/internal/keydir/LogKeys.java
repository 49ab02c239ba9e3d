package io.ferrumdb.internal.keydir;

import io.ferrumdb.FerrumException;

/**
 * Keys not kept in memory (hash-only directories of plaintext databases): a key is compared with the record its
 * slot points at, which carries the key, as FASTER and Tsavorite do. The header keeps, beside the 28 hash bits
 * that place the key, {@link #DEFAULT_EXTRA_BITS} more bits of the same 64-bit hash instead of an arena
 * reference: two keys share a header with probability 2^-62, so a lookup reads another key's record about never
 * (a GET reads its own record anyway). Saves the arena's 17-18 bytes a key (16-byte keys).
 */
final class LogKeys implements KeyStore {
    /** Hash bits a header keeps beyond the tag: 34, so that the header stays positive and is never -1. */
    static final int DEFAULT_EXTRA_BITS = 34;

    private final long extraMask;
    /** Set once the database has its log ({@link KeyDir#keysInRecords}); null before (nothing compares then). */
    private volatile RecordKeys records;

    /** @param extraBits hash bits kept beyond the tag, 0-34 (tests use fewer, to make keys share headers) */
    LogKeys(int extraBits) {
        if (extraBits < 0 || extraBits > DEFAULT_EXTRA_BITS) {
            throw new IllegalArgumentException("a header keeps 0 to " + DEFAULT_EXTRA_BITS
                    + " hash bits beyond the tag, not " + extraBits);
        }
        this.extraMask = (1L << extraBits) - 1;
    }

    /** The hash bits a header keeps beyond the tag. */
    int extraBits() {
        return Long.bitCount(extraMask);
    }

    void attach(RecordKeys records) {
        this.records = records;
    }

    private RecordKeys records() {
        RecordKeys r = records;
        if (r == null) {
            throw new IllegalStateException("the hash-only key directory has no log to compare keys with yet");
        }
        return r;
    }

    /** The header of a key of hash {@code hash}: never 0 nor -1 (the upper field is 1 to 2^34). */
    long header(long hash) {
        return (((hash & extraMask) + 1) << SlotTable.TAG_BITS) | SlotTable.tag(hash);
    }

    @Override
    public long add(SlotTable t, int slot, byte[] key, int from, int len, long hash) {
        return header(hash);
    }

    /** The whole header: it is a function of the hash, so a slot of another header is another key's. */
    @Override
    public long match(long hash) {
        return header(hash);
    }

    @Override
    public long matchMask() {
        return -1L;
    }

    @Override
    public int compare(SlotProbe entry, byte[] key, int from, int len) {
        return records().compare(entry.segmentId(), entry.offset(), entry.recordSize(), key, from, len);
    }

    /** {@link RecordKeys#touch} of the record at that location. */
    int touch(int segmentId, long offset) {
        return records().touch(segmentId, offset);
    }

    @Override
    public byte[] key(SlotProbe entry) {
        return records().key(entry.segmentId(), entry.offset(), entry.recordSize());
    }

    @Override
    public RuntimeException damaged(SlotProbe entry) {
        return records().damaged(entry.segmentId(), entry.offset(), entry.recordSize());
    }

    @Override
    public long bytesReserved() {
        return 0;
    }

    @Override
    public long bytesUsed() {
        return 0;
    }

    /** The error for an entry whose segment is gone while the entry still names it. */
    static FerrumException gone(SlotProbe entry) {
        return new FerrumException("key directory points at segment " + entry.segmentId() + " which is gone");
    }
}
