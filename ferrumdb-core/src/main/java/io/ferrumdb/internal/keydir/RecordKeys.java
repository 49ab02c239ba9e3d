package io.ferrumdb.internal.keydir;

/**
 * The log's side of a hash-only key directory ({@link LogKeys}): reads the key of the record at a location, from
 * a mapped sealed segment, the writer's chunks or the active segment's file. Implemented by the log package.
 *
 * <p>Called lock-free by lookups and under the key directory's mutation lock by changes; in a writable database
 * those changes hold the writer's lock too (puts, deletes, the TTL purge), so reading the writer's chunks takes
 * locks in the writer's order: never the mutation lock first.
 */
public interface RecordKeys {
    /** Answers of {@link #compare}, named in {@link KeyStore}. */
    int MATCH = 0;
    int OTHER = 1;
    int GONE = 2;
    int DAMAGED = 3;

    /**
     * Compares {@code key[from, from + len)} with the key of the record of {@code recordSize} bytes at
     * {@code offset} of segment {@code segmentId}: {@link #MATCH} when its key is that key (damaged or
     * not: the hash bits matched too), {@link #OTHER} when it is another key's intact record,
     * {@link #DAMAGED} when it carries another key and fails its check, {@link #GONE} when the
     * segment is no longer there (compaction retired it).
     */
    int compare(int segmentId, long offset, int recordSize, byte[] key, int from, int len);

    /**
     * The key of the verified record at that location, or null when its segment is gone.
     *
     * @throws io.ferrumdb.CorruptionException when the record fails its check
     */
    byte[] key(int segmentId, long offset, int recordSize);

    /** The exception reporting that the record at that location, compared against, is damaged. */
    RuntimeException damaged(int segmentId, long offset, int recordSize);

    /**
     * Reads a byte of the record at that location, so that a {@link #compare} soon after finds it in the CPU's
     * cache: open's loader touches the records of a batch of entries first, so that their cache and TLB misses
     * overlap. The caller folds the result into a value it keeps, so that the read is not optimized away.
     */
    default int touch(int segmentId, long offset) {
        return 0;
    }
}
