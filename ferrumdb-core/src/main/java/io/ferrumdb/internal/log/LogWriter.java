package io.ferrumdb.internal.log;

import io.ferrumdb.DatabaseClosedException;
import io.ferrumdb.FerrumException;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.ReadOnlyDatabaseException;
import io.ferrumdb.internal.concurrent.Uninterruptibly;
import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.format.SegmentHeader;
import io.ferrumdb.internal.keydir.Key;
import io.ferrumdb.internal.keydir.Location;
import io.ferrumdb.internal.log.Chunks.Chunk;
import io.ferrumdb.internal.log.CycleIo.Sealing;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Appends records to the active segment and makes them durable with group commit.
 *
 * <p>Writers encode records into an in-memory chunk under a short lock and update the key directory there, so
 * that the order of key-directory updates equals the order of sequence numbers. One flusher thread takes
 * everything pending at once, writes it with one positional write, fsyncs once (as the policy asks), and hands
 * the batch's waiting writers to the acknowledger thread: one hand-off per batch, however many writers (on 2
 * cores, handing work between 16 threads one by one cost about as much as the fsync itself).
 *
 * <p>The flusher wakes only the first {@link #FLUSHER_ACKS} writers of a batch itself. Waking 16 or 64 parked
 * threads costs a system call each, and on a busy machine each woken writer may preempt the thread that woke it;
 * done by the flusher, that delayed the next fsync by several times the fsync itself (measured at 16 writers:
 * 101 fsyncs/s against 258/s for a raw append + fsync loop on the same disk). The acknowledger completes the other
 * futures and runs the after-cycle work while the flusher already writes and fsyncs the next batch, which the
 * woken writers fill: the flusher's cycle is the write and the fsync. Under {@code always()} the flusher then waits,
 * up to half an fsync, for the writers it just acknowledged to append again ({@link GroupGather}), so that
 * closed-loop writers form one group rather than two alternating halves; appends wake it once per group.
 *
 * <p>Readers find records not yet handed to the OS in the pending and in-flight chunks, so a write is visible
 * as soon as it returns, and the newest written ones in the chunks kept after writing ({@link Chunks}), so that
 * reading what was just written costs no system call. After a failed write or fsync, or any other throwable on
 * the flusher thread (an OutOfMemoryError too), the writer stops for good: waiting writers are failed, and every
 * later append throws {@link ReadOnlyDatabaseException} carrying the original failure (a failed fsync is never
 * retried).
 */
public final class LogWriter {
    /** Creates the next active segment, durable (file and directory fsynced) before it returns. */
    public interface SegmentFactory {
        Segment create() throws IOException;
    }

    /**
     * Called by the flusher once a rolled segment is complete and fsynced, with the hint entries of every record
     * appended to it (built while appending: sealing never re-reads the segment). Writes its hint file.
     */
    public interface SealListener {
        void sealed(Segment segment, HintFile.Builder hint) throws IOException;
    }

    /** One record to append. {@code value} is empty for a tombstone. */
    public record Append(byte type, Key key, byte[] value, long expiresAt) {
    }

    /** Applies appended records to the key directory, under the writer's lock. */
    public interface Applier {
        void apply(Append append, Location location);
    }

    private static final int MAX_PENDING = 4 << 20;
    /**
     * Without fsync waiters, the flusher waits until this much is pending or {@link #LINGER_NANOS} passed: waking
     * it for every record would cost a thread hand-off and a write() per put (measured: 30x fewer puts/s).
     */
    private static final int FLUSH_BYTES = 64 << 10;
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /**
     * Writers the flusher wakes itself after an fsync; the acknowledger wakes the rest. Waking everyone there
     * delayed the next fsync 3x at 64 writers on a busy machine; waking nobody there cost a thread hand-off
     * before the first writer could append again (fewer records per fsync at 16 writers).
     */
    private static final int FLUSHER_ACKS = 4;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Condition space = lock.newCondition();
    private final FsyncPolicy policy;
    private final long segmentSize;
    private final SegmentFactory factory;
    /** The flusher's file work: writes, forces, hint files of sealed segments, fsync counts. */
    private final CycleIo io;
    private final Thread flusher;
    /** Completes the futures of fsynced cycles, in cycle order, and runs the after-cycle work. */
    private final Acknowledger acknowledger;

    // Guarded by lock.
    /**
     * Null until the first append (or {@link #rollAndSync(boolean)} with evenIfEmpty) creates it, so that an open
     * that writes nothing creates no file (a database on a full disk can still be opened and compacted). While it
     * is null nothing has been appended: appendOffset is 0 and the pending chunk is empty.
     */
    private Segment active;
    private long appendOffset;
    private Chunk pending;
    private final ArrayDeque<Chunk> rolled = new ArrayDeque<>();
    private List<Chunk> inFlight = List.of();
    private final ArrayDeque<Sealing> toSeal = new ArrayDeque<>();
    /** Hint entries of every record appended to {@link #active}, in file order. */
    private HintFile.Builder activeHint = new HintFile.Builder();
    private final ArrayDeque<CompletableFuture<Void>> waiters = new ArrayDeque<>();
    /** The waiters the flusher took for the cycle it is running (failed by flushLoop if the cycle dies). */
    private List<CompletableFuture<Void>> cycleWaiters = List.of();
    /** Written chunks kept for reads of recent records, and spare buffers. */
    private final Chunks written = new Chunks();
    private long lastSequence;
    /** When the pending chunk got its first record (System.nanoTime). */
    private long pendingSince;
    private boolean syncRequested;
    /** Under always(), the flusher's wait for a group's writers ({@link GroupGather}). */
    private final GroupGather gather = new GroupGather(LINGER_NANOS);
    private boolean closing;
    /** The failure that stopped the writer, if any, and whether a user was told of it. */
    private final WriteFailure stopped = new WriteFailure();

    private volatile long syncedSequence;
    /** Where the written and the fsynced records end, for {@link #mayServe} after a failure. */
    private final DurablePositions positions = new DurablePositions();

    /**
     * @param factory    creates the active segment, first when the first record is appended
     * @param afterCycle work done after each flush cycle, off the writers' path and off the flusher's (the key
     *                   directory's queued ordered-set changes); runs on the acknowledger thread, one call at a time
     */
    public LogWriter(long lastSequence, FsyncPolicy policy, long segmentSize,
                     SegmentFactory factory, SealListener sealListener, Runnable afterCycle) {
        this.pending = new Chunk(null, 0, new byte[Chunks.INITIAL_CHUNK]);
        this.lastSequence = lastSequence;
        this.syncedSequence = lastSequence;
        this.policy = policy;
        this.segmentSize = segmentSize;
        this.factory = factory;
        this.io = new CycleIo(sealListener);
        this.flusher = new Thread(this::flushLoop, "ferrumdb-flusher");
        this.flusher.setDaemon(true);
        this.acknowledger = new Acknowledger(afterCycle, this::fail);
        this.flusher.start();
    }

    /**
     * Appends records as one atomic unit (the last carries the COMMIT flag) and applies them to the key
     * directory. Returns a future completed when the records are durable under an {@code always} policy, or
     * null when the policy does not wait for fsync.
     */
    public CompletableFuture<Void> append(List<Append> appends, Applier applier) {
        lock.lock();
        try {
            ensureWritable(true);
            if (active == null) {
                startSegment();
            }
            int total = 0;
            for (Append a : appends) {
                total += RecordFormat.recordSize(a.key().bytes().length, a.value().length, active.cipher());
            }
            while (true) {
                ensureWritable(true);
                if (pending.length > 0 && pending.length + total > MAX_PENDING) {
                    space.awaitUninterruptibly();
                } else if (appendOffset > SegmentHeader.SIZE && appendOffset + total > segmentSize) {
                    roll();
                } else {
                    break;
                }
            }
            Chunk c = pending;
            if (c.length + total > c.buf.length) {
                c.buf = java.util.Arrays.copyOf(c.buf, Math.max(c.length + total, c.buf.length * 2));
            }
            int n = appends.size();
            Location[] locations = new Location[n];
            long offset = appendOffset;
            int pos = c.length;
            for (int i = 0; i < n; i++) {
                Append a = appends.get(i);
                long sequence = lastSequence + 1 + i;
                int size = RecordFormat.encode(c.buf, pos, offset, a.type(), i == n - 1, sequence, a.expiresAt(),
                        a.key().bytes(), a.value(), active.cipher());
                locations[i] = new Location(active.id(), offset, size, a.expiresAt());
                activeHint.add(a.type(), a.key().bytes(), size, offset, sequence, a.expiresAt());
                pos += size;
                offset += size;
            }
            if (c.length == 0) {
                pendingSince = System.nanoTime();
            }
            c.length = pos;
            c.records += n;
            appendOffset = offset;
            active.noteSequences(lastSequence + 1, lastSequence + n);
            lastSequence += n;
            for (int i = 0; i < n; i++) {
                applier.apply(appends.get(i), locations[i]);
            }
            CompletableFuture<Void> durable = null;
            if (policy.isAlways()) {
                durable = new CompletableFuture<>();
                waiters.add(durable);
                if (gather.wakes(waiters.size())) {
                    work.signal();
                }
            } else if (c.length >= FLUSH_BYTES && c.length - total < FLUSH_BYTES || c.length == total) {
                // Crossing the flush threshold, or the first record of a new chunk (starts the linger timer).
                work.signal();
            }
            return durable;
        } finally {
            lock.unlock();
        }
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
        lock.lock();
        try {
            ensureWritable(user);
            if (evenIfEmpty || appendOffset > SegmentHeader.SIZE) {
                roll();
            }
        } finally {
            lock.unlock();
        }
        // Unconditional: the flusher may be sealing the segment right now, and the next cycle starts after that.
        sync(true, user);
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
            ensureWritable(user);
            if (!always && syncedSequence == lastSequence && pending.length == 0 && rolled.isEmpty() && toSeal.isEmpty()) {
                return;
            }
            done = user ? new CompletableFuture<>() : WriteFailure.maintenanceWaiter();
            waiters.add(done);
            syncRequested = true;
            work.signal();
        } finally {
            lock.unlock();
        }
        await(done);
    }

    /** Waits for a future returned by {@link #append}, turning its failure into a FerrumException. */
    public static void await(CompletableFuture<Void> future) {
        if (future == null) {
            return;
        }
        try {
            future.join();
        } catch (java.util.concurrent.CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof FerrumException fe) {
                throw fe;
            }
            throw new FerrumException("write failed", cause);
        }
    }

    /**
     * Copies the record of {@code size} bytes at {@code offset} of {@code segment} into {@code dst[at]} when the
     * writer has it in memory: not yet written (so a write is visible as soon as it returns), or written recently
     * (so that reading what was just written needs no system call). Returns false when only the file has it: read
     * it there. With {@code waitNanos} not negative, also returns false when the lock stays busy that long: appends and
     * the flusher hold it for microseconds, a roll for milliseconds (creating the next segment's file and MANIFEST
     * entry, with fsyncs), which a thread that must not block cannot wait for.
     *
     * @throws FerrumException when the record is neither in the file nor in the writer's memory
     */
    public boolean readFromMemory(Segment segment, long offset, int size, byte[] dst, int at, long waitNanos) {
        if (waitNanos < 0) {
            lock.lock();
        } else if (!Uninterruptibly.tryLock(lock, waitNanos)) {
            return false;
        }
        try {
            Chunk c = find(segment, offset, size);
            if (c == null) {
                if (offset + size <= segment.writtenLength()) {
                    return false;
                }
                throw new FerrumException("record at " + segment + " offset " + offset + " is neither written nor"
                        + " pending" + (stopped.cause() == null ? "" : " (writes failed: " + stopped.cause() + ")"));
            }
            System.arraycopy(c.buf, (int) (offset - c.fileOffset), dst, at, size);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The chunk holding the record, newest first: pending, rolled, in flight, then written and kept. */
    private Chunk find(Segment segment, long offset, int size) {
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
        return written.find(segment, offset, size);
    }

    /** The segment appends go to; null before the first append. */
    public Segment active() {
        lock.lock();
        try {
            return active;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes appended to the active segment, including those not yet written. */
    public long activeLength() {
        lock.lock();
        try {
            return appendOffset;
        } finally {
            lock.unlock();
        }
    }

    public long lastSequence() {
        lock.lock();
        try {
            return lastSequence;
        } finally {
            lock.unlock();
        }
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
     * compaction publish only durable ones), so only the writer's unsealed segments are compared with the durable
     * position: their ids rise in append order, so a record lies before the position exactly when its segment id
     * is lower, or equal with a lower offset.
     */
    public boolean mayServe(Segment segment, long offset) {
        return !stopped.failed() || segment.isSealed() || positions.covers(segment, offset, policy.isAlways());
    }

    /**
     * The failure that stopped writes if no caller has been told of it yet, else null; the failure counts as told
     * from this call on. Like Linux's fsync error reporting, a failure is reported once: by the call that meets
     * it, or else by close.
     */
    public Throwable takeUnreportedFailure() {
        lock.lock();
        try {
            return stopped.takeUntold();
        } finally {
            lock.unlock();
        }
    }

    /** The failure that stopped writes, or null. */
    public Throwable failure() {
        lock.lock();
        try {
            return stopped.cause();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Seals the active segment if it holds records, flushes and fsyncs everything, and stops the flusher.
     * Returns true when the active segment held no records (the caller may delete it). Does not throw for a write
     * failure: the caller checks {@link #failure()} and must still release the files and the lock.
     */
    public boolean close() {
        boolean activeEmpty;
        lock.lock();
        try {
            if (closing) {
                return false;
            }
            closing = true;
            activeEmpty = appendOffset <= SegmentHeader.SIZE;
            if (!activeEmpty && stopped.cause() == null) {
                if (pending.length > 0) {
                    rolled.add(pending);
                    pending = new Chunk(active, appendOffset, new byte[0]);
                }
                toSeal.add(new Sealing(active, activeHint));
            }
            work.signal();
        } finally {
            lock.unlock();
        }
        Uninterruptibly.join(flusher);
        // The flusher has ended (flushLoop queued the acknowledger's end after its last batch): every
        // acknowledgement is queued, and the acknowledger completes them all before it ends.
        Uninterruptibly.join(acknowledger.thread());
        return activeEmpty;
    }

    /** Throws once the writer stopped or began closing; a stop counts as told to the caller when {@code user}. */
    private void ensureWritable(boolean user) {
        if (stopped.cause() != null) {
            throw stopped.exception(user);
        }
        if (closing) {
            throw new DatabaseClosedException("database");
        }
    }

    private void roll() {
        if (active != null) {
            if (pending.length > 0) {
                rolled.add(pending);
            }
            toSeal.add(new Sealing(active, activeHint));
            activeHint = new HintFile.Builder();
        }
        startSegment();
    }

    private void startSegment() {
        Segment next;
        try {
            next = factory.create();
        } catch (IOException | RuntimeException e) {
            failLocked(e);
            throw new ReadOnlyDatabaseException("could not create a new segment: " + e, e);
        }
        active = next;
        appendOffset = next.writtenLength();
        pending = new Chunk(next, appendOffset, written.takeBuffer());
        work.signal();
    }

    /**
     * The flusher thread. Any throwable ends it, {@link OutOfMemoryError} included (a large value's buffers are
     * allocated and copied here): the writer then fails, the waiters of the cycle and every later one are failed
     * with it and later appends are refused, so that no writer waits forever for a flusher that is gone.
     */
    private void flushLoop() {
        try {
            flushCycles();
        } catch (Throwable e) {
            lock.lock();
            try {
                failLocked(e);
                stopped.fail(cycleWaiters);
                cycleWaiters = List.of();
            } finally {
                lock.unlock();
            }
        } finally {
            acknowledger.finish();
        }
    }

    private void flushCycles() throws IOException {
        long intervalNanos = policy.interval().toNanos();
        while (true) {
            List<Chunk> batch;
            List<Sealing> sealing;
            List<CompletableFuture<Void>> done;
            Segment current;
            long upTo;
            long upToPosition;
            boolean force;
            lock.lock();
            try {
                while (true) {
                    if (stopped.cause() != null) {
                        return;
                    }
                    long now = System.nanoTime();
                    boolean other = syncRequested || !rolled.isEmpty() || !toSeal.isEmpty()
                            || pending.length >= FLUSH_BYTES;
                    if (other || closing) {
                        gather.cancel();
                    }
                    long gathering = gather.remaining(waiters.size(), now);
                    if (gathering > 0) {
                        awaitGather(gathering);
                        continue;
                    }
                    boolean urgent = !waiters.isEmpty() || other;
                    boolean lingered = pending.length > 0 && now - pendingSince >= LINGER_NANOS;
                    boolean periodicDue = policy.isPeriodic() && io.hasUnsynced()
                            && now - io.lastFsyncNanos() >= intervalNanos;
                    if (urgent || lingered || periodicDue) {
                        break;
                    }
                    if (closing) {
                        if (pending.length == 0 && !io.hasUnsynced()) {
                            return;
                        }
                        break;
                    }
                    long wait = Long.MAX_VALUE;
                    if (pending.length > 0) {
                        wait = pendingSince + LINGER_NANOS - now;
                    }
                    if (policy.isPeriodic() && io.hasUnsynced()) {
                        wait = Math.min(wait, io.lastFsyncNanos() + intervalNanos - now);
                    }
                    if (wait == Long.MAX_VALUE) {
                        work.awaitUninterruptibly();
                    } else {
                        awaitNanos(wait);
                    }
                }
                batch = new ArrayList<>(rolled.size() + 1);
                batch.addAll(rolled);
                rolled.clear();
                if (pending.length > 0) {
                    batch.add(pending);
                    pending = new Chunk(active, appendOffset, written.takeBuffer());
                }
                inFlight = batch;
                sealing = new ArrayList<>(toSeal);
                toSeal.clear();
                current = active;
                upTo = lastSequence;
                upToPosition = DurablePositions.of(current, appendOffset);
                force = policy.isAlways() || syncRequested || closing || (policy.isPeriodic()
                        && System.nanoTime() - io.lastFsyncNanos() >= intervalNanos);
                syncRequested = false;
                done = new ArrayList<>(waiters);
                cycleWaiters = done;
                waiters.clear();
                space.signalAll();
            } finally {
                lock.unlock();
            }
            // A failure here ends the flusher (flushLoop fails the cycle's waiters).
            boolean currentSealed = io.write(batch, sealing, current);
            positions.written(upToPosition);
            if (force) {
                io.force(current, currentSealed);
                syncedSequence = upTo;
                positions.synced(upToPosition);
            }
            io.sealed(sealing);
            lock.lock();
            try {
                cycleWaiters = List.of();
                inFlight = List.of();
                written.written(batch);
                if (force && policy.isAlways()) {
                    gather.start(waiters.size(), done.size(), io.lastFsyncDuration(), System.nanoTime());
                }
            } finally {
                lock.unlock();
            }
            if (force) {
                // The first few writers are woken here: they refill the next batch soonest. The rest are left
                // to the acknowledger, which wakes them while this thread writes and fsyncs that batch.
                int here = Math.min(FLUSHER_ACKS, done.size());
                for (int i = 0; i < here; i++) {
                    done.get(i).complete(null);
                }
                acknowledger.acknowledge(done.subList(here, done.size()));
            } else {
                if (!done.isEmpty()) {
                    // Only a sync() or an always-policy append registers a waiter, and both force; keep them anyway.
                    lock.lock();
                    try {
                        waiters.addAll(done);
                    } finally {
                        lock.unlock();
                    }
                }
                acknowledger.acknowledge(List.of());
            }
        }
    }

    private void awaitGather(long nanos) {
        try {
            work.awaitNanos(nanos);
        } catch (InterruptedException e) {
            // As in awaitNanos: a stray interrupt only ends this wait early.
            Thread.interrupted();
        }
    }

    private void awaitNanos(long nanos) {
        try {
            work.awaitNanos(Math.max(nanos, TimeUnit.MICROSECONDS.toNanos(100)));
        } catch (InterruptedException e) {
            // Nothing interrupts the private flusher thread; a stray interrupt only ends this wait early, and the
            // loop re-checks its conditions. Keeping the flag set would turn every later wait into a spin.
            Thread.interrupted();
        }
    }

    /** Stops the writer after a failure found off its lock (by the acknowledger's after-cycle work). */
    private void fail(Throwable e) {
        lock.lock();
        try {
            failLocked(e);
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
