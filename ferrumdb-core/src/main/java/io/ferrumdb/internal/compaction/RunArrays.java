package io.ferrumdb.internal.compaction;

import java.lang.ref.SoftReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The large arrays one compaction run fills, kept for the next run of the same database: its inputs' hint files
 * (read whole, {@link InputHints}) and {@link LiveRecords}' bitmaps, record starts, ranks and copies, tens of
 * megabytes at a few hundred thousand records. Allocated anew each run they landed on heap never touched before, and the page faults
 * of zeroing them were a quarter of a compaction's CPU (issue 23, session 27: the same build with its heap
 * pre-touched used 0.64-0.72x the CPU); session 11 kept the outputs' buffers for the same reason
 * ({@link io.ferrumdb.internal.concurrent.ArrayPool}).
 *
 * <p>Sizing, the policy: an array is reused when it is at least as long as a run needs and at most {@link #SLACK}
 * times longer; otherwise a new one of the needed length plus an eighth (room for a slightly larger next run) is
 * allocated and replaces it. The hint buffers kept are exactly those the last run read into, so a buffer no run
 * needed is dropped at the end of the next run. So after one huge compaction, the first run needing less than a
 * quarter of its arrays replaces them, and the memory they pinned is freed: at most {@code SLACK} times what the
 * last run used is kept. Between runs everything is held softly ({@link Keeper}): the collector frees it when the
 * heap runs short, and closing the database drops it.
 *
 * <p>Not thread-safe but for {@link #hintBuffer} (the parts read their inputs' hints on their own threads). A run
 * takes its arrays from the {@link Keeper} and gives them back once nothing reads them: two runs never share them.
 * A reused array holds what the last run left in it: the users track how much of each is valid, and the arrays
 * that must start zeroed are zeroed over what the run uses.
 */
final class RunArrays {
    /** A kept array serves a run that needs at least {@code 1 / SLACK} of its length. */
    static final int SLACK = 4;

    private long[] bits;
    private byte[] within;
    private int[] ranks;
    private long[] copies;
    /** The hint buffers the last run used, not yet taken by this one; and those this run took. */
    private final List<byte[]> keptHints = new ArrayList<>();
    private final List<byte[]> usedHints = new ArrayList<>();

    /** Whether an array of {@code length} serves a need of {@code needed}. */
    static boolean serves(int length, int needed) {
        return length >= needed && length / SLACK <= needed;
    }

    /** The length of a new array for a need of {@code needed}. */
    static int sized(int needed) {
        return (int) Math.min(Integer.MAX_VALUE - 8, needed + (long) needed / 8);
    }

    /** The inputs' bitmap words, zeroed over {@code [0, words)}. */
    long[] bits(int words) {
        return bits = zeroed(bits, words);
    }

    /** Where each grain's record starts in it ({@link LiveRecords}); read only where a bit is set, not zeroed. */
    byte[] within(int grains) {
        return within = within != null && serves(within.length, grains) ? within : new byte[sized(grains)];
    }

    /** Ranks per bitmap word; the caller writes all of {@code [0, words)}. */
    int[] ranks(int words) {
        return ranks = ints(ranks, words);
    }

    /**
     * The copies' words ({@link LiveRecords}: location word, size, expiry per copy), zeroed over {@code [0, words)}
     * (a location word of 0 is "not copied").
     */
    long[] copies(int words) {
        return copies = zeroed(copies, words);
    }

    /** {@code kept} if it {@link #serves} a need of {@code needed}, else a new array. */
    private static long[] longs(long[] kept, int needed) {
        return kept != null && serves(kept.length, needed) ? kept : new long[sized(needed)];
    }

    /** As {@link #longs}, zeroed over {@code [0, needed)}. */
    private static long[] zeroed(long[] kept, int needed) {
        long[] a = longs(kept, needed);
        if (a == kept) {
            Arrays.fill(a, 0, needed, 0L);
        }
        return a;
    }

    private static int[] ints(int[] kept, int needed) {
        return kept != null && serves(kept.length, needed) ? kept : new int[sized(needed)];
    }

    /**
     * An array of at least {@code size} bytes for one input's hint file, not handed out again in this run: the
     * smallest kept one that {@link #serves} it, or a new one.
     */
    synchronized byte[] hintBuffer(int size) {
        int best = -1;
        for (int i = 0; i < keptHints.size(); i++) {
            int length = keptHints.get(i).length;
            if (serves(length, size) && (best < 0 || length < keptHints.get(best).length)) {
                best = i;
            }
        }
        byte[] b = best >= 0 ? keptHints.remove(best) : new byte[sized(size)];
        usedHints.add(b);
        return b;
    }

    /** The run is over: the hint buffers it used are the ones kept for the next, the others are dropped. */
    synchronized void endRun() {
        keptHints.clear();
        keptHints.addAll(usedHints);
        usedHints.clear();
    }

    /** Hint buffers held: the last run's, or this run's so far (tests). */
    synchronized int hintBuffers() {
        return keptHints.size() + usedHints.size();
    }

    /** Bytes held (tests). */
    synchronized long bytes() {
        long total = 0;
        total += bits == null ? 0 : 8L * bits.length;
        total += within == null ? 0 : within.length;
        total += ranks == null ? 0 : 4L * ranks.length;
        total += copies == null ? 0 : 8L * copies.length;
        for (List<byte[]> hints : List.of(keptHints, usedHints)) {
            for (byte[] b : hints) {
                total += b.length;
            }
        }
        return total;
    }

    /**
     * Holds one database's {@link RunArrays} between its compactions, softly. {@link #take} hands them to one run
     * and holds nothing until {@link #give}: a run that overlapped another (compactions are serialized by the
     * maintenance lock, so none does) would allocate its own. Once closed it keeps nothing. Thread-safe.
     */
    static final class Keeper {
        private SoftReference<RunArrays> kept = new SoftReference<>(null);
        private boolean closed;

        synchronized RunArrays take() {
            RunArrays a = kept.get();
            kept = new SoftReference<>(null);
            return a != null ? a : new RunArrays();
        }

        /** Keeps {@code arrays}, which no run reads any more, for the next {@link #take} (unless closed). */
        synchronized void give(RunArrays arrays) {
            arrays.endRun();
            if (!closed) {
                kept = new SoftReference<>(arrays);
            }
        }

        /** Drops what is kept and keeps nothing from now on (the database is closing). */
        synchronized void close() {
            closed = true;
            kept = new SoftReference<>(null);
        }

        /** Whether arrays are kept now (tests). */
        synchronized boolean holds() {
            return kept.get() != null;
        }
    }
}
