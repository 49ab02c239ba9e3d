package io.ferrumdb.internal.keydir;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A walk over the live keys of a key range in key order, as {@link KeyDir#orderedScan} starts it: sorted runs of
 * packed key references ({@link KeyArena#pack}; the ordered index's levels, restricted to the range by binary
 * search) merged in the scan's
 * direction. Each reference costs one probe of the hash table, which checks that the key is live and reads its
 * location in one step, so callers get the location with the key and need no lookup of their own.
 *
 * <p>Not thread-safe; weakly consistent like the key directory. No iterator protocol and no boxing: call
 * {@link #next} until it returns false, reading {@link #key} and {@link #location} after each true.
 */
public final class OrderedScan {
    /** The key directory's probe for a reference: its location if the reference is a live key's, else null. */
    interface Probe {
        Location locationOf(long ref);

        /**
         * Reads the memory {@link #locationOf} will read first for {@code ref} (its home slot), returning what it
         * read so that the read is kept. Called for a batch of references ahead of their probes: each probe of a
         * large table misses the CPU caches, and misses in one short loop overlap where one per key do not.
         */
        default long touch(long ref) {
            return 0;
        }
    }

    /**
     * References touched ahead of their probes per batch: enough misses in flight to overlap (measured: a prefix
     * scan of 100,000 keys cost about 3.5 times per key what one of 10,000 did), few enough that their slots stay
     * cached until probed.
     */
    private static final int TOUCH_AHEAD = 32;

    private final KeyArena arena;
    private final Probe probe;
    private final int[][] runs;
    /** Per run: the next index to take and the index where the run's part of the range ends. */
    private final int[] next;
    private final int[] end;
    /** Per run: where touching ahead stopped (the next index to touch). */
    private final int[] touchedTo;
    /** The sum of what {@link Probe#touch} read, kept only so that the compiler keeps the reads. */
    private long touched;
    private final int step;
    private final int direction;
    /** The run {@link #pick} chose last and the run with the smallest head among the others, or -1. */
    private int leading = -1;
    private int second = -1;
    private long lastRef = -1;
    private int lastRun = -1;
    private Key key;
    private Location location;

    OrderedScan(KeyArena arena, Probe probe, int[][] runs, byte[] from, byte[] to, boolean descending) {
        this.arena = arena;
        this.probe = probe;
        this.step = descending ? -1 : 1;
        this.direction = step;
        // Empty parts are dropped here, so that the merge of a short scan usually compares nothing.
        int[][] kept = new int[runs.length][];
        int[] nexts = new int[runs.length];
        int[] ends = new int[runs.length];
        int n = 0;
        for (int[] refs : runs) {
            int lo = from == null ? 0 : lowerBound(arena, refs, from);
            int hi = to == null ? refs.length : lowerBound(arena, refs, to);
            if (hi <= lo) {
                continue;
            }
            kept[n] = refs;
            nexts[n] = descending ? hi - 1 : lo;
            ends[n] = descending ? lo - 1 : hi;
            n++;
        }
        this.runs = Arrays.copyOf(kept, n);
        this.next = Arrays.copyOf(nexts, n);
        this.end = Arrays.copyOf(ends, n);
        this.touchedTo = this.next.clone();
    }

    /** First index whose key is not below {@code key}. */
    static int lowerBound(KeyArena arena, int[] refs, byte[] key) {
        int lo = 0;
        int hi = refs.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (arena.compare(arena.unpack(refs[mid]), key) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Moves to the next live key; false when the range is exhausted. */
    public boolean next() {
        while (true) {
            int best = pick();
            if (best < 0) {
                key = null;
                location = null;
                return false;
            }
            if (next[best] == touchedTo[best]) {
                touchAhead(best);
            }
            long ref = arena.unpack(runs[best][next[best]]);
            next[best] += step;
            // Report a key once even if two runs hold it (a key removed and added again has a second reference in
            // a newer run). Keys are compared only when the run changes: within one run equal keys are adjacent
            // references, of which at most one can be live during the scan (the older died before the newer was
            // added, and a reference never becomes live again), so a same-run repeat is only the same reference.
            if (lastRef >= 0 && (ref == lastRef || (best != lastRun && arena.compare(ref, lastRef) == 0))) {
                continue;
            }
            Location loc = probe.locationOf(ref);
            if (loc != null) {
                lastRef = ref;
                lastRun = best;
                key = new Key(arena.copy(ref));
                location = loc;
                return true;
            }
        }
    }

    /** Touches the next {@link #TOUCH_AHEAD} references of {@code run} (fewer at its end). */
    private void touchAhead(int run) {
        int[] refs = runs[run];
        int i = next[run];
        int stop = step > 0 ? Math.min(end[run], i + TOUCH_AHEAD) : Math.max(end[run], i - TOUCH_AHEAD);
        long sum = 0;
        for (; i != stop; i += step) {
            sum += probe.touch(arena.unpack(refs[i]));
        }
        touched += sum;
        touchedTo[run] = stop;
    }

    /**
     * The run whose next reference comes first in the scan's direction, or -1 when all are exhausted. Only the
     * leading run advances between calls, so the others' smallest head ({@link #second}) stays valid: while the
     * leading run's new head still comes before it, one comparison per key suffices (a short scan in a large
     * {@code base} with a few pending keys around); otherwise every head is compared again. On equal keys the
     * lower run wins, as the full comparison breaks ties.
     */
    private int pick() {
        if (leading >= 0 && next[leading] != end[leading] && (second < 0 || before(leading, second))) {
            return leading;
        }
        leading = -1;
        second = -1;
        for (int r = 0; r < runs.length; r++) {
            if (next[r] == end[r]) {
                continue;
            }
            if (leading < 0 || before(r, leading)) {
                second = leading;
                leading = r;
            } else if (second < 0 || before(r, second)) {
                second = r;
            }
        }
        return leading;
    }

    /** True when run {@code a}'s next key comes strictly before run {@code b}'s in the scan's direction. */
    private boolean before(int a, int b) {
        return direction * arena.compare(arena.unpack(runs[a][next[a]]), arena.unpack(runs[b][next[b]])) < 0;
    }

    /** The current key (its bytes are a private copy). Valid after {@link #next} returned true. */
    public Key key() {
        return key;
    }

    /** Where the current key's record was when {@link #next} found it live. */
    public Location location() {
        return location;
    }

    /** The rest of the walk's keys as an iterator (for callers that do not need locations). */
    public Iterator<Key> keys() {
        return new Iterator<>() {
            private boolean ready;
            private boolean more;

            @Override
            public boolean hasNext() {
                if (!ready) {
                    more = OrderedScan.this.next();
                    ready = true;
                }
                return more;
            }

            @Override
            public Key next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                ready = false;
                return key;
            }
        };
    }
}
