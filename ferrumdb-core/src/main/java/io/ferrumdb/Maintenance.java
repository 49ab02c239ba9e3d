package io.ferrumdb;

import io.ferrumdb.internal.compaction.CompactionPolicy;
import io.ferrumdb.internal.compaction.CompactionScheduler;
import io.ferrumdb.internal.compaction.Compactor;
import io.ferrumdb.internal.concurrent.ProgressMeter;
import io.ferrumdb.internal.directory.BackupWriter;
import io.ferrumdb.internal.directory.DatabaseDirectory;
import io.ferrumdb.internal.directory.RealPaths;
import io.ferrumdb.internal.keydir.KeyDir;
import io.ferrumdb.internal.log.LogWriter;
import io.ferrumdb.internal.log.Segment;
import io.ferrumdb.internal.log.SegmentSet;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Work on the sealed segments while the database is open: compaction (on demand, and in the background through
 * the {@link CompactionScheduler}), backup and the compaction statistics. Every such job needs a stable set of
 * sealed segments, so they run one at a time under the maintenance lock.
 */
final class Maintenance {
    private final Path dir;
    private final DatabaseDirectory directory;
    private final SegmentSet segments;
    private final LogWriter writer;
    private final ExpiryPurge expiry;
    /** Serializes compactions and backups, which both need a stable set of sealed segments. */
    private final ReentrantLock lock = new ReentrantLock();
    /**
     * Made by the first compaction, under {@link #lock}: a session that never compacts (most short ones) loads and
     * verifies none of the compactor's classes at open. Null until then.
     */
    private Compactor compactor;
    private final KeyDir keyDir;
    private final Options options;
    /** Subcompactions of an explicit compact() (Options.compactionThreads); background runs use one thread. */
    private final int compactionThreads;
    private final CompactionPolicy policy;
    /** Background compaction; null when read-only or automatic compaction is off. */
    private final CompactionScheduler scheduler;
    private final LongAdder compactions = new LongAdder();
    private final LongAdder reclaimedBytes = new LongAdder();
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder nanos = new LongAdder();

    /** @param writer the log writer, or null for a read-only database */
    Maintenance(Path dir, Options options, DatabaseDirectory directory, SegmentSet segments, KeyDir keyDir,
                LogWriter writer, ExpiryPurge expiry) {
        this.dir = dir;
        this.directory = directory;
        this.segments = segments;
        this.writer = writer;
        this.expiry = expiry;
        this.keyDir = keyDir;
        this.options = options;
        this.compactionThreads = options.compactionThreads();
        this.policy = new CompactionPolicy(options.compactionThreshold(), options.maxSpaceAmplification(),
                options.segmentSize());
        this.scheduler = options.readOnly() || !options.autoCompaction() ? null
                : new CompactionScheduler(policy, lock, new SchedulerHost(), options.compactionInterval(),
                "ferrumdb-compactor");
        if (scheduler != null) {
            // A store at rest (nothing dead to reclaim, no key that expires) has nothing to compact until it is
            // written: its thread starts with the first write (or seal), and a session that only reads starts and
            // joins none. Otherwise the first periodic check may have work, as before. (The key directory's next
            // expiry is Long.MAX_VALUE when no key has one.)
            if (keyDir.mayHaveExpired(Long.MAX_VALUE - 1)
                    || !policy.plan(CompactionPolicy.usages(sealedSegments()), null).inputs().isEmpty()) {
                scheduler.start();
            } else {
                segments.whenWritesBegin(new StartScheduler(scheduler));
            }
        }
    }

    /**
     * Compaction's view of which records became durable ({@link LogWriter#mayServe}); one volatile read while the
     * writer is healthy. After a failure a segment no longer in the set is not trusted.
     */
    private Compactor.Durability durability(LogWriter writer) {
        return new Compactor.Durability() {
            @Override
            public boolean isDurable(int segmentId, long offset) {
                if (all()) {
                    return true;
                }
                Segment s = segments.get(segmentId);
                return s != null && writer.mayServe(s, offset);
            }

            @Override
            public boolean all() {
                return writer == null || !writer.hasFailed();
            }
        };
    }

    /**
     * Seals the active segment (unless writes have failed) and compacts every sealed segment, telling
     * {@code progress} how far it came.
     */
    CompactionResult compact(Runnable ensureOpen, Consumer<MaintenanceProgress> progress) {
        lock.lock();
        try {
            ensureOpen.run();
            if (writer.failure() == null) {
                writer.rollAndSync();
            }
            return compactNow(sealedSegments(), () -> false, compactionThreads, reporting(progress));
        } finally {
            lock.unlock();
        }
    }

    /** The meter's counts as the public report (also of verify and repair, {@link SegmentProgress}). */
    static ProgressMeter.Listener reporting(Consumer<MaintenanceProgress> progress) {
        return (done, planned) -> progress.accept(new MaintenanceProgress(done, planned));
    }

    /** Seals the active segment and copies the sealed segments to {@code to}, telling {@code progress}. */
    void backup(Path to, Runnable ensureOpen, Consumer<MaintenanceProgress> progress) {
        if (RealPaths.resolved(to).startsWith(RealPaths.resolved(dir))) {
            throw new IllegalArgumentException("backup target " + to + " must lie outside the database directory");
        }
        lock.lock();
        try {
            ensureOpen.run();
            if (writer != null) {
                writer.rollAndSync();
            }
            BackupWriter.write(directory, sealedSegments(), to, System.currentTimeMillis(), reporting(progress));
        } catch (IOException e) {
            throw new FerrumException("backup of " + dir + " to " + to + " failed: " + e, e);
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code job} under the maintenance lock (no compaction or backup meanwhile). */
    <T> T exclusively(java.util.function.Supplier<T> job) {
        lock.lock();
        try {
            return job.get();
        } finally {
            lock.unlock();
        }
    }

    /** Compacts {@code inputs} (sealed segments) to the end. REQUIRES: the maintenance lock is held. */
    CompactionResult compactNow(List<Segment> inputs) {
        return compactNow(inputs, () -> false, 1, ProgressMeter.IGNORE);
    }

    /**
     * Compacts {@code inputs} (sealed segments), or abandons the copy with CompactionAbandonedException once
     * {@code abandon} is true (see Compactor#compact), in up to {@code threads} subcompactions, telling
     * {@code progress}. REQUIRES: the maintenance lock is held.
     */
    private CompactionResult compactNow(List<Segment> inputs, BooleanSupplier abandon, int threads,
                                        ProgressMeter.Listener progress) {
        assert lock.isHeldByCurrentThread() : "compaction runs under the maintenance lock";
        if (inputs.isEmpty()) {
            new ProgressMeter(0, progress).complete();
            return CompactionResult.NOTHING;
        }
        long started = System.nanoTime();
        // The compactor copies every record the key directory points at: expired ones must leave it first.
        expiry.run();
        try {
            if (compactor == null) {
                compactor = new Compactor(keyDir, segments, options.segmentSize(), options.compactionRateLimit(),
                        durability(writer), this::syncBeforeRetiringSegments);
            }
            Compactor.Outcome o = compactor.compact(inputs, abandon, threads, progress);
            compactions.increment();
            reclaimedBytes.add(Math.max(0, o.bytesRead() - o.bytesWritten()));
            bytesRead.add(o.bytesRead());
            nanos.add(System.nanoTime() - started);
            return new CompactionResult(o.segmentsCompacted(), o.bytesRead(), o.bytesWritten(),
                    o.bytesRead() - o.bytesWritten(), Duration.ofNanos(System.nanoTime() - started));
        } catch (IOException e) {
            throw new FerrumException("compaction of " + dir + " failed: " + e, e);
        }
    }

    /** Sealed segments, oldest first: every segment but the active one, once its hint is written. */
    List<Segment> sealedSegments() {
        return segments.sealedExcept(activeSegmentId());
    }

    /** The id of the segment appends go to, or -1 when there is none (read-only, or nothing appended yet). */
    int activeSegmentId() {
        Segment active = writer == null ? null : writer.active();
        return active == null ? -1 : active.id();
    }

    /** The writer sealed a segment: background compaction may have work. */
    void segmentSealed() {
        if (scheduler != null) {
            scheduler.segmentSealed();
        }
    }

    /** The database's statistics: the segments' and the compactions' from here, the counts given. */
    Stats stats(long liveKeys, long puts, long deletes, long gets, long keyDirectoryBytes) {
        int activeId = activeSegmentId();
        List<Stats.SegmentStats> segs = new ArrayList<>();
        long total = 0;
        long live = 0;
        for (Segment s : segments.all()) {
            // A rolled segment's records count as live from their append on, before the flusher writes them.
            long length = s.id() == activeId ? writer.activeLength() : s.length();
            segs.add(new Stats.SegmentStats(s.id(), length, s.liveBytes(), s.id() == activeId));
            total += length;
            live += s.liveBytes();
        }
        return new Stats(liveKeys, List.copyOf(segs), total, live, puts, deletes, gets,
                writer == null ? 0 : writer.fsyncs(), writer == null ? 0 : writer.syncedRecords(),
                compactions.sum(), reclaimedBytes.sum(), writer == null || writer.failure() != null,
                policy.pendingBytes(CompactionPolicy.usages(sealedSegments()), activeUsage()), bytesRead.sum(),
                nanos.sum(), keyDirectoryBytes);
    }

    /** The failure of the last background compaction, or null. */
    Throwable lastFailure() {
        return scheduler == null ? null : scheduler.lastFailure();
    }

    /**
     * Stops background compaction (a running one abandons its copy, or finishes if it is publishing; then it may
     * merge small segments) and waits for a running backup. A failed closing merge (a full disk, say) is logged as a
     * warning and closing goes on: it left its inputs in place, so nothing acknowledged is affected and the next
     * session merges them, as SQLite leaves its WAL for the next open when the checkpoint at close fails. A failure
     * of the write path it met (its roll of the active segment) is the writer's, which close reports.
     */
    void close() {
        if (scheduler != null) {
            try {
                scheduler.close();
            } catch (RuntimeException e) {
                System.getLogger(Maintenance.class.getName()).log(System.Logger.Level.WARNING, "closing " + dir
                        + ": merging its small segments failed; they stay as they are (nothing acknowledged is"
                        + " affected) and the next session merges them: " + ProblemWording.describe(e), e);
            }
        }
        lock.lock();
        try {
            if (compactor != null) {
                compactor.close();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Compaction only runs on a writable database; see {@link Compactor#compact} for why it syncs. After a write
     * failure the flusher is gone and the writer refuses to sync, but compaction still runs: a run that began after
     * the failure dropped records only for keys whose newest record the writer had written ({@link
     * LogWriter#mayServe}), so forcing the segments not yet sealed makes those records as durable as a sync would (a
     * run the failure caught midway keeps its inputs: see Compactor#syncAndJournal). The sync is the maintenance kind: a
     * write failure it meets is still reported by close (a background run tells no user; after a db.compact() that
     * threw it, close reports it a second time, which is better than never).
     */
    private void syncBeforeRetiringSegments() {
        if (writer.failure() == null) {
            writer.syncForMaintenance();
            return;
        }
        try {
            for (Segment s : segments.all()) {
                if (!s.isSealed()) {
                    s.file().force();
                }
            }
        } catch (IOException e) {
            throw new FerrumException("could not make the writes before the write failure durable: " + e, e);
        }
    }

    /**
     * The active segment as the compaction policy sees it, or null for a read-only database and before the first
     * append.
     */
    private CompactionPolicy.Usage activeUsage() {
        if (writer == null) {
            return null;
        }
        Segment active = writer.active();
        if (active == null) {
            // Nothing appended since open: no active segment exists yet.
            return null;
        }
        return new CompactionPolicy.Usage(active.id(), writer.activeLength(), active.liveBytes());
    }

    /** Starts background compaction at the first write. A class, not {@code scheduler::start}: see FerrumDB.clock. */
    private static final class StartScheduler implements Runnable {
        private final CompactionScheduler scheduler;

        StartScheduler(CompactionScheduler scheduler) {
            this.scheduler = scheduler;
        }

        @Override
        public void run() {
            scheduler.start();
        }
    }

    /** What background compaction may do to this database: every call runs on the compaction thread. */
    private final class SchedulerHost implements CompactionScheduler.Host {
        @Override
        public boolean writable() {
            return writer.failure() == null;
        }

        @Override
        public List<Segment> sealedSegments() {
            return Maintenance.this.sealedSegments();
        }

        @Override
        public CompactionPolicy.Usage activeUsage() {
            return Maintenance.this.activeUsage();
        }

        @Override
        public void rollActive() {
            writer.rollAndSyncForMaintenance();
        }

        @Override
        public void compact(List<Segment> inputs, BooleanSupplier abandon) {
            compactNow(inputs, abandon, 1, ProgressMeter.IGNORE);
        }
    }
}
