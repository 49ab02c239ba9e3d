package io.ferrumdb.internal.log;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.internal.directory.DatabaseDirectory;
import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.format.SegmentHeader;
import io.ferrumdb.internal.keydir.Location;
import io.ferrumdb.internal.concurrent.ArrayPool;
import io.ferrumdb.internal.concurrent.Uninterruptibly;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One segment being rewritten from verified records (by compaction and by repair) under a temporary name, with
 * the compaction-output flag: each record keeps its original sequence number and expiry and becomes a unit of its
 * own. Plaintext records are copied as they are ({@link #copy}); encrypted ones are re-encrypted under the new
 * segment's own salt ({@link #append}), so no nonce is ever reused. Hint entries are made as records go in
 * ({@link OutputHint}: a plaintext output's go to the hint's temporary file as they come). The caller renames the
 * file to {@link SegmentFiles#dataPath} once {@link #finishUnderTemporaryName()} has made it durable.
 */
public final class SegmentOutput {
    /**
     * Bytes of each of an output's two write buffers. 256 KiB buffers (a quarter of the fresh heap in a first
     * compaction) were measured in session 29: four times the hand-offs to the writer cost more CPU in warm
     * compactions than the first one saved.
     */
    private static final int BUFFER = 1 << 20;
    /**
     * Every this many bytes written the writer starts an fsync of the output on its second thread, beside the next
     * writes, so that the disk writes while the copy computes (RocksDB's {@code bytes_per_sync}): the kernel starts
     * writing a file's dirty pages back only past its dirty-memory thresholds, so otherwise all of an output (tens
     * of megabytes) waited for the final fsync, on the compaction's critical path. Session 10 fsynced on the writer's
     * one thread, which made the copy wait for its next buffer behind the fsync; here no write waits for one (issue
     * 23, session 11). Durability is unchanged: the file keeps its temporary name until the final fsync and the
     * caller's rename; an early fsync's failure is the final one's.
     */
    private static final long SYNC_EVERY = 8L << 20;

    /**
     * Where outputs take their write buffers and hint blocks, and give them back when finished: a compactor keeps
     * them from one run to the next ({@link #kept}), a one-off rewrite allocates ({@link #none}).
     */
    public record Pools(ArrayPool<byte[]> buffers, ArrayPool<byte[]> hintBlocks) {
        /** Arrays kept for {@code outputs} outputs at once and {@code hintBlocks} blocks of their hints. */
        public static Pools kept(int outputs, int hintBlocks) {
            return new Pools(new ArrayPool<>(SegmentOutput::newBuffer, 2 * outputs),
                    HintFile.Builder.blockPool(hintBlocks));
        }

        public static Pools none() {
            return new Pools(ArrayPool.none(SegmentOutput::newBuffer), HintFile.Builder.blockPool(0));
        }
    }

    private final SegmentFiles files;
    private final Segment segment;
    private final Path tmpPath;
    private final long segmentSize;
    private final Pools pools;
    private final OutputHint hint;
    /**
     * The buffer being filled; {@link #spare} is the other one, whose bytes may be on their way to the file. Both
     * may hold an earlier output's bytes past {@link #buffered}: only {@code [0, buffered)} is ever written.
     */
    private byte[] buffer;
    private byte[] spare;
    private int buffered;
    /** The last record {@link #copy} or append wrote: its size and expiry, as written. */
    private int lastSize;
    private long lastExpiresAt;
    /** Writes the full buffers while the caller fills the next; started on the first flush. */
    private ExecutorService writer;
    /** The write of {@link #spare} in flight, or null. At most one: its order on the file is the caller's. */
    private Future<?> inFlight;
    /**
     * The early fsync running or done, and the file length its write task had reached when it started it: touched by
     * the write tasks (one at a time, in order) and by the caller once the last write is waited for.
     */
    private Future<?> earlySync;
    private long earlySyncFrom;
    private long length = SegmentHeader.SIZE;
    /** Consecutive input records {@link #copy} took but has not yet read; their bytes follow {@link #buffered}. */
    private final Run run = new Run();

    /** An output whose arrays are allocated and dropped with it. */
    public SegmentOutput(SegmentFiles files, int id, long segmentSize) throws IOException {
        this(files, id, segmentSize, Pools.none());
    }

    /** An output that takes its buffers and hint blocks from {@code pools} and gives them back when finished. */
    public SegmentOutput(SegmentFiles files, int id, long segmentSize, Pools pools) throws IOException {
        this.files = files;
        this.segmentSize = segmentSize;
        this.tmpPath = files.dir().resolve(FileNames.temporary(FileNames.segment(id)));
        this.segment = files.create(id, tmpPath, false, true);
        this.pools = pools;
        try {
            this.hint = OutputHint.of(files, segment, pools.hintBlocks());
        } catch (IOException | RuntimeException e) {
            try {
                segment.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            DatabaseDirectory.deleteAfterFailure(files.io(), tmpPath, e);
            throw e;
        }
        this.buffer = pools.buffers().take();
        this.spare = pools.buffers().take();
    }

    private static byte[] newBuffer() {
        return new byte[BUFFER];
    }

    public Segment segment() {
        return segment;
    }

    public Path tmpPath() {
        return tmpPath;
    }

    public long length() {
        return length;
    }

    /** Whether a record with {@code payloadBytes} of key and value would make this segment exceed its size. */
    public boolean full(int payloadBytes) {
        return length > SegmentHeader.SIZE && length + RecordFormat.HEADER_SIZE + payloadBytes > segmentSize;
    }

    /**
     * Copies the record of {@code size} bytes at {@code offset} of {@code in}, whose type, sequence number and expiry
     * its hint entry or its header read through {@code window} gave; returns the offset it now lies at in this output,
     * {@link #lastSize()} bytes long (no Location per record). Plaintext records are copied as they are, through the
     * part's {@link InputWindow} on the input into the output buffer; only the COMMIT flag changes. A record that follows the
     * previous copy in the same input joins its run, and a run is read with one copy and checked record by record
     * when it ends ({@link #endRun}): CRC, header, and the type, size, sequence number and expiry given here, which
     * this call has already used; its hint entries are made then, with the keys of the records read. Encrypted
     * records are opened and sealed again one by one, because the record's file offset is part of its nonce and
     * associated data.
     */
    public long copy(InputWindow window, Segment in, long offset, byte type, int size, long sequence, long expiresAt)
            throws IOException {
        if (!in.cipher().isPlaintext() || !segment.cipher().isPlaintext() || size > BUFFER) {
            byte[] record = new byte[size];
            window.readInto(in, offset, record, 0, size);
            return append(RecordReader.open(in, offset, record)).offset();
        }
        if (run.count > 0 && (!run.continuesWith(in, offset, size) || buffered + run.bytes + size > buffer.length)) {
            endRun();
        }
        if (run.count == 0 && buffered + size > buffer.length) {
            flush();
        }
        if (run.count == 0) {
            run.start(window, in, offset, buffered, length);
        }
        run.add(type, size, sequence, expiresAt);
        long copiedTo = length;
        length += size;
        noteLast(size, expiresAt);
        return copiedTo;
    }

    /**
     * Reads the pending run into the buffer, where {@link #copy} reserved its place, and checks each record against
     * what its caller promised; sets COMMIT on each (every record of a compaction output is a unit of its own) and
     * adds its hint entry.
     */
    private void endRun() throws IOException {
        Run r = run;
        if (r.count == 0) {
            return;
        }
        assert r.at == buffered && buffered + r.bytes <= buffer.length : "a run's place in the buffer moved";
        byte[] b = buffer;
        r.window.readInto(r.in, r.from, b, r.at, r.bytes);
        int at = r.at;
        for (int i = 0; i < r.count; i++) {
            int size = r.sizes[i];
            String problem = size < RecordFormat.HEADER_SIZE || !RecordFormat.crcMatches(b, at, size)
                    ? "record checksum mismatch" : RecordFormat.headerProblem(b, at);
            if (problem == null && (RecordFormat.recordSize(b, at, r.in.cipher()) != size
                    || RecordFormat.type(b, at) != r.types[i] || RecordFormat.sequence(b, at) != r.sequences[i]
                    || RecordFormat.expiresAt(b, at) != r.expiries[i])) {
                problem = "record does not match its hint entry";
            }
            if (problem != null) {
                throw new CorruptionException(r.in.path(), r.from + (at - r.at), problem);
            }
            if (!RecordFormat.isCommit(b, at)) {
                RecordFormat.markCommit(b, at, size);
            }
            hint.add(r.types[i], b, at + RecordFormat.HEADER_SIZE, RecordFormat.keyLength(b, at), size,
                    r.to + (at - r.at), r.sequences[i], r.expiries[i]);
            at += size;
        }
        segment.noteSequences(r.minSequence, r.maxSequence);
        buffered += r.bytes;
        r.count = 0;
        r.in = null;
        r.window = null;
    }

    private void noteLast(int size, long expiresAt) {
        lastSize = size;
        lastExpiresAt = expiresAt;
    }

    /** The size of the record the last {@link #copy} or append wrote. */
    public int lastSize() {
        return lastSize;
    }

    /** The expiry of the record the last {@link #copy} or append wrote. */
    public long lastExpiresAt() {
        return lastExpiresAt;
    }

    /** Appends a re-encoded copy of {@code p}; returns where it now lies. */
    public Location append(RecordCheck.Valid p) throws IOException {
        return append(p.type(), p.key(), p.value(), p.sequence(), p.expiresAt());
    }

    /**
     * Appends a record built here (compaction turns an expired value into a tombstone of the same sequence
     * number); returns where it now lies.
     */
    public Location append(byte type, byte[] key, byte[] value, long sequence, long expiresAt) throws IOException {
        endRun();
        int size = RecordFormat.recordSize(key.length, value.length, segment.cipher());
        if (buffered + size > buffer.length) {
            flush();
        }
        byte[] target = size > BUFFER ? new byte[size] : buffer;
        int at = target == buffer ? buffered : 0;
        RecordFormat.encode(target, at, length, type, true, sequence, expiresAt, key, value, segment.cipher());
        if (target == buffer) {
            buffered += size;
        } else {
            awaitWrite();
            segment.file().write(length, ByteBuffer.wrap(target, 0, size));
        }
        Location location = new Location(segment.id(), length, size, expiresAt);
        hint.add(type, key, size, length, sequence, expiresAt);
        segment.noteSequences(sequence, sequence);
        length += size;
        noteLast(size, expiresAt);
        return location;
    }

    /**
     * Hands the full buffer to the writer thread and goes on with the other one, once the write before has
     * finished: the copy loop's CPU work overlaps the write system calls, which on a busy machine wait (for the
     * kernel's dirty-page throttling, for a CPU) about as long as the loop computes. One write in flight at a
     * time, so the file is written in order and the bytes reach it exactly as with a write per flush.
     */
    private void flush() throws IOException {
        assert run.count == 0 : "a run is pending in the buffer being flushed";
        if (buffered == 0) {
            return;
        }
        awaitWrite();
        byte[] full = buffer;
        int size = buffered;
        long position = length - buffered;
        buffer = spare;
        spare = full;
        buffered = 0;
        if (writer == null) {
            // The thread ends by itself after a second idle, should an output be dropped without finish or
            // abandon (an Error thrown through the caller).
            // Two threads: the writes (one at a time) and an early fsync beside them.
            ThreadPoolExecutor two = new ThreadPoolExecutor(2, 2, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                    r -> {
                        Thread t = new Thread(r, "ferrumdb-output-" + segment.id());
                        t.setDaemon(true);
                        return t;
                    });
            two.allowCoreThreadTimeOut(true);
            writer = two;
        }
        StorageFile file = segment.file();
        ExecutorService threads = writer;
        inFlight = threads.submit(() -> {
            file.write(position, ByteBuffer.wrap(full, 0, size));
            startEarlySync(threads, file, position + size);
            return null;
        });
    }

    /**
     * On the writer, after a write that ends at {@code written}: starts an fsync beside the next writes once
     * {@link #SYNC_EVERY} bytes were written since the last one started, unless that one still runs.
     */
    private void startEarlySync(ExecutorService threads, StorageFile file, long written) throws IOException {
        if (written - earlySyncFrom < SYNC_EVERY || earlySync != null && !earlySync.isDone()) {
            return;
        }
        awaitEarlySync(); // a failed one fails this write, and so the output
        earlySyncFrom = written;
        earlySync = threads.submit(() -> {
            file.force();
            return null;
        });
    }

    /** Waits for the early fsync, if any; its failure is this call's. */
    private void awaitEarlySync() throws IOException {
        Future<?> sync = earlySync;
        if (sync == null) {
            return;
        }
        earlySync = null;
        Uninterruptibly.get(sync, "early fsync of " + tmpPath);
    }

    /** Waits for the write (or the final fsync) in flight, if any; its failure is this call's. */
    private void awaitWrite() throws IOException {
        Future<?> write = inFlight;
        if (write == null) {
            return;
        }
        inFlight = null;
        Uninterruptibly.get(write, "write or fsync of " + tmpPath);
    }

    /** Waits for the write in flight and stops the writer thread. */
    private void stopWriter() throws IOException {
        try {
            awaitWrite();
            awaitEarlySync();
        } finally {
            if (writer != null) {
                writer.shutdown();
                writer = null;
            }
        }
    }

    /**
     * Writes what is buffered, fsyncs the file and finishes its hint (which names the final segment), durably. The
     * data's fsync runs on the writer thread while this one writes the hint's last entries and prologue and fsyncs
     * it: each was about half of this step's 20-40 ms per output of 21 MB (issue 23, ninth session), and the disk
     * takes both files' pages at once. The hint may so become durable before the data, which is still under its
     * temporary name then: a crash before the caller's rename leaves an unpublished output, as a crash between the
     * two did.
     */
    public void finishUnderTemporaryName() throws IOException {
        endRun();
        flush();
        awaitWrite();
        StorageFile file = segment.file();
        Future<?> forced = writer == null ? null : writer.submit(() -> {
            file.force();
            return null;
        });
        try {
            if (forced == null) {
                file.force(); // nothing was ever flushed: no writer thread
            }
            segment.truncatedTo(length);
            hint.finish(files, segment);
        } finally {
            // Waited for by stopWriter, here or in abandon after a failure; its failure is then this call's.
            inFlight = forced;
        }
        stopWriter();
        // Nothing reads the buffers or the hint's blocks again, and no write is in flight: they go back to the pool
        // (after a failure they are dropped instead, whatever a writer may still be doing with them).
        hint.release();
        pools.buffers().give(buffer);
        pools.buffers().give(spare);
        buffer = null;
        spare = null;
    }

    /**
     * Deletes the output after a failure, under its temporary name or, once renamed, its final one (not listed in
     * the MANIFEST: the caller's failure came before, or {@link SegmentSet#publish} found the MANIFEST without it),
     * and its hint, under either name; problems doing so are added to {@code cause}.
     */
    public void abandon(Throwable cause) {
        try {
            stopWriter();
        } catch (IOException | RuntimeException e) {
            if (e != cause) {
                cause.addSuppressed(e);
            }
        }
        try {
            segment.close();
            files.io().delete(tmpPath);
            files.delete(segment.id());
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
        hint.abandon(files, cause);
    }

    /**
     * Consecutive records of one input, copied as one byte range (issue 23, session 10: one read of the input's map
     * per run instead of one per record), with what the caller said of each, to be checked once read.
     * Bounded by {@link #MAX_BYTES}, so that the run is still in the core's cache when it is checked, and by
     * {@link #MAX_RECORDS}, the length of the arrays that remember the entries.
     */
    private static final class Run {
        /** Records a run holds at most; records of 16-byte keys and 100-byte values end it at 64 KiB first (455). */
        static final int MAX_RECORDS = 512;
        static final int MAX_BYTES = 64 << 10;

        final byte[] types = new byte[MAX_RECORDS];
        final int[] sizes = new int[MAX_RECORDS];
        final long[] sequences = new long[MAX_RECORDS];
        final long[] expiries = new long[MAX_RECORDS];
        /** What the run's bytes are read through once it ends: the copying part's window on its inputs. */
        InputWindow window;
        Segment in;
        long from;
        /** Where the run goes in the output buffer, and in the output file. */
        int at;
        long to;
        int bytes;
        int count;
        long minSequence;
        long maxSequence;

        void start(InputWindow window, Segment in, long from, int at, long to) {
            this.window = window;
            this.in = in;
            this.from = from;
            this.at = at;
            this.to = to;
            this.bytes = 0;
            this.minSequence = Long.MAX_VALUE;
            this.maxSequence = Long.MIN_VALUE;
        }

        /** Whether the record of {@code size} bytes at {@code offset} of {@code in} can join the run. */
        boolean continuesWith(Segment in, long offset, int size) {
            return in == this.in && offset == from + bytes && count < MAX_RECORDS && bytes + size <= MAX_BYTES;
        }

        void add(byte type, int size, long sequence, long expiresAt) {
            types[count] = type;
            sizes[count] = size;
            sequences[count] = sequence;
            expiries[count] = expiresAt;
            count++;
            bytes += size;
            minSequence = Math.min(minSequence, sequence);
            maxSequence = Math.max(maxSequence, sequence);
        }
    }
}
