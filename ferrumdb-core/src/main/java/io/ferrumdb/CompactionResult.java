package io.ferrumdb;

import java.time.Duration;

/**
 * What one compaction did.
 *
 * @param segmentsCompacted input segments rewritten and deleted
 * @param bytesRead         bytes of the input segments
 * @param bytesWritten      bytes of the new segments
 * @param bytesReclaimed    disk space freed: bytes read minus bytes written
 * @param duration          wall-clock time
 */
public record CompactionResult(int segmentsCompacted, long bytesRead, long bytesWritten, long bytesReclaimed,
                               Duration duration) {
    static final CompactionResult NOTHING = new CompactionResult(0, 0, 0, 0, Duration.ZERO);
}
