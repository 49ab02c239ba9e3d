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
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An active segment's maps of the bytes already handed to the OS ({@link Segment#readWritten}, {@link
 * WrittenWindows}): they serve only written bytes; a whole window is mapped once, the last window's written part
 * again only once it has grown by {@link WrittenWindows#TAIL_STEP}; they give way to the sealed segment's map.
 */
class SegmentWrittenMapTest {
    @TempDir
    Path dir;

    private final AtomicInteger maps = new AtomicInteger();
    /** The position and size of every map made, in order. */
    private final List<String> made = Collections.synchronizedList(new ArrayList<>());
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
                        made.add(0 + "+" + size);
                        return delegate.map(size);
                    }

                    @Override
                    public ByteBuffer map(long position, long size) throws IOException {
                        maps.incrementAndGet();
                        made.add(position + "+" + size);
                        return delegate.map(position, size);
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
    void servesOnlyWrittenBytesAndMapsTheLastWindowAgainOnlyAfterAStepOfGrowth() throws Exception {
        append(1_000);
        assertThat(readsBack(length - 100, 100)).as("less than a step written: not worth a map").isFalse();
        append(WrittenWindows.TAIL_STEP);
        assertThat(readsBack(length - 100, 100)).as("a step written: mapped").isTrue();
        assertThat(readsBack(length - 100, 101)).as("past the written bytes").isFalse();
        assertThat(made).containsExactly("0+" + length);
        long mappedEnd = length;
        append(WrittenWindows.TAIL_STEP - 1);
        assertThat(readsBack(length - 100, 100)).as("grown by less than a step: not mapped again").isFalse();
        assertThat(readsBack(mappedEnd - 500, 500)).as("what the map covers").isTrue();
        assertThat(readsBack(mappedEnd - 10, 20)).as("straddles the map's end").isFalse();
        append(1);
        assertThat(readsBack(mappedEnd - 10, 20)).as("grown by a step: mapped again").isTrue();
        assertThat(readsBack(start, 64)).isTrue();
        assertThat(readsBack(length - 1, 1)).isTrue();
        assertThat(made).containsExactly("0+" + mappedEnd, "0+" + length);
        assertThat(segment.writtenMapFailure()).isNull();
    }

    @Test
    void aWholeWindowIsMappedOnceAndARecordAcrossTwoWindowsIsLeftToOtherReads() throws Exception {
        int w = WrittenWindows.WINDOW;
        append(3L * w + WrittenWindows.TAIL_STEP + 100 - length);
        assertThat(readsBack(w + 5_000, 300)).isTrue();
        assertThat(readsBack(2L * w - 300, 300)).as("the same window").isTrue();
        assertThat(readsBack(start, 100)).isTrue();
        assertThat(readsBack(w + 100, 100)).as("window 1 again").isTrue();
        assertThat(made).as("one map per window, made when first read").containsExactly(w + "+" + w, "0+" + w);
        assertThat(readsBack(2L * w - 10, 20)).as("straddles windows 1 and 2").isFalse();
        assertThat(readsBack(3L * w + 10, 100)).as("the last window, written in part").isTrue();
        assertThat(made).hasSize(3).last().isEqualTo(3L * w + "+" + (length - 3L * w));
        // The last window written whole: mapped whole, once, in place of its tail.
        append(4L * w - length);
        assertThat(readsBack(4L * w - 100, 100)).isTrue();
        assertThat(readsBack(3L * w, 100)).isTrue();
        assertThat(made).hasSize(4).last().isEqualTo(3L * w + "+" + w);
    }

    @Test
    void aSealedSegmentIsReadThroughItsOwnMapAndATruncationDropsTheWrittenMap() throws Exception {
        append(WrittenWindows.TAIL_STEP + 4_096);
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

    /**
     * The branch-free test of whether a map pays decides as the plain one did: map once the window is written whole,
     * or once it has grown by a step past its tail (or past its start when the tail is another window's).
     */
    @Test
    void whetherAMapPaysIsDecidedAsTheBranchingRuleDecides() {
        long w = WrittenWindows.WINDOW;
        long step = WrittenWindows.TAIL_STEP;
        java.util.Random random = new java.util.Random(15);
        for (int i = 0; i < 100_000; i++) {
            long window = random.nextInt(64);
            long start = window * w;
            // The tail: none (end 0), of an earlier window, of this one (maybe whole), or of a later one.
            long tailWindow = random.nextInt(4) == 0 ? -1 : random.nextInt(64);
            long tailEnd = tailWindow < 0 ? 0 : tailWindow * w + 1 + random.nextInt((int) w);
            // Written: anywhere from this window's start to past the tail's end (the tail never passes it).
            long written = Math.max(start + random.nextInt((int) (2 * w)), tailEnd) + random.nextInt((int) step * 2);
            boolean tailOfThis = tailWindow == window;
            boolean pays = !(start + w > written && written - (tailOfThis ? tailEnd : start) < step);
            assertThat(written >= WrittenWindows.mapPaysFrom(start, tailEnd))
                    .as("window %d, tail end %d, written %d", window, tailEnd, written).isEqualTo(pays);
        }
        assertThat(WrittenWindows.mapPaysFrom(3 * w, 0)).isEqualTo(3 * w + step);
        assertThat(WrittenWindows.mapPaysFrom(3 * w, 3 * w + 100)).isEqualTo(3 * w + 100 + step);
        assertThat(WrittenWindows.mapPaysFrom(3 * w, 4 * w - 10)).isEqualTo(4 * w);
        assertThat(WrittenWindows.mapPaysFrom(3 * w, 5 * w + 7)).isEqualTo(4 * w);
    }
}
