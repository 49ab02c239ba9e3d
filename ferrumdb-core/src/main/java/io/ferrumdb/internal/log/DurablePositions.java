package io.ferrumdb.internal.log;

import io.ferrumdb.internal.keydir.KeyDir;

/**
 * How far the writer's records have reached the file, for {@link LogWriter#mayServe}: the position (segment id,
 * offset) where the records handed to the OS end, and where the fsynced ones end. Records are identified by where
 * they are, not by sequence number (the key directory keeps none), hence positions. A position packs a segment id
 * above a 40-bit offset ({@link KeyDir#logPosition}, which packs and unpacks them), so that, the writer's unsealed
 * segments' ids rising in append order, comparing two positions compares where the records lie. Both start at 0 (nothing
 * written); the holder of the cycle token (GroupCommit) is the only writer of either, readers are lock-free.
 */
final class DurablePositions {
    /** Where the records handed to the OS end (written; fsynced or not). */
    private volatile long written;
    /** Where the fsynced records end. */
    private volatile long synced;

    /** {@code offset} of {@code segment} as one comparable long (0 before the first segment): the key directory's. */
    static long of(Segment segment, long offset) {
        return segment == null ? 0 : KeyDir.logPosition(segment.id(), offset);
    }

    /** Every record before {@code position} was handed to the OS. */
    void written(long position) {
        written = position;
    }

    /** Every record before {@code position} was fsynced. */
    void synced(long position) {
        synced = position;
    }

    /**
     * True when the record at {@code offset} of the unsealed {@code segment} lies before the written position (with
     * {@code fsynced}: the synced one).
     */
    boolean covers(Segment segment, long offset, boolean fsynced) {
        long end = fsynced ? synced : written;
        int id = KeyDir.segmentOf(end);
        return segment.id() < id || segment.id() == id && offset < KeyDir.offsetOf(end);
    }
}
