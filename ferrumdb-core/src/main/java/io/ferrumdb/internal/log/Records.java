package io.ferrumdb.internal.log;

/**
 * The records of one atomic append ({@link LogWriter#append(Records, Applier, boolean)}), read by index under the
 * writer's lock. The arrays are the caller's copies, which no one changes during the call; a tombstone's value is
 * empty. Read by index rather than as a list of record objects: a batch's loops then make one call into compiled
 * code a record (the chunk's encode and apply of record {@code i}), where a list of appends built for the call
 * ran three loops of their own, interpreted in a fresh JVM (a batch of 1,000 is 1,000 back-edges, far
 * from HotSpot's compile threshold).
 */
public interface Records {
    /** The number of records, at least one. */
    int count();

    /** The key and value bytes of all the records. */
    long payload();

    byte type(int i);

    byte[] key(int i);

    byte[] value(int i);

    /** Absolute expiry time in milliseconds, or 0 for none. */
    long expiresAt(int i);
}
