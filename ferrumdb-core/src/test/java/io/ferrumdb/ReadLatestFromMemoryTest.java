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
 * and fsynced) is copied from the log writer's chunks, a record of a sealed segment from its memory map, older
 * records of the active segment from its map of the bytes already written (a positional read only when that map
 * cannot be made). Counted with a file layer that counts positional reads and maps of segment files.
 */
class ReadLatestFromMemoryTest {
    @TempDir
    Path dir;

    /** Positional reads of segment files since the layer was made. */
    private final AtomicLong segmentReads = new AtomicLong();

    /** Memory maps of segment files made since the layer was made (attempts, when they fail). */
    private final AtomicLong segmentMaps = new AtomicLong();
    /** When set, mapping a segment file fails as mmap does when the address space or map count is exhausted. */
    private volatile boolean failMaps;

    private final FileIO counting = new CountingFileIO(FileIO.nio());

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

    @ParameterizedTest(name = "encrypted={0}, map fails={1}")
    @CsvSource({"false, false", "true, false", "false, true", "true, true"})
    void olderRecordsOfTheActiveSegmentAreReadThroughItsMapOfWrittenBytes(boolean encrypted, boolean mapFails) {
        // One large active segment and more than the writer keeps (1 MiB of chunks): the first records are only in
        // the file, and a GET of them reads the map of their 1 MiB window of written bytes (WrittenWindows; no
        // positional read), or, when the map cannot be made, the file. A sync every 500 puts cuts the records into several chunks: a flusher
        // late on a busy machine would otherwise take all 3 MB as one chunk, and the newest chunk is always kept
        // whole (this test failed so once).
        failMaps = mapFails;
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
            assertThat(db.get(key(1))).isEqualTo(value(1, 1_000));
            assertThat(segmentMaps.get()).as("maps of segment files").isEqualTo(1);
            assertThat(segmentReads.get() - before).as("positional reads of segment files")
                    .isEqualTo(mapFails ? 2 : 0);
            before = segmentReads.get();
            assertThat(db.get(key(2_999))).isEqualTo(value(2_999, 1_000));
            assertThat(segmentReads.get() - before).as("positional reads of segment files").isZero();
            // 2 MB more: a read in a window not mapped yet maps that window, once; window 0 stays mapped.
            for (int i = 3_000; i < 5_000; i++) {
                db.put(key(i), value(i, 1_000));
                if (i % 500 == 499) {
                    db.sync();
                }
            }
            db.sync();
            before = segmentReads.get();
            long mapsBefore = segmentMaps.get();
            assertThat(db.get(key(3_000))).isEqualTo(value(3_000, 1_000));
            assertThat(db.get(key(0))).isEqualTo(value(0, 1_000));
            // Key 3,000's window was written in part when key 2,999 was read: its tail may have been mapped then.
            assertThat(segmentMaps.get() - mapsBefore).as("maps made: at most key 3,000's window")
                    .isLessThanOrEqualTo(mapFails ? 0 : 1);
            assertThat(segmentReads.get() - before).as("positional reads of segment files")
                    .isEqualTo(mapFails ? 2 : 0);
            mapsBefore = segmentMaps.get();
            assertThat(db.get(key(3_000))).isEqualTo(value(3_000, 1_000));
            assertThat(db.get(key(1))).isEqualTo(value(1, 1_000));
            assertThat(segmentMaps.get() - mapsBefore).as("a window is mapped once").isZero();
            failMaps = false; // close seals the segment, which maps it
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

    /** Delegates everything; counts {@link StorageFile#read} and {@link StorageFile#map} calls on segment files. */
    private final class CountingFileIO extends ForwardingFileIO {
        CountingFileIO(FileIO delegate) {
            super(delegate);
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

                @Override
                public ByteBuffer map(long size) throws IOException {
                    if (isSegment()) {
                        segmentMaps.incrementAndGet();
                        if (failMaps) {
                            throw new IOException("Map failed (test: as with mmap's ENOMEM)");
                        }
                    }
                    return delegate.map(size);
                }

                @Override
                public ByteBuffer map(long position, long size) throws IOException {
                    if (isSegment()) {
                        segmentMaps.incrementAndGet();
                        if (failMaps) {
                            throw new IOException("Map failed (test: as with mmap's ENOMEM)");
                        }
                    }
                    return delegate.map(position, size);
                }
            };
        }
    }
}
