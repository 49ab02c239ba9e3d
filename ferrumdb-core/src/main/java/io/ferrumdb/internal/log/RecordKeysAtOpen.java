package io.ferrumdb.internal.log;

import io.ferrumdb.FerrumException;
import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.keydir.RecordKeys;
import java.io.IOException;
import java.util.Arrays;

/**
 * The records a hash-only key directory compares keys with while open loads it: a loaded entry whose slot header
 * matches one already in the table (another record of the same key, or, once in 2^62, another key) is compared with
 * the record that slot names, in a sealed, memory-mapped segment ({@link RecordKeyReader}).
 *
 * <p>One answer differs from the reader's. A record that fails its check and does not carry the key looked for is
 * {@link #DAMAGED}; a lookup or a put then takes it for the key's own (its hash bits matched), so that a damaged
 * entry is replaced or reported rather than hidden. While loading that guess could lose a key that merely shares
 * the header, or let an older record of the damaged key win over it. Loading came from a hint: the hint entry of the
 * damaged record (checked whole, with its checksum) still says whose record it is. So a {@code DAMAGED} answer is
 * settled by the key of that entry, read from the segment's hint file again: loading stays exact, as it was with
 * keys in memory, and a damaged record is reported when it is read. Records loaded by scanning were checked as they
 * were read, so they never answer {@code DAMAGED}; without a hint entry the reader's answer stands.
 *
 * <p>Used by the opening thread only.
 */
public final class RecordKeysAtOpen implements RecordKeys {
    private final RecordKeyReader records;
    private final SegmentSet segments;
    /**
     * The sealed segments compared with so far, by id: {@link SegmentSet#get} is a skip-list lookup, which was
     * half of an open's time where keys were overwritten (two compares a key). Nothing retires a segment during
     * open, and a slot names only a loaded segment, so an entry never goes stale while this is used.
     */
    private Segment[] byId = new Segment[64];
    /** The hint last read for a damaged record, and its segment id (damaged records are rare: one at a time). */
    private HintFile.Cursor hint;
    private int hintSegment = -1;

    public RecordKeysAtOpen(SegmentSet segments) {
        this.records = new RecordKeyReader(segments, null);
        this.segments = segments;
    }

    /** Segment {@code id}, sealed, or null (then the reader looks it up itself). */
    private Segment sealed(int id) {
        if (id < byId.length && byId[id] != null) {
            return byId[id];
        }
        Segment seg = segments.get(id);
        if (seg == null || !seg.isSealed() || !seg.cipher().isPlaintext()) {
            return null;
        }
        if (id >= byId.length) {
            byId = Arrays.copyOf(byId, Math.max(id + 1, byId.length * 2));
        }
        byId[id] = seg;
        return seg;
    }

    @Override
    public int compare(int segmentId, long offset, int recordSize, byte[] key, int from, int len) {
        Segment seg = sealed(segmentId);
        if (seg != null && seg.carriesKey(offset, recordSize, key, from, len)) {
            // The usual answer (another record of the same key), read in place; the reader tells the rest apart.
            return MATCH;
        }
        int c = records.compare(segmentId, offset, recordSize, key, from, len);
        if (c != DAMAGED) {
            return c;
        }
        byte[] hinted = hintedKey(segmentId, offset);
        if (hinted == null) {
            return DAMAGED;
        }
        return Arrays.equals(hinted, 0, hinted.length, key, from, from + len) ? MATCH : OTHER;
    }

    /** The key the hint of segment {@code segmentId} gives the record at {@code offset}; null without one. */
    private byte[] hintedKey(int segmentId, long offset) {
        if (segmentId != hintSegment) {
            Segment seg = segments.get(segmentId);
            try {
                // Read and checked whole again (it was when loaded); a hint found damaged now fails the open.
                hint = seg == null ? null : segments.files().readHintCursor(seg);
            } catch (IOException e) {
                throw new FerrumException("I/O error reading the hint of segment " + segmentId
                        + " to tell whose damaged record is at offset " + offset + ": " + e, e);
            }
            hintSegment = segmentId;
        }
        if (hint == null) {
            return null;
        }
        HintFile.Cursor c = hint.duplicate();
        while (c.next()) {
            if (c.offset() == offset) {
                return c.key();
            }
        }
        return null;
    }

    @Override
    public int touch(int segmentId, long offset) {
        Segment seg = sealed(segmentId);
        // The header and the key, which a compare reads, start the record.
        return seg == null ? 0 : (int) seg.touch(offset, 1);
    }

    @Override
    public byte[] key(int segmentId, long offset, int recordSize) {
        return records.key(segmentId, offset, recordSize);
    }

    @Override
    public RuntimeException damaged(int segmentId, long offset, int recordSize) {
        return records.damaged(segmentId, offset, recordSize);
    }
}
