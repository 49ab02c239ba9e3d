package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.ForwardingFileIO;
import io.ferrumdb.internal.io.ForwardingStorageFile;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reads of the newest data come from memory: a record just written (still pending, or already handed to the OS
 * and fsynced) is copied from the log writer's chunks, a record of a sealed segment from its memory map; only
 * older records of the active segment cost a positional read. Counted with a file layer that counts positional
 * reads of segment files.
 */
class ReadLatestFromMemoryTest {
    @TempDir
    Path dir;

    /** Positional reads of segment files since the layer was made. */
    private final AtomicLong segmentReads = new AtomicLong();

    private final FileIO counting = new CountingFileIO(FileIO.nio(), segmentReads);

    private static byte[] key(int i) {
        return ("key-" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(int i, int size) {
        byte[] v = new byte[size];
        Arrays.fill(v, (byte) i);
        if (size > 0) {
            v[0] = (byte) (i >>> 8);
        }
        return v;
    }

    private Options.Builder builder(boolean encrypted) {
        return (encrypted ? EncryptedOptions.builder() : Options.builder()).fileIO(counting).autoCompaction(false);
    }

    @ParameterizedTest(name = "encrypted={0}, always={1}")
    @CsvSource({"false, false", "false, true", "true, false", "true, true"})
    void aJustWrittenRecordIsReadFromMemoryAcrossSegmentRolls(boolean encrypted, boolean always) {
        // 16 KiB segments and 300-byte values: about 50 records a segment, so the loop rolls many times and reads
        // the first record of each new active segment right after the roll.
        Options options = builder(encrypted).segmentSize(16 << 10)
                .fsyncPolicy(always ? FsyncPolicy.always() : FsyncPolicy.never()).build();
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            long before = segmentReads.get();
            ByteBuffer dst = ByteBuffer.allocate(512);
            for (int i = 0; i < 1_000; i++) {
                db.put(key(i), value(i, 300));
                assertThat(db.get(key(i))).isEqualTo(value(i, 300));
                dst.clear();
                assertThat(db.get(key(i), dst)).isEqualTo(300);
                assertThat(Arrays.copyOf(dst.array(), 300)).isEqualTo(value(i, 300));
                if (i > 0) {
                    // The previous record: same segment or the one just sealed (memory map).
                    assertThat(db.get(key(i - 1))).isEqualTo(value(i - 1, 300));
                }
            }
            assertThat(db.stats().segments().size()).isGreaterThan(10);
            assertThat(segmentReads.get() - before).as("positional reads of segment files").isZero();
        }
    }

    @ParameterizedTest(name = "encrypted={0}")
    @ValueSource(booleans = {false, true})
    void olderRecordsOfTheActiveSegmentAreReadFromTheFile(boolean encrypted) {
        // One large active segment and more than the writer keeps (1 MiB of chunks): the first records are only in
        // the file, and a GET of them is a positional read that returns the right value. A sync every 500 puts
        // cuts the records into several chunks: a flusher late on a busy machine would otherwise take all 3 MB as
        // one chunk, and the newest chunk is always kept whole (this test failed so once).
        Options options = builder(encrypted).fsyncPolicy(FsyncPolicy.never()).build();
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            for (int i = 0; i < 3_000; i++) {
                db.put(key(i), value(i, 1_000));
                if (i % 500 == 499) {
                    db.sync();
                }
            }
            db.sync();
            assertThat(db.stats().segments().size()).isEqualTo(1);
            long before = segmentReads.get();
            assertThat(db.get(key(0))).isEqualTo(value(0, 1_000));
            assertThat(segmentReads.get() - before).as("positional reads of segment files").isEqualTo(1);
            before = segmentReads.get();
            assertThat(db.get(key(2_999))).isEqualTo(value(2_999, 1_000));
            assertThat(segmentReads.get() - before).as("positional reads of segment files").isZero();
        }
    }

    @ParameterizedTest(name = "encrypted={0}")
    @ValueSource(booleans = {false, true})
    void valuesOfEverySizeReadBackThroughTheThreadsReusedBuffer(boolean encrypted) {
        // GET reads records into a per-thread buffer that grows up to 64 KiB; larger records get an array of their
        // own. Alternating sizes make a small record follow a large one in the same buffer.
        int[] sizes = {0, 100, 5_000, 70_000, 1, 65_000, 100_000, 300, 64 << 10};
        try (FerrumDB db = FerrumDB.open(dir, builder(encrypted).build())) {
            for (int i = 0; i < sizes.length; i++) {
                db.put(key(i), value(i, sizes[i]));
            }
            for (int round = 0; round < 2; round++) {
                if (round == 1) {
                    db.compact(); // the second round reads from sealed, mapped segments
                }
                for (int i = 0; i < sizes.length; i++) {
                    assertThat(db.get(key(i))).as("size " + sizes[i]).isEqualTo(value(i, sizes[i]));
                    ByteBuffer dst = ByteBuffer.allocate(sizes[i] + 3).position(3);
                    assertThat(db.get(key(i), dst)).isEqualTo(sizes[i]);
                    assertThat(Arrays.copyOfRange(dst.array(), 3, 3 + sizes[i])).isEqualTo(value(i, sizes[i]));
                }
            }
        }
    }

    /** Delegates everything; counts {@link StorageFile#read} calls on segment files. */
    private static final class CountingFileIO extends ForwardingFileIO {
        private final AtomicLong segmentReads;

        CountingFileIO(FileIO delegate, AtomicLong segmentReads) {
            super(delegate);
            this.segmentReads = segmentReads;
        }

        @Override
        protected StorageFile wrap(StorageFile file) {
            return new ForwardingStorageFile(file) {
                @Override
                public int read(long position, ByteBuffer dst) throws IOException {
                    if (isSegment()) {
                        segmentReads.incrementAndGet();
                    }
                    return delegate.read(position, dst);
                }
            };
        }
    }
}
