package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.ForwardingFileIO;
import io.ferrumdb.internal.io.ForwardingStorageFile;
import io.ferrumdb.internal.io.PageCache;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link FerrumDB#getIfInMemory}: the value when its record is in the writer's buffers or in resident pages of a
 * sealed segment's map, ABSENT for absent, deleted and expired keys, and NOT_IN_MEMORY, without any read of the
 * file, where a get would need one (a positional read of the active segment, or a map's evicted pages). The
 * residency decision is tested both against pages evicted for real and through a file layer whose answer the test
 * sets, which also counts positional reads.
 */
class GetIfInMemoryTest {
    @TempDir
    Path dir;

    /** What the file layer below answers for residency of mapped pages. */
    private final AtomicBoolean resident = new AtomicBoolean(true);
    /** Positional reads of segment files. */
    private final AtomicLong segmentReads = new AtomicLong();
    private final FileIO steered = new SteeredFileIO(FileIO.nio(), resident, segmentReads);

    private static byte[] key(int i) {
        return ("key-" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(int i, int size) {
        byte[] v = new byte[size];
        Arrays.fill(v, (byte) i);
        if (size > 1) {
            v[1] = (byte) (i >>> 8);
        }
        return v;
    }

    private static byte[] found(MemoryRead read) {
        assertThat(read).isInstanceOf(MemoryRead.Found.class);
        return ((MemoryRead.Found) read).value();
    }

    private static Options.Builder builder(boolean encrypted) {
        return (encrypted ? EncryptedOptions.builder() : Options.builder()).autoCompaction(false);
    }

    @ParameterizedTest(name = "encrypted={0}")
    @ValueSource(booleans = {false, true})
    void aJustWrittenValueIsFoundInTheWritersBuffers(boolean encrypted) {
        try (FerrumDB db = FerrumDB.open(dir, builder(encrypted).fileIO(steered).build())) {
            db.put(key(1), value(1, 100));
            db.put(key(2), new byte[0]);
            assertThat(found(db.getIfInMemory(key(1)))).isEqualTo(value(1, 100));
            assertThat(found(db.getIfInMemory(key(2)))).isEmpty();
            db.put(key(1), value(7, 300));
            assertThat(found(db.getIfInMemory(key(1)))).isEqualTo(value(7, 300));
            assertThat(segmentReads.get()).isZero();
            assertThat(db.stats().gets()).isEqualTo(3);
        }
    }

    @Test
    void absentDeletedAndExpiredKeysAreAbsentInTheActiveAndInSealedSegments() {
        MutableClock clock = new MutableClock(1_000_000);
        Options options = builder(false).clock(clock).build();
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            db.put(key(1), value(1, 10), Duration.ofSeconds(1));
            db.put(key(2), value(2, 10));
            db.delete(key(2));
            db.put(key(3), value(3, 10), Duration.ofSeconds(100));
            assertThat(db.getIfInMemory(key(0))).isSameAs(MemoryRead.ABSENT);
            assertThat(db.getIfInMemory(key(2))).isSameAs(MemoryRead.ABSENT);
            assertThat(found(db.getIfInMemory(key(1)))).isEqualTo(value(1, 10));
            clock.advance(Duration.ofSeconds(2));
            assertThat(db.getIfInMemory(key(1))).isSameAs(MemoryRead.ABSENT);
        }
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            assertThat(db.getIfInMemory(key(1))).isSameAs(MemoryRead.ABSENT);
            assertThat(db.getIfInMemory(key(2))).isSameAs(MemoryRead.ABSENT);
            assertThat(found(db.getIfInMemory(key(3)))).isEqualTo(value(3, 10));
            clock.advance(Duration.ofSeconds(200));
            assertThat(db.getIfInMemory(key(3))).isSameAs(MemoryRead.ABSENT);
        }
    }

    @ParameterizedTest(name = "encrypted={0}")
    @ValueSource(booleans = {false, true})
    void aSealedRecordIsFoundOnlyWhenItsPagesAreResident(boolean encrypted) {
        Options options = builder(encrypted).fileIO(steered).build();
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            for (int i = 0; i < 100; i++) {
                db.put(key(i), value(i, 1_000));
            }
        }
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            long reads = segmentReads.get();
            resident.set(false);
            assertThat(db.getIfInMemory(key(5))).isSameAs(MemoryRead.NOT_IN_MEMORY);
            assertThat(db.getIfInMemory(key(500))).as("absence needs no record").isSameAs(MemoryRead.ABSENT);
            assertThat(db.stats().gets()).as("a read not answered is not counted").isEqualTo(1);
            assertThat(db.get(key(5))).isEqualTo(value(5, 1_000));
            resident.set(true);
            assertThat(found(db.getIfInMemory(key(5)))).isEqualTo(value(5, 1_000));
            assertThat(segmentReads.get()).as("positional reads of segment files").isEqualTo(reads);
        }
    }

    @Test
    void anExpiredKeyOfAHashOnlyKeyDirectoryIsNotInMemoryWhenTellingItsEntryApartWouldReadTheDisk() {
        // Without ordered keys a plaintext database keeps no key bytes in memory: an entry is known to be the key's
        // by reading its record (RecordKeyReader), which for an expired entry get does and getIfInMemory must not.
        MutableClock clock = new MutableClock(1_000_000);
        Options options = builder(false).orderedKeys(false).clock(clock).fileIO(steered).build();
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            db.put(key(1), value(1, 10), Duration.ofSeconds(1));
            db.put(key(2), value(2, 10));
        }
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            clock.advance(Duration.ofSeconds(2));
            long reads = segmentReads.get();
            resident.set(false);
            assertThat(db.getIfInMemory(key(1))).isSameAs(MemoryRead.NOT_IN_MEMORY);
            assertThat(db.getIfInMemory(key(2))).isSameAs(MemoryRead.NOT_IN_MEMORY);
            assertThat(db.getIfInMemory(key(3))).isSameAs(MemoryRead.ABSENT);
            resident.set(true);
            assertThat(db.getIfInMemory(key(1))).isSameAs(MemoryRead.ABSENT);
            assertThat(found(db.getIfInMemory(key(2)))).isEqualTo(value(2, 10));
            assertThat(db.get(key(1))).isNull();
            assertThat(segmentReads.get()).as("positional reads of segment files").isEqualTo(reads);
        }
    }

    @ParameterizedTest(name = "encrypted={0}")
    @ValueSource(booleans = {false, true})
    void anOlderRecordOfTheActiveSegmentIsNotInMemoryAndNothingIsRead(boolean encrypted) {
        // As ReadLatestFromMemoryTest: more than the writer keeps (1 MiB of chunks), synced in several chunks, so
        // the first records are only in the active segment's file, which get reads through the segment's map of
        // its written bytes (whose residency a memory-only read does not check: not in memory for it).
        try (FerrumDB db = FerrumDB.open(dir, builder(encrypted).fileIO(steered)
                .fsyncPolicy(FsyncPolicy.never()).build())) {
            for (int i = 0; i < 3_000; i++) {
                db.put(key(i), value(i, 1_000));
                if (i % 500 == 499) {
                    db.sync();
                }
            }
            db.sync();
            assertThat(db.stats().segments()).hasSize(1);
            long before = segmentReads.get();
            assertThat(db.getIfInMemory(key(0))).isSameAs(MemoryRead.NOT_IN_MEMORY);
            assertThat(segmentReads.get() - before).as("positional reads of segment files").isZero();
            assertThat(found(db.getIfInMemory(key(2_999)))).isEqualTo(value(2_999, 1_000));
            assertThat(db.get(key(0))).isEqualTo(value(0, 1_000));
            assertThat(segmentReads.get() - before).as("positional reads of segment files").isZero();
            assertThat(db.getIfInMemory(key(0))).isSameAs(MemoryRead.NOT_IN_MEMORY);
        }
    }

    @ParameterizedTest(name = "encrypted={0}")
    @ValueSource(booleans = {false, true})
    void aSealedRecordWhosePagesTheKernelEvictedIsNotInMemoryUntilReadOnce(boolean encrypted) throws Exception {
        // 24 MiB of records in one segment, fsynced by close, then evicted from the page cache; the probed record
        // lies at the end, far from the segment's start, which open reads (readahead here is up to 8 MiB).
        int count = 6_000;
        Options options = builder(encrypted).fsyncPolicy(FsyncPolicy.never()).build();
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            for (int i = 0; i < count; i++) {
                db.put(key(i), value(i, 4_000));
            }
        }
        List<Path> segments;
        try (Stream<Path> files = Files.list(dir)) {
            segments = files.filter(p -> p.getFileName().toString().endsWith(".seg")).toList();
        }
        assertThat(segments).hasSize(1);
        Path segment = segments.get(0);
        PageCache.evict(segment);
        long size = Files.size(segment);
        int last = count - 1;
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            assumeThat(PageCache.isResident(segment, size - (64 << 10), 64 << 10))
                    .as("the kernel dropped the segment's pages (not tmpfs), and open did not read them").isFalse();
            assertThat(db.getIfInMemory(key(last))).isSameAs(MemoryRead.NOT_IN_MEMORY);
            assertThat(PageCache.isResident(segment, size - (64 << 10), 64 << 10))
                    .as("getIfInMemory faulted nothing in").isFalse();
            assertThat(db.get(key(last))).isEqualTo(value(last, 4_000));
            assertThat(found(db.getIfInMemory(key(last)))).isEqualTo(value(last, 4_000));
        }
    }

    @ParameterizedTest(name = "orderedKeys={0}")
    @ValueSource(booleans = {true, false})
    void readsRacingCompactionAnswerTheValueOrNotInMemoryNeverAbsent(boolean orderedKeys) throws Exception {
        Options options = builder(false).orderedKeys(orderedKeys).segmentSize(64 << 10).build();
        int keys = 500;
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            for (int i = 0; i < keys; i++) {
                db.put(key(i), value(i, 200));
            }
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread compactor = new Thread(() -> {
                try {
                    for (int round = 0; round < 20; round++) {
                        db.compact();
                    }
                } catch (Throwable e) {
                    failure.set(e);
                } finally {
                    done.set(true);
                }
            });
            compactor.start();
            long found = 0;
            int rounds = 0;
            while (!done.get() || rounds < 2) {
                for (int i = 0; i < keys; i++) {
                    MemoryRead read = db.getIfInMemory(key(i));
                    if (read != MemoryRead.NOT_IN_MEMORY) {
                        assertThat(found(read)).isEqualTo(value(i, 200));
                        found++;
                    }
                }
                rounds++;
            }
            compactor.join();
            assertThat(failure.get()).as("compaction's failure").isNull();
            assertThat(found).as("reads answered from memory").isPositive();
        }
    }

    @Test
    void aClosedDatabaseAndBadKeysAreRefusedAsByGet() {
        FerrumDB db = FerrumDB.open(dir, builder(false).build());
        assertThatThrownBy(() -> db.getIfInMemory(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("key must not be null");
        db.close();
        assertThatThrownBy(() -> db.getIfInMemory(key(1))).isInstanceOf(DatabaseClosedException.class);
    }

    /** Forwards every call; mapped pages are resident when {@code resident} says so; counts segment reads. */
    private static final class SteeredFileIO extends ForwardingFileIO {
        private final AtomicBoolean resident;
        private final AtomicLong segmentReads;

        SteeredFileIO(FileIO delegate, AtomicBoolean resident, AtomicLong segmentReads) {
            super(delegate);
            this.resident = resident;
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

                @Override
                public boolean isResident(ByteBuffer map, int offset, int size) {
                    return resident.get();
                }
            };
        }
    }
}
