package io.ferrumdb.internal.log;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.DroppedRange;
import io.ferrumdb.DroppedRange.Kind;
import io.ferrumdb.internal.format.PayloadCipher;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.format.SegmentHeader;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads every record of a segment file in order, checking each with {@link RecordCheck}, and reports the
 * committed ones. Records of an atomic unit are reported only once its COMMIT record has been read.
 *
 * <p>What a damaged record means depends on the mode:
 * <ul>
 *   <li>STRICT (sealed segments): CorruptionException naming file and offset.</li>
 *   <li>TAIL (the newest segment after a crash): if no valid record exists anywhere after the damage, it is a
 *   torn write and the scan ends there ({@link Result#validLength()} is where to truncate); if a valid record
 *   follows, the damage is in the middle of acknowledged data: CorruptionException.</li>
 *   <li>SALVAGE: each damaged range, up to the next valid record, is reported as damage and skipped (the scan
 *   resynchronises on the next offset where a whole valid record starts).</li>
 *   <li>SALVAGE_TAIL: as SALVAGE, for the segment that was being written: damage that runs to the end of the file
 *   (and is not an authentication failure) is reported as a torn tail, not as damage.</li>
 * </ul>
 *
 * <p>With {@code zeroTail} (a never-sealed segment of version 2, FORMAT.md "Zero tail") zeros from a record
 * boundary to the end of the file end the log: they are the region the writer zero-filled ahead of its records, not
 * data, and are not reported at all; a torn unit or record followed only by zeros is reported as a torn tail (as
 * damage in SALVAGE) running to the end of the file, as without zeros (its reason says where the zeros start).
 * Zeros followed by non-zero bytes are read as any other invalid bytes are.
 */
public final class SegmentScanner {
    public enum Mode { STRICT, TAIL, SALVAGE, SALVAGE_TAIL }

    /** A committed record; {@code key} is plaintext. */
    public record Scanned(byte type, byte[] key, long offset, int size, long sequence, long expiresAt,
                          boolean commit) {
    }

    /**
     * @param validLength end of the last good committed record: the file length unless a torn tail was found
     * @param dropped     damaged ranges skipped in the salvage modes, and the torn tail
     * @param records     committed records, in file order
     * @param firstUnauthentic whether the first record after the header failed authentication with its checksum
     *                    intact (an encrypted segment)
     */
    public record Result(long validLength, List<DroppedRange> dropped, List<Scanned> records,
                         boolean firstUnauthentic) {
        /** Whether every byte of the file was a committed, valid record. */
        public boolean clean() {
            return dropped.isEmpty();
        }

        /**
         * Whether the segment looks encrypted under another data key than the one it was read with: its first
         * record's checksum holds but its authentication tag fails, and no record authenticates. Bytes the disk
         * changed break the checksum (it covers the ciphertext and the tag); these were written whole under another
         * key, as when a KEY file that does not go with the segments (one from before a data-key rotation) is used.
         */
        public boolean underAnotherKey() {
            return firstUnauthentic && records.isEmpty();
        }
    }

    private static final int WINDOW = 1 << 20;

    private final StorageFile file;
    private final Path path;
    private final long length;
    private final PayloadCipher cipher;
    private final boolean zeroTail;
    /** Where the last non-zero byte of the file ends (zeroTail), found at the first invalid record; -1 before. */
    private long dataEnd = -1;
    private byte[] window = new byte[0];
    private long windowStart;
    private int windowLength;

    private SegmentScanner(StorageFile file, long length, PayloadCipher cipher, boolean zeroTail) {
        this.file = file;
        this.path = file.path();
        this.length = length;
        this.cipher = cipher;
        this.zeroTail = zeroTail;
    }

    /** Scans the records after the header of a file of {@code length} bytes that may not end in a zero tail. */
    public static Result scan(StorageFile file, long length, PayloadCipher cipher, Mode mode) throws IOException {
        return scan(file, length, cipher, mode, false);
    }

    /**
     * Scans the records after the header of a file of {@code length} bytes; {@code zeroTail}: zeros after the last
     * record end the log (see the class comment).
     */
    public static Result scan(StorageFile file, long length, PayloadCipher cipher, Mode mode, boolean zeroTail)
            throws IOException {
        return new SegmentScanner(file, length, cipher, zeroTail).run(mode);
    }

    private Result run(Mode mode) throws IOException {
        List<DroppedRange> dropped = new ArrayList<>();
        List<Scanned> records = new ArrayList<>();
        List<Scanned> batch = new ArrayList<>();
        long batchStart = -1;
        long pos = SegmentHeader.SIZE;
        boolean firstUnauthentic = false;
        // Where the log ends: the file's end, or the start of its zero tail.
        long end = length;
        while (pos < length) {
            RecordCheck outcome = readRecord(pos);
            if (outcome instanceof RecordCheck.Valid valid) {
                if (batchStart < 0) {
                    batchStart = pos;
                }
                Scanned rec = scanned(valid, pos);
                batch.add(rec);
                if (rec.commit()) {
                    records.addAll(batch);
                    batch.clear();
                    batchStart = -1;
                }
                pos += rec.size();
                continue;
            }
            if (zeroTail && pos >= dataEnd()) {
                end = pos;
                break;
            }
            boolean unauthentic = outcome instanceof RecordCheck.Unauthentic;
            firstUnauthentic |= unauthentic && pos == SegmentHeader.SIZE;
            String problem = unauthentic ? ((RecordCheck.Unauthentic) outcome).reason()
                    : ((RecordCheck.Damaged) outcome).reason();
            if (unauthentic && mode == Mode.TAIL) {
                throw new CorruptionException(path, pos, problem + " although its checksum matches");
            }
            long damageStart = batchStart >= 0 ? batchStart : pos;
            if (batchStart >= 0) {
                problem += " (after " + batch.size() + " record(s) of its atomic batch, dropped with it)";
            }
            batch.clear();
            batchStart = -1;
            long next = findNextValid(pos + 1);
            switch (mode) {
                case STRICT -> throw new CorruptionException(path, pos, problem);
                case TAIL -> {
                    if (next >= 0) {
                        throw new CorruptionException(path, pos, problem + "; valid records follow at offset " + next
                                + ", so this is not a torn tail");
                    }
                    dropped.add(new DroppedRange(path, damageStart, length - damageStart, Kind.TORN_TAIL,
                            withZeros(problem)));
                    return new Result(damageStart, dropped, records, firstUnauthentic);
                }
                case SALVAGE, SALVAGE_TAIL -> {
                    long rangeEnd = next >= 0 ? next : length;
                    Kind kind = next < 0 && !unauthentic && mode == Mode.SALVAGE_TAIL ? Kind.TORN_TAIL
                            : Kind.DAMAGED_RECORD;
                    dropped.add(new DroppedRange(path, damageStart, rangeEnd - damageStart, kind,
                            next < 0 ? withZeros(problem) : problem));
                    if (next < 0) {
                        return new Result(damageStart, dropped, records, firstUnauthentic);
                    }
                    pos = next;
                }
                default -> throw new IllegalStateException(mode.name());
            }
        }
        if (!batch.isEmpty()) {
            String problem = "atomic batch of " + batch.size() + " record(s) without its commit record";
            if (mode == Mode.STRICT) {
                throw new CorruptionException(path, batchStart, problem);
            }
            Kind kind = mode == Mode.TAIL || mode == Mode.SALVAGE_TAIL ? Kind.TORN_TAIL : Kind.DAMAGED_RECORD;
            dropped.add(new DroppedRange(path, batchStart, length - batchStart, kind,
                    end < length ? problem + "; zeros from offset " + end + " to the end of the file" : problem));
            return new Result(batchStart, dropped, records, firstUnauthentic);
        }
        return new Result(end, dropped, records, firstUnauthentic);
    }

    /** {@code problem}, saying where a zero tail begins after it (zeroTail). */
    private String withZeros(String problem) throws IOException {
        return zeroTail && dataEnd() < length ? problem + "; zeros from offset " + dataEnd() + " to the end of the file"
                : problem;
    }

    /** The offset after the last non-zero byte of the file (the header's end at least), read backwards once. */
    private long dataEnd() throws IOException {
        if (dataEnd >= 0) {
            return dataEnd;
        }
        byte[] block = new byte[(int) Math.min(WINDOW, length)];
        long at = length;
        while (at > SegmentHeader.SIZE) {
            int n = (int) Math.min(block.length, at - SegmentHeader.SIZE);
            long from = at - n;
            int read = file.read(from, ByteBuffer.wrap(block, 0, n));
            if (read < n) {
                throw new IOException("short read in " + path + " at offset " + from + ": wanted " + n + ", got "
                        + read);
            }
            for (int i = n - 1; i >= 0; i--) {
                if (block[i] != 0) {
                    dataEnd = from + i + 1;
                    return dataEnd;
                }
            }
            at = from;
        }
        dataEnd = SegmentHeader.SIZE;
        return dataEnd;
    }

    private Scanned scanned(RecordCheck.Valid valid, long pos) {
        return new Scanned(valid.type(), valid.key(), pos, valid.size(), valid.sequence(), valid.expiresAt(),
                valid.commit());
    }

    /** The check of the record at {@code pos}: valid, or why there is no valid record there. */
    private RecordCheck readRecord(long pos) throws IOException {
        long available = length - pos;
        if (available < RecordFormat.HEADER_SIZE) {
            return RecordCheck.check(window, 0, available, pos, cipher);
        }
        int off = ensure(pos, RecordFormat.HEADER_SIZE);
        if (RecordFormat.headerProblem(window, off) == null) {
            int size = RecordFormat.recordSize(window, off, cipher);
            if (size <= available) {
                off = ensure(pos, size);
            }
        }
        return RecordCheck.check(window, off, available, pos, cipher);
    }

    /**
     * The first offset at or after {@code from} where a valid record starts, or -1. In a zero tail none can (a
     * record's type byte is not zero), so a search there stops at the last non-zero byte.
     */
    private long findNextValid(long from) throws IOException {
        long last = zeroTail ? dataEnd() : length;
        for (long p = from; p + RecordFormat.HEADER_SIZE <= length && p < last; p++) {
            int off = ensure(p, RecordFormat.HEADER_SIZE);
            if (RecordFormat.headerProblem(window, off) == null && readRecord(p) instanceof RecordCheck.Valid) {
                return p;
            }
        }
        return -1;
    }

    /** Makes bytes [pos, pos+n) available in the window; returns their index in it. */
    private int ensure(long pos, int n) throws IOException {
        if (pos >= windowStart && pos + n <= windowStart + windowLength) {
            return (int) (pos - windowStart);
        }
        int want = (int) Math.min(Math.max(WINDOW, n), length - pos);
        if (window.length < want) {
            window = new byte[want];
        }
        ByteBuffer dst = ByteBuffer.wrap(window, 0, want);
        int read = file.read(pos, dst);
        if (read < n) {
            throw new IOException("short read in " + path + " at offset " + pos + ": wanted " + n + ", got " + read);
        }
        windowStart = pos;
        windowLength = read;
        return 0;
    }
}
