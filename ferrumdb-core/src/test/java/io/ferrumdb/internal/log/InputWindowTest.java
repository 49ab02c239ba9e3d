package io.ferrumdb.internal.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.internal.format.CipherSuite;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.ForwardingFileIO;
import io.ferrumdb.internal.io.ForwardingStorageFile;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link InputWindow}: reads of a sealed segment in file order through one buffer, one positional read per window
 * of bytes, never the memory map; exactly the file's bytes, wherever a range falls against the window; ranges past
 * the written length or a file cut short are corruption naming file and offset.
 */
class InputWindowTest {
    private static final int WINDOW = 64;

    @TempDir
    Path dir;

    /** Each positional read made, as "position+bytes asked". */
    private final List<String> reads = new ArrayList<>();
    private Segment segment;
    private long start;

    @BeforeEach
    void setUp() throws Exception {
        FileIO counting = new ForwardingFileIO(FileIO.nio()) {
            @Override
            protected StorageFile wrap(StorageFile file) {
                return new ForwardingStorageFile(file) {
                    @Override
                    public int read(long position, ByteBuffer dst) throws IOException {
                        reads.add(position + "+" + dst.remaining());
                        return delegate.read(position, dst);
                    }
                };
            }
        };
        SegmentFiles files = new SegmentFiles(counting, dir, new byte[16], CipherSuite.PLAINTEXT);
        segment = files.create(1);
        start = segment.writtenLength();
        byte[] b = new byte[300];
        for (int i = 0; i < b.length; i++) {
            b[i] = expected(start + i);
        }
        segment.file().write(start, ByteBuffer.wrap(b));
        segment.setWrittenLength(start + b.length);
        segment.seal();
    }

    @AfterEach
    void tearDown() throws Exception {
        segment.close();
    }

    private static byte expected(long position) {
        return (byte) (position * 31 + 7);
    }

    private void assertBytes(byte[] dst, int at, long offset, int size) {
        for (int i = 0; i < size; i++) {
            assertThat(dst[at + i]).as("byte %d of the file", offset + i).isEqualTo(expected(offset + i));
        }
    }

    @Test
    void readsInFileOrderOneWindowPerPositionalRead() throws Exception {
        InputWindow w = new InputWindow(ByteBuffer.allocateDirect(WINDOW));
        byte[] dst = new byte[100];
        w.readInto(segment, start, dst, 0, 10);
        w.readInto(segment, start + 20, dst, 10, 30); // within the first window
        w.readInto(segment, start + 50, dst, 40, 20); // crosses its end: a new window from start + 50
        w.readInto(segment, start + 100, dst, 60, 14); // within the second
        assertBytes(dst, 0, start, 10);
        assertBytes(dst, 10, start + 20, 30);
        assertBytes(dst, 40, start + 50, 20);
        assertBytes(dst, 60, start + 100, 14);
        assertThat(reads).containsExactly(start + "+" + WINDOW, (start + 50) + "+" + WINDOW);
    }

    @Test
    void theLastWindowStopsAtTheWrittenLengthAndALongRangeIsReadStraightIntoTheTarget() throws Exception {
        InputWindow w = new InputWindow(ByteBuffer.allocateDirect(WINDOW));
        byte[] dst = new byte[300];
        w.readInto(segment, start + 280, dst, 0, 20);
        assertBytes(dst, 0, start + 280, 20);
        w.readInto(segment, start, dst, 0, 200);
        assertBytes(dst, 0, start, 200);
        assertThat(reads).containsExactly((start + 280) + "+20", start + "+200");
        // The window still holds the tail: reading it again needs no read.
        w.readInto(segment, start + 290, dst, 0, 10);
        assertBytes(dst, 0, start + 290, 10);
        assertThat(reads).hasSize(2);
    }

    @Test
    void aRangeBehindTheWindowIsReadStraightIntoTheTargetAndTheWindowStays() throws Exception {
        InputWindow w = new InputWindow(ByteBuffer.allocateDirect(WINDOW));
        byte[] dst = new byte[40];
        int at = w.at(segment, start + 100, 28);
        assertThat(w.buffer().get(at)).isEqualTo(expected(start + 100));
        w.readInto(segment, start + 40, dst, 0, 40); // a run taken before the window moved to start + 100
        assertBytes(dst, 0, start + 40, 40);
        assertThat(w.at(segment, start + 130, 20)).isEqualTo(30);
        assertThat(reads).containsExactly((start + 100) + "+" + WINDOW, (start + 40) + "+40");
        assertThatThrownBy(() -> w.at(segment, start, WINDOW + 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRangePastTheWrittenLengthIsCorruptionNamingTheFileAndOffset() {
        InputWindow w = new InputWindow(ByteBuffer.allocateDirect(WINDOW));
        assertThatThrownBy(() -> w.readInto(segment, start + 290, new byte[20], 0, 20))
                .isInstanceOf(CorruptionException.class)
                .hasMessageContaining(segment.path().toString())
                .hasMessageContaining(String.valueOf(start + 290))
                .hasMessageContaining("written length (" + (start + 300) + " bytes)");
        assertThat(reads).isEmpty();
    }

    @Test
    void aFileCutShorterThanItsWrittenLengthIsCorruptionAtTheCut() throws Exception {
        segment.file().truncate(start + 100);
        InputWindow w = new InputWindow(ByteBuffer.allocateDirect(WINDOW));
        byte[] dst = new byte[64];
        w.readInto(segment, start, dst, 0, 64);
        assertBytes(dst, 0, start, 64);
        assertThatThrownBy(() -> w.readInto(segment, start + 90, dst, 0, 20))
                .isInstanceOf(CorruptionException.class)
                .hasMessageContaining(segment.path().toString())
                .hasMessageContaining(String.valueOf(start + 100))
                .hasMessageContaining("file ends");
        // A failed fill leaves nothing behind that a later read could take for the file's bytes.
        assertThatThrownBy(() -> w.readInto(segment, start + 90, dst, 0, 5)).isInstanceOf(CorruptionException.class);
    }
}
