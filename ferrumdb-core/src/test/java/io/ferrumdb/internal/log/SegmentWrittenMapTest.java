package io.ferrumdb.internal.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.internal.format.CipherSuite;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.ForwardingFileIO;
import io.ferrumdb.internal.io.ForwardingStorageFile;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An active segment's map of the bytes already handed to the OS ({@link Segment#readWritten}): it serves only
 * written bytes, is made again only once the segment has grown by {@link Segment#remapStep}, and gives way to the
 * sealed segment's map.
 */
class SegmentWrittenMapTest {
    @TempDir
    Path dir;

    private final AtomicInteger maps = new AtomicInteger();
    private Segment segment;
    private long length;
    /** Where the segment's header ends: the bytes written here start there. */
    private long start;

    @BeforeEach
    void setUp() throws Exception {
        FileIO counting = new ForwardingFileIO(FileIO.nio()) {
            @Override
            protected StorageFile wrap(StorageFile file) {
                return new ForwardingStorageFile(file) {
                    @Override
                    public ByteBuffer map(long size) throws IOException {
                        maps.incrementAndGet();
                        return delegate.map(size);
                    }
                };
            }
        };
        SegmentFiles files = new SegmentFiles(counting, dir, new byte[16], CipherSuite.PLAINTEXT);
        segment = files.create(1);
        length = segment.writtenLength();
        start = length;
    }

    @AfterEach
    void tearDown() throws Exception {
        segment.close();
    }

    /** Appends {@code n} bytes, byte i of the file being {@code (byte) (i * 31)}, as the writer does. */
    private void append(long n) throws Exception {
        byte[] b = new byte[(int) n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ((length + i) * 31);
        }
        segment.file().write(length, ByteBuffer.wrap(b));
        length += n;
        segment.setWrittenLength(length);
    }

    private boolean readsBack(long offset, int size) {
        byte[] dst = new byte[size + 2];
        if (!segment.readWritten(offset, dst, 2, size)) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            assertThat(dst[2 + i]).as("byte %d", offset + i).isEqualTo((byte) ((offset + i) * 31));
        }
        return true;
    }

    @Test
    void servesOnlyWrittenBytesAndMapsAgainOnlyAfterAStepOfGrowth() throws Exception {
        append(1_000);
        assertThat(readsBack(length - 100, 100)).as("less than a step written: not worth a map").isFalse();
        append(Segment.MIN_REMAP_STEP);
        assertThat(readsBack(length - 100, 100)).as("a step written: mapped").isTrue();
        assertThat(readsBack(length - 100, 101)).as("past the written bytes").isFalse();
        assertThat(maps).hasValue(1);
        // Grown to 2 MiB: mapped again once; then less than an eighth of that more is not worth a new map.
        append((2 << 20) - length);
        assertThat(readsBack(length - 100, 100)).isTrue();
        assertThat(maps).hasValue(2);
        long mappedEnd = length;
        append(Segment.remapStep(mappedEnd) - 1);
        assertThat(readsBack(length - 100, 100)).as("grown by less than an eighth: not mapped again").isFalse();
        assertThat(readsBack(mappedEnd - 500, 500)).as("what the map covers").isTrue();
        assertThat(readsBack(mappedEnd - 10, 20)).as("straddles the map's end").isFalse();
        append(1);
        assertThat(readsBack(mappedEnd - 10, 20)).as("grown by an eighth: mapped again").isTrue();
        assertThat(readsBack(start, 64)).isTrue();
        assertThat(readsBack(length - 1, 1)).isTrue();
        assertThat(maps).hasValue(3);
        assertThat(segment.writtenMapFailure()).isNull();
    }

    @Test
    void aSealedSegmentIsReadThroughItsOwnMapAndATruncationDropsTheWrittenMap() throws Exception {
        append(Segment.MIN_REMAP_STEP + 4_096);
        assertThat(readsBack(start + 100, 100)).isTrue();
        segment.truncatedTo(length - 4_096);
        length -= 4_096;
        assertThat(readsBack(length, 10)).as("past the new end").isFalse();
        assertThat(readsBack(length - 50, 50)).as("the old map reached past the new end: mapped again to it")
                .isTrue();
        append(64);
        segment.seal();
        assertThat(readsBack(start + 100, 100)).as("sealed: readInto's map").isFalse();
        byte[] dst = new byte[100];
        segment.readInto(start + 100, dst, 0, 100);
        for (int i = 0; i < 100; i++) {
            assertThat(dst[i]).isEqualTo((byte) ((start + 100 + i) * 31));
        }
    }
}
