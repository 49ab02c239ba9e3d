package io.ferrumdb.internal.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link StorageFile#isResident} asks the kernel (mincore) through {@link MappedByteBuffer#isLoaded()} of a slice of
 * the segment's map. A slice must keep the mapping's file descriptor: a MappedByteBuffer without one answers
 * isLoaded true whatever the pages are, and a read that must not block would then fault on a cold page. Checked here
 * on the running JDK (the build's 17; also run with Temurin 25, see CHANGELOG) against pages evicted for real.
 */
class MappedResidencyTest {
    /** Four times the largest read-around seen (8 MiB: read_ahead_kb of this machine's virtio disk). */
    private static final int SIZE = 32 << 20;

    @TempDir
    Path dir;

    /** A fsynced file of SIZE bytes through the storage layer, its pages evicted; skips where eviction fails. */
    private Path coldFile() throws Exception {
        Path path = dir.resolve("cold.seg");
        byte[] bytes = new byte[SIZE];
        Arrays.fill(bytes, (byte) 7);
        try (StorageFile f = FileIO.nio().create(path)) {
            f.write(0, ByteBuffer.wrap(bytes));
            f.force();
        }
        PageCache.evict(path);
        assumeThat(PageCache.isResident(path, 0, SIZE)).as("the kernel dropped the file's pages (not tmpfs)")
                .isFalse();
        return path;
    }

    @Test
    void aSliceOfAMapReportsItsOwnPagesColdThenResidentOnceRead() throws Exception {
        Path path = coldFile();
        try (StorageFile f = FileIO.nio().open(path, false)) {
            ByteBuffer map = f.map(SIZE);
            int offset = 17 << 20;
            ByteBuffer slice = map.slice(offset, 100);
            assertThat(slice).isInstanceOf(MappedByteBuffer.class);
            assertThat(((MappedByteBuffer) slice).isLoaded()).as("a slice of cold pages").isFalse();
            assertThat(f.isResident(map, offset, 100)).isFalse();

            assertThat(map.get(offset + 50)).isEqualTo((byte) 7); // faults the page (and its readahead) in
            assertThat(f.isResident(map, offset, 100)).isTrue();
            assertThat(((MappedByteBuffer) map.slice(offset, 100)).isLoaded()).isTrue();
        }
    }

    @Test
    void aRangeIsResidentOnlyWhenEveryPageOfItIs() throws Exception {
        Path path = coldFile();
        try (StorageFile f = FileIO.nio().open(path, false)) {
            ByteBuffer map = f.map(SIZE);
            // A fault reads around the faulting page (read_ahead_kb: 128 KiB by default, 8 MiB on some virtual
            // disks), nowhere near 24 MiB before it.
            map.get(SIZE - 1);
            assertThat(f.isResident(map, SIZE - 100, 100)).as("the page read").isTrue();
            assertThat(f.isResident(map, 0, 100)).as("a page nobody read").isFalse();
            assertThat(f.isResident(map, SIZE - (24 << 20), 24 << 20)).as("cold pages, then the one read").isFalse();
        }
    }

    @Test
    void aMapThatIsNotAFileMappingIsInMemory() throws Exception {
        try (StorageFile f = FileIO.nio().create(dir.resolve("any.seg"))) {
            assertThat(f.isResident(ByteBuffer.allocate(1000), 10, 100)).isTrue();
            assertThat(f.isResident(ByteBuffer.allocateDirect(1000), 10, 100)).isTrue();
        }
    }
}
