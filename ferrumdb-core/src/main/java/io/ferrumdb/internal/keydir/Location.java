package io.ferrumdb.internal.keydir;

/**
 * Where the newest record of a key lives. Immutable, so a reader that loaded it sees a consistent tuple and
 * compaction can swap it with compare-and-set. Records are never rewritten in place, so segment id and offset
 * identify the record: no sequence number is kept (the key directory's slots have no room for one).
 *
 * @param segmentId  segment file id
 * @param offset     byte offset of the record in that file
 * @param recordSize the record's size in bytes, header included
 * @param expiresAt  epoch milliseconds after which the key is gone; 0 = never
 */
public record Location(int segmentId, long offset, int recordSize, long expiresAt) {
    public boolean isExpired(long nowMillis) {
        return expiresAt != 0 && expiresAt <= nowMillis;
    }
}
