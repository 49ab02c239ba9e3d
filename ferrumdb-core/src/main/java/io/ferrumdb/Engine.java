package io.ferrumdb;

import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.keydir.KeyDir;
import io.ferrumdb.internal.log.LogWriter;
import io.ferrumdb.internal.log.ReadPath;
import io.ferrumdb.internal.log.RecordKeyReader;
import io.ferrumdb.internal.log.Segment;
import io.ferrumdb.internal.log.SegmentSet;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * The parts of one open database, wired together below the {@link FerrumDB} facade (as HaloDB's internal class sits
 * below its facade): what {@link Recovery} opened, the {@link LogWriter} with what it calls back (a rolled segment's
 * seal, the next active segment, the work after each flush cycle, the key directory's drains of staged keys), the
 * write and read paths, the key views, the TTL purge and {@link Maintenance}; and their close, in order. The facade
 * checks arguments and state, then calls the parts it keeps (the read and write paths as fields of its own, so that
 * a GET or a put goes through no more objects than before).
 */
final class Engine {
    final Path dir;
    final Recovery.Opened opened;
    final SegmentSet segments;
    final KeyDir keyDir;
    /** Null when read-only, as {@link #writes}. */
    final LogWriter writer;
    final WritePath writes;
    final ReadPath reads;
    final KeyViews views;
    final ExpiryPurge expiry;
    final Maintenance maintenance;

    /**
     * Opens the database in {@code dir} ({@link Recovery}) and starts its parts; on a failure after recovery the
     * files are released and the lock dropped before the exception leaves.
     *
     * @param openCheck throws {@link DatabaseClosedException} once the database is closed
     */
    Engine(Path dir, Options options, Runnable openCheck) throws IOException {
        this.dir = dir;
        LongSupplier clock = new WallClock(options.clock());
        this.opened = Recovery.open(dir, options);
        this.segments = opened.segments();
        this.keyDir = opened.keyDir();
        try {
            // The first append creates the active segment: an open that writes nothing creates no file.
            WriterCallbacks callbacks = new WriterCallbacks();
            this.writer = options.readOnly() ? null : new LogWriter(opened.maxSequence(), options.fsyncPolicy(),
                    options.segmentSize(), callbacks, callbacks, callbacks);
            keyDir.keysInRecords(new RecordKeyReader(segments, writer));
            this.writes = writer == null ? null : new WritePath(writer, keyDir, segments, clock);
            if (writer != null) {
                keyDir.stageNewKeys(callbacks, callbacks);
                keyDir.trackSizeChanges(new DurableRecords());
            }
            this.reads = new ReadPath(ReadPath.Lookup.of(keyDir), segments, writer, clock, openCheck);
            this.expiry = new ExpiryPurge(keyDir, segments, writer, clock);
            this.views = new KeyViews(keyDir, reads, clock, openCheck);
            this.maintenance = new Maintenance(dir, options, opened.directory(), segments, keyDir, writer, expiry);
        } catch (RuntimeException e) {
            closeQuietlyAfterFailedOpen(e);
            throw e;
        }
    }

    /**
     * The number of keys, expired ones included until purged. After a write failure, as the durable records leave
     * it (see {@link KeyDir#durableSize}).
     */
    long liveKeys() {
        return writer != null && writer.hasFailed() ? keyDir.durableSize() : keyDir.size();
    }

    /**
     * Stops maintenance, flushes, fsyncs and seals through the writer, then releases the files (writing the key
     * directory image) and the lock; see {@link FerrumDB#close()} for what it throws. Called once.
     */
    void close() {
        // A failed closing merge is logged there: it left its inputs in place (nothing acknowledged is at risk).
        maintenance.close();
        Throwable problem = null;
        if (writer != null) {
            Segment active = writer.active();
            boolean activeEmpty = writer.close();
            // Puts may have staged keys since the last roll; the key directory image needs them in its table.
            keyDir.drainStaged();
            // Unreported failure (in this close, or in the background after never()/periodic puts): say so.
            Throwable unreported = writer.takeUnreportedFailure();
            if (unreported != null) {
                // Under always() a write is acknowledged only once fsynced, and a failure that fails a waiting
                // writer counts as reported: one left for close came after the records it touched were durable
                // (a hint file's write, the database's own roll), so saying writes were lost would be untrue. So
                // under the others after a failed segment creation whose records the writer's last cycle wrote out.
                String what = writer.noAcknowledgedWriteLost()
                        ? "the write path failed after every acknowledged write was fsynced (none is lost)"
                        : "close could not make all writes durable";
                ReadOnlyDatabaseException lost = new ReadOnlyDatabaseException(what + ": " + unreported, unreported);
                if (problem != null) {
                    lost.addSuppressed(problem);
                }
                problem = lost;
            } else if (activeEmpty && writer.failure() == null && active != null) {
                discardEmptyActive(active);
            }
        }
        problem = opened.closeFiles(problem, writer != null && writer.failure() == null);
        if (problem instanceof FerrumException fe) {
            throw fe;
        }
        if (problem != null) {
            throw new FerrumException("error closing database " + dir + ": " + problem, problem);
        }
    }

    /**
     * Deletes the active segment a closing writer found holding no record. A failure (a full disk refusing the
     * MANIFEST's rewrite) is logged, not thrown: the segment holds nothing acknowledged, and the next writable open
     * deletes it (Recovery: a segment with no records and no hint).
     */
    private void discardEmptyActive(Segment active) {
        try {
            segments.discard(active.id());
        } catch (IOException | RuntimeException e) {
            System.getLogger(Engine.class.getName()).log(System.Logger.Level.WARNING, "closing " + dir
                    + ": could not delete its empty active segment " + active.path() + " (the next open deletes"
                    + " it; nothing acknowledged is affected): " + ProblemWording.describe(e), e);
        }
    }

    private void closeQuietlyAfterFailedOpen(RuntimeException cause) {
        // Nothing was appended yet, so closing the writer writes nothing (and its threads never started); it still
        // marks the writer closed, as every later path expects.
        if (writer != null) {
            writer.close();
        }
        Throwable problem = opened.closeFiles(null, false);
        if (problem != null) {
            cause.addSuppressed(problem);
        }
    }

    /**
     * The wall clock the parts read, in epoch milliseconds: a class rather than a method reference (see {@link
     * WriterCallbacks}).
     */
    private static final class WallClock implements LongSupplier {
        private final Clock clock;

        WallClock(Clock clock) {
            this.clock = clock;
        }

        @Override
        public long getAsLong() {
            return clock.millis();
        }
    }

    /**
     * Which records are durable, for the key directory's {@link KeyDir#trackSizeChanges}. A class rather than a
     * method reference, as {@link WriterCallbacks}.
     */
    private final class DurableRecords implements KeyDir.Durability {
        @Override
        public boolean isDurable(int segmentId, long offset) {
            Segment s = segments.get(segmentId);
            return s == null || writer.isDurable(s, offset); // gone: a compaction's input, sealed
        }
    }

    /**
     * The log writer's calls back into the database: a rolled segment to seal, the next active segment, and the work
     * after flush cycles (the key directory's queued ordered-set changes); and the key directory's staged keys'
     * drains under the writer's lock, with the live bytes they release. One class for all, and a class rather than
     * method references: a fresh JVM spins a class and method-handle forms for each method reference at its first
     * use, 3-5x what loading a small class costs, and every open made nine of them (ARCHITECTURE.md, "Start-up
     * cost").
     */
    private final class WriterCallbacks implements LogWriter.SealListener, LogWriter.SegmentFactory, Runnable,
            Consumer<Runnable>, LongConsumer {
        /**
         * A roll's new active segment, under the writer's lock. The staged keys go into the key directory's table
         * first: they name records of the segment being rolled, which compaction may take once sealed, and it
         * switches table entries only ({@link KeyDir#stageNewKeys}).
         */
        @Override
        public Segment createActive() throws IOException {
            keyDir.drainBeforeRoll();
            return segments.createActive();
        }

        /** A drain of the key directory's staged keys from a thread that is not writing: under the writer's lock. */
        @Override
        public void accept(Runnable drain) {
            writer.runLocked(drain);
        }

        /** A drain replaced the key directory entry {@code previous} ({@code segmentId << 32 | recordSize}). */
        @Override
        public void accept(long previous) {
            segments.release(previous);
        }

        /** The flusher's call once a rolled segment is complete and fsynced (see {@link SegmentSet#seal}). */
        @Override
        public void sealed(Segment s, HintFile.Builder hint) throws IOException {
            segments.seal(s, hint);
            maintenance.segmentSealed();
        }

        @Override
        public void run() {
            keyDir.applyQueuedOrderedChanges();
        }
    }
}
