package io.ferrumdb;

import java.util.List;

/**
 * A snapshot of counters. Lifetime counters count since open.
 *
 * @param liveKeys          live (unexpired) keys
 * @param segments          per-segment live and total bytes, oldest first
 * @param totalBytes        bytes of all segment files
 * @param liveBytes         bytes of records the key directory points at
 * @param puts              put operations since open (batch members included)
 * @param deletes           delete operations since open
 * @param gets              get operations since open
 * @param fsyncs            fsyncs of segment files since open
 * @param syncedRecords     records made durable by those fsyncs (syncedRecords / fsyncs = group-commit batch)
 * @param compactions       compactions run since open
 * @param reclaimedBytes    bytes reclaimed by compaction since open
 * @param readOnly          whether writes are refused (read-only open, or after an I/O failure)
 * @param pendingCompactionBytes bytes the background compaction policy would read now (segments it would
 *                          compact, and the active segment when it would roll it); 0 when there is nothing to do
 * @param compactionBytesRead bytes of segments compacted since open
 * @param compactionNanos   time spent compacting since open (background and {@code compact()})
 * @param keyDirectoryBytes bytes of memory the key directory holds now: its slot table, expiry area and key arena
 *                          off the Java heap (the areas an open mapped from the {@code KEYDIR} image included, which
 *                          the OS counts as file pages until written) and the ordered index's arrays on the heap;
 *                          divided by {@code liveKeys}, the memory a key costs (README, "Limits")
 */
public record Stats(long liveKeys, List<SegmentStats> segments, long totalBytes, long liveBytes, long puts,
                    long deletes, long gets, long fsyncs, long syncedRecords, long compactions, long reclaimedBytes,
                    boolean readOnly, long pendingCompactionBytes, long compactionBytesRead,
                    long compactionNanos, long keyDirectoryBytes) {

    /** Bytes on disk per byte of live data; 1.0 means no dead data. */
    public double spaceAmplification() {
        return liveBytes == 0 ? (totalBytes == 0 ? 1.0 : Double.POSITIVE_INFINITY) : (double) totalBytes / liveBytes;
    }

    /**
     * Bytes of segment files that are not live records: superseded and expired records, tombstones, and each
     * segment's 64-byte header (so a database that was just compacted still has some).
     */
    public long deadBytes() {
        return totalBytes - liveBytes;
    }

    /** Bytes of segments compacted per second of compaction since open; 0 before the first compaction. */
    public double compactionBytesPerSecond() {
        return compactionNanos == 0 ? 0 : compactionBytesRead * 1e9 / compactionNanos;
    }

    /** Average records per fsync, the group-commit batch size. */
    public double recordsPerFsync() {
        return fsyncs == 0 ? 0 : (double) syncedRecords / fsyncs;
    }

    /**
     * The text a record's generated {@code toString} gives, written out: the generated one bootstraps
     * {@code ObjectMethods} through invokedynamic, which in a fresh JVM spins about 80 method-handle classes and
     * takes tens of milliseconds (100-380 ms of wall time at load 8-11, a YCSB run's report at close, inside its
     * timed section; docs/benchmarks.md, YCSB, session 11).
     * StatsTest holds it to the components' list.
     */
    @Override
    public String toString() {
        return new StringBuilder(256 + 96 * segments.size()).append("Stats[liveKeys=").append(liveKeys)
                .append(", segments=").append(segments).append(", totalBytes=").append(totalBytes)
                .append(", liveBytes=").append(liveBytes).append(", puts=").append(puts)
                .append(", deletes=").append(deletes).append(", gets=").append(gets)
                .append(", fsyncs=").append(fsyncs).append(", syncedRecords=").append(syncedRecords)
                .append(", compactions=").append(compactions).append(", reclaimedBytes=").append(reclaimedBytes)
                .append(", readOnly=").append(readOnly).append(", pendingCompactionBytes=")
                .append(pendingCompactionBytes).append(", compactionBytesRead=").append(compactionBytesRead)
                .append(", compactionNanos=").append(compactionNanos).append(", keyDirectoryBytes=")
                .append(keyDirectoryBytes).append(']').toString();
    }

    /** One segment file. {@code active} is the segment currently appended to. */
    public record SegmentStats(long id, long totalBytes, long liveBytes, boolean active) {
        public long deadBytes() {
            return totalBytes - liveBytes;
        }

        /** Written out for the reason {@link Stats#toString()} is (and not with +, which bootstraps too). */
        @Override
        public String toString() {
            return new StringBuilder(96).append("SegmentStats[id=").append(id).append(", totalBytes=")
                    .append(totalBytes).append(", liveBytes=").append(liveBytes).append(", active=").append(active)
                    .append(']').toString();
        }
    }
}
