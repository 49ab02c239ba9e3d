package io.ferrumdb.internal.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.keydir.Key;
import io.ferrumdb.internal.keydir.Location;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads of the writer's chunks without its lock ({@link Chunks#copyPublished}, through {@link
 * LogWriter#readFromMemory}) while one thread appends and the flusher writes, keeps and recycles chunk buffers: a
 * read either copies the record it asked for, intact, or answers false (the file has it); never bytes of a buffer
 * reused meanwhile. Locations are handed to the readers as the key directory hands them (a release store after the
 * writer applied them, an acquire load), and readers ask mostly for the newest records, as YCSB D does, and now and
 * then for older ones whose chunks retire and whose buffers are reused while they copy.
 */
class PublishedChunksTest {
    private static final int RECORDS = 150_000;
    private static final int VALUE = 100;

    @TempDir
    Path dir;

    @Test
    void readersWithoutTheLockGetTheRecordTheyAskedForOrFalseWhileBuffersAreReused() throws Exception {
        AtomicReferenceArray<Location> locations = new AtomicReferenceArray<>(RECORDS);
        AtomicInteger published = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong fromMemory = new AtomicLong();
        AtomicLong fromFile = new AtomicLong();
        try (TestLog log = new TestLog(dir, FileIO.nio(), FsyncPolicy.never(), 8 << 20, (s, hint) -> { })) {
            Runnable reader = () -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                byte[] dst = new byte[512];
                try {
                    while (!done.get() && failure.get() == null) {
                        int n = published.get();
                        if (n == 0) {
                            Thread.onSpinWait();
                            continue;
                        }
                        int back = random.nextInt(8) == 0 ? random.nextInt(Math.min(n, 40_000)) : random.nextInt(Math.min(n, 64));
                        int i = n - 1 - back;
                        Location loc = locations.get(i);
                        Segment seg = log.set.get(loc.segmentId());
                        if (!log.writer.readFromMemory(seg, loc.offset(), loc.recordSize(), dst, 0, -1)) {
                            fromFile.incrementAndGet();
                            continue;
                        }
                        fromMemory.incrementAndGet();
                        RecordCheck.Valid v = RecordReader.open(seg, loc.offset(), dst, loc.recordSize());
                        assertThat(v.key()).as("key of record %d", i).isEqualTo(key(i));
                        assertThat(v.value()).as("value of record %d", i).isEqualTo(value(i));
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            };
            Thread r1 = new Thread(reader);
            Thread r2 = new Thread(reader);
            r1.start();
            r2.start();
            try {
                for (int i = 0; i < RECORDS && failure.get() == null; i++) {
                    int at = i;
                    Append a = new Append(RecordFormat.TYPE_PUT, new Key(key(i)), value(i), 0);
                    // The key directory's publication: a release store after the record was encoded.
                    log.writer.append(TestWrites.records(a),
                            TestWrites.applier((type, key, location) -> locations.set(at, location)), false);
                    published.set(i + 1);
                }
            } finally {
                done.set(true);
                r1.join();
                r2.join();
            }
        }
        assertThat(failure.get()).isNull();
        assertThat(fromMemory.get()).as("reads served from the writer's chunks").isPositive();
        assertThat(fromFile.get()).as("reads of records whose chunks retired").isPositive();
    }

    private static byte[] key(int i) {
        return ("key-" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(int i) {
        byte[] v = new byte[VALUE];
        for (int j = 0; j < VALUE; j++) {
            v[j] = (byte) (i * 7 + j);
        }
        return v;
    }
}
