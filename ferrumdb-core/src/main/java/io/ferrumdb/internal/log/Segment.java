package io.ferrumdb.internal.log;

import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.format.PayloadCipher;
import io.ferrumdb.internal.format.SegmentHeader;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
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
    private volatile ByteBuffer mapped;
    /**
     * Before sealing: a read-only map of the segment's first bytes, all of them already handed to the OS
     * ({@link #readWritten}), replaced by a longer one as the segment grows; null until a read needs it, and after
     * sealing. It never covers bytes past {@link #writtenLength}, and written bytes are never rewritten or cut
     * (only open truncates a torn tail, before any read), so every byte it covers stays valid.
     */
    private volatile ByteBuffer writtenMap;
    private volatile long minSequence = Long.MAX_VALUE;
    private volatile long maxSequence;

    public Segment(int id, Path path, StorageFile file, SegmentHeader header, PayloadCipher cipher, long length) {
        this.id = id;
        this.path = path;
        this.file = file;
        this.header = header;
        this.cipher = cipher;
        this.writtenLength = length;
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

    /** Recovery dropped a torn tail: nothing at or past {@code length} is part of the segment. */
    public void truncatedTo(long length) {
        this.writtenLength = length;
        ByteBuffer map = writtenMap;
        if (map != null && map.limit() > length) {
            writtenMap = null;
        }
    }

    public long liveBytes() {
        return liveBytes.get();
    }

    /** Changed only through {@link SegmentSet}, the one owner of live-byte bookkeeping. */
    void addLiveBytes(long delta) {
        liveBytes.addAndGet(delta);
    }

    public long minSequence() {
        return minSequence;
    }

    public long maxSequence() {
        return maxSequence;
    }

    /** Widens the sequence range; called by the single thread appending to or loading this segment. */
    public void noteSequences(long min, long max) {
        if (min < minSequence) {
            minSequence = min;
        }
        if (max > maxSequence) {
            maxSequence = max;
        }
    }

    public boolean isSealed() {
        return mapped != null;
    }

    /** Marks the segment immutable and switches its reads to a memory map. */
    public void seal() throws IOException {
        if (mapped == null) {
            mapped = file.map(writtenLength);
            writtenMap = null;
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
     * its bytes already handed to the OS, mapping them (again) when the current map ends before them; false, having
     * read nothing, when they are not all written yet, the segment is sealed (read it as such), or a new map would
     * grow the old one by less than {@link #remapStep}: the caller then reads the writer's buffers or the file. A
     * positional read is a system call (and NIO's read into a heap array copies twice): in YCSB B and D, whose reads
     * often find records updated or inserted during the run, 20% and 33% of the reads were positional reads of the
     * active segment before this map.
     */
    public boolean readWritten(long offset, byte[] dst, int at, int size) {
        ByteBuffer map = writtenMap;
        if (map == null || offset + size > map.limit()) {
            map = mapWritten(offset + size);
            if (map == null) {
                return false;
            }
        }
        map.get((int) offset, dst, at, size);
        return true;
    }

    /**
     * A map replaced by a longer one grows by at least this much, or an eighth of its size: a map is unmapped only
     * once the garbage collector frees it, and growth by an eighth bounds the maps a segment leaves behind (address
     * space and one kernel map entry each, not memory: they share the page cache) at 8 (64 KiB steps up to 512 KiB)
     * plus about 41 up to a 64 MiB segment, 73 up to the largest (1 GiB). What the map does not cover yet, read from
     * the writer's kept chunks or the file, stays under an eighth of the segment.
     */
    static final long MIN_REMAP_STEP = 64 << 10;

    /** How much a segment whose written bytes are mapped up to {@code mapped} must grow before it is mapped again. */
    static long remapStep(long mapped) {
        return Math.max(MIN_REMAP_STEP, mapped / 8);
    }

    /**
     * Why mapping the written bytes failed (the address space or the process's map count exhausted), once it did;
     * later reads do not map again but use the writer's buffers and positional reads, which report a file that
     * cannot be read. Kept for {@link #writtenMapFailure()}.
     */
    private volatile IOException writtenMapFailure;

    /** The map of the written bytes if it covers {@code end}, after mapping them again if that pays; else null. */
    private ByteBuffer mapWritten(long end) {
        long written = writtenLength;
        ByteBuffer map = writtenMap;
        long have = map == null ? 0 : map.limit();
        if (end > written || written - have < remapStep(have) || written > Integer.MAX_VALUE || mapped != null
                || writtenMapFailure != null) {
            return null;
        }
        synchronized (this) {
            map = writtenMap;
            if (map != null && end <= map.limit()) {
                return map;
            }
            if (mapped != null || writtenMapFailure != null) {
                return null;
            }
            try {
                map = file.map(written);
            } catch (IOException e) {
                writtenMapFailure = e;
                return null;
            }
            writtenMap = map;
            return map;
        }
    }

    /** Why the written bytes of this unsealed segment could not be mapped, or null (see {@link #readWritten}). */
    public IOException writtenMapFailure() {
        return writtenMapFailure;
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
