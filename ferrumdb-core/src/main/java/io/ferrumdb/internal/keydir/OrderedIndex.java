package io.ferrumdb.internal.keydir;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.LongPredicate;

/**
 * Keys in unsigned byte order without a node per key: sorted arrays of key references (8 bytes a key) in three
 * levels, like a tiny log-structured merge tree.
 * <ul>
 *   <li>{@code base}: every key known when it was last rebuilt, sorted;</li>
 *   <li>{@code mid}: keys added since, sorted, at most about a sixteenth of {@code base};</li>
 *   <li>{@code pending}: the newest additions, in arrival order (a writer only appends a reference).</li>
 * </ul>
 * A {@link #merge} (run by the log's flusher, off the write path) sorts {@code pending} into {@code mid} once
 * it holds a quarter of {@code mid}, and {@code mid} into {@code base} when it has grown to a sixteenth of it:
 * each reference is merged O(log n) times at most, a few comparisons per added key. Removals are not recorded: a reference whose key is no
 * longer in the hash table with that reference is skipped by scans and dropped by merges ({@code isLive}).
 *
 * <p>Invariant: every key in the hash table has its current reference in one of the levels. A scan snapshots
 * the two sorted levels and a sorted copy of {@code pending} together under {@link #lock}, so it sees every key
 * added before it started; it merges the three sources and checks each reference against the hash table, so it
 * is weakly consistent like the table itself.
 */
final class OrderedIndex {
    private static final long[] NONE = new long[0];
    /**
     * A merge into {@code mid} waits for at least this many pending keys, and for a quarter of {@code mid}: a
     * merge costs O(mid + pending) comparisons, so waiting for a batch proportional to {@code mid} keeps the
     * amortized cost a few comparisons per added key (merging every flusher cycle made puts 5x slower at 1M keys).
     */
    static final int PENDING_MERGE = 256;
    /** Scans merge first beyond this many pending keys, bounding the sort each scan does. */
    static final int PENDING_MAX = 1 << 12;
    /** {@code mid} is merged into {@code base} beyond this size and beyond a sixteenth of {@code base}. */
    static final int MID_MIN = 1 << 14;

    private record Levels(long[] base, long[] mid) {
    }

    private final KeyArena arena;
    private final LongPredicate isLive;
    private final Object lock = new Object();
    private final Object mergeLock = new Object();
    /** Guarded by {@link #lock}, replaced as a whole. */
    private Levels levels = new Levels(NONE, NONE);
    /** Guarded by {@link #lock}. */
    private long[] pending = new long[64];
    private int pendingCount;
    /** Removals since the levels were last filtered; merges filter once they reach an eighth of a level. */
    private long removedSinceFilter;

    OrderedIndex(KeyArena arena, LongPredicate isLive) {
        this.arena = arena;
        this.isLive = isLive;
    }

    /** Records a key newly added to the hash table. Called by the table's mutator. */
    void added(long ref) {
        synchronized (lock) {
            if (pendingCount == pending.length) {
                pending = Arrays.copyOf(pending, pending.length * 2);
            }
            pending[pendingCount++] = ref;
        }
    }

    /** Notes that a key left the hash table (its reference is dropped lazily). */
    void removed() {
        synchronized (lock) {
            removedSinceFilter++;
        }
    }

    int pendingCount() {
        synchronized (lock) {
            return pendingCount;
        }
    }

    /** Replaces every level by {@code sortedRefs} (the build at open); keys added meanwhile stay pending. */
    void install(long[] sortedRefs) {
        synchronized (mergeLock) {
            synchronized (lock) {
                levels = new Levels(sortedRefs, NONE);
                removedSinceFilter = 0;
            }
        }
    }

    /**
     * Sorts the pending keys into {@code mid}, and {@code mid} into {@code base} once it has grown to a sixteenth
     * of it. With {@code force}, merges even a few pending keys. One merge runs at a time; scans and writers
     * only wait for the two short critical sections that take the snapshot and publish the result.
     */
    void merge(boolean force) {
        synchronized (mergeLock) {
            Levels before;
            long[] batch;
            boolean filterBase;
            boolean filterMid;
            synchronized (lock) {
                if (pendingCount == 0 || (!force && pendingCount < Math.max(PENDING_MERGE, levels.mid.length / 4))) {
                    return;
                }
                before = levels;
                batch = Arrays.copyOf(pending, pendingCount);
                filterBase = removedSinceFilter > before.base.length / 8;
                filterMid = filterBase || removedSinceFilter > before.mid.length / 8;
            }
            sort(batch);
            long[] mid = mergeSorted(before.mid, batch, filterMid);
            long[] base = before.base;
            if (filterBase || mid.length > Math.max(MID_MIN, base.length / 16)) {
                base = mergeSorted(base, mid, filterBase);
                mid = NONE;
            }
            synchronized (lock) {
                levels = new Levels(base, mid);
                if (filterBase) {
                    removedSinceFilter = 0;
                }
                // After a mid-only filter the count stays: base still holds the removed references.
                int left = pendingCount - batch.length;
                System.arraycopy(pending, batch.length, pending, 0, left);
                pendingCount = left;
            }
        }
    }

    /** Merges two sorted reference arrays, dropping a repeated reference and, with {@code filter}, dead ones. */
    private long[] mergeSorted(long[] a, long[] b, boolean filter) {
        long[] out = new long[a.length + b.length];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < a.length || j < b.length) {
            long ref;
            if (j == b.length) {
                ref = a[i++];
            } else if (i == a.length) {
                ref = b[j++];
            } else {
                int c = arena.compare(a[i], b[j]);
                if (c == 0 && a[i] == b[j]) {
                    j++;
                    continue;
                }
                ref = c <= 0 ? a[i++] : b[j++];
            }
            if (!filter || isLive.test(ref)) {
                out[n++] = ref;
            }
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /** Sorts references by their keys (a merge sort: stable, n log n comparisons, one scratch array). */
    void sort(long[] refs) {
        if (refs.length < 2) {
            return;
        }
        long[] scratch = refs.clone();
        mergeSort(scratch, refs, 0, refs.length);
    }

    /** Sorts {@code src[from, to)} into {@code dst[from, to)}; both hold the same elements on entry. */
    private void mergeSort(long[] src, long[] dst, int from, int to) {
        int n = to - from;
        if (n < 16) {
            for (int i = from + 1; i < to; i++) {
                long x = dst[i];
                int j = i - 1;
                while (j >= from && arena.compare(dst[j], x) > 0) {
                    dst[j + 1] = dst[j];
                    j--;
                }
                dst[j + 1] = x;
            }
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSort(dst, src, from, mid);
        mergeSort(dst, src, mid, to);
        int i = from;
        int j = mid;
        for (int k = from; k < to; k++) {
            if (j >= to || (i < mid && arena.compare(src[i], src[j]) <= 0)) {
                dst[k] = src[i++];
            } else {
                dst[k] = src[j++];
            }
        }
    }

    /**
     * Live keys in {@code [from, to)} (null = unbounded) in ascending or descending order, each once. Sees every
     * key added before the call; weakly consistent for changes made during the iteration.
     */
    Iterator<Key> scan(byte[] from, byte[] to, boolean descending) {
        if (pendingCount() > PENDING_MAX) {
            merge(true);
        }
        Levels snapshot;
        long[] newest;
        synchronized (lock) {
            snapshot = levels;
            newest = Arrays.copyOf(pending, pendingCount);
        }
        sort(newest);
        return new Scan(new Source[] {
            new Source(snapshot.base, from, to, descending),
            new Source(snapshot.mid, from, to, descending),
            new Source(newest, from, to, descending)}, descending);
    }

    /** One sorted level restricted to the range, walked in the scan's direction. */
    private final class Source {
        final long[] refs;
        int next;
        final int end;
        final int step;

        Source(long[] refs, byte[] from, byte[] to, boolean descending) {
            this.refs = refs;
            int lo = from == null ? 0 : lowerBound(refs, from);
            int hi = to == null ? refs.length : lowerBound(refs, to);
            hi = Math.max(lo, hi);
            this.step = descending ? -1 : 1;
            this.next = descending ? hi - 1 : lo;
            this.end = descending ? lo - 1 : hi;
        }

        boolean hasNext() {
            return next != end;
        }

        long peek() {
            return refs[next];
        }

        void advance() {
            next += step;
        }
    }

    /** First index whose key is not below {@code key}. */
    private int lowerBound(long[] refs, byte[] key) {
        int lo = 0;
        int hi = refs.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (arena.compare(refs[mid], key) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private final class Scan implements Iterator<Key> {
        private final Source[] sources;
        private final int direction;
        private long lastRef = -1;
        private Key next;

        Scan(Source[] sources, boolean descending) {
            this.sources = sources;
            this.direction = descending ? -1 : 1;
        }

        @Override
        public boolean hasNext() {
            while (next == null) {
                Source best = null;
                for (Source s : sources) {
                    if (s.hasNext() && (best == null || direction * arena.compare(s.peek(), best.peek()) < 0)) {
                        best = s;
                    }
                }
                if (best == null) {
                    return false;
                }
                long ref = best.peek();
                best.advance();
                // A key removed and added again during the scan can have two live references; report it once.
                if (lastRef >= 0 && arena.compare(ref, lastRef) == 0) {
                    continue;
                }
                if (isLive.test(ref)) {
                    lastRef = ref;
                    next = new Key(arena.copy(ref));
                }
            }
            return true;
        }

        @Override
        public Key next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Key k = next;
            next = null;
            return k;
        }
    }
}
