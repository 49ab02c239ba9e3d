package io.ferrumdb.internal.compaction;

import io.ferrumdb.internal.concurrent.Uninterruptibly;
import io.ferrumdb.internal.log.Segment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs background compaction on its own thread: at a fixed interval and whenever the writer seals a segment, it
 * asks the {@link CompactionPolicy} for a plan and carries it out through the {@link Host}. Runs never overlap with
 * each other, with {@code db.compact()} or with a backup (all take the maintenance lock; a busy lock skips the
 * run, the next check retries). A failed run is reported and retried: compaction never endangers acknowledged data
 * (inputs stay until the outputs are durable).
 */
public final class CompactionScheduler {
    /** What the scheduler needs from the database. Every method is called on the compaction thread. */
    public interface Host {
        /** Whether the writer accepts writes (it has not stopped after an I/O failure). */
        boolean writable();

        /** Sealed segments, oldest first. */
        List<Segment> sealedSegments();

        /** The active segment's usage (its length includes records not yet written). */
        CompactionPolicy.Usage activeUsage();

        /** Seals the active segment now (waits until its hint is written). */
        void rollActive();

        /** Compacts {@code inputs} (sealed segments); the caller holds the maintenance lock. */
        void compact(List<Segment> inputs);
    }

    private final CompactionPolicy policy;
    private final ReentrantLock maintenanceLock;
    private final Host host;
    private final ScheduledExecutorService executor;
    /** A nudge is queued and not yet started: later nudges need not queue another run. */
    private final AtomicBoolean nudged = new AtomicBoolean();
    private volatile Throwable lastFailure;
    private volatile boolean closing;

    public CompactionScheduler(CompactionPolicy policy, ReentrantLock maintenanceLock, Host host, Duration interval,
                               String threadName) {
        this.policy = policy;
        this.maintenanceLock = maintenanceLock;
        this.host = host;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        long period = interval.toMillis();
        executor.scheduleWithFixedDelay(this::runOnce, period, period, TimeUnit.MILLISECONDS);
    }

    /** The writer sealed a segment: check soon, without blocking the caller (the flusher thread). */
    public void segmentSealed() {
        if (nudged.compareAndSet(false, true)) {
            try {
                executor.execute(() -> {
                    nudged.set(false);
                    runOnce();
                });
            } catch (RejectedExecutionException e) {
                // Shut down by close(): closing does its own merge, nothing is left to schedule.
                nudged.set(false);
            }
        }
    }

    /** The failure of the last background run, or null when it succeeded (or none ran). */
    public Throwable lastFailure() {
        return lastFailure;
    }

    /**
     * Stops the thread and waits for a running compaction to end. Then, when closing would leave
     * {@link CompactionPolicy#SMALL_RUN} or more small segments, seals the active segment and merges them, so that
     * one-shot sessions do not leave a file each. The caller holds no lock and the writer is still open.
     */
    public void close() {
        closing = true;
        // Not shutdownNow(): interrupting a compaction in the middle of FileChannel I/O would close its channels.
        executor.shutdown();
        Uninterruptibly.await(() -> executor.awaitTermination(1, TimeUnit.MINUTES));
        maintenanceLock.lock();
        try {
            if (!host.writable() || !policy.mergeBeforeClose(CompactionPolicy.usages(host.sealedSegments()), host.activeUsage())) {
                return;
            }
            host.rollActive();
            List<Segment> small = new ArrayList<>();
            for (Segment s : host.sealedSegments()) {
                if (policy.isSmall(s.writtenLength())) {
                    small.add(s);
                }
            }
            host.compact(small);
        } finally {
            maintenanceLock.unlock();
        }
    }

    private void runOnce() {
        if (closing || !host.writable() || !maintenanceLock.tryLock()) {
            return;
        }
        try {
            CompactionPolicy.Plan plan = policy.plan(CompactionPolicy.usages(host.sealedSegments()), host.activeUsage());
            if (plan.rollActive()) {
                host.rollActive();
                plan = policy.plan(CompactionPolicy.usages(host.sealedSegments()), null);
            }
            if (!plan.inputs().isEmpty() && host.writable()) {
                List<Segment> inputs = new ArrayList<>();
                for (Segment s : host.sealedSegments()) {
                    if (plan.inputs().contains(s.id())) {
                        inputs.add(s);
                    }
                }
                host.compact(inputs);
            }
            lastFailure = null;
        } catch (RuntimeException e) {
            lastFailure = e;
            System.getLogger(CompactionScheduler.class.getName()).log(System.Logger.Level.WARNING,
                    "background compaction failed; will retry", e);
        } finally {
            maintenanceLock.unlock();
        }
    }
}
