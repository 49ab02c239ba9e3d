package io.ferrumdb.internal.log;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.FerrumException;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.keydir.RecordKeys;
import java.io.IOException;
import java.util.Arrays;

/**
 * Reads keys from records for a hash-only key directory that keeps none in memory: from a sealed segment's memory
 * map, the writer's chunks (records not yet written or written recently) or the active segment's file, as
 * {@link ReadPath} reads values. A compare reads only the record's header and key; the whole record is read and
 * checked only when the key differs, to tell another key's record from a damaged one.
 */
public final class RecordKeyReader implements RecordKeys {
    /** The thread's buffer for the bytes compared (as ReadPath's, used only until a call returns). */
    private static final ThreadLocal<byte[][]> SCRATCH = new Scratch();

    /** {@link #SCRATCH}: a subclass, not {@code withInitial} and a lambda (ARCHITECTURE.md, "Start-up cost"). */
    private static final class Scratch extends ThreadLocal<byte[][]> {
        @Override
        protected byte[][] initialValue() {
            return new byte[][] {new byte[256]};
        }
    }

    private final SegmentSet segments;
    private final LogWriter writer;

    /** @param writer the log writer, or null for a read-only database */
    public RecordKeyReader(SegmentSet segments, LogWriter writer) {
        this.segments = segments;
        this.writer = writer;
    }

    private static byte[] scratch(int size) {
        byte[][] holder = SCRATCH.get();
        if (holder[0].length < size) {
            holder[0] = new byte[Math.max(size, holder[0].length * 2)];
        }
        return holder[0];
    }

    @Override
    public int compare(int segmentId, long offset, int recordSize, byte[] key, int from, int len) {
        Segment seg = segments.get(segmentId);
        if (seg == null) {
            return GONE;
        }
        if (!seg.cipher().isPlaintext()) {
            byte[] rec = new byte[recordSize];
            if (!read(seg, offset, rec, recordSize)) {
                return GONE;
            }
            try {
                RecordCheck.Valid v = RecordReader.open(seg, offset, rec, recordSize);
                return v.keyEquals(Arrays.copyOfRange(key, from, from + len)) ? MATCH : OTHER;
            } catch (CorruptionException e) {
                return DAMAGED;
            }
        }
        int prefix = RecordFormat.HEADER_SIZE + len;
        if (prefix <= recordSize) {
            byte[] buf = scratch(prefix);
            if (!read(seg, offset, buf, prefix)) {
                return GONE;
            }
            if (RecordFormat.keyLength(buf, 0) == len
                    && Arrays.equals(buf, RecordFormat.HEADER_SIZE, prefix, key, from, from + len)) {
                // Its key is this key, whatever else may be wrong with it (a GET checks the whole record).
                return MATCH;
            }
        }
        byte[] buf = scratch(recordSize);
        if (!read(seg, offset, buf, recordSize)) {
            return GONE;
        }
        return RecordCheck.intactPlaintext(buf, 0, recordSize, seg.cipher()) ? OTHER : DAMAGED;
    }

    @Override
    public byte[] key(int segmentId, long offset, int recordSize) {
        Segment seg = segments.get(segmentId);
        byte[] rec = new byte[recordSize];
        if (seg == null || !read(seg, offset, rec, recordSize)) {
            return null;
        }
        return RecordReader.open(seg, offset, rec, recordSize).key();
    }

    @Override
    public RuntimeException damaged(int segmentId, long offset, int recordSize) {
        Segment seg = segments.get(segmentId);
        byte[] rec = new byte[recordSize];
        if (seg == null || !read(seg, offset, rec, recordSize)) {
            return new FerrumException("key directory points at segment " + segmentId + " which is gone");
        }
        try {
            RecordReader.open(seg, offset, rec, recordSize);
        } catch (CorruptionException e) {
            return e;
        }
        return new CorruptionException(seg.path(), offset, "record does not match the key directory");
    }

    /**
     * Reads the first {@code n} bytes of the record at {@code offset} of {@code seg} into {@code dst}; false when the
     * segment was retired meanwhile (compaction: the caller looks again).
     */
    private boolean read(Segment seg, long offset, byte[] dst, int n) {
        try {
            if (seg.isSealed() || !seg.readWritten(offset, dst, 0, n)
                    && (writer == null || !writer.readFromMemory(seg, offset, n, dst, 0, -1))) {
                seg.readInto(offset, dst, 0, n);
            }
            return true;
        } catch (IOException e) {
            if (segments.get(seg.id()) != seg) {
                return false;
            }
            throw new FerrumException("I/O error reading the key of the record at " + seg.path() + " offset "
                    + offset + ": " + e, e);
        }
    }
}
