package io.ferrumdb.internal.log;

import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.log.Chunks.Chunk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * The file work of one flush cycle of the {@link LogWriter}: writes the batch's chunks, forces the segments that are
 * sealed and, when the cycle forces, the active one, writes the hint files of sealed segments, and counts fsyncs.
 * Owned by the holder of the cycle token ({@link GroupCommit}: a leading writer or the flusher): only it calls the
 * cycle's methods, without the writer's lock (the chunks of a batch are no longer appended to once taken); the
 * token passes under the writer's lock, which orders one holder's file work before the next's. The counters are
 * readable from any thread.
 */
final class CycleIo {
    /** A rolled segment waiting for its final fsync and hint file, with the hint entries of all its records. */
    record Sealing(Segment segment, HintFile.Builder hint) {
    }

    /**
     * What one cycle took from the writer: the chunks to write, the segments to seal, the futures completed when it
     * is done, the active segment, and the last sequence number and position it covers; {@code force}: fsync it.
     */
    record Cycle(List<Chunk> batch, List<Sealing> sealing, List<CompletableFuture<Void>> done, Segment current,
                 long upTo, long upToPosition, boolean force) {
    }

    private final LogWriter.SealListener sealListener;
    /**
     * Whether a cycle seals the segments it rolled itself (under always(): a leader's followers wait for their fsync
     * anyway). Otherwise the {@link Acknowledger} seals them after the cycle and completes the cycle's waiters after
     * that (rollAndSync waits for its seal): on the cycle, the hint file of a full segment held every later write back
     * for as long as it took to encode, write and fsync it (about 90 ms for 64 MiB of small records).
     */
    private final boolean sealsOnCycle;
    /** Zero-fills the active segment ahead of its records (fsync always()); null for the other policies. */
    private final ZeroTail zeroTail;
    private final LongAdder fsyncs = new LongAdder();
    private final LongAdder syncedRecords = new LongAdder();
    /** Records written but not yet forced. Owned by the token holder. */
    private long unsyncedRecords;
    /** When the last force of records ended (System.nanoTime). Owned by the token holder. */
    private long lastFsyncNanos = System.nanoTime();
    /** How long the last force of the active segment took, in nanoseconds. Owned by the token holder. */
    private long lastFsyncDuration;
    /** The sequence number of the last record a cycle fsynced; readable from any thread. */
    private volatile long syncedSequence;

    /**
     * {@code always}: the policy is always(), so cycles seal the segments they roll and the active segment is kept
     * zero-filled ahead of its records, up to {@code segmentSize} ({@link ZeroTail}).
     */
    CycleIo(LogWriter.SealListener sealListener, boolean always, long segmentSize, long lastSequence) {
        this.sealListener = sealListener;
        this.syncedSequence = lastSequence;
        this.sealsOnCycle = always;
        this.zeroTail = always ? new ZeroTail(segmentSize) : null;
    }

    boolean sealsOnCycle() {
        return sealsOnCycle;
    }

    /** The segments of {@code c} still to be sealed once its file work is done: none when the cycle sealed them. */
    List<Sealing> toSeal(Cycle c) {
        return sealsOnCycle ? List.of() : c.sealing();
    }

    /**
     * Runs one cycle's records: writes them, forces them if the cycle forces, and moves the written and fsynced
     * positions. A throw stops the writer (the caller fails the cycle). The hint files of the segments the cycle
     * sealed are the caller's next step ({@link #sealed}, when {@link #sealsOnCycle}): their failure comes after the
     * records are durable, and must not fail the cycle's writers. Returns the cycle's row in the {@link CycleTrace}
     * ({@code leader}: run by a leading writer), or -1.
     */
    int run(Cycle c, DurablePositions positions, boolean leader) throws IOException {
        int traceRow = CycleTrace.begin(c, leader);
        boolean currentSealed = write(c.batch(), c.sealing(), c.current());
        positions.written(c.upToPosition());
        CycleTrace.sched(traceRow, CycleTrace.CPU_BEFORE, CycleTrace.RQ_BEFORE);
        CycleTrace.mark(traceRow, CycleTrace.WRITTEN);
        if (c.force()) {
            force(c.current(), currentSealed);
            CycleTrace.sched(traceRow, CycleTrace.CPU_AFTER, CycleTrace.RQ_AFTER);
            CycleTrace.mark(traceRow, CycleTrace.SYNCED);
            positions.synced(c.upToPosition());
            syncedSequence = c.upTo();
        }
        return traceRow;
    }

    /**
     * What one cycle's file work came to ({@link #runAndSeal}): its {@link CycleTrace} row (or -1), the failure of
     * its records (null: written, and forced if the cycle forces), and the failure sealing the segments it rolled
     * once those records were durable (null: sealed, or not this cycle's to seal).
     */
    record Outcome(int traceRow, Throwable failed, Throwable sealFailed) {
    }

    /**
     * Runs one cycle's records ({@link #run}) and then, when {@link #sealsOnCycle}, seals the segments it rolled
     * ({@link #sealed}), catching any throwable of either, {@link OutOfMemoryError} too: the caller stops the writer
     * for both, but fails the cycle's writers only for the first (after the second their records are durable).
     */
    Outcome runAndSeal(Cycle c, DurablePositions positions, boolean leader) {
        int traceRow;
        try {
            traceRow = run(c, positions, leader);
        } catch (Throwable e) {
            return new Outcome(-1, e, null);
        }
        if (sealsOnCycle) {
            try {
                sealed(c.sealing());
            } catch (Throwable e) {
                return new Outcome(traceRow, null, e);
            }
        }
        return new Outcome(traceRow, null, null);
    }

    /** The sequence number of the last record a cycle fsynced (at first, the last one the log held at open). */
    long syncedSequence() {
        return syncedSequence;
    }

    /**
     * Writes one cycle's chunks. A sealed segment is written and forced before any byte of a later segment is
     * written, so that after power loss what survives is a prefix of the log, whatever the policy. A throw leaves
     * the cycle half done: the caller stops the writer (a failed fsync is never retried). Returns whether
     * {@code current} is among the sealed segments (then it is forced already). A sealed segment is cut to the end
     * of its records first ({@link ZeroTail#cut}), so that its fsync makes the cut durable before its hint names its
     * length; the active one is zero-filled ahead of the records before they are written ({@link ZeroTail#ahead}).
     */
    boolean write(List<Chunk> batch, List<Sealing> sealing, Segment current) throws IOException {
        boolean currentSealing = false;
        for (Sealing s : sealing) {
            write(batch, s.segment());
            if (zeroTail != null) {
                zeroTail.cut(s.segment());
            }
            s.segment().file().force();
            fsyncs.increment();
            currentSealing |= s.segment() == current;
        }
        if (!currentSealing) {
            if (zeroTail != null && current != null) {
                long end = end(batch, current);
                if (end > 0) {
                    zeroTail.ahead(current, current.writtenLength(), end);
                }
            }
            write(batch, current);
        }
        return currentSealing;
    }

    /** Forces the records written since the last force, if any; {@code currentSealed} as {@link #write} said. */
    void force(Segment current, boolean currentSealed) throws IOException {
        if (unsyncedRecords == 0) {
            return;
        }
        if (!currentSealed) {
            long start = System.nanoTime();
            current.file().force();
            lastFsyncDuration = System.nanoTime() - start;
            fsyncs.increment();
        }
        syncedRecords.add(unsyncedRecords);
        unsyncedRecords = 0;
        lastFsyncNanos = System.nanoTime();
    }

    /**
     * Writes the hint files of rolled segments that are written and fsynced (each already forced by {@link #write}),
     * and switches them to a memory map. Called after {@link #run} by the cycle's runner under {@code always()}, else
     * by the {@link Acknowledger}.
     */
    void sealed(List<Sealing> sealing) throws IOException {
        for (Sealing s : sealing) {
            sealListener.sealed(s.segment(), s.hint());
        }
    }

    /** Where the chunks of {@code segment} in {@code batch} end; 0 when it has none. */
    private static long end(List<Chunk> batch, Segment segment) {
        long end = 0;
        for (Chunk c : batch) {
            if (c.segment == segment && c.length > 0) {
                end = Math.max(end, c.fileOffset + c.length);
            }
        }
        return end;
    }

    private void write(List<Chunk> batch, Segment segment) throws IOException {
        for (Chunk c : batch) {
            if (c.segment == segment && c.length > 0) { // an empty chunk: a cycle's next one no put went to
                c.segment.file().write(c.fileOffset, ByteBuffer.wrap(c.buf, 0, c.length));
                c.segment.setWrittenLength(c.fileOffset + c.length);
                unsyncedRecords += c.records;
            }
        }
    }

    boolean hasUnsynced() {
        return unsyncedRecords > 0;
    }

    long lastFsyncNanos() {
        return lastFsyncNanos;
    }

    /** How long the last force of the active segment took (0 before the first). */
    long lastFsyncDuration() {
        return lastFsyncDuration;
    }

    long fsyncs() {
        return fsyncs.sum();
    }

    long syncedRecords() {
        return syncedRecords.sum();
    }
}
