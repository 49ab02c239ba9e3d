package io.ferrumdb.internal.log;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;

/**
 * The log writer's chunk buffers once the flusher has written them: the chunks written most recently, kept so that a
 * read of a just-written record is a copy from memory rather than a positional read (workload D, "read what I just
 * wrote", would otherwise pay a system call for every read of a record the flusher has already handed to the OS),
 * and a few spare buffers for the next pending chunks. Not thread-safe: every method REQUIRES the writer's lock.
 *
 * <p>The kept chunks are bounded by {@link #KEPT_BYTES} of buffer capacity (the newest chunk is always kept); older
 * ones go back to the spare buffers. Records beyond what is kept are read from the file (memory map once sealed).
 */
final class Chunks {
    /** Size of a new chunk buffer. */
    static final int INITIAL_CHUNK = 64 << 10;
    /** Buffer capacity of the written chunks kept for reads. */
    static final int KEPT_BYTES = 1 << 20;
    /** Larger buffers (grown for a large batch or value) are dropped rather than reused. */
    private static final int MAX_RECYCLED = 8 << 20;
    private static final int MAX_SPARE = 4;

    /** A run of encoded records at {@code fileOffset} of {@code segment}; the first {@code length} bytes are used. */
    static final class Chunk {
        final Segment segment;
        final long fileOffset;
        byte[] buf;
        int length;
        int records;

        Chunk(Segment segment, long fileOffset, byte[] buf) {
            this.segment = segment;
            this.fileOffset = fileOffset;
            this.buf = buf;
        }

        boolean holds(Segment s, long offset, int size) {
            return segment == s && offset >= fileOffset && offset + size <= fileOffset + length;
        }
    }

    /** Written chunks, oldest first; their bytes are in the file too. */
    private final ArrayDeque<Chunk> kept = new ArrayDeque<>();
    private long keptBytes;
    private final ArrayDeque<byte[]> spare = new ArrayDeque<>();

    /** A buffer for a new pending chunk. */
    byte[] takeBuffer() {
        byte[] b = spare.poll();
        return b != null ? b : new byte[INITIAL_CHUNK];
    }

    /** Takes chunks the flusher has written (in file order): they stay readable until newer ones push them out. */
    void written(List<Chunk> batch) {
        for (Chunk c : batch) {
            if (c.length == 0) {
                recycle(c.buf);
                continue;
            }
            kept.addLast(c);
            keptBytes += c.buf.length;
        }
        while (kept.size() > 1 && keptBytes > KEPT_BYTES) {
            Chunk old = kept.removeFirst();
            keptBytes -= old.buf.length;
            recycle(old.buf);
        }
    }

    /** The newest kept chunk holding the whole record, or null. */
    Chunk find(Segment segment, long offset, int size) {
        for (Iterator<Chunk> it = kept.descendingIterator(); it.hasNext(); ) {
            Chunk c = it.next();
            if (c.holds(segment, offset, size)) {
                return c;
            }
        }
        return null;
    }

    private void recycle(byte[] buf) {
        if (buf.length <= MAX_RECYCLED && buf.length > 0 && spare.size() < MAX_SPARE) {
            spare.add(buf);
        }
    }
}
