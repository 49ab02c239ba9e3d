package io.ferrumdb.internal.log;

import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.format.PayloadCipher;
import io.ferrumdb.internal.format.SegmentHeader;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One segment file. The active segment is appended to by the {@link LogWriter}; a sealed segment is immutable
 * and read through a memory map (about 20x cheaper than a positional read here).
 */
public final class Segment {
    private final int id;
    private final Path path;
    private final StorageFile file;
    private final SegmentHeader header;
    private final PayloadCipher cipher;
    private final AtomicLong liveBytes = new AtomicLong();
    /** Bytes handed to the OS; readers use the file below this point and the writer's buffers above it. */
    private volatile long writtenLength;
    /**
     * Where the records of this segment end once the writer rolled it (0 before): the flusher may not have written
     * them yet, so {@link #writtenLength} lags behind until it has.
     */
    private volatile long rolledLength;
    private volatile ByteBuffer mapped;
    /** Before sealing: read-only maps of the bytes already handed to the OS, for {@link #readWritten}. */
    private final WrittenWindows writtenWindows;
    /** Both set by release stores: no reader orders later loads by them, and a volatile store is a fence a put. */
    private volatile long minSequence = Long.MAX_VALUE;
    private volatile long maxSequence;
    private static final VarHandle MIN_SEQUENCE;
    private static final VarHandle MAX_SEQUENCE;

    static {
        try {
            MIN_SEQUENCE = MethodHandles.lookup().findVarHandle(Segment.class, "minSequence", long.class);
            MAX_SEQUENCE = MethodHandles.lookup().findVarHandle(Segment.class, "maxSequence", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    public Segment(int id, Path path, StorageFile file, SegmentHeader header, PayloadCipher cipher, long length) {
        this.id = id;
        this.path = path;
        this.file = file;
        this.header = header;
        this.cipher = cipher;
        this.writtenLength = length;
        this.writtenWindows = new WrittenWindows(file);
    }

    public int id() {
        return id;
    }

    public Path path() {
        return path;
    }

    public StorageFile file() {
        return file;
    }

    public SegmentHeader header() {
        return header;
    }

    public PayloadCipher cipher() {
        return cipher;
    }

    public long writtenLength() {
        return writtenLength;
    }

    void setWrittenLength(long length) {
        this.writtenLength = length;
    }

    /** The writer rolled this segment after its records reached {@code length} bytes (under the writer's lock). */
    void rolledAt(long length) {
        this.rolledLength = length;
    }

    /**
     * Bytes of this segment's records and header, written or not: those written, or where the records end once the
     * writer rolled the segment. Its live bytes count every applied record from the append on, written or not, so
     * a length to hold them against is this one, not {@link #writtenLength}. The active segment's is the writer's.
     */
    public long length() {
        return Math.max(writtenLength, rolledLength);
    }

    /** Recovery dropped a torn tail: nothing at or past {@code length} is part of the segment. */
    public void truncatedTo(long length) {
        this.writtenLength = length;
        writtenWindows.truncated(length);
    }

    public long liveBytes() {
        return liveBytes.get();
    }

    /** Changed only through {@link SegmentSet}, the one owner of live-byte bookkeeping. */
    void addLiveBytes(long delta) {
        liveBytes.addAndGet(delta);
    }

    /** {@link SegmentSet#addAppended}: the writer's lock serializes every change of an active segment's sum. */
    void addAppendedBytes(int recordSize) {
        assert !isSealed() : "segment " + id + " is sealed: compaction may change its live bytes";
        liveBytes.lazySet(liveBytes.get() + recordSize);
    }

    public long minSequence() {
        return minSequence;
    }

    public long maxSequence() {
        return maxSequence;
    }

    /**
     * Widens the sequence range; called by the single thread appending to or loading this segment. The minimum is
     * stored every time and computed without a test: only a segment's first record lowers it, so C2 compiled that
     * test, on the put path inlined into YCSB's write, as a trap that threw the caller away at the first segment roll
     * after it was compiled, and so it did with {@code Math.min}'s test, whose profile only the engine fed
     * (docs/benchmarks.md, "Session 26"). Sequences are not negative: the difference cannot overflow.
     */
    public void noteSequences(long min, long max) {
        assert min >= 0 : "sequence " + min;
        long lower = minSequence - min;
        MIN_SEQUENCE.setRelease(this, min + (lower & (lower >> 63)));
        if (max > maxSequence) {
            MAX_SEQUENCE.setRelease(this, max);
        }
    }

    public boolean isSealed() {
        return mapped != null;
    }

    /** Marks the segment immutable and switches its reads to a memory map. */
    public void seal() throws IOException {
        if (mapped == null) {
            mapped = file.map(writtenLength);
            writtenWindows.drop();
        }
    }

    /**
     * True when the {@code size} bytes at {@code offset} can be read without disk I/O: the segment is sealed and
     * those pages of its memory map are resident ({@link StorageFile#isResident}). False for the active segment,
     * whose file is read with positional reads (the writer's buffers are the log writer's to answer for).
     */
    public boolean isResident(long offset, int size) {
        ByteBuffer map = mapped;
        return map != null && file.isResident(map, (int) offset, size);
    }

    /**
     * True when the record of {@code recordSize} bytes at {@code offset} of this sealed segment's map carries the
     * key {@code key[from, from + len)}: its key length and key bytes, read in place; nothing else is checked
     * (the caller reads the record when the answer is no). False for a segment not sealed.
     */
    public boolean carriesKey(long offset, int recordSize, byte[] key, int from, int len) {
        ByteBuffer map = mapped;
        if (map == null || RecordFormat.HEADER_SIZE + len > recordSize) {
            return false;
        }
        int at = (int) offset;
        if (RecordFormat.keyLength(map, at) != len) {
            return false;
        }
        int keyAt = at + RecordFormat.HEADER_SIZE;
        for (int i = 0; i < len; i++) {
            if (map.get(keyAt + i) != key[from + i]) {
                return false;
            }
        }
        return true;
    }

    /** Reads {@code size} bytes at {@code offset}, which must lie below {@link #writtenLength()}. */
    public byte[] read(long offset, int size) throws IOException {
        byte[] out = new byte[size];
        readInto(offset, out, 0, size);
        return out;
    }

    /** Reads {@code size} bytes at {@code offset} (below {@link #writtenLength()}) into {@code dst[at]}. */
    public void readInto(long offset, byte[] dst, int at, int size) throws IOException {
        ByteBuffer map = mapped;
        if (map != null) {
            map.get((int) offset, dst, at, size);
            return;
        }
        int n = file.read(offset, ByteBuffer.wrap(dst, at, size));
        if (n != size) {
            throw new IOException("short read of " + size + " bytes at offset " + offset + " in " + path
                    + ": file ends after " + n);
        }
    }

    /**
     * Copies the {@code size} bytes at {@code offset} of a segment not yet sealed into {@code dst[at]} from a map of
     * its bytes already handed to the OS ({@link WrittenWindows}: aligned windows, each mapped once, and the last one's
     * written part); false, having read nothing, when they are not all written yet, the segment is sealed (read it as
     * such), or they lie where no map reaches yet: the caller then reads the writer's buffers or the file. A
     * positional read is a system call (and NIO's read into a heap array copies twice): in YCSB B and D, whose reads
     * often find records updated or inserted during the run, 20% and 33% of the reads were positional reads of the
     * active segment before the written bytes were mapped.
     */
    public boolean readWritten(long offset, byte[] dst, int at, int size) {
        return mapped == null && writtenWindows.read(offset, dst, at, size, writtenLength);
    }

    /** Why the written bytes of this unsealed segment could not be mapped, or null (see {@link #readWritten}). */
    public IOException writtenMapFailure() {
        return writtenWindows.failure();
    }

    /**
     * Reads one byte of each 64-byte line of {@code size} bytes at {@code offset} in the memory map and returns
     * their sum; 0 when the segment is not sealed or the range is not within the map. A hint to the CPU's caches,
     * so that a read of the record there soon after finds it cached (a scan, see ReadPath.touch; open, see
     * KeyDirLoader): nothing is checked or returned to a caller as data.
     */
    public long touch(long offset, int size) {
        ByteBuffer map = mapped;
        if (map == null || size <= 0 || offset < 0 || offset + size > map.limit()) {
            return 0;
        }
        int at = (int) offset;
        int last = at + size - 1;
        long sum = map.get(last);
        for (; at < last; at += 64) {
            sum += map.get(at);
        }
        return sum;
    }

    public void close() throws IOException {
        file.close();
    }

    @Override
    public String toString() {
        return path.getFileName().toString();
    }
}
