package io.ferrumdb.internal.log;

import io.ferrumdb.CorruptionException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A compaction part's reads of its inputs, in file order, through one direct buffer filled by positional reads of
 * {@link #SIZE} bytes, instead of through the inputs' memory maps. A map's first read of each page costs a page
 * fault, and on this project's VMs reading a freshly mapped 64 MiB segment and copying it out took 28-41 ms where
 * positional reads of 1 MiB into a direct buffer took 3.6 ms (issue 23, session 29): a compaction reads every input
 * byte once, so the map's only advantage, pages already mapped for GETs, rarely pays. Dead records between live ones
 * are read with them (sequential reads at the disk's or the page cache's speed), never looked at.
 *
 * <p>Not thread-safe: one part reads through one window. The compactor keeps the buffers from run to run (an
 * {@link io.ferrumdb.internal.concurrent.ArrayPool}), so a run touches no new memory for them after the first.
 */
public final class InputWindow {
    /** Bytes one positional read fills (and the buffer's capacity). */
    public static final int SIZE = 1 << 20;

    private final ByteBuffer buffer;
    /** The input whose bytes {@code [from, from + length)} the buffer holds, or null. */
    private Segment in;
    private long from;
    private int length;

    /** A window over {@code buffer} (direct, as the pool makes them: NIO then reads straight into it). */
    public InputWindow(ByteBuffer buffer) {
        this.buffer = buffer;
    }

    /** A new direct buffer for a window (the pool's allocator). */
    public static ByteBuffer newBuffer() {
        return ByteBuffer.allocateDirect(SIZE);
    }

    /** The buffer, to give back to the pool once the part no longer reads through this window. */
    public ByteBuffer buffer() {
        return buffer;
    }

    /**
     * Makes the window hold the {@code size} bytes at {@code offset} of {@code in} (a sealed segment), with a
     * positional read from {@code offset} on when it does not, and returns their index in {@link #buffer()}.
     *
     * @throws CorruptionException if the range runs past the segment's written length or its file ends before it
     * @throws IllegalArgumentException if {@code size} exceeds the window
     */
    public int at(Segment in, long offset, int size) throws IOException {
        if (!holds(in, offset, size)) {
            if (size > buffer.capacity()) {
                throw new IllegalArgumentException(size + " bytes do not fit a window of " + buffer.capacity());
            }
            long end = checkRange(in, offset, size);
            this.in = null; // until the read succeeds
            buffer.clear().limit((int) Math.min(buffer.capacity(), end - offset));
            fill(in, offset, buffer);
            this.in = in;
            this.from = offset;
            this.length = buffer.limit();
        }
        return (int) (offset - from);
    }

    /**
     * Copies the {@code size} bytes at {@code offset} of {@code in} (a sealed segment) into {@code dst[at]}: from the
     * window when it holds them, else as {@link #at} reads them, except a range longer than the window or lying before
     * it (a run of records the caller took before the window moved on), which is read straight into {@code dst} and
     * leaves the window as it is.
     *
     * @throws CorruptionException if the range runs past the segment's written length or its file ends before it
     */
    public void readInto(Segment in, long offset, byte[] dst, int at, int size) throws IOException {
        if (!holds(in, offset, size) && (size > buffer.capacity() || in == this.in && offset < from)) {
            checkRange(in, offset, size);
            fill(in, offset, ByteBuffer.wrap(dst, at, size));
            return;
        }
        buffer.get(at(in, offset, size), dst, at, size);
    }

    private boolean holds(Segment in, long offset, int size) {
        return in == this.in && offset >= from && offset + size <= from + length;
    }

    /** The segment's written length, which the range must lie within. */
    private static long checkRange(Segment in, long offset, int size) throws CorruptionException {
        long end = in.writtenLength();
        if (offset < 0 || size < 0 || offset + size > end) {
            throw new CorruptionException(in.path(), offset, size + " bytes asked past the segment's written"
                    + " length (" + end + " bytes)");
        }
        return end;
    }

    /** Reads {@code into}'s remaining bytes from {@code offset} of {@code in}, all of them. */
    private static void fill(Segment in, long offset, ByteBuffer into) throws IOException {
        int want = into.remaining();
        int got = in.file().read(offset, into);
        if (got != want) {
            throw new CorruptionException(in.path(), offset + got, "file ends " + (want - got) + " bytes before the"
                    + " segment's written length");
        }
    }
}
