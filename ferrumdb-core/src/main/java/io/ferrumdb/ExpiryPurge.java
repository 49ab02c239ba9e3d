package io.ferrumdb;

import io.ferrumdb.internal.keydir.KeyDir;
import io.ferrumdb.internal.log.LogWriter;
import io.ferrumdb.internal.log.SegmentSet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Removes expired entries from the key directory (and their live bytes from their segments) before anything
 * counts keys or bytes: {@code size()}, {@code keys()}, {@code stats()} and compaction. Reads never need it: they
 * compare each entry's expiry with the clock. The purge is serialized with appends (the writer's lock), so that no
 * put of the same key races with the removal; a read-only database has no writer and uses a lock of its own.
 */
final class ExpiryPurge {
    private final KeyDir keyDir;
    private final SegmentSet segments;
    private final LogWriter writer;
    private final LongSupplier clock;
    private final ReentrantLock readOnlyLock = new ReentrantLock();

    /** @param writer the log writer, or null for a read-only database */
    ExpiryPurge(KeyDir keyDir, SegmentSet segments, LogWriter writer, LongSupplier clock) {
        this.keyDir = keyDir;
        this.segments = segments;
        this.writer = writer;
        this.clock = clock;
    }

    void run() {
        long now = clock.getAsLong();
        if (!keyDir.mayHaveExpired(now)) {
            return;
        }
        Runnable purge = () -> keyDir.purgeExpired(now, segments::release);
        if (writer != null) {
            writer.runLocked(purge);
        } else {
            readOnlyLock.lock();
            try {
                purge.run();
            } finally {
                readOnlyLock.unlock();
            }
        }
    }
}
