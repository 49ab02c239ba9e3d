package io.ferrumdb.internal.keydir;

import java.util.Arrays;
import java.util.function.LongPredicate;

/**
 * Keys in unsigned byte order without a node per key: sorted arrays of key references in three levels, like a
 * tiny log-structured merge tree. References are {@linkplain KeyArena#pack packed} into an {@code int}: 4 bytes a
 * key in {@code base}, and half the bytes a merge copies and a scan walks (they were 8, about an eighth of an
 * ordered directory's memory at 1M keys).
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
 * the two sorted levels and {@code pending} together under {@link #lock}, so it sees every key added before it
 * started. {@code pending} is not sorted per scan: scans share a sorted run of it ({@link #sortedPending}),
 * extended when more than {@link #UNSORTED_MAX} keys arrived since, so a scan sorts at most that many keys. It
 * merges up to four runs ({@link OrderedScan}) and probes the hash table once per reference (liveness and location
 * in one step), so it is weakly consistent like the table itself.
 */
final class OrderedIndex {
    private static final int[] NONE = new int[0];
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

    private record Levels(int[] base, int[] mid) {
    }

    private final KeyArena arena;
    private final LongPredicate isLive;
    /** The hash table's mutation lock, which {@link #loaded}, {@link #takeLoaded} and {@link #sortedForImage} require. */
    private final Object mutation;
    private final Object lock = new Object();
    private final Object mergeLock = new Object();
    /** Guarded by {@link #lock}, replaced as a whole. */
    private Levels levels = new Levels(NONE, NONE);
    /** Guarded by {@link #lock}. */
    private int[] pending = new int[64];
    private int pendingCount;
    /** Removals since the levels were last filtered; merges filter once they reach an eighth of a level. */
    private long removedSinceFilter;
    /** References of keys loaded at open, in the order the loader added them (see {@link #loaded}). */
    private int[] loadedRefs = NONE;
    private int loadedCount;
    private int expectedLoaded;

    OrderedIndex(KeyArena arena, LongPredicate isLive, Object mutation) {
        this.arena = arena;
        this.isLive = isLive;
        this.mutation = mutation;
    }

    /** Records {@code n} keys newly added to the hash table, {@code refs[0, n)}. Called by the table's mutator. */
    void added(long[] refs, int n) {
        synchronized (lock) {
            if (pendingCount + n > pending.length) {
                pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingCount + n));
            }
            for (int i = 0; i < n; i++) {
                pending[pendingCount++] = arena.pack(refs[i]);
            }
        }
    }

    /** Records a key newly added to the hash table. Called by the table's mutator. */
    void added(long ref) {
        synchronized (lock) {
            if (pendingCount == pending.length) {
                pending = Arrays.copyOf(pending, pending.length * 2);
            }
            pending[pendingCount++] = arena.pack(ref);
        }
    }

    /** Notes that a key left the hash table (its reference is dropped lazily). */
    void removed() {
        synchronized (lock) {
            removedSinceFilter++;
        }
    }

    /**
     * Heap bytes of the reference arrays scans read (levels, pending keys and their sorted copy), spare capacity
     * included: 4 bytes a reference. The loader's array, which lives only while an open loads, is not counted.
     */
    long heapBytes() {
        synchronized (lock) {
            return 4L * ((long) levels.base.length + levels.mid.length + pending.length + sortedPending.refs.length);
        }
    }

    int pendingCount() {
        synchronized (lock) {
            return pendingCount;
        }
    }

    /**
     * Notes a key the open's loader added to the hash table, for {@link #takeLoaded}. Only the loader calls it, under
     * the table's mutation lock, before the directory is published: one array append, no lock of this index.
     */
    void loaded(long ref) {
        assert Thread.holdsLock(mutation) : "noting a loaded key requires the mutation lock";
        if (loadedCount == loadedRefs.length) {
            loadedRefs = Arrays.copyOf(loadedRefs, Math.max(expectedLoaded, Math.max(1024, loadedCount * 2)));
        }
        loadedRefs[loadedCount++] = arena.pack(ref);
    }

    /** Sizes the array of {@link #loaded} references for {@code keys} keys at its first use (open knows the count). */
    void expectLoaded(int keys) {
        expectedLoaded = keys;
    }

    /** The references {@link #loaded} noted, to sort and {@link #install}, and how many of them are dead. */
    record Loaded(int[] refs, long dead) {
    }

    /**
     * Hands over the references noted by {@link #loaded} and forgets them. The table holds {@code live} keys; at
     * open each has one of these references, and the others are dead (keys deleted or expired at the end of the
     * loading). Keys put before the build (tests) are pending instead, so then the dead count is a lower bound,
     * which is all merges need (it only decides when they filter). Caller holds the table's mutation lock.
     */
    Loaded takeLoaded(int live) {
        assert Thread.holdsLock(mutation) : "taking the loaded keys requires the mutation lock";
        int[] refs = loadedCount == loadedRefs.length ? loadedRefs : Arrays.copyOf(loadedRefs, loadedCount);
        loadedRefs = NONE;
        loadedCount = 0;
        return new Loaded(refs, Math.max(0, refs.length - live));
    }

    /**
     * Replaces every level by {@code sortedRefs} (the build at open), {@code dead} of which are no longer in the
     * hash table (counted as removals, so that merges filter them out in time); keys added meanwhile stay
     * pending.
     */
    void install(int[] sortedRefs, long dead) {
        synchronized (mergeLock) {
            synchronized (lock) {
                levels = new Levels(sortedRefs, NONE);
                removedSinceFilter += dead;
            }
        }
    }

    /**
     * Every reference of the levels and of {@code pending}, in key order, and how many of them are dead: what a key
     * directory image keeps, so that the next open {@link #install}s them with no sort. Dead references (keys
     * removed since the levels were last filtered) are dropped when they are more than a sixteenth (each costs a
     * probe of the table), else kept and counted, as {@link #install} expects. The table holds {@code live} keys;
     * the caller holds its mutation lock (no key comes or goes meanwhile) and the build at open is done.
     */
    Loaded sortedForImage(int live) {
        assert Thread.holdsLock(mutation) : "an image's references require the mutation lock";
        synchronized (mergeLock) {
            Levels now;
            int[] newest;
            synchronized (lock) {
                now = levels;
                newest = Arrays.copyOf(pending, pendingCount);
            }
            sort(newest);
            long total = (long) now.base.length + now.mid.length + newest.length;
            boolean filter = total - live > total / 16;
            int[] refs = mergeSorted(mergeSorted(now.base, now.mid, filter), newest, filter);
            assert refs.length >= live : refs.length + " references for " + live + " keys";
            return new Loaded(refs, refs.length - live);
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
            int[] batch;
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
            if (!ascending(batch)) {
                sort(batch);
            }
            int[] mid = mergeSorted(before.mid, batch, filterMid);
            int[] base = before.base;
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
                generation++;
                sortedPending = new SortedPending(NONE, 0, generation);
            }
        }
    }

    /**
     * Whether {@code refs} is already in key order (keys added in order: sequence numbers, timestamps): a sort of
     * such a batch was a third of the merge's time. Stops at the first key out of order, so a batch of random keys
     * costs a comparison or two.
     */
    private boolean ascending(int[] refs) {
        for (int i = 1; i < refs.length; i++) {
            if (compare(refs[i - 1], refs[i]) > 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Picks from {@code a} in a row after which {@link #mergeSorted} gallops (Timsort's MIN_GALLOP): below it a
     * linear merge costs fewer comparisons than an exponential search.
     */
    private static final int MIN_GALLOP = 8;

    /**
     * Merges two sorted reference arrays, dropping a repeated reference and, with {@code filter}, dead ones. After
     * {@link #MIN_GALLOP} keys in a row from {@code a} (the larger level), the run of {@code a} below the next key
     * of {@code b} is found by an exponential search and copied whole: merging a batch that lies above (or in a
     * few clusters of) a level then costs O(|b| log |a|) key comparisons instead of one per key of the level (for
     * keys added in order, these comparisons were most of the ordered index's merging).
     */
    private int[] mergeSorted(int[] a, int[] b, boolean filter) {
        int[] out = new int[a.length + b.length];
        int i = 0;
        int j = 0;
        int n = 0;
        int fromA = 0;
        while (i < a.length && j < b.length) {
            if (fromA >= MIN_GALLOP) {
                int end = firstNotBelow(a, i, b[j]);
                n = copy(a, i, end, out, n, filter);
                i = end;
                fromA = 0;
                continue;
            }
            int ref;
            int c = compare(a[i], b[j]);
            if (c == 0 && a[i] == b[j]) {
                j++;
                continue;
            }
            if (c <= 0) {
                ref = a[i++];
                fromA++;
            } else {
                ref = b[j++];
                fromA = 0;
            }
            if (!filter || isLive(ref)) {
                out[n++] = ref;
            }
        }
        n = copy(a, i, a.length, out, n, filter);
        n = copy(b, j, b.length, out, n, filter);
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /**
     * The first index at or after {@code from} whose key is not below {@code ref}'s ({@code a.length} if none):
     * probes {@code from}, {@code from + 1}, {@code from + 3}, {@code from + 7}, ... then searches the last gap.
     */
    private int firstNotBelow(int[] a, int from, int ref) {
        int lo = from;
        int hi = from;
        int bound = 1;
        while (hi < a.length && compare(a[hi], ref) < 0) {
            lo = hi + 1;
            bound <<= 1;
            hi = from + bound - 1;
            if (hi < 0) { // overflow past Integer.MAX_VALUE: the end of the array bounds the search
                hi = a.length;
            }
        }
        hi = Math.min(hi, a.length);
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (compare(a[mid], ref) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Copies {@code src[from, to)} to {@code out[n...)}, with {@code filter} only live ones; the new {@code n}. */
    private int copy(int[] src, int from, int to, int[] out, int n, boolean filter) {
        if (!filter) {
            System.arraycopy(src, from, out, n, to - from);
            return n + to - from;
        }
        for (int k = from; k < to; k++) {
            if (isLive(src[k])) {
                out[n++] = src[k];
            }
        }
        return n;
    }

    /** Ranges this short are sorted by insertion. */
    private static final int INSERTION_SORT = 16;
    /** Beyond this many common key bytes the word sort hands a range to the comparison sort. */
    private static final int MAX_WORD_DEPTH = 256;

    /**
     * Sorts references by their keys, in place. A multikey quicksort on 8-byte words (Bentley and Sedgewick's
     * string sort, eight bytes at a time): keys are partitioned by the unsigned big-endian word at the current
     * depth, read once per key per depth into a parallel {@code long[]}, so almost every comparison is one
     * {@code long} compare instead of a {@link KeyArena#compare} that decodes two keys; only keys equal on a word
     * go one word deeper. Keys that end within an equal word (zero padding cannot tell "a" from "a\0") and very
     * long common prefixes fall back to {@link KeyArena#compare}. Not stable; nothing relies on the order of two
     * references to equal keys.
     */
    void sort(int[] refs) {
        if (refs.length < 2) {
            return;
        }
        long[] words = new long[refs.length];
        for (int i = 0; i < refs.length; i++) {
            words[i] = arena.word(arena.unpack(refs[i]), 0);
        }
        sortByWords(refs, words, 0, refs.length, 0);
    }

    /** Sorts {@code refs[from, to)}, whose keys share their first {@code depth} bytes; words at that depth. */
    private void sortByWords(int[] refs, long[] words, int from, int to, int depth) {
        while (to - from > 1) {
            if (to - from < INSERTION_SORT) {
                insertionSort(refs, words, from, to);
                return;
            }
            long pivot = medianOfThree(words[from], words[(from + to) >>> 1], words[to - 1]);
            int lt = from;
            int i = from;
            int gt = to;
            while (i < gt) {
                int c = Long.compareUnsigned(words[i], pivot);
                if (c < 0) {
                    swap(refs, words, lt++, i++);
                } else if (c > 0) {
                    swap(refs, words, i, --gt);
                } else {
                    i++;
                }
            }
            sortEqualWords(refs, words, lt, gt, depth);
            // Recurse into the smaller side, loop on the larger: the stack stays O(log n) deep.
            if (lt - from < to - gt) {
                sortByWords(refs, words, from, lt, depth);
                from = gt;
            } else {
                sortByWords(refs, words, gt, to, depth);
                to = lt;
            }
        }
    }

    /** Sorts {@code refs[from, to)}, whose keys are equal through {@code depth + 8} bytes (zero-padded). */
    private void sortEqualWords(int[] refs, long[] words, int from, int to, int depth) {
        if (to - from < 2) {
            return;
        }
        int next = depth + 8;
        boolean someKeyEnds = next >= MAX_WORD_DEPTH;
        for (int i = from; i < to && !someKeyEnds; i++) {
            someKeyEnds = arena.length(arena.unpack(refs[i])) <= next;
        }
        if (someKeyEnds) {
            int[] range = Arrays.copyOfRange(refs, from, to);
            mergeSort(range.clone(), range, 0, range.length);
            System.arraycopy(range, 0, refs, from, range.length);
            return;
        }
        for (int i = from; i < to; i++) {
            words[i] = arena.word(arena.unpack(refs[i]), next);
        }
        sortByWords(refs, words, from, to, next);
    }

    private void insertionSort(int[] refs, long[] words, int from, int to) {
        for (int i = from + 1; i < to; i++) {
            int ref = refs[i];
            long word = words[i];
            int j = i - 1;
            while (j >= from && compare(words[j], refs[j], word, ref) > 0) {
                refs[j + 1] = refs[j];
                words[j + 1] = words[j];
                j--;
            }
            refs[j + 1] = ref;
            words[j + 1] = word;
        }
    }

    /** Keys sharing the bytes before their words: the words decide, unless equal. */
    private int compare(long wordA, int refA, long wordB, int refB) {
        int c = Long.compareUnsigned(wordA, wordB);
        return c != 0 ? c : compare(refA, refB);
    }

    /** Unsigned comparison of the keys of two packed references. */
    private int compare(int refA, int refB) {
        return arena.compare(arena.unpack(refA), arena.unpack(refB));
    }

    private boolean isLive(int ref) {
        return isLive.test(arena.unpack(ref));
    }

    private static long medianOfThree(long a, long b, long c) {
        if (Long.compareUnsigned(a, b) > 0) {
            long t = a;
            a = b;
            b = t;
        }
        if (Long.compareUnsigned(b, c) > 0) {
            b = c;
            if (Long.compareUnsigned(a, b) > 0) {
                b = a;
            }
        }
        return b;
    }

    private static void swap(int[] refs, long[] words, int i, int j) {
        int r = refs[i];
        refs[i] = refs[j];
        refs[j] = r;
        long w = words[i];
        words[i] = words[j];
        words[j] = w;
    }

    /** Sorts {@code src[from, to)} into {@code dst[from, to)}; both hold the same elements on entry. */
    private void mergeSort(int[] src, int[] dst, int from, int to) {
        int n = to - from;
        if (n < 16) {
            for (int i = from + 1; i < to; i++) {
                int x = dst[i];
                int j = i - 1;
                while (j >= from && compare(dst[j], x) > 0) {
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
            if (j >= to || (i < mid && compare(src[i], src[j]) <= 0)) {
                dst[k] = src[i++];
            } else {
                dst[k] = src[j++];
            }
        }
    }

    /**
     * The pending keys sorted, as scans share them: {@code refs} holds {@code pending[0, covers)} in key order while
     * {@code generation} is current (a merge that takes keys out of {@code pending} starts a new generation).
     */
    private record SortedPending(int[] refs, int covers, long generation) {
    }

    /**
     * Beyond this many pending keys not yet in {@link #sortedPending}, a scan folds them in (one linear merge);
     * fewer are sorted by the scan itself and walked as a fourth run. Either way no scan sorts more than this many
     * keys or copies the sorted pending keys, so a scan starts in O(log n) plus a sort of at most this many keys,
     * however many keys are pending: YCSB E (95% scans, 5% inserts) spent 38% of its time sorting a copy of up to
     * {@link #PENDING_MAX} pending keys in every scan.
     */
    static final int UNSORTED_MAX = 64;

    /** Guarded by {@link #lock}; replaced as a whole. */
    private SortedPending sortedPending = new SortedPending(NONE, 0, 0);
    /** Guarded by {@link #lock}: changes whenever keys leave {@code pending}. */
    private long generation;

    /**
     * Live keys in {@code [from, to)} (null = unbounded) in ascending or descending order, each once, with their
     * locations ({@code probe}). Sees every key added before the call; weakly consistent for changes made during
     * the walk.
     */
    OrderedScan scan(byte[] from, byte[] to, boolean descending, OrderedScan.Probe probe) {
        if (pendingCount() > PENDING_MAX) {
            merge(true);
        }
        Levels snapshot;
        SortedPending sorted;
        int[] newest;
        synchronized (lock) {
            snapshot = levels;
            sorted = sortedPending.generation == generation ? sortedPending : new SortedPending(NONE, 0, generation);
            newest = Arrays.copyOfRange(pending, sorted.covers, pendingCount);
        }
        sort(newest);
        if (newest.length > UNSORTED_MAX) {
            sorted = new SortedPending(mergeSorted(sorted.refs, newest, false), sorted.covers + newest.length,
                    sorted.generation);
            newest = NONE;
            synchronized (lock) {
                if (sorted.generation == generation && sorted.covers > sortedPending.covers) {
                    sortedPending = sorted;
                }
            }
        }
        return new OrderedScan(arena, probe, new int[][] {snapshot.base, snapshot.mid, sorted.refs, newest},
                from, to, descending);
    }
}
