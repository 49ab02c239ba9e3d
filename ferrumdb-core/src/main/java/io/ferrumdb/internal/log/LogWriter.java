package io.ferrumdb.internal.log;

import io.ferrumdb.FerrumException;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.ReadOnlyDatabaseException;
import io.ferrumdb.internal.concurrent.Uninterruptibly;
import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.format.SegmentHeader;
import io.ferrumdb.internal.log.Chunks.Chunk;
import io.ferrumdb.internal.log.CycleIo.Cycle;
import io.ferrumdb.internal.log.CycleIo.Sealing;
import io.ferrumdb.internal.log.GroupCommit.Ticket;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Appends records to the active segment and makes them durable with group commit.
 *
 * <p>Writers encode records into an in-memory chunk under a short lock and update the key directory there, so
 * that the order of key-directory updates equals the order of sequence numbers. A cycle takes everything pending
 * at once, writes it with positional writes and fsyncs once (as the policy asks); one cycle runs at a time
 * ({@link GroupCommit}'s token). Under {@code always()} a writer waiting for its own put leads the cycle on its
 * own thread ({@link #waitFor}) and completes its followers. The flusher thread runs the other cycles
 * (asynchronous futures alone, syncs, close, the periodic and never policies); who runs a cycle and when is {@link
 * CycleTurns}'s part. The flusher wakes only the first {@link CycleTurns#FLUSHER_ACKS} writers of a batch itself (each wake is a system call, and a woken writer may preempt the waker)
 * and hands the others to the acknowledger thread, which also runs the after-cycle work while the next cycle runs
 * (and, unless under {@code always()}, seals the segments the cycle rolled: {@link CycleIo#sealsOnCycle}).
 * Under {@code always()} a writer that queued during a cycle leads the next one at once; when none queued, the
 * next cycle first waits, up to half an fsync, for the writers just acknowledged to append again ({@link
 * GroupGather}: the flusher's own, the leaders' in GroupCommit).
 *
 * <p>Readers find records not yet handed to the OS in the pending and in-flight chunks, so a write is visible as
 * soon as it returns, and the newest written ones in the chunks kept after writing, mostly without this lock
 * ({@link Chunks#copyPublished}): reading what was just written costs no system call and no wait. After a failed write or fsync, or any other throwable in
 * a cycle (an OutOfMemoryError too), on a leader or the flusher, the writer stops for good: the cycle's writers and
 * every waiting one are failed, and every later append throws {@link ReadOnlyDatabaseException} carrying the
 * original failure (a failed fsync is never retried). A failed seal of a rolled segment (its hint file) stops it
 * the same way, but fails no writer whose records a cycle had fsynced: acknowledgements follow the records. A
 * failure to create the next segment stops it too, but leaves the files sound: the flusher's last cycle writes out
 * and fsyncs the records appended before it (under {@code never()} and {@code periodic} their puts have returned).
 */
public final class LogWriter {
    /** Creates the next active segment, durable (file and directory fsynced) before it returns. */
    public interface SegmentFactory {
        Segment createActive() throws IOException;
    }

    /**
     * Called by a cycle (on the flusher or a leading writer) once a rolled segment is complete and fsynced, with the
     * hint entries of every record appended to it (built while appending: sealing never re-reads it). Writes its hint.
     */
    public interface SealListener {
        void sealed(Segment segment, HintFile.Builder hint) throws IOException;
    }

    /**
     * Without fsync waiters, a cycle runs {@link #LINGER_NANOS} after records became pending, or when the flusher
     * wakes to find this much pending or a full chunk queued (or sooner: {@link FlusherTicks}). Only the first record
     * pending wakes it, and only when it is parked: waking it per record cost a hand-off and a write() per put (30x
     * fewer puts/s), and per 64 KiB an unpark that was 5% of a put's CPU.
     */
    private static final int FLUSH_BYTES = 64 << 10;
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Condition space = lock.newCondition();
    private final FsyncPolicy policy;
    private final long segmentSize;
    private final SegmentFactory factory;
    /** The cycles' file work: writes, forces, hint files of sealed segments, fsync counts (token holder only). */
    private final CycleIo io;
    /** Who runs the next cycle: a leading writer or the flusher. */
    private final GroupCommit commit = new GroupCommit(LINGER_NANOS);
    private final Thread flusher;
    /** Completes the futures of fsynced cycles, in cycle order, and runs the after-cycle work. */
    private final Acknowledger acknowledger;
    /** The flusher's loop and a leader's turn: when a cycle takes what is pending here, and who acknowledges it. */
    private final CycleTurns turns;

    // Guarded by lock.
    /**
     * Null until the first append (or {@link #rollAndSync(boolean)} with evenIfEmpty) creates it, so that an open
     * that writes nothing creates no file (a database on a full disk can still be opened and compacted). While it
     * is null nothing has been appended: appendOffset is 0 and the pending chunk is empty.
     */
    private Segment active;
    private long appendOffset;
    private long rollBeyond = -1; // appends roll past it: the segment size, or -1 before the first segment (append)
    private Chunk pending;
    /** Rolled segments waiting for their seal, and the last one rolled. */
    private final SealQueue toSeal = new SealQueue();
    /** Hint entries of every record appended to {@link #active}, in file order. */
    private HintFile.Builder activeHint = new HintFile.Builder();
    private final ArrayDeque<CompletableFuture<Void>> waiters = new ArrayDeque<>();
    /** The waiters of the running cycle (failed by the flusher if it dies in it). */
    private List<CompletableFuture<Void>> cycleWaiters = List.of();
    /** Chunks after the pending one: rolled, in flight, written and kept for reads; spare buffers. */
    private final Chunks chunks = new Chunks();
    private long lastSequence;
    /** When the pending chunk got its first record (System.nanoTime). */
    private long pendingSince;
    private boolean syncRequested;
    /**
     * When the flusher runs a cycle no writer leads (after its wait for a group's writers under always(), {@link
     * GroupGather}), and whether a writer must wake it ({@link FlusherTicks}).
     */
    private final FlushSchedule schedule;
    private boolean closing;
    /** The failure that stopped the writer, if any, and whether a user was told of it. */
    private final WriteFailure stopped = new WriteFailure();
    /** Where the written and the fsynced records end, for {@link #mayServe} after a failure. */
    private final DurablePositions positions = new DurablePositions();

    /**
     * @param factory    creates the active segment, first when the first record is appended
     * @param afterCycle work done after flush cycles, off the writers' path and off the flusher's (the key
     *                   directory's queued ordered-set changes); runs on the acknowledger thread, one call at a time,
     *                   after every cycle of the periodic and never policies, under always() once per {@link
     *                   CycleTurns#AFTER_CYCLE_RECORDS} records (and with any cycle that leaves the thread futures)
     */
    public LogWriter(long lastSequence, FsyncPolicy policy, long segmentSize,
                     SegmentFactory factory, SealListener sealListener, Runnable afterCycle) {
        this.pending = new Chunk(null, 0, new byte[Chunks.INITIAL_CHUNK]);
        this.lastSequence = lastSequence;
        this.policy = policy;
        this.segmentSize = segmentSize;
        this.factory = factory;
        this.io = new CycleIo(sealListener, policy.isAlways(), segmentSize, lastSequence);
        this.schedule = new FlushSchedule(!policy.isAlways(), LINGER_NANOS, policy.interval().toNanos());
        // Classes, not lambdas or method references: every open makes a writer (see Acknowledger's thread).
        this.acknowledger = new Acknowledger(afterCycle, io, new AcknowledgerFailure(), lock);
        this.turns = new CycleTurns(lock, work, policy.isAlways(), new PendingWork(), commit, schedule, io, positions,
                acknowledger);
        this.flusher = new Thread(turns.flusherLoop(), "ferrumdb-flusher");
        this.flusher.setDaemon(true);
    }

    /**
     * Appends records as one atomic unit (the last carries the COMMIT flag) and applies them to the key directory.
     * Returns a future completed when the records are durable under an {@code always} policy, or null when the
     * policy does not wait for fsync. With {@code callerWaits} the caller then waits for it with {@link #waitFor} on
     * this thread, which under {@code always()} may lead its group (GroupCommit).
     *
     * <p>Every record is encoded before any is applied, and each loop makes one call a record: in a fresh JVM
     * these loops run interpreted (see {@link Records}), their callees compiled by the single puts.
     */
    public CompletableFuture<Void> append(Records records, Applier applier, boolean callerWaits) {
        int n = records.count();
        lock.lock();
        try {
            Chunk c = reserve(records.payload(), n);
            int before = c.length;
            long first = c.fileOffset + before;
            long sequence = lastSequence + 1;
            for (int i = 0; i < n; i++) {
                c.encode(records, i, sequence + i, activeHint);
            }
            boolean isFirst = appended(c, before, n);
            long at = first;
            for (int i = 0; i < n; i++) {
                at += c.apply(records, i, at, applier);
            }
            return acknowledgement(isFirst, callerWaits);
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@link #append(Records, Applier, boolean)} of one record from the caller's arrays, allocating nothing: neither is
     * kept, the record is encoded from them, and in a plaintext segment the hint and the key directory take the key
     * from it ({@link Chunk#encode}); in an encrypted one it cannot be read back, so the key is copied first.
     */
    public CompletableFuture<Void> append(byte type, byte[] key, byte[] value, long expiresAt, Applier applier,
                                          boolean callerWaits) {
        lock.lock();
        try {
            Chunk c = reserve(key.length + (long) value.length, 1);
            byte[] k = c.segment.cipher().isPlaintext() ? key : key.clone();
            int before = c.length;
            long at = c.fileOffset + before;
            int size = c.encode(type, k, value, expiresAt, true, lastSequence + 1, activeHint);
            boolean first = appended(c, before, 1);
            c.apply(type, k, at, size, expiresAt, applier);
            return acknowledgement(first, callerWaits);
        } finally {
            lock.unlock();
        }
    }

    /** The chunk for {@code records} records of {@code payload} key and value bytes, made room for. REQUIRES lock. */
    private Chunk reserve(long payload, int records) {
        assert lock.isHeldByCurrentThread() : "reserving room requires the writer's lock";
        int total = chunks.size(payload, records);
        while (true) {
            stopped.ensureWritable(true, closing);
            if (chunks.full(pending, total)) {
                space.awaitUninterruptibly();
            } else if (appendOffset + total > rollBeyond && (active == null || appendOffset > SegmentHeader.SIZE)) {
                roll(true); // or the first segment (no test of its own: it deoptimized the JIT's append at first puts)
                total = chunks.size(payload, records); // the new segment's cipher may differ
            } else {
                break;
            }
        }
        return pending = chunks.roomFor(pending, total);
    }

    /**
     * Accounts for the {@code n} records just encoded in {@code c} after its first {@code before} bytes; true if they
     * are the first pending. Lock held. One test, true once a cycle: "no records in {@code c} before and no full
     * chunk queued" as two tests made the second one's outcome rare (a full chunk) and a trap in YCSB D's caller.
     */
    private boolean appended(Chunk c, int before, int n) {
        assert lock.isHeldByCurrentThread() : "accounting for appended records requires the writer's lock";
        boolean first = chunks.rolledBytes() + before == 0;
        if (first) {
            pendingSince = System.nanoTime();
        }
        appendOffset = c.fileOffset + c.length;
        active.noteSequences(lastSequence + 1, lastSequence + n);
        lastSequence += n;
        return first;
    }

    /**
     * What an append returns: under {@code always()} the future of its group's fsync (a writer waiting on its own
     * thread may lead the group), else null; wakes the flusher for the {@code first} pending records. REQUIRES lock.
     */
    private CompletableFuture<Void> acknowledgement(boolean first, boolean callerWaits) {
        assert lock.isHeldByCurrentThread() : "registering an acknowledgement requires the writer's lock";
        if (policy.isAlways()) {
            return commit.register(waiters, callerWaits, schedule.gather, work);
        }
        if (first && schedule.flusherParked()) {
            work.signal();
        }
        return null;
    }

    /** Runs {@code action} under the writer's lock, serialized with appends (for key-directory purges). */
    public void runLocked(Runnable action) {
        lock.lock();
        try {
            action.run();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Seals the active segment now if it holds records, and waits until it is fsynced and has its hint file:
     * afterwards every write appended before the call lies in a sealed segment.
     */
    public void rollAndSync() {
        rollAndSync(false);
    }

    /**
     * Like {@link #rollAndSync()}; with {@code evenIfEmpty} an empty active segment is replaced too (a data-key
     * rotation needs every later write in a segment created after it began).
     */
    public void rollAndSync(boolean evenIfEmpty) {
        rollAndSync(evenIfEmpty, true);
    }

    /**
     * {@link #rollAndSync()} for the database's own background work: a failure it meets does not count as reported
     * (see {@link WriteFailure}), so that close still reports it.
     */
    public void rollAndSyncForMaintenance() {
        rollAndSync(false, false);
    }

    private void rollAndSync(boolean evenIfEmpty, boolean user) {
        Segment mustBeSealed;
        lock.lock();
        try {
            stopped.ensureWritable(user, closing);
            if (evenIfEmpty || appendOffset > SegmentHeader.SIZE) {
                roll(user);
            }
            mustBeSealed = toSeal.lastRolled();
        } finally {
            lock.unlock();
        }
        // Unconditional: the flusher may be sealing the segment right now, and the next cycle starts after that.
        sync(true, user);
        if (mustBeSealed != null && !mustBeSealed.isSealed()) {
            // Its seal failed after its records were fsynced, which the sync does not fail (runCycle): the writer
            // stopped, and this caller was promised sealed segments.
            lock.lock();
            try {
                throw stopped.exception(user);
            } finally {
                lock.unlock();
            }
        }
    }

    /** Forces everything appended so far to stable storage, whatever the policy. */
    public void sync() {
        sync(false, true);
    }

    /** {@link #sync()} for the database's own work, as {@link #rollAndSyncForMaintenance()}. */
    public void syncForMaintenance() {
        sync(false, false);
    }

    private void sync(boolean always, boolean user) {
        CompletableFuture<Void> done;
        lock.lock();
        try {
            stopped.ensureWritable(user, closing);
            if (!always && io.syncedSequence() == lastSequence && pending.length == 0 && !chunks.hasRolled()
                    && toSeal.isEmpty()) {
                return;
            }
            done = user ? new CompletableFuture<>() : WriteFailure.maintenanceWaiter();
            acknowledger.startWith(flusher);
            waiters.add(done);
            syncRequested = true;
            work.signal();
        } finally {
            lock.unlock();
        }
        WriteFailure.await(done);
    }

    /**
     * Waits for a future returned by {@link #append(Records, Applier, boolean)} with callerWaits, on the thread that
     * appended; under {@code always()} that thread may lead a group meanwhile. Failures as {@link #await}.
     */
    public void waitFor(CompletableFuture<Void> durable) {
        if (durable instanceof Ticket ticket) {
            GroupCommit.await(ticket, turns::lead);
        }
        WriteFailure.await(durable);
    }

    /**
     * Copies the record at {@code offset} of {@code segment} ({@code size} bytes) into {@code dst[at]} when the writer
     * has it in memory (not yet written, or written recently); false when only the file has it, or when the lock stays
     * busy {@code waitNanos} (not negative: a roll holds it across fsyncs, too long for a thread that must not block).
     *
     * @throws FerrumException when the record is neither in the file nor in the writer's memory
     */
    public boolean readFromMemory(Segment segment, long offset, int size, byte[] dst, int at, long waitNanos) {
        if (chunks.copyPublished(segment, offset, size, dst, at)) { // without the lock: Chunks' class comment
            return true;
        }
        if (!Uninterruptibly.tryLock(lock, waitNanos)) {
            return false;
        }
        try {
            return chunks.copy(pending, segment, offset, size, dst, at, stopped.cause());
        } finally {
            lock.unlock();
        }
    }

    /** The segment appends go to; null before the first append. */
    public Segment active() {
        return locked(() -> active);
    }

    /** Bytes appended to the active segment, including those not yet written. */
    public long activeLength() {
        return locked(() -> appendOffset); // stats and the compaction policy only: the boxing is no matter
    }

    public long fsyncs() {
        return io.fsyncs();
    }

    public long syncedRecords() {
        return io.syncedRecords();
    }

    /** True once a failure stopped the writer (one volatile read: for checks that run per record). */
    public boolean hasFailed() {
        return stopped.failed();
    }

    /**
     * Whether the record at {@code offset} of {@code segment} may be served to readers. Always while the writer is
     * healthy (a write is visible as soon as it returns). After a failure only what became as durable as the policy
     * promised: under {@code always()} what was fsynced (the pages of a failed fsync may be dropped), otherwise
     * what was written to the file. A record the failure caught in a buffer, or in a failed fsync, would be gone
     * after reopen. A sealed segment is durable whole (the writer seals a segment after its fsync; recovery and
     * compaction publish only durable ones); an unsealed one up to the durable position ({@link DurablePositions}).
     */
    public boolean mayServe(Segment segment, long offset) {
        return !stopped.failed() || isDurable(segment, offset);
    }

    /**
     * Whether the record at {@code offset} of {@code segment} is as durable as the policy promises, failure or not:
     * a sealed segment's (compaction outputs too), or one the last successful cycle fsynced (under {@code
     * always()}) or wrote (see {@link #mayServe}).
     */
    public boolean isDurable(Segment segment, long offset) {
        return segment.isSealed() || positions.covers(segment, offset, policy.isAlways());
    }

    /**
     * Whether every write acknowledged before the failure that stopped the writer is durable: under {@code always()}
     * a write is acknowledged once fsynced; under the other policies when the failure left the files sound and the
     * last cycle wrote out and fsynced every record appended before it ({@link WriteFailure}).
     */
    public boolean noAcknowledgedWriteLost() {
        return policy.isAlways() || locked(() -> stopped.drained());
    }

    /**
     * The failure that stopped writes if no caller has been told of it yet, else null; the failure counts as told
     * from this call on. Like Linux's fsync error reporting, a failure is reported once: by the call that meets
     * it, or else by close.
     */
    public Throwable takeUnreportedFailure() {
        return locked(() -> stopped.takeUntold());
    }

    /** Whether {@link #close()} has begun: appends are refused from then on (tests wait for it, not a delay). */
    boolean isClosing() {
        return locked(() -> closing);
    }

    /** The failure that stopped writes, or null. */
    public Throwable failure() {
        return locked(() -> stopped.cause());
    }

    /**
     * Seals the active segment if it holds records, flushes and fsyncs everything, and stops the flusher.
     * Returns true when the active segment held no records (the caller may delete it). Does not throw for a write
     * failure: the caller checks {@link #failure()} and must still release the files and the lock.
     */
    public boolean close() {
        boolean activeEmpty;
        boolean running;
        lock.lock();
        try {
            if (closing) {
                return false;
            }
            closing = true;
            running = acknowledger.started();
            activeEmpty = appendOffset <= SegmentHeader.SIZE;
            if (!activeEmpty && stopped.cause() == null) {
                if (pending.length > 0) {
                    chunks.rolled(pending);
                    pending = new Chunk(active, appendOffset, new byte[0]);
                }
                toSeal.closing(active, activeHint);
            }
            work.signal();
        } finally {
            lock.unlock();
        }
        if (running) { // else nothing was ever appended or waited for: there is nothing to flush or acknowledge
            Uninterruptibly.join(flusher);
            // The flusher has ended (its loop queued the acknowledger's end after its last batch): every
            // acknowledgement is queued, and the acknowledger completes them all before it ends.
            Uninterruptibly.join(acknowledger.thread());
        }
        return activeEmpty;
    }

    /**
     * Starts a new segment after the active one; {@code user} as in {@link #create}. REQUIRES lock. The new segment
     * is created before the active one is rolled: when that fails, the active segment stays active with its records
     * still pending, and the flusher's last cycle writes them out ({@link WriteFailure}).
     */
    private void roll(boolean user) {
        assert lock.isHeldByCurrentThread() : "rolling the active segment requires the writer's lock";
        Segment next = create(user);
        if (active != null) {
            active.rolledAt(appendOffset);
            if (pending.length > 0) {
                chunks.rolled(pending);
            }
            toSeal.rolled(active, activeHint);
            activeHint = new HintFile.Builder();
        }
        start(next);
    }

    /**
     * Creates the next active segment. A failure stops the writer and is thrown to the caller, and counts as told
     * when the caller is a {@code user}'s call (see {@link WriteFailure}): close does not throw it a second time, as
     * SQLite's and RocksDB's close do not return again an error a call already returned. It leaves every file sound:
     * under {@code never()} and {@code periodic}, whose puts returned before their records were written, the
     * flusher's last cycle writes out and fsyncs the records appended before it (they were lost before session 29).
     */
    private Segment create(boolean user) {
        try {
            return factory.createActive();
        } catch (IOException | RuntimeException e) {
            stopped.setLeavingFilesSound(e, !policy.isAlways());
            failLocked(e);
            throw stopped.exception(user, "could not create a new segment");
        }
    }

    /** Makes {@code next}, just created, the active segment. REQUIRES lock. */
    private void start(Segment next) {
        active = next;
        rollBeyond = segmentSize;
        chunks.overhead = next.cipher().overhead();
        appendOffset = next.writtenLength();
        pending = chunks.next(next, appendOffset);
        acknowledger.startWith(flusher);
        work.signal();
    }

    /** Stops the writer after a throwable in a cycle's bookkeeping, failing the waiters it took. REQUIRES lock. */
    private void failTaken(Throwable e) {
        assert lock.isHeldByCurrentThread() : "failing the cycle's waiters requires the writer's lock";
        failLocked(e);
        stopped.cycleEnded(e);
        stopped.fail(cycleWaiters);
        cycleWaiters = List.of();
    }

    /** Whether work waits that no group wait may delay: a sync, a roll or seal, a full chunk. REQUIRES lock. */
    private boolean otherWork() {
        assert lock.isHeldByCurrentThread() : "reading the pending work requires the writer's lock";
        return syncRequested || chunks.hasRolled() || !toSeal.isEmpty() || pending.length >= FLUSH_BYTES;
    }

    /** Takes everything pending into a cycle. REQUIRES the lock and the cycle token. */
    private Cycle take(boolean force) {
        assert lock.isHeldByCurrentThread() : "taking a cycle requires the writer's lock";
        List<Chunk> batch = chunks.takeBatch(pending);
        if (pending.length > 0) {
            pending = chunks.next(active, appendOffset);
        }
        List<Sealing> sealing = toSeal.takeAll();
        syncRequested = false;
        List<CompletableFuture<Void>> done = new ArrayList<>(waiters);
        cycleWaiters = done;
        waiters.clear();
        space.signalAll();
        return new Cycle(batch, sealing, done, active, lastSequence, DurablePositions.of(active, appendOffset), force);
    }

    /**
     * What is pending here, as the cycles take and end it ({@link CycleTurns}); every method REQUIRES the lock, but
     * {@link #waiters} may be taken without it (the deque, never replaced, is used under it).
     */
    private final class PendingWork implements CycleTurns.Pending {
        @Override
        public Throwable failure() {
            return stopped.cause();
        }

        @Override
        public boolean closing() {
            return closing;
        }

        @Override
        public ArrayDeque<CompletableFuture<Void>> waiters() {
            // The deque itself, never replaced: taken off the lock (CycleTurns.runCycle), used under it.
            return waiters;
        }

        @Override
        public boolean otherWork() {
            return LogWriter.this.otherWork();
        }

        @Override
        public boolean syncRequested() {
            return syncRequested;
        }

        @Override
        public boolean hasRecords() {
            return pending.length > 0;
        }

        @Override
        public long recordsSince() {
            return pendingSince;
        }

        @Override
        public Cycle take(boolean force) {
            return LogWriter.this.take(force);
        }

        @Override
        public void written(Cycle c) {
            assert lock.isHeldByCurrentThread() : "ending a cycle requires the writer's lock";
            cycleWaiters = List.of();
            chunks.written(c.batch());
            stopped.cycleEnded(null);
        }

        @Override
        public boolean lastCycle() {
            // Unsynced records too: close would have fsynced them (called on the flusher, which owns the count).
            return stopped.takeDrain(pending.length > 0 || chunks.hasRolled() || !toSeal.isEmpty()
                    || io.hasUnsynced());
        }

        @Override
        public void fail(Throwable e) {
            failLocked(e);
        }

        @Override
        public void failTaken(Throwable e) {
            LogWriter.this.failTaken(e);
        }
    }

    /** Stops the writer after a failure found off its lock by the acknowledger, failing the waiters it holds. */
    private final class AcknowledgerFailure implements BiConsumer<Throwable, List<CompletableFuture<Void>>> {
        @Override
        public void accept(Throwable e, List<CompletableFuture<Void>> held) {
            lock.lock();
            try {
                failLocked(e);
                stopped.fail(held);
            } finally {
                lock.unlock();
            }
        }
    }

    /** {@code read} of the writer's state under its lock (for the reads made off the append path). */
    private <T> T locked(Supplier<T> read) {
        lock.lock();
        try {
            return read.get();
        } finally {
            lock.unlock();
        }
    }

    /** Stops the writer for good with {@code e} (the first failure is kept) and fails every waiter. */
    private void failLocked(Throwable e) {
        assert lock.isHeldByCurrentThread() : "stopping the writer requires its lock";
        stopped.set(e);
        stopped.fail(waiters);
        waiters.clear();
        space.signalAll();
        work.signalAll();
    }
}
