package io.ferrumdb.internal.compaction;

import io.ferrumdb.internal.concurrent.Uninterruptibly;
import io.ferrumdb.internal.log.Segment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Runs background compaction on its own thread: at a fixed interval and whenever the writer seals a segment, it
 * asks the {@link CompactionPolicy} for a plan and carries it out through the {@link Host}. Runs never overlap with
 * each other, with {@code db.compact()} or with a backup (all take the maintenance lock; a busy lock skips the
 * run, the next check retries). A failed run is reported and retried: compaction never endangers acknowledged data
 * (inputs stay until the outputs are durable). A run still copying when {@link #close()} starts is abandoned (see
 * {@link Compactor}), so that closing does not wait for a long copy; the next open starts it again.
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

        /**
         * Compacts {@code inputs} (sealed segments); the caller holds the maintenance lock. Gives up with
         * {@link CompactionAbandonedException} when {@code abandon} turns true before anything is published.
         */
        void compact(List<Segment> inputs, BooleanSupplier abandon);
    }

    private final CompactionPolicy policy;
    private final ReentrantLock maintenanceLock;
    private final Host host;
    private final long periodMillis;
    /** Makes the scheduler's one thread (named as the constructor was told) and remembers it for close. */
    private final DaemonThreads threads;
    /** The compaction thread, made by {@link #start}; null until then. Guarded by this. */
    private ScheduledExecutorService executor;
    /** A nudge is queued and not yet started: later nudges need not queue another run. */
    private final AtomicBoolean nudged = new AtomicBoolean();
    private volatile Throwable lastFailure;
    /** Set by {@link #close} under this object's monitor (so that {@link #start} after it starts nothing). */
    private volatile boolean closing;
    /** The thread inside {@link #runOnce}, or null: close() unparks it should the rate limit have parked it. */
    private volatile Thread running;

    /**
     * A scheduler whose thread starts at {@link #start} or at the first {@link #segmentSealed}, whichever comes
     * first: a session with nothing to compact (a store at rest that is only read) starts no thread, and its close
     * joins none.
     */
    public CompactionScheduler(CompactionPolicy policy, ReentrantLock maintenanceLock, Host host, Duration interval,
                               String threadName) {
        this.policy = policy;
        this.maintenanceLock = maintenanceLock;
        this.host = host;
        this.periodMillis = interval.toMillis();
        this.threads = new DaemonThreads(threadName);
    }

    /**
     * Starts the thread and its checks every interval, unless it runs already or closing has begun: from now on
     * the database may have something to compact without any segment being sealed (writes or expiries leave dead
     * records behind in sealed segments).
     */
    public synchronized void start() {
        if (executor != null || closing) {
            return;
        }
        // Classes, not lambdas: this runs on the session's first write (ARCHITECTURE.md, "Start-up cost").
        executor = Executors.newSingleThreadScheduledExecutor(threads);
        executor.scheduleWithFixedDelay(new Check(), periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** The writer sealed a segment: check soon, without blocking the caller (the flusher thread). */
    public void segmentSealed() {
        ScheduledExecutorService started;
        synchronized (this) {
            start();
            started = executor;
        }
        if (started != null && nudged.compareAndSet(false, true)) {
            try {
                started.execute(() -> {
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
     * Stops the thread; a running compaction abandons its copy at its next safe point (or, once it has begun
     * publishing, finishes), and this waits for that. Then, when closing would leave
     * {@link CompactionPolicy#SMALL_RUN} or more small segments, seals the active segment and merges them, so that
     * one-shot sessions do not leave a file each. The caller holds no lock and the writer is still open.
     */
    public void close() {
        ScheduledExecutorService started;
        synchronized (this) {
            closing = true;
            started = executor;
        }
        // runOnce publishes its thread before it reads closing, and this reads the thread after setting it: either
        // the run sees closing, or the unpark reaches it (a permit given before it parks makes the park return).
        Thread compacting = running;
        if (compacting != null) {
            LockSupport.unpark(compacting);
        }
        if (started != null) {
            // Not shutdownNow(): interrupting a compaction in the middle of FileChannel I/O would close its channels.
            started.shutdown();
            Uninterruptibly.awaitTermination(started);
            // A terminated executor's worker may still be finishing its exit: close promises the thread has ended.
            Thread thread = threads.made;
            if (thread != null) {
                Uninterruptibly.join(thread);
            }
        }
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
            // Asked for by closing itself: never abandoned.
            host.compact(small, () -> false);
        } finally {
            maintenanceLock.unlock();
        }
    }

    /** Makes the compaction thread: a daemon, named; the one made last is joined by close. */
    private static final class DaemonThreads implements ThreadFactory {
        private final String name;
        private volatile Thread made;

        DaemonThreads(String name) {
            this.name = name;
        }

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            made = t;
            return t;
        }
    }

    /** The periodic check. */
    private final class Check implements Runnable {
        @Override
        public void run() {
            runOnce();
        }
    }

    private void runOnce() {
        running = Thread.currentThread();
        try {
            runLocked();
        } finally {
            running = null;
        }
    }

    private void runLocked() {
        if (closing || !host.writable() || !maintenanceLock.tryLock()) {
            return;
        }
        try {
            CompactionPolicy.Plan plan = policy.plan(CompactionPolicy.usages(host.sealedSegments()), host.activeUsage());
            if (plan.rollActive()) {
                host.rollActive();
                plan = policy.plan(CompactionPolicy.usages(host.sealedSegments()), null);
            }
            if (!plan.inputs().isEmpty() && host.writable() && !closing) {
                List<Segment> inputs = new ArrayList<>();
                for (Segment s : host.sealedSegments()) {
                    if (plan.inputs().contains(s.id())) {
                        inputs.add(s);
                    }
                }
                host.compact(inputs, () -> closing);
            }
            lastFailure = null;
        } catch (CompactionAbandonedException e) {
            // Closing: not a failure, and nothing to retry in this instance. Problems deleting the outputs were
            // added to it; the next open deletes what is left under temporary names and orphan hints.
            System.Logger log = System.getLogger(CompactionScheduler.class.getName());
            if (e.getSuppressed().length > 0) {
                log.log(System.Logger.Level.WARNING,
                        "abandoned background compaction could not delete all of its outputs", e);
            } else {
                log.log(System.Logger.Level.DEBUG, e.getMessage());
            }
        } catch (RuntimeException e) {
            lastFailure = e;
            System.getLogger(CompactionScheduler.class.getName()).log(System.Logger.Level.WARNING,
                    "background compaction failed; will retry", e);
        } finally {
            maintenanceLock.unlock();
        }
    }
}
