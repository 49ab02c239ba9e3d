package io.ferrumdb.internal.log;

import java.util.Collection;

/**
 * An immutable table of segments by id for lock-free lookups ({@link SegmentSet#get}): open addressing on the id's
 * low bits, linear probing, at most half full. Segment ids are allocated in increasing order and a database's
 * live ids are mostly a contiguous run, so consecutive ids land in consecutive slots and a lookup is one index and
 * one compare. {@link SegmentSet} builds a new table for every change of its membership; readers use whichever
 * table they read last, which was complete when published (final fields).
 */
final class SegmentsById {
    static final SegmentsById EMPTY = new SegmentsById(new int[1], new Segment[1]);

    private final int[] ids;
    private final Segment[] segments;
    private final int mask;

    private SegmentsById(int[] ids, Segment[] segments) {
        this.ids = ids;
        this.segments = segments;
        this.mask = segments.length - 1;
    }

    /** A table of {@code all}, whose ids are distinct. */
    static SegmentsById of(Collection<Segment> all) {
        int n = all.size();
        if (n == 0) {
            return EMPTY;
        }
        // A power of two at least twice the count: probes stay short, and a free slot always ends a miss.
        int capacity = Integer.highestOneBit(n * 2 - 1) << 1;
        int[] ids = new int[capacity];
        Segment[] segments = new Segment[capacity];
        int mask = capacity - 1;
        for (Segment s : all) {
            int i = s.id() & mask;
            while (segments[i] != null) {
                if (ids[i] == s.id()) {
                    throw new IllegalArgumentException("segment id " + s.id() + " appears twice: " + segments[i]
                            + " and " + s);
                }
                i = (i + 1) & mask;
            }
            ids[i] = s.id();
            segments[i] = s;
        }
        return new SegmentsById(ids, segments);
    }

    /** The segment with {@code id}, or null. */
    Segment get(int id) {
        for (int i = id & mask; ; i = (i + 1) & mask) {
            Segment s = segments[i];
            if (s == null || ids[i] == id) {
                return s;
            }
        }
    }
}
