package io.ferrumdb.internal.log;

import io.ferrumdb.FerrumException;
import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.format.PayloadCipher;
import io.ferrumdb.internal.format.RecordFormat;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The log writer's chunk buffers after the pending one: chunks of rolled segments not yet taken by a cycle, the
 * chunks of the running cycle (in flight), the chunks written most recently, kept so that a read of a just-written
 * record is a copy from memory rather than a positional read (workload D, "read what I just wrote", would otherwise
 * pay a system call for every read of a record a cycle has already handed to the OS), and a few spare buffers for
 * the next pending chunks. Not thread-safe: every method but {@link #copyPublished} REQUIRES the writer's lock.
 *
 * <p>{@link #copyPublished} reads without the lock (YCSB D reads the newest records, and took the writer's lock for
 * every one still in a chunk: 5% of its samples, contending with the appenders). Every chunk is published when it is
 * made, with a volatile write of {@link #newest}, and links to the chunk made before it (file order, newest first).
 * Bytes of a chunk below its length never change while the chunk lives: records are only appended, a chunk's buffer
 * is never replaced, and a reader
 * that found a record through the key directory saw its encoding (the directory's entry is written with release
 * semantics after it, and read with acquire). What can change under a reader is a buffer given back to the spare
 * ones, which a later chunk overwrites: a chunk is marked {@link Chunk#retired} (volatile) before that, and the reader
 * checks the mark after its copy, behind an acquire fence (StampedLock's validate): a copy that may be torn is
 * dropped and the caller reads under the lock or from the file. Chunks retire oldest first, so the walk stops at the
 * first retired one, which is also where the chain is cut (its link to older chunks is dropped). An empty chunk (a
 * cycle's {@link #next} chunk no record went to) is never retired: no reader copies from it, and it has no buffer.
 *
 * <p>The put path's rare cases are one branch that every workload with puts takes once a cycle ({@link #roomFor}):
 * a cycle's next pending chunk starts without a buffer, and the first put after the cycle queues it (empty) and
 * opens a chunk with a buffer, exactly as a put that fills a chunk does. C2 compiles a branch its profile never saw
 * taken as an uncommon trap, and the put path is inlined into its callers (YCSB's {@code doTransaction}): with the
 * roll and the empty spare list as branches of their own, the first full chunk or the first spare-list miss after
 * the caller was compiled threw the whole caller's code away (session 25, 0.3-3.8 s of C2 on two CPUs).
 *
 * <p>The kept chunks are bounded by {@link #KEPT_BYTES} of buffer capacity (the newest chunk is always kept); older
 * ones go back to the spare buffers. Records beyond what is kept are read from the file (memory map once sealed).
 */
final class Chunks {
    /** Size of a new chunk buffer. */
    static final int INITIAL_CHUNK = 64 << 10;
    /** Buffer capacity of the written chunks kept for reads. */
    static final int KEPT_BYTES = 1 << 20;
    /**
     * Record bytes appended and not yet taken by a cycle before a writer waits. A cycle that seals a full segment
     * fsyncs it first (about 40 ms for 64 MiB here; 4 MiB lasted 30 ms of puts of 100-byte values, and every put
     * then waited for the fsync). Held in chunks of {@link #INITIAL_CHUNK}: only what is pending is allocated.
     */
    static final int MAX_PENDING = 16 << 20;
    /** A chunk's buffer before its first record (see {@link #roomFor}); never written. */
    private static final byte[] NO_BUFFER = new byte[0];
    /** Larger buffers (made for a large batch or value) are dropped rather than reused. */
    private static final int MAX_RECYCLED = 8 << 20;
    /**
     * Spare buffers kept: a cycle held up by a seal's fsync leaves up to {@code MAX_PENDING} in full 64 KiB chunks,
     * and those of one cycle are reused rather than collected. Bounded in bytes too, below what four buffers of
     * {@link #MAX_RECYCLED} held before (buffers grown for large values must not stay on the heap by the dozen).
     */
    private static final int MAX_SPARE = 32;
    /** Spare buffers a cycle leaves at least, for the puts before the next one ({@link #written}). */
    private static final int SPARE_AHEAD = 4;
    private static final long MAX_SPARE_BYTES = 8 << 20;

    /** A run of encoded records at {@code fileOffset} of {@code segment}; the first {@code length} bytes are used. */
    static final class Chunk {
        final Segment segment;
        final long fileOffset;
        final byte[] buf;
        int length;
        int records;
        /**
         * The chunk made before this one (file order), for {@link #copyPublished}; set before this one is published,
         * dropped when this one retires (so that the chain holds the live chunks and at most one retired one).
         */
        Chunk older;
        /** Set, before its buffer is reused, when the chunk leaves the kept ones: its bytes may then change. */
        volatile boolean retired;

        Chunk(Segment segment, long fileOffset, byte[] buf) {
            this.segment = segment;
            this.fileOffset = fileOffset;
            this.buf = buf;
        }

        /**
         * Encodes one record at the end of this chunk, which has room for it ({@link Chunks#roomFor}), numbered
         * {@code sequence}, adds its hint entry and returns its size. In a plaintext segment the hint entry takes the
         * key from the record just encoded, not from {@code key}: what the hint and the key directory get ({@link
         * #apply}) is then what the record holds, even if a caller changes its array meanwhile; a sealed record's key
         * cannot be read back, so there {@code key} must be a copy no one changes.
         */
        int encode(byte type, byte[] key, byte[] value, long expiresAt, boolean commit, long sequence,
                   HintFile.Builder hint) {
            int at = length;
            long offset = fileOffset + at;
            int size = RecordFormat.encode(buf, at, offset, type, commit, sequence, expiresAt, key, value,
                    segment.cipher());
            if (segment.cipher().isPlaintext()) {
                hint.add(type, buf, at + RecordFormat.HEADER_SIZE, key.length, size, offset, sequence, expiresAt);
            } else {
                hint.add(type, key, 0, key.length, size, offset, sequence, expiresAt);
            }
            length += size;
            records++;
            return size;
        }

        /**
         * Encodes record {@code i} of {@code records} ({@link #encode(byte, byte[], byte[], long, boolean, long,
         * HintFile.Builder)}), numbered {@code sequence}; the last one carries the COMMIT flag. The records' keys are
         * the caller's copies ({@link Records}).
         */
        void encode(Records records, int i, long sequence, HintFile.Builder hint) {
            encode(records.type(i), records.key(i), records.value(i), records.expiresAt(i), i == records.count() - 1,
                    sequence, hint);
        }

        /**
         * Applies the record of {@code size} bytes {@link #encode}d at file {@code offset} from {@code key}, with its
         * key read as the hint entry's was, and its location passed as fields: no Key, no Location.
         */
        void apply(byte type, byte[] key, long offset, int size, long expiresAt, Applier applier) {
            if (segment.cipher().isPlaintext()) {
                int at = (int) (offset - fileOffset) + RecordFormat.HEADER_SIZE;
                applier.apply(type, buf, at, key.length, expiresAt, segment.id(), offset, size);
            } else {
                applier.apply(type, key, 0, key.length, expiresAt, segment.id(), offset, size);
            }
        }

        /**
         * Applies record {@code i} of {@code records}, encoded at file {@code offset} by {@link #encode(Records, int,
         * long, HintFile.Builder)}; returns its size (the next record follows it).
         */
        int apply(Records records, int i, long offset, Applier applier) {
            byte[] key = records.key(i);
            int size = RecordFormat.recordSize(key.length, records.value(i).length, segment.cipher());
            apply(records.type(i), key, offset, size, records.expiresAt(i), applier);
            return size;
        }

        boolean holds(Segment s, long offset, int size) {
            return segment == s && offset >= fileOffset && offset + size <= fileOffset + length;
        }
    }

    /** The chunk made last (the pending one, or a rolled one after close), for readers without the lock. */
    private volatile Chunk newest;
    /** Full chunks and last chunks of rolled segments, not yet taken by a cycle, in file order. */
    private final ArrayDeque<Chunk> rolled = new ArrayDeque<>();
    /** The bytes of {@link #rolled}. */
    private long rolledBytes;
    /** The chunks of the running cycle; after a failed cycle, those it did not write. */
    private List<Chunk> inFlight = List.of();
    /** Written chunks, oldest first; their bytes are in the file too. */
    private final ArrayDeque<Chunk> kept = new ArrayDeque<>();
    private long keptBytes;
    private final ArrayDeque<byte[]> spare = new ArrayDeque<>();
    private long spareBytes;

    /** The active segment's {@link PayloadCipher#overhead} per record (0 before the first segment). Writer's lock. */
    int overhead;

    /** The bytes {@code records} records of {@code payload} key and value bytes in all take in the active segment. */
    int size(long payload, int records) {
        return Math.toIntExact(payload + (long) records * RecordFormat.recordSize(0, 0, overhead));
    }

    /**
     * A new pending chunk at {@code fileOffset} of {@code segment}, published to {@link #copyPublished}, without a
     * buffer: the first append to it opens the chunk that takes its records ({@link #roomFor}).
     */
    Chunk next(Segment segment, long fileOffset) {
        return publish(new Chunk(segment, fileOffset, NO_BUFFER));
    }

    /** Links {@code c} after the newest chunk and publishes it. */
    private Chunk publish(Chunk c) {
        c.older = newest;
        newest = c;
        return c;
    }

    /** A buffer for a new chunk of {@code total} bytes or more. */
    private byte[] takeBuffer(int total) {
        byte[] b = total <= INITIAL_CHUNK ? spare.poll() : null;
        if (b == null) {
            return new byte[Math.max(total, INITIAL_CHUNK)];
        }
        spareBytes -= b.length;
        return b;
    }

    /**
     * Keeps a chunk no more records go to (the last of a segment being rolled, or a full one) until a cycle takes
     * it.
     */
    void rolled(Chunk last) {
        rolled.add(last);
        rolledBytes += last.length;
    }

    /**
     * Whether a writer must wait before appending {@code total} bytes: the records no cycle has taken yet (in
     * {@code pending} and queued) would pass {@link #MAX_PENDING}. A record larger than that goes alone.
     */
    boolean full(Chunk pending, int total) {
        long queued = rolledBytes + pending.length;
        return queued > 0 && queued + total > MAX_PENDING;
    }

    /**
     * The chunk to append {@code total} bytes to: {@code pending}, or, when they do not fit in its buffer (it is full,
     * or a cycle's next chunk, which has none), a new chunk after it with a buffer for them, {@code pending} being
     * queued for the next cycle (an empty one is skipped there). Queued rather than grown: growing copied the chunk
     * again at every doubling while a cycle ran (a seal's fsync), 8% of the bytes a put allocated. One branch, taken
     * once a cycle: see the class comment.
     */
    Chunk roomFor(Chunk pending, int total) {
        return pending.length + total <= pending.buf.length ? pending : after(pending, total);
    }

    private Chunk after(Chunk full, int total) {
        rolled(full);
        return publish(new Chunk(full.segment, full.fileOffset + full.length, takeBuffer(total)));
    }

    /** Whether rolled chunks hold records for the next cycle (empty ones are only skipped there). */
    boolean hasRolled() {
        return rolledBytes > 0;
    }

    /** The bytes of the rolled chunks, queued for the next cycle. */
    long rolledBytes() {
        return rolledBytes;
    }

    /** Takes the rolled chunks and {@code pending} (if it holds records), in file order, for a cycle: in flight. */
    List<Chunk> takeBatch(Chunk pending) {
        List<Chunk> batch = new ArrayList<>(rolled.size() + 1);
        batch.addAll(rolled);
        rolled.clear();
        rolledBytes = 0;
        if (pending.length > 0) {
            batch.add(pending);
        }
        inFlight = batch;
        return batch;
    }

    /** Takes chunks a cycle has written (in file order): they stay readable until newer ones push them out. */
    void written(List<Chunk> batch) {
        inFlight = List.of();
        for (Chunk c : batch) {
            if (c.length == 0) {
                continue; // no bytes, no buffer of its own (a failed append's goes to the GC): not kept, not retired
            }
            kept.addLast(c);
            keptBytes += c.buf.length;
        }
        while (kept.size() > 1 && keptBytes > KEPT_BYTES) {
            Chunk old = kept.removeFirst();
            keptBytes -= old.buf.length;
            recycle(old);
        }
        // The next cycle's first put takes a buffer, and a put that fills a chunk another: keep a few ready, so that
        // a put finds one (its miss is a branch no profile sees before a burst, see the class comment).
        while (spare.size() < SPARE_AHEAD) {
            spare.add(new byte[INITIAL_CHUNK]);
            spareBytes += INITIAL_CHUNK;
        }
    }

    /**
     * Copies the record into {@code dst[at]} from the chunk holding it ({@link #find}); false when the file has it
     * and no chunk does. {@code failure}: what stopped the writer, for the message.
     *
     * @throws FerrumException when the record is neither in the file nor in a chunk
     */
    boolean copy(Chunk pending, Segment segment, long offset, int size, byte[] dst, int at, Throwable failure) {
        Chunk c = find(pending, segment, offset, size);
        if (c == null) {
            if (offset + size <= segment.writtenLength()) {
                return false;
            }
            throw new FerrumException("record at " + segment + " offset " + offset + " is neither written nor"
                    + " pending" + (failure == null ? "" : " (writes failed: " + failure + ")"));
        }
        System.arraycopy(c.buf, (int) (offset - c.fileOffset), dst, at, size);
        return true;
    }

    /** The chunk holding the whole record, newest first: pending, rolled, in flight, then written and kept; or null. */
    Chunk find(Chunk pending, Segment segment, long offset, int size) {
        if (pending.holds(segment, offset, size)) {
            return pending;
        }
        for (Chunk c : rolled) {
            if (c.holds(segment, offset, size)) {
                return c;
            }
        }
        for (Chunk c : inFlight) {
            if (c.holds(segment, offset, size)) {
                return c;
            }
        }
        for (Iterator<Chunk> it = kept.descendingIterator(); it.hasNext(); ) {
            Chunk c = it.next();
            if (c.holds(segment, offset, size)) {
                return c;
            }
        }
        return null;
    }

    /**
     * Lock-free (see the class): copies the {@code size} bytes at {@code offset} of {@code segment} into
     * {@code dst[at]} from the published chunk holding them; false when none does (any more), or when the chunk
     * retired during the copy: the caller then reads under the lock ({@link #copy}) or from the file. The record must
     * have been found through the key directory, or be found under the lock on false.
     */
    boolean copyPublished(Segment segment, long offset, int size, byte[] dst, int at) {
        for (Chunk c = newest; c != null && !c.retired; c = c.older) {
            if (c.segment != segment || offset < c.fileOffset) {
                continue;
            }
            // Newest first: the first chunk of the segment starting at or before the record holds it, or none does.
            byte[] b = c.buf;
            long from = offset - c.fileOffset;
            if (from + size > c.length || from + size > b.length) {
                return false;
            }
            System.arraycopy(b, (int) from, dst, at, size);
            VarHandle.acquireFence();
            return !c.retired;
        }
        return false;
    }

    /** Gives {@code c}'s buffer to the spare ones, once readers without the lock are told (see the class). */
    private void recycle(Chunk c) {
        c.retired = true;
        // A volatile write orders what came before it, not what follows: without this fence the next chunk's
        // writes into the buffer could become visible before the mark, and a reader could accept a torn copy.
        VarHandle.storeStoreFence();
        c.older = null;
        recycle(c.buf);
    }

    private void recycle(byte[] buf) {
        if (buf.length <= MAX_RECYCLED && buf.length > 0 && spare.size() < MAX_SPARE
                && spareBytes + buf.length <= MAX_SPARE_BYTES) {
            spare.add(buf);
            spareBytes += buf.length;
        }
    }
}
