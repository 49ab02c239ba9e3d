package io.ferrumdb.internal.log;

import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Read-only maps of an unsealed segment's bytes already handed to the OS ({@link Segment#readWritten}), in aligned
 * windows of {@link #WINDOW} bytes: a window is mapped once, when a read first needs it after it was written whole,
 * and kept until the segment is sealed; the last window, written in part, is mapped as far as it is written (the
 * tail), and mapped again once it has grown by {@link #TAIL_STEP} and a read needs what the tail does not cover.
 *
 * <p>Before, one map covered the segment from its start, and was made again once the segment had grown by an eighth
 * (at least 64 KiB): every new map faulted in the pages of the newest records again, and up to an eighth of the
 * segment (2.5 MiB at 20 MiB), where YCSB D's reads of the newest records concentrate, was read with positional
 * reads whenever the writer's kept chunks no longer held it. Now what no map covers is at most the last
 * {@link #TAIL_STEP} of written bytes, about what the writer's kept chunks hold under {@code never()}, and a new map
 * spans at most one window. Maps are released by the garbage collector only: a segment leaves behind at most one
 * tail per {@link #TAIL_STEP} of growth that reads asked for (each one kernel map entry and address space, not
 * memory: they share the page cache).
 *
 * <p>No map covers bytes past the written length, and written bytes are never rewritten or cut (only recovery cuts
 * a torn tail, before any read: {@link #truncated}), so every byte a map covers stays valid.
 */
final class WrittenWindows {
    /** Window size: a power of two; a record that straddles two windows is left to the caller's other reads. */
    static final int WINDOW = 1 << 20;
    /** Growth of the last window after which its tail is mapped again when a read needs it. */
    static final long TAIL_STEP = 64 << 10;

    /** The last window's map, of {@code [start, start + map.limit())}. */
    private record Tail(long start, ByteBuffer map) {
        long end() {
            return start + map.limit();
        }
    }

    private final StorageFile file;
    /** Whole windows' maps by window number (null: not mapped yet); replaced, never changed, when one is added. */
    private volatile ByteBuffer[] whole = new ByteBuffer[0];
    private volatile Tail tail;
    /**
     * Why a map failed (the address space or the process's map count exhausted), once one did; later reads do not map
     * again but use the writer's buffers and positional reads, which report a file that cannot be read.
     */
    private volatile IOException failure;

    WrittenWindows(StorageFile file) {
        this.file = file;
    }

    /**
     * Copies the {@code size} bytes at {@code offset} into {@code dst[at]} from a map; false, having read nothing,
     * when they are not all below {@code written}, straddle two windows, or lie in the part of the last window that
     * grew by less than {@link #TAIL_STEP} since it was mapped.
     */
    boolean read(long offset, byte[] dst, int at, int size, long written) {
        long window = offset / WINDOW;
        if (size <= 0 || offset + size > written || (offset + size - 1) / WINDOW != window) {
            return false;
        }
        ByteBuffer map = mapOf(window, offset + size, written);
        if (map == null) {
            return false;
        }
        map.get((int) (offset - window * WINDOW), dst, at, size);
        return true;
    }

    private ByteBuffer mapOf(long window, long end, long written) {
        ByteBuffer[] w = whole;
        if (window < w.length && w[(int) window] != null) {
            return w[(int) window];
        }
        Tail t = tail;
        long start = window * WINDOW;
        boolean tailOfThis = t != null && t.start == start;
        if (tailOfThis && end <= t.end()) {
            return t.map;
        }
        if (start + WINDOW > written && written - (tailOfThis ? t.end() : start) < TAIL_STEP || failure != null) {
            // Not worth a map yet (YCSB D's reads of the newest records ask here often): decided without the monitor.
            return null;
        }
        return map(window, end, written);
    }

    /** Maps window {@code window} whole if it is written whole, else its written part if that pays; or null. */
    private synchronized ByteBuffer map(long window, long end, long written) {
        if (failure != null) {
            return null;
        }
        long start = window * WINDOW;
        ByteBuffer[] w = whole;
        if (window < w.length && w[(int) window] != null) {
            return w[(int) window];
        }
        Tail t = tail;
        boolean tailOfThis = t != null && t.start == start;
        if (tailOfThis && end <= t.end()) {
            return t.map;
        }
        try {
            if (start + WINDOW <= written) {
                ByteBuffer map = file.map(start, WINDOW);
                w = Arrays.copyOf(w, (int) Math.max(w.length, window + 1));
                w[(int) window] = map;
                whole = w;
                if (tailOfThis) {
                    tail = null;
                }
                return map;
            }
            if (written - (tailOfThis ? t.end() : start) < TAIL_STEP) {
                return null;
            }
            ByteBuffer map = file.map(start, written - start);
            tail = new Tail(start, map);
            return map;
        } catch (IOException e) {
            failure = e;
            return null;
        }
    }

    /** Recovery cut the segment at {@code length}: drops every map (none is needed before recovery ends). */
    synchronized void truncated(long length) {
        whole = new ByteBuffer[0];
        tail = null;
    }

    /** The segment was sealed and is read through its own map: drops these. */
    synchronized void drop() {
        whole = new ByteBuffer[0];
        tail = null;
    }

    IOException failure() {
        return failure;
    }
}
