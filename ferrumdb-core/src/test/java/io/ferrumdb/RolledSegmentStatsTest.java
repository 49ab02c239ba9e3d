package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.ForwardingFileIO;
import io.ferrumdb.internal.io.ForwardingStorageFile;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stats of a segment the writer rolled before the flusher wrote its records (under {@code never()} a put returns
 * once its record is in the writer's memory): its live bytes count those records from their append on, and its
 * total bytes must too, or it shows more live bytes than bytes and negative dead bytes. Found by
 * {@link StagedPutsModelTest} (a rolled segment of 64 bytes, its header, with 1,713 live bytes); here the flusher
 * is held at its first write of the first segment's records, so the state lasts.
 */
class RolledSegmentStatsTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS) // a hang guard, above awaitHeld's 120 s
    void aRolledSegmentCountsItsRecordsBeforeTheyAreWritten() {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread test = Thread.currentThread();
        FileIO io = new ForwardingFileIO(FileIO.nio()) {
            @Override
            protected StorageFile wrap(StorageFile file) {
                return new ForwardingStorageFile(file) {
                    @Override
                    public void write(long position, ByteBuffer src) throws IOException {
                        // The flusher's writes of the first segment's records (not this thread's: it puts).
                        if (Thread.currentThread() != test && path().getFileName().toString()
                                .equals(FileNames.segment(1)) && hasRecordBytes(src)) {
                            held.countDown();
                            try {
                                release.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                throw new InterruptedIOException("held write interrupted");
                            }
                        }
                        super.write(position, src);
                    }
                };
            }
        };
        Options options = Options.builder().fsyncPolicy(FsyncPolicy.never()).segmentSize(4096).autoCompaction(false)
                .fileIO(io).build();
        FerrumDB db = FerrumDB.open(dir, options);
        long reported;
        try {
            byte[] value = new byte[100];
            for (int i = 0; db.stats().segments().size() < 2; i++) {
                db.put(("key-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8), value);
            }
            assertThat(awaitHeld(held)).as("the flusher is held at the first segment's records").isTrue();
            Stats stats = db.stats();
            Stats.SegmentStats rolled = stats.segments().get(0);
            assertThat(rolled.active()).isFalse();
            assertThat(rolled.liveBytes()).as("live bytes of the rolled segment").isGreaterThan(3000);
            assertThat(rolled.totalBytes()).as("%s: total bytes hold its live bytes", rolled)
                    .isGreaterThanOrEqualTo(rolled.liveBytes());
            assertThat(stats.deadBytes()).as("dead bytes of %s", stats).isNotNegative();
            reported = rolled.totalBytes();
        } finally {
            release.countDown();
            db.close();
        }
        try (FerrumDB reopened = FerrumDB.open(dir, options.toBuilder().fileIO(FileIO.nio()).build())) {
            assertThat(reopened.stats().segments().get(0).totalBytes()).as("the length once written")
                    .isEqualTo(reported);
        }
    }

    private static boolean hasRecordBytes(ByteBuffer src) {
        for (int i = src.position(); i < src.limit(); i++) {
            if (src.get(i) != 0) {
                return true;
            }
        }
        return false;
    }

    private static boolean awaitHeld(CountDownLatch held) {
        try {
            return held.await(120, TimeUnit.SECONDS); // the flusher is a background thread
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
