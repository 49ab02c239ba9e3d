package io.ferrumdb.internal.compaction;

import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.keydir.CompactionView;
import io.ferrumdb.internal.log.Segment;
import io.ferrumdb.internal.log.SegmentSet;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * Which records of a compaction's inputs the key directory names (the live ones), decided from one walk of its slot
 * table before the copy ({@link CompactionView#liveLocations}), and where the copy put each of them, for the switch
 * walk after the publish ({@link CompactionView#switchCopies}): no probe of the key directory per record.
 *
 * <p>Per input, a bitmap with one bit per {@link #GRAIN} bytes of the file, set at {@code offset / GRAIN} for each
 * record a slot names: two records never start closer than a header apart, so each record has a bit of its own.
 * The copies are numbered by rank: the live records of the inputs before a record, in input order then file
 * order, found from a count per bitmap word. Copies are kept in primitive arrays indexed by that number (no object
 * per record: a profile of a 300,000-key compaction once showed per-record objects promoted by young collections,
 * 0.1-0.3 s of pauses).
 *
 * <p>A bit names a grain, not the byte its record starts at. For the inputs copied by bitmap ({@link
 * CompactionPart#copiesByBitmap}: no hint read, the bitmap alone says which records to copy) the walk also keeps,
 * per grain, where in it the record starts ({@link #within}), so that {@link #nextLive} gives exact offsets.
 *
 * <p>Threads: {@link #of} runs on the caller before the parts start; the parts then read the bitmaps and each
 * writes the copies of its own records ({@link #copied}: disjoint numbers, as the parts' shares are disjoint); the
 * caller reads them after the parts ended ({@link #apply}).
 */
final class LiveRecords implements CompactionView.Copies {
    /** Bytes a bitmap bit covers: the smallest record, a header. */
    static final int GRAIN = RecordFormat.HEADER_SIZE;
    /** Words {@link #copies} holds per copy: location word, size, expiry. */
    static final int COPY_WORDS = 3;
    /** Live records one run can copy: their {@link #copies} words fill one array at most. */
    static final int MAX_LIVE = (Integer.MAX_VALUE - 8) / COPY_WORDS;

    /** The inputs' ids in ascending order. */
    private final int[] ids;
    /**
     * The inputs' bitmaps, one after the other in the order of {@link #ids}: input {@code i}'s words are
     * {@code bits[firstWord[i], firstWord[i + 1])}. The arrays are the run's {@link RunArrays}, maybe longer than
     * what this run uses.
     */
    private final int[] firstWord;
    private final long[] bits;
    /**
     * Per grain of every input (indexed {@code 64 * word + bit}, words as {@link #bits}): where in its grain the
     * record of a set bit starts, {@code offset - grain * GRAIN}; null when no input is copied by bitmap. Read only
     * where a bit is set (a reused array holds the last run's bytes elsewhere).
     */
    private final byte[] within;
    /** Per input (index as {@link #ids}): whether it is copied by bitmap (then {@link #within} holds its starts). */
    private final boolean[] byBitmap;
    /** Per bitmap word (indexed as {@link #bits}): the copy number of its first live record (live records before it). */
    private final int[] ranks;
    /**
     * Per copy number {@code c}, {@link #COPY_WORDS} words from {@code COPY_WORDS * c}: the copy's location word (0
     * while none: kept as it is, or not copied), its size and its expiry. Side by side because the switch walk reads
     * them at random (in slot order, not copy order): one cache line a copy instead of one per array, each a miss
     * (the expiry's array alone was 7.5% of a profile's samples, issue 23, session 29).
     */
    private final long[] copies;
    /** Bytes of the switched records, per input (index as {@link #ids}), and of their copies per output. */
    private final long[] released;
    private final PerSegment added = new PerSegment();

    private LiveRecords(int[] ids, int[] firstWord, long[] bits, byte[] within, boolean[] byBitmap,
                        RunArrays arrays) {
        this.ids = ids;
        this.firstWord = firstWord;
        this.bits = bits;
        this.within = within;
        this.byBitmap = byBitmap;
        int words = firstWord[ids.length];
        this.ranks = arrays.ranks(words);
        long live = 0;
        for (int w = 0; w < words; w++) {
            ranks[w] = (int) live;
            live += Long.bitCount(bits[w]);
        }
        if (live > MAX_LIVE) {
            throw new IllegalStateException("compaction limit: more than " + MAX_LIVE + " live records in one run");
        }
        this.copies = arrays.copies(COPY_WORDS * (int) live);
        this.released = new long[ids.length];
    }

    /** As {@link #of(CompactionView, List, Predicate, RunArrays)} with arrays of its own, no input by bitmap (tests). */
    static LiveRecords of(CompactionView view, List<Segment> inputs) {
        return of(view, inputs, in -> false, new RunArrays());
    }

    /**
     * Walks the key directory's table for the live records of {@code inputs} (sealed segments), into arrays taken
     * from {@code arrays}, which the run holds until it has {@link #apply applied} the copies; {@code byBitmap}
     * names the inputs to be copied by bitmap ({@link #nextLive}). When the inputs have too many grains for one
     * array of starts (over 60 GB at once), none is.
     */
    static LiveRecords of(CompactionView view, List<Segment> inputs, Predicate<Segment> byBitmap, RunArrays arrays) {
        Segment[] sorted = inputs.toArray(new Segment[0]);
        Arrays.sort(sorted, (a, b) -> Integer.compare(a.id(), b.id()));
        int[] ids = new int[sorted.length];
        int[] firstWord = new int[sorted.length + 1];
        long words = 0;
        for (int i = 0; i < sorted.length; i++) {
            ids[i] = sorted[i].id();
            firstWord[i] = (int) words;
            long grains = sorted[i].writtenLength() / GRAIN + 1;
            words += (grains + 63) >>> 6;
            if (words > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("compaction limit: inputs of more than " + (Integer.MAX_VALUE - 8)
                        + " bitmap words (" + 64L * GRAIN + " bytes each) in one run");
            }
        }
        firstWord[sorted.length] = (int) words;
        long[] bits = arrays.bits((int) words);
        boolean[] exact = new boolean[sorted.length];
        boolean any = false;
        for (int i = 0; i < sorted.length && words <= (Integer.MAX_VALUE - 8) >>> 6; i++) {
            exact[i] = byBitmap.test(sorted[i]);
            any |= exact[i];
        }
        byte[] within = any ? arrays.within((int) words << 6) : null;
        view.liveLocations(ids[0], ids[ids.length - 1], location -> {
            int i = Arrays.binarySearch(ids, CompactionView.segmentOf(location));
            if (i < 0) {
                return; // a segment between two inputs' ids, not compacted
            }
            long grain = CompactionView.offsetOf(location) / GRAIN;
            if (grain >= (long) (firstWord[i + 1] - firstWord[i]) << 6) {
                throw new IllegalStateException("the key directory names offset " + CompactionView.offsetOf(location)
                        + " of segment " + ids[i] + ", beyond its " + sorted[i].writtenLength() + " bytes");
            }
            int w = firstWord[i] + (int) (grain >>> 6);
            if (within != null) {
                byte start = (byte) (CompactionView.offsetOf(location) - grain * GRAIN);
                int at = w << 6 | (int) (grain & 63);
                // Two records never start closer than a header apart: a grain holds one start.
                if ((bits[w] & 1L << grain) != 0 && within[at] != start) {
                    throw new IllegalStateException("the key directory names two records less than " + GRAIN
                            + " bytes apart near offset " + CompactionView.offsetOf(location) + " of segment "
                            + ids[i]);
                }
                within[at] = start;
            }
            bits[w] |= 1L << grain;
        });
        return new LiveRecords(ids, firstWord, bits, within, exact, arrays);
    }

    /** The index of input {@code segmentId} for {@link #isLive} and {@link #copied}; the caller knows it is one. */
    int input(int segmentId) {
        int i = Arrays.binarySearch(ids, segmentId);
        assert i >= 0 : "segment " + segmentId + " is not an input";
        return i;
    }

    /** Whether input {@code input} is copied by bitmap: {@link #nextLive} answers for it. */
    boolean byBitmap(int input) {
        return byBitmap[input];
    }

    /**
     * The offset of the first record of input {@code input} (copied by bitmap) in {@code [from, to)} that a key
     * named when the walk read its slot, or -1 when none: the live records in file order, from the set bits.
     */
    long nextLive(int input, long from, long to) {
        assert byBitmap[input] : "input " + ids[input] + " is not copied by bitmap";
        long grain = from / GRAIN;
        int end = firstWord[input + 1];
        int w = firstWord[input] + (int) Math.min(grain >>> 6, end - firstWord[input]);
        long word = w < end ? bits[w] & -1L << grain : 0;
        while (true) {
            while (word == 0) {
                if (++w >= end) {
                    return -1;
                }
                word = bits[w];
            }
            int bit = Long.numberOfTrailingZeros(word);
            long offset = ((long) (w - firstWord[input]) << 6 | bit) * GRAIN + within[w << 6 | bit];
            if (offset >= to) {
                return -1;
            }
            if (offset >= from) {
                return offset;
            }
            word &= word - 1;
        }
    }

    /** Whether a key named the record at {@code offset} of input {@code input} when the walk read its slot. */
    boolean isLive(int input, long offset) {
        long grain = offset / GRAIN;
        return (bits[firstWord[input] + (int) (grain >>> 6)] & 1L << grain) != 0;
    }

    /**
     * The live record at {@code offset} of input {@code input} was copied to {@code toLocation} ({@link
     * CompactionView#locationWord}, not 0), {@code toSize} bytes with its expiry: keys naming it switch to it.
     */
    void copied(int input, long offset, long toLocation, int toSize, long toExpiresAt) {
        assert isLive(input, offset) && toLocation != 0 : "a copy of a record not live, or at no location";
        int w = COPY_WORDS * number(input, offset);
        copies[w] = toLocation;
        copies[w + 1] = toSize;
        copies[w + 2] = toExpiresAt;
    }

    /** The copy number of the live record at {@code offset} of input {@code input}. */
    private int number(int input, long offset) {
        long grain = offset / GRAIN;
        int w = firstWord[input] + (int) (grain >>> 6);
        return ranks[w] + Long.bitCount(bits[w] & ((1L << grain) - 1));
    }

    /**
     * Switches each key that still names a copied record to its copy ({@link CompactionView#switchCopies}) and
     * moves the live bytes of the switched records, summed per segment. Returns how many keys were switched.
     */
    int apply(CompactionView view, SegmentSet segments) {
        int count = view.switchCopies(ids[0], ids[ids.length - 1], this);
        segments.moveLive(ids, released, added.ids(), added.sums());
        return count;
    }

    @Override
    public int copyOf(long fromLocation) {
        int i = Arrays.binarySearch(ids, CompactionView.segmentOf(fromLocation));
        long offset = CompactionView.offsetOf(fromLocation);
        if (i < 0 || offset / GRAIN >= (long) (firstWord[i + 1] - firstWord[i]) << 6 || !isLive(i, offset)) {
            // A record the walk did not find live is named by no key now either (no write points a key back).
            return -1;
        }
        int copy = number(i, offset);
        return copies[COPY_WORDS * copy] == 0 ? -1 : copy;
    }

    @Override
    public long location(int copy) {
        return copies[COPY_WORDS * copy];
    }

    @Override
    public int size(int copy) {
        return (int) copies[COPY_WORDS * copy + 1];
    }

    @Override
    public long expiresAt(int copy) {
        return copies[COPY_WORDS * copy + 2];
    }

    @Override
    public void switched(long fromLocation, int fromSize, int copy) {
        // The sizes differ when the copy was sealed under another cipher than the original.
        released[Arrays.binarySearch(ids, CompactionView.segmentOf(fromLocation))] += fromSize;
        added.add(CompactionView.segmentOf(location(copy)), size(copy));
    }

    /** Bytes summed per segment id; a compaction writes a few outputs, so a short list searched from its end. */
    private static final class PerSegment {
        private int[] ids = new int[4];
        private long[] sums = new long[4];
        private int n;
        /** The index {@link #add} found last: consecutive switches often go to one output. */
        private int last;

        void add(int id, long bytes) {
            if (n > 0 && ids[last] == id) {
                sums[last] += bytes;
                return;
            }
            for (int i = n - 1; i >= 0; i--) {
                if (ids[i] == id) {
                    sums[i] += bytes;
                    last = i;
                    return;
                }
            }
            if (n == ids.length) {
                ids = Arrays.copyOf(ids, 2 * n);
                sums = Arrays.copyOf(sums, 2 * n);
            }
            ids[n] = id;
            sums[n] = bytes;
            last = n++;
        }

        int[] ids() {
            return Arrays.copyOf(ids, n);
        }

        long[] sums() {
            return Arrays.copyOf(sums, n);
        }
    }
}
