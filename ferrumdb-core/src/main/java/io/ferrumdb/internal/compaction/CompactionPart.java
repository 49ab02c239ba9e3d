package io.ferrumdb.internal.compaction;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.internal.concurrent.ArrayPool;
import io.ferrumdb.internal.concurrent.ProgressMeter;
import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.keydir.CompactionView;
import io.ferrumdb.internal.keydir.KeyDir;
import io.ferrumdb.internal.keydir.Location;
import io.ferrumdb.internal.keydir.SlotProbe;
import io.ferrumdb.internal.log.InputWindow;
import io.ferrumdb.internal.log.Segment;
import io.ferrumdb.internal.log.SegmentOutput;
import io.ferrumdb.internal.log.SegmentSet;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Step 1 of a compaction for one share of its input records (a subcompaction): decides each record's fate, copies
 * what stays into output files of its own and finishes them under temporary names; it notes where each live record
 * went in the run's {@link LiveRecords}, for the key directory switches. Several parts of one compaction run on their
 * own threads at once: each record's fate depends only on the key directory (the walk before the copy, and for some
 * dead records a lookup) and on {@code oldestOutside}, never on the other records of the run, so any split of the
 * records gives the same outputs' contents as one part, and the {@link Compactor} publishes every part's outputs in
 * one step. Not thread-safe: one thread runs a part.
 */
final class CompactionPart {
    /**
     * The records of input {@code in} in bytes {@code [from, to)} of its data. Copied by bitmap, those whose first
     * byte lies there; else those whose hint entries fall there in proportion: entries {@code [count * from /
     * length, count * to / length)} of its hint's {@code count}. Two shares cut at the same byte cut the same entry
     * list at the same place, so either way the shares of a split cover every record once (an input is copied the
     * same way by all its shares: {@link LiveRecords#byBitmap} is the run's).
     */
    record Share(Segment in, long from, long to) {
        /** The share's entries of {@code all}, the whole hint of {@link #in}. */
        HintFile.Cursor of(HintFile.Cursor all) {
            long length = in.writtenLength();
            int first = entryAt(all.count(), from, length);
            int last = entryAt(all.count(), to, length);
            return first == 0 && last == all.count() ? all : all.part(first, last - first);
        }

        private static int entryAt(int count, long at, long length) {
            return at >= length ? count : (int) ((double) count * at / length);
        }
    }

    private static final byte[] EMPTY = new byte[0];

    /**
     * Whether input {@code in} can be copied by bitmap: its live records found from {@link LiveRecords#nextLive} and
     * their headers read through the part's {@link InputWindow}, every other record dropped unread, its hint not read
     * at all. It holds when {@link #fate} drops every record the bitmap does not name whatever the key directory says of its key:
     * <ul>
     *   <li>no write had failed when the run began deciding ({@code healthy}: {@code durable.all()}); should one fail
     *   later, the run keeps its inputs ({@link Compactor}'s syncAndJournal), as when the hint path decided;</li>
     *   <li>no record of the input may shadow an older one outside the run: its highest sequence number is at most
     *   {@code oldestOutside}, so no tombstone or value with a TTL must stay;</li>
     *   <li>the input and the outputs are plaintext ({@code encrypted}: the database's), so that the copy is a byte
     *   copy of records whose lengths the header gives (an encrypted record is re-sealed from its plaintext key).</li>
     * </ul>
     * The usual case of {@code db.compact()} and of compacting the oldest segments.
     */
    static boolean copiesByBitmap(Segment in, boolean healthy, long oldestOutside, boolean encrypted) {
        return healthy && in.maxSequence() <= oldestOutside && !encrypted && in.cipher().isPlaintext();
    }

    private final KeyDir keyDir;
    private final LiveRecords live;
    private final SegmentSet segments;
    private final long segmentSize;
    private final Compactor.Durability durable;
    private final long oldestOutside;
    private final RateLimit rate;
    private final List<Share> shares;
    private final SegmentOutput.Pools outputPools;
    private final InputHints hints;
    /** The buffers of the parts' {@link InputWindow}s, kept from run to run by the compactor. */
    private final ArrayPool<ByteBuffer> windows;
    /** The run's progress, shared by its parts: the input bytes decided (and copied where they stay). */
    private final ProgressMeter progress;
    final List<SegmentOutput> outputs = new ArrayList<>();
    /** The output being filled, the last of {@link #outputs}. */
    private SegmentOutput current;

    CompactionPart(KeyDir keyDir, LiveRecords live, SegmentSet segments, long segmentSize,
                   Compactor.Durability durable, long oldestOutside, RateLimit rate, List<Share> shares,
                   SegmentOutput.Pools outputPools, ArrayPool<ByteBuffer> windows, InputHints hints,
                   ProgressMeter progress) {
        this.keyDir = keyDir;
        this.live = live;
        this.segments = segments;
        this.segmentSize = segmentSize;
        this.durable = durable;
        this.oldestOutside = oldestOutside;
        this.rate = rate;
        this.shares = shares;
        this.outputPools = outputPools;
        this.hints = hints;
        this.windows = windows;
        this.progress = progress;
    }

    /**
     * Copies the shares' records and finishes the outputs under their temporary names (durable, with hints).
     * {@code abandon} is checked at safe points (before each share, every {@link Compactor#BATCH} records,
     * while throttled, before each output is finished) and throws {@link CompactionAbandonedException} through
     * {@code abandonIf}; the caller deletes the outputs then, as after a failure.
     */
    void copy(Runnable abandonIf, BooleanSupplier abandon) throws IOException {
        // Only this thread reads through the window, and no output reads it once finished (or abandoned): its buffer
        // goes back whatever happens.
        InputWindow window = new InputWindow(windows.take());
        try {
            copy(window, abandonIf, abandon);
        } finally {
            windows.give(window.buffer());
        }
    }

    private void copy(InputWindow window, Runnable abandonIf, BooleanSupplier abandon) throws IOException {
        SlotProbe probe = new SlotProbe();
        for (Share share : shares) {
            abandonIf.run();
            Segment in = share.in();
            int input = live.input(in.id());
            if (live.byBitmap(input)) {
                copyByBitmap(window, share, input, abandonIf, abandon);
                continue;
            }
            // The hint's entries are read in place, in file order (so the input is read sequentially through the
            // window), with no object per record.
            HintFile.Cursor e = share.of(hints.of(in));
            for (int left = e.count(); left > 0; left -= Compactor.BATCH) {
                abandonIf.run();
                progress.add(copyBatch(window, in, input, e, Math.min(left, Compactor.BATCH), probe, abandon));
            }
            e.checkEnd();
        }
        for (SegmentOutput o : outputs) {
            abandonIf.run();
            o.finishUnderTemporaryName();
        }
    }

    /**
     * Decides and copies the cursor's next {@code batch} entries of input {@code in}, the run's input number
     * {@code input} ({@link LiveRecords#input}). The per-record loop is a method of its own, called once per BATCH
     * records, so
     * that in a fresh JVM it is compiled as a whole method after a few hundred calls (a few thousand records)
     * instead of waiting for an on-stack replacement of the loop over a share, and its exit is taken all the
     * time: the loop never ends on a branch the profile has not seen, which made the compiled loop deoptimize
     * at the end of every share (issue 23, session 12). Returns the input bytes of the batch's records.
     */
    private long copyBatch(InputWindow window, Segment in, int input, HintFile.Cursor e, int batch, SlotProbe probe,
                           BooleanSupplier abandon) throws IOException {
        long inputBytes = 0;
        for (int i = 0; i < batch; i++) {
            boolean entry = e.next();
            assert entry : "a batch past the end of its share";
            inputBytes += e.recordSize();
            Fate fate = fate(e, in, input, probe);
            if (fate == Fate.DROP) {
                continue;
            }
            if (fate == Fate.TOMBSTONE) {
                SegmentOutput out = output(e.keyLength());
                long before = out.length();
                out.append(RecordFormat.TYPE_DELETE, e.key(), EMPTY, e.sequence(), 0);
                rate.wrote(out.length() - before, abandon);
            } else {
                copyRecord(window, in, input, fate == Fate.COPY, e.offset(), e.type(), e.recordSize(), e.sequence(),
                        e.expiresAt(), abandon);
            }
        }
        return inputBytes;
    }

    /**
     * Copies the live records of a share of an input {@link #copiesByBitmap copied by bitmap}, in file order, up to
     * {@link Compactor#BATCH} records per call of {@link #copyLiveBatch} (as {@link #copyBatch}, for the JIT). The
     * progress counts the share's bytes as the copy passes them, the dropped records' between the live ones.
     */
    private void copyByBitmap(InputWindow window, Share share, int input, Runnable abandonIf, BooleanSupplier abandon)
            throws IOException {
        long passed = share.from();
        for (long next = live.nextLive(input, share.from(), share.to()); next >= 0; ) {
            abandonIf.run();
            next = copyLiveBatch(window, share, input, next, abandon);
            long reached = next < 0 ? share.to() : next;
            progress.add(reached - passed);
            passed = reached;
        }
        progress.add(share.to() - passed);
    }

    /** Copies up to BATCH live records from the one at {@code offset}; returns the next one's offset, or -1. */
    private long copyLiveBatch(InputWindow window, Share share, int input, long offset, BooleanSupplier abandon)
            throws IOException {
        Segment in = share.in();
        long next = offset;
        for (int i = 0; i < Compactor.BATCH && next >= 0; i++) {
            long end = copyLive(window, in, input, next, abandon);
            long after = live.nextLive(input, next + 1, share.to());
            if (after >= 0 && after < end) {
                throw new CorruptionException(in.path(), next, "record of " + (end - next) + " bytes overlaps the"
                        + " record the key directory names at offset " + after);
            }
            next = after;
        }
        return next;
    }

    /**
     * Copies the live record at {@code offset} of {@code in}, an input copied by bitmap, from its header read in
     * place in {@code window} (the copy checks its CRC and header again once read whole, {@link SegmentOutput#copy});
     * returns where the record ends. Its fate is {@link #fate}'s for a live record.
     */
    private long copyLive(InputWindow window, Segment in, int input, long offset, BooleanSupplier abandon)
            throws IOException {
        long length = in.writtenLength();
        if (offset + RecordFormat.HEADER_SIZE > length) {
            throw new CorruptionException(in.path(), offset, "the key directory names a record past the segment's"
                    + " end (" + length + " bytes)");
        }
        int at = window.at(in, offset, RecordFormat.HEADER_SIZE);
        ByteBuffer header = window.buffer();
        String problem = RecordFormat.headerProblem(header, at);
        if (problem != null) {
            throw new CorruptionException(in.path(), offset, problem);
        }
        int size = RecordFormat.recordSize(RecordFormat.keyLength(header, at), RecordFormat.valueLength(header, at),
                in.cipher());
        if (offset + size > length) {
            throw new CorruptionException(in.path(), offset, "record of " + size + " bytes runs past the segment's"
                    + " end (" + length + " bytes)");
        }
        long sequence = RecordFormat.sequence(header, at);
        assert sequence <= oldestOutside : "a record copied by bitmap may shadow one outside the run";
        copyRecord(window, in, input, durable.isDurable(in.id(), offset), offset, RecordFormat.type(header, at), size,
                sequence, RecordFormat.expiresAt(header, at), abandon);
        return offset + size;
    }

    /**
     * Copies one record (COPY, or KEEP when not {@code follow}): the key directory follows a copied PUT it points
     * at ({@link LiveRecords#copied}).
     */
    private void copyRecord(InputWindow window, Segment in, int input, boolean follow, long offset, byte type, int size,
                            long sequence, long expiresAt, BooleanSupplier abandon) throws IOException {
        SegmentOutput out = output(size - RecordFormat.HEADER_SIZE);
        long before = out.length();
        long copiedTo = out.copy(window, in, offset, type, size, sequence, expiresAt);
        if (follow && type == RecordFormat.TYPE_PUT) {
            live.copied(input, offset, CompactionView.locationWord(out.segment().id(), copiedTo), out.lastSize(),
                    out.lastExpiresAt());
        }
        rate.wrote(out.length() - before, abandon);
    }

    /** The output to write a record of {@code payload} bytes of key and value to: the current one, or a new one. */
    private SegmentOutput output(int payload) throws IOException {
        SegmentOutput out = current;
        if (out == null || out.full(payload)) {
            out = new SegmentOutput(segments.files(), segments.allocateId(), segmentSize, outputPools);
            outputs.add(out);
            current = out;
        }
        return out;
    }

    /** What becomes of one input record. */
    private enum Fate {
        /** Copied as it is; the key directory follows a copied PUT it points at. */
        COPY,
        /** Copied as it is, the key directory left alone (the key's newest record is not durable). */
        KEEP,
        /** Replaced by a tombstone of the same sequence number (the value is not needed, only its shadow). */
        TOMBSTONE,
        /** Not copied. */
        DROP
    }

    /**
     * The key directory decides: a PUT it points at is copied (even when it expired meanwhile: the entry must
     * keep pointing at a file that exists, and the caller purged expired entries just before). A PUT it does not
     * point at is dropped, unless it carries a TTL and the key has no entry at all: then it may be the newest
     * record of a key whose value expired (and was purged), and dropping it would let an older value of the key
     * in a segment outside this compaction come back; it is turned into a tombstone when such a segment may
     * exist. Tombstones follow the same rule (Bitcask issue #82). Every record of a key whose newest record did
     * not become durable (a failed write) is kept, and after a write failure so is every record of a key without
     * an entry (its delete may be the failed write).
     *
     * <p>Most records are decided by {@link LiveRecords#isLive} alone, a bit the walk of the slot table before the
     * copy set: whether a key pointed at this very record. Only when that is no and the answer depends on the key's
     * entry elsewhere (a tombstone or a PUT with a TTL that may shadow an older record, or a failed writer) is the
     * key looked up by its bytes, into {@code probe}.
     */
    private Fate fate(HintFile.Cursor e, Segment in, int input, SlotProbe probe) {
        if (live.isLive(input, e.offset())) {
            // The key's newest record is this one. If a write failure caught it, reopen will find one of the
            // key's older records, and which one is not known here: keep them all.
            return durable.isDurable(in.id(), e.offset()) ? Fate.COPY : Fate.KEEP;
        }
        boolean mayShadow = oldestOutside < e.sequence()
                && (e.type() != RecordFormat.TYPE_PUT || e.expiresAt() != 0);
        if (!mayShadow && durable.all()) {
            return Fate.DROP; // whatever the key's entry is
        }
        Location current = keyDir.probe(e.buffer(), e.keyAt(), e.keyLength(), probe);
        if (current != null && !durable.isDurable(current.segmentId(), current.offset())) {
            return Fate.KEEP;
        }
        if (current == null && !durable.all()) {
            // The key's newest record may be a delete the failure caught: reopen finds one of the key's older
            // records then, and dropping this one could bring back an older value outside the inputs.
            return Fate.KEEP;
        }
        if (e.type() == RecordFormat.TYPE_PUT) {
            if (current != null && current.segmentId() == in.id() && current.offset() == e.offset()) {
                // The walk would have had to miss a slot that named this record when it began: no write points
                // a key back at an older record. Nothing is published yet; the run fails and deletes its outputs.
                throw new IllegalStateException("the key directory names the record at offset " + e.offset()
                        + " of segment " + in.id() + ", which the walk of its table before the copy found dead");
            }
            boolean mayBeNewest = current == null && e.expiresAt() != 0;
            return mayBeNewest && oldestOutside < e.sequence() ? Fate.TOMBSTONE : Fate.DROP;
        }
        return current == null && oldestOutside < e.sequence() ? Fate.COPY : Fate.DROP;
    }

    /**
     * The compaction's rate limit ({@code Options.compactionRateLimit}), shared by its parts: the bytes all of them
     * wrote since the run started stay under the rate, whichever part wrote them.
     */
    static final class RateLimit {
        private final long bytesPerSecond;
        private final LongSupplier nanoTime;
        private final LongConsumer parkNanos;
        private final long startedNanos;
        private final AtomicLong written = new AtomicLong();

        /** @param bytesPerSecond 0 for no limit */
        RateLimit(long bytesPerSecond) {
            this(bytesPerSecond, System::nanoTime, LockSupport::parkNanos);
        }

        /** With the clock and the sleep given (tests). */
        RateLimit(long bytesPerSecond, LongSupplier nanoTime, LongConsumer parkNanos) {
            this.bytesPerSecond = bytesPerSecond;
            this.nanoTime = nanoTime;
            this.parkNanos = parkNanos;
            this.startedNanos = nanoTime.getAsLong();
        }

        /**
         * Counts {@code bytes} written and sleeps as needed so that the run's bytes stay under the rate; wakes
         * early when unparked and {@code abandon} is true (the next safe point then gives up).
         */
        void wrote(long bytes, BooleanSupplier abandon) {
            if (bytesPerSecond <= 0) {
                return;
            }
            long total = written.addAndGet(bytes);
            long dueNanos = startedNanos + TimeUnit.SECONDS.toNanos(1) * total / bytesPerSecond;
            for (long wait = dueNanos - nanoTime.getAsLong(); wait > 0 && !abandon.getAsBoolean();
                 wait = dueNanos - nanoTime.getAsLong()) {
                parkNanos.accept(wait);
            }
        }
    }
}
