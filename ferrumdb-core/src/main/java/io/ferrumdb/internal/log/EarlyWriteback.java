package io.ferrumdb.internal.log;

import java.io.IOException;

/**
 * Under {@code never()} and {@code periodic()}: fsyncs the active segment every {@link #EVERY} bytes written, on the
 * {@link Acknowledger} thread, beside the flusher's next writes (RocksDB's {@code wal_bytes_per_sync}; compaction's
 * outputs do the same, {@link SegmentOutput}). The kernel writes a file's dirty pages back only past its
 * dirty-memory thresholds (gigabytes here), so without it all of a full segment waited for the fsync of its seal: 230-290
 * ms for 64 MiB on this machine's disk, on the flusher, which takes no cycle meanwhile, so the pending bytes filled
 * ({@link Chunks#MAX_PENDING}, about 100 ms of puts of 100-byte values) and every put waited 56-170 ms per roll (issue
 * 18, session 12). With it the seal's fsync has at most about this much left to write.
 *
 * <p>Durability is unchanged (what the policy promises is what the cycles' fsyncs make durable); an early fsync's
 * failure stops the writer as a seal's does (a failed fsync is never retried). Not counted in {@code
 * Stats.fsyncs()}, which counts the cycles' (as {@link ZeroTail}'s). Acknowledger thread only.
 */
final class EarlyWriteback {
    /** Bytes written to the active segment between two early fsyncs. */
    static final long EVERY = 8L << 20;

    private Segment segment;
    /** What {@link #segment}'s last early fsync covered (its written length when it started). */
    private long forcedTo;

    /**
     * Called after a cycle wrote {@code active} (null: none yet): fsyncs it when {@link #EVERY} bytes were written
     * since the last early fsync. The segment is not sealed before this returns: the acknowledger seals segments in
     * cycle order, after this call for the cycle that wrote them.
     */
    void written(Segment active) throws IOException {
        if (active == null) {
            return;
        }
        if (active != segment) {
            segment = active;
            forcedTo = 0;
        }
        long length = active.writtenLength();
        if (length - forcedTo >= EVERY) {
            forcedTo = length;
            active.file().force();
        }
    }
}
