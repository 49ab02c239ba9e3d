package io.ferrumdb.internal.log;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.DroppedRange;
import io.ferrumdb.internal.format.PayloadCipher;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.format.SegmentHeader;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads every record of a segment file in order, checking each CRC (and authentication tag), and reports the
 * committed ones. Records of an atomic unit are reported only once its COMMIT record has been read.
 *
 * <p>What a damaged record means depends on the mode:
 * <ul>
 *   <li>STRICT (sealed segments): CorruptionException naming file and offset.</li>
 *   <li>TAIL (the newest segment after a crash): if no valid record exists anywhere after the damage, it is a
 *   torn write and the scan ends there ({@link Result#validLength()} is where to truncate); if a valid record
 *   follows, the damage is in the middle of acknowledged data: CorruptionException.</li>
 *   <li>SALVAGE: the damaged range up to the next valid record is skipped and reported.</li>
 * </ul>
 */
public final class SegmentScanner {
    public enum Mode { STRICT, TAIL, SALVAGE }

    /** A committed record; {@code key} is plaintext. */
    public record Scanned(byte type, byte[] key, long offset, int size, long sequence, long expiresAt,
                          boolean commit) {
    }

    /**
     * @param validLength end of the last good committed record: the file length unless a torn tail was found
     * @param dropped     ranges skipped in SALVAGE mode, and the torn tail in TAIL mode
     * @param records     committed records, in file order
     */
    public record Result(long validLength, List<DroppedRange> dropped, List<Scanned> records) {
    }

    private static final int WINDOW = 1 << 20;

    /**
     * A record whose checksum matches but whose authentication tag does not. A torn write cannot produce that
     * (its checksum would not match), so it is tampering or a wrong key even at the tail: never truncated away.
     */
    private record Unauthentic(String problem) {
    }

    private final StorageFile file;
    private final Path path;
    private final long length;
    private final PayloadCipher cipher;
    private byte[] window = new byte[0];
    private long windowStart;
    private int windowLength;

    private SegmentScanner(StorageFile file, long length, PayloadCipher cipher) {
        this.file = file;
        this.path = file.path();
        this.length = length;
        this.cipher = cipher;
    }

    /** Scans the records after the header of a file of {@code length} bytes. */
    public static Result scan(StorageFile file, long length, PayloadCipher cipher, Mode mode) throws IOException {
        return new SegmentScanner(file, length, cipher).run(mode);
    }

    private Result run(Mode mode) throws IOException {
        List<DroppedRange> dropped = new ArrayList<>();
        List<Scanned> records = new ArrayList<>();
        List<Scanned> batch = new ArrayList<>();
        long batchStart = -1;
        long pos = SegmentHeader.SIZE;
        while (pos < length) {
            Object outcome = readRecord(pos);
            if (outcome instanceof Scanned rec) {
                if (batchStart < 0) {
                    batchStart = pos;
                }
                batch.add(rec);
                if (rec.commit()) {
                    records.addAll(batch);
                    batch.clear();
                    batchStart = -1;
                }
                pos += rec.size();
                continue;
            }
            if (outcome instanceof Unauthentic u && mode == Mode.TAIL) {
                throw new CorruptionException(path, pos, u.problem() + " although its checksum matches");
            }
            String problem = outcome instanceof Unauthentic u ? u.problem() : (String) outcome;
            long damageStart = batchStart >= 0 ? batchStart : pos;
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
                    dropped.add(new DroppedRange(path, damageStart, length - damageStart, "torn tail: " + problem));
                    return new Result(damageStart, dropped, records);
                }
                case SALVAGE -> {
                    long end = next >= 0 ? next : length;
                    dropped.add(new DroppedRange(path, damageStart, end - damageStart, problem));
                    if (next < 0) {
                        return new Result(damageStart, dropped, records);
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
            dropped.add(new DroppedRange(path, batchStart, length - batchStart,
                    mode == Mode.TAIL ? "torn tail: " + problem : problem));
            return new Result(batchStart, dropped, records);
        }
        return new Result(length, dropped, records);
    }

    /** The record at {@code pos}, or a String (or {@link Unauthentic}) saying why there is no valid record there. */
    private Object readRecord(long pos) throws IOException {
        if (length - pos < RecordFormat.HEADER_SIZE) {
            return "truncated record header (" + (length - pos) + " bytes before end of file)";
        }
        int off = ensure(pos, RecordFormat.HEADER_SIZE);
        String problem = RecordFormat.headerProblem(window, off);
        if (problem != null) {
            return problem;
        }
        int size = RecordFormat.recordSize(window, off, cipher);
        if (pos + size > length) {
            return "record of " + size + " bytes extends past end of file";
        }
        off = ensure(pos, size);
        if (!RecordFormat.crcMatches(window, off, size)) {
            return "checksum mismatch";
        }
        int keyLength = RecordFormat.keyLength(window, off);
        int valueLength = RecordFormat.valueLength(window, off);
        byte[] key;
        if (cipher.isPlaintext()) {
            key = Arrays.copyOfRange(window, off + RecordFormat.HEADER_SIZE, off + RecordFormat.HEADER_SIZE + keyLength);
        } else {
            byte[] plain = new byte[keyLength + valueLength];
            if (!cipher.open(pos, window, off + RecordFormat.AAD_OFFSET, RecordFormat.AAD_LENGTH,
                    off + RecordFormat.HEADER_SIZE, size - RecordFormat.HEADER_SIZE, plain, 0)) {
                return new Unauthentic("record fails authentication");
            }
            key = Arrays.copyOf(plain, keyLength);
        }
        return new Scanned(RecordFormat.type(window, off), key, pos, size, RecordFormat.sequence(window, off),
                RecordFormat.expiresAt(window, off), RecordFormat.isCommit(window, off));
    }

    /** The first offset at or after {@code from} where a valid record starts, or -1. */
    private long findNextValid(long from) throws IOException {
        for (long p = from; p + RecordFormat.HEADER_SIZE <= length; p++) {
            int off = ensure(p, RecordFormat.HEADER_SIZE);
            if (RecordFormat.headerProblem(window, off) == null && readRecord(p) instanceof Scanned) {
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
