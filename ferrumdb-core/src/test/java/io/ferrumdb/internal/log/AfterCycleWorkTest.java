package io.ferrumdb.internal.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.internal.format.CipherSuite;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.io.FileIO;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under {@code always()} the after-cycle work (the key directory's ordered-set merge) is queued on the acknowledger
 * once per {@link CycleTurns#AFTER_CYCLE_RECORDS} records a leader's cycles fsync, not after every cycle: waking the
 * acknowledger once a group, under the writer's lock, cost a thread hand-off per group (docs/benchmarks.md, issue
 * 23, session 25). It still runs as the records pass each threshold, and once more at close. The timeout only turns a
 * hang into a failure; nothing here measures time.
 */
class AfterCycleWorkTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aLeadersCyclesQueueTheAfterCycleWorkOncePerThresholdOfRecords() throws Exception {
        SegmentFiles files = new SegmentFiles(FileIO.nio(), dir, new byte[16], CipherSuite.PLAINTEXT);
        SegmentSet set = new SegmentSet(files, new SegmentManifest(files, List.of()));
        AtomicInteger runs = new AtomicInteger();
        Semaphore ran = new Semaphore(0);
        LogWriter writer = new LogWriter(0, FsyncPolicy.always(), 64 << 20, set::createActive, set::seal, () -> {
            runs.incrementAndGet();
            ran.release();
        });
        int thresholds = 3;
        int puts = thresholds * CycleTurns.AFTER_CYCLE_RECORDS;
        byte[] value = "v".getBytes(StandardCharsets.UTF_8);
        Applier ignore = (type, key, keyAt, keyLength, expiresAt, segmentId, offset, recordSize) -> { };
        try {
            // One writer waiting for each put: every put is a cycle of its own, led by this thread.
            for (int n = 0; n < puts; n++) {
                byte[] key = ("k" + n).getBytes(StandardCharsets.UTF_8);
                writer.waitFor(writer.append(RecordFormat.TYPE_PUT, key, value, 0, ignore, true));
            }
            assertThat(writer.fsyncs()).isGreaterThanOrEqualTo(puts);
            // Queued as the fsynced records passed each threshold (the acknowledger runs a queue's batches at once).
            assertThat(ran.tryAcquire(1, 60, TimeUnit.SECONDS)).isTrue();
            assertThat(runs.get()).isLessThanOrEqualTo(thresholds);
        } finally {
            writer.close();
            set.closeAll();
        }
        // Close queues it once more, after the last cycle.
        assertThat(runs.get()).isBetween(2, thresholds + 1);
    }
}
