package io.ferrumdb.internal.log;

/** Applies appended records to the key directory, under the log writer's lock, in sequence order. */
@FunctionalInterface
public interface Applier {
    /**
     * The record of {@code type} whose key is {@code key[keyAt, keyAt + keyLength)} (possibly a buffer of the
     * writer's: read it during the call only) lies at {@code offset} of segment {@code segmentId}: fields, no objects.
     */
    void apply(byte type, byte[] key, int keyAt, int keyLength, long expiresAt, int segmentId, long offset,
               int recordSize);
}
