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

    /**
     * Per window number, the map covering the most of it and where that map ends: a whole window's map, or the
     * latest map of its written part (the tail); {@code ends[i] == i * WINDOW} and a null map when there is none.
     * Replaced, never changed, when a map is added (at most once per {@link #TAIL_STEP} of growth). Never empty, so
     * that the read path needs no test of its length (see {@link #mapOf}).
     */
    private record Maps(ByteBuffer[] maps, long[] ends) {
        static final Maps NONE = new Maps(new ByteBuffer[1], new long[1]);

        /**
         * The index to look {@code window} up at: past the table, its last window, whose map ends before {@code
         * window} starts (so it covers nothing there), clamped without a branch (see {@link #mapOf}).
         */
        int slot(long window) {
            return (int) min(window, ends.length - 1);
        }

        /** These with {@code map} as window {@code window}'s, ending at {@code end}. */
        Maps with(int window, ByteBuffer map, long end) {
            int n = Math.max(ends.length, window + 1);
            ByteBuffer[] m = Arrays.copyOf(maps, n);
            long[] e = Arrays.copyOf(ends, n);
            for (int i = ends.length; i < n; i++) {
                e[i] = (long) i * WINDOW;
            }
            m[window] = map;
            e[window] = end;
            return new Maps(m, e);
        }
    }

    private final StorageFile file;
    private volatile Maps maps = Maps.NONE;
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
        long last = offset + size - 1;
        // One test, not three (see mapOf): no bytes, bytes not all written, or bytes in two windows (the window
        // numbers differ exactly when the offsets differ in a bit at or above the window's).
        if ((size - 1 | written - 1 - last | WINDOW - 1 - (offset ^ last)) < 0) {
            return false;
        }
        long window = offset / WINDOW;
        ByteBuffer map = mapOf(window, offset + size, written);
        if (map == null) {
            return false;
        }
        map.get((int) (offset - window * WINDOW), dst, at, size);
        return true;
    }

    /**
     * The read path's lookup. Its tests are written so that none has an outcome that first occurs only once a window
     * (1 MiB of writes) has passed: C2 compiles this path inlined into its callers within the first second, and
     * prunes an outcome it has not seen yet; when that outcome then occurs, the whole compiled caller is thrown away
     * (in YCSB D, the benchmark's own 73 KB {@code doTransaction}; docs/benchmarks.md, "Session 15: which branch of
     * WrittenWindows.mapOf deoptimizes, and the fix"). So one table holds whole windows and tails alike, read at an index clamped
     * without a branch, and whether a new map pays is one comparison with {@link #mapPaysFrom}.
     */
    private ByteBuffer mapOf(long window, long end, long written) {
        Maps m = maps;
        int i = m.slot(window);
        long mapped = m.ends[i];
        if (end <= mapped) {
            return m.maps[i];
        }
        if (written < mapPaysFrom(window * WINDOW, mapped) || failure != null) {
            // Not worth a map yet (YCSB D's reads of the newest records ask here often): decided without the monitor.
            return null;
        }
        return map(window, end, written);
    }

    /**
     * The written length from which a new map of the window at {@code start} pays when a read found that no map
     * covers it, the window's best map ending at {@code mapped} (at or before {@code start} when it has none): the
     * window's end (map it whole), or {@link #TAIL_STEP} past what is mapped of it, whichever comes first. Without a
     * branch, see {@link #mapOf}.
     */
    static long mapPaysFrom(long start, long mapped) {
        return min(start + WINDOW, max(start, mapped) + TAIL_STEP);
    }

    /** The larger of two non-negative offsets, without a branch (the difference's sign, shifted, as a mask). */
    private static long max(long a, long b) {
        long d = a - b;
        return a - (d & (d >> 63));
    }

    /** The smaller of two non-negative offsets, without a branch. */
    private static long min(long a, long b) {
        long d = a - b;
        return b + (d & (d >> 63));
    }

    /** Maps window {@code window} whole if it is written whole, else its written part if that pays; or null. */
    private synchronized ByteBuffer map(long window, long end, long written) {
        if (failure != null) {
            return null;
        }
        Maps m = maps;
        int i = m.slot(window);
        if (end <= m.ends[i]) {
            return m.maps[i];
        }
        long start = window * WINDOW;
        if (written < mapPaysFrom(start, m.ends[i])) {
            return null;
        }
        try {
            if (start + WINDOW <= written) {
                ByteBuffer map = file.map(start, WINDOW);
                maps = m.with((int) window, map, start + WINDOW);
                return map;
            }
            ByteBuffer map = file.map(start, written - start);
            maps = m.with((int) window, map, written);
            return map;
        } catch (IOException e) {
            failure = e;
            return null;
        }
    }

    /** Recovery cut the segment at {@code length}: drops every map (none is needed before recovery ends). */
    synchronized void truncated(long length) {
        maps = Maps.NONE;
    }

    /** The segment was sealed and is read through its own map: drops these. */
    synchronized void drop() {
        maps = Maps.NONE;
    }

    IOException failure() {
        return failure;
    }
}
