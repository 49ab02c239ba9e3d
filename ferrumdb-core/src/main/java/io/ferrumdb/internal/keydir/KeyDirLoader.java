package io.ferrumdb.internal.keydir;

import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.format.RecordFormat;
import java.util.List;

/**
 * Loads segments' records into a {@link KeyDir} at open, one segment at a time in any order: per key the record
 * with the highest sequence number wins, deletes included. A hint is walked in place ({@link HintFile.Body}): each
 * key is hashed and compared straight from the hint's bytes, with no object per entry, and copied into the key
 * arena only when the directory has not seen it. Deletes are tombstone markers in the directory itself until
 * {@link #finish} clears them. Used by one thread, before the directory is published.
 */
public final class KeyDirLoader implements HintFile.EntryVisitor {
    private final KeyDir keyDir;
    private int segmentId;
    private long minSequence;
    private long maxSequence;

    public KeyDirLoader(KeyDir keyDir) {
        this.keyDir = keyDir;
    }

    /** Loads every entry of a checked hint of segment {@code id}. */
    public void load(int id, HintFile.Body body) {
        begin(id);
        keyDir.whileLoading(() -> body.forEach(this));
    }

    /** Loads entries of segment {@code id} decoded elsewhere (a scanned segment). */
    public void load(int id, List<HintFile.Entry> entries) {
        begin(id);
        keyDir.whileLoading(() -> {
            for (HintFile.Entry e : entries) {
                entry(e.type(), e.key(), 0, e.key().length, e.recordSize(), e.offset(), e.sequence(), e.expiresAt());
            }
        });
    }

    private void begin(int id) {
        segmentId = id;
        minSequence = Long.MAX_VALUE;
        maxSequence = 0;
    }

    @Override
    public void entry(byte type, byte[] bytes, int keyOffset, int keyLength, int recordSize, long offset,
                      long sequence, long expiresAt) {
        minSequence = Math.min(minSequence, sequence);
        maxSequence = Math.max(maxSequence, sequence);
        keyDir.recover(type == RecordFormat.TYPE_PUT, bytes, keyOffset, keyLength, segmentId, offset, recordSize,
                sequence, expiresAt);
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
}
