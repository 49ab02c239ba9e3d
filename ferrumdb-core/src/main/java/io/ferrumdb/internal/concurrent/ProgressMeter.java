package io.ferrumdb.internal.concurrent;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counts the bytes a job has done, from any of its threads, and reports them to a listener in order: never two
 * reports at once, the bytes never decreasing, one report at the start, then one whenever about a thousandth of the
 * planned bytes (at least {@link #MIN_STEP}) more are done, and the total only at {@link #complete()}. A thread that
 * finds another reporting does not wait: the other's report, or the next one, covers its bytes. Nothing polls.
 */
public final class ProgressMeter {
    /** Receives the reports; see {@code io.ferrumdb.MaintenanceProgress} for the contract the engine promises. */
    @FunctionalInterface
    public interface Listener {
        void progressed(long doneBytes, long plannedBytes);
    }

    /** A listener that ignores every report (background compaction, calls without a listener). */
    public static final Listener IGNORE = (done, planned) -> { };

    static final long MIN_STEP = 64 << 10;

    private final long planned;
    private final Listener listener;
    private final long step;
    private final AtomicLong done = new AtomicLong();
    private final ReentrantLock reporting = new ReentrantLock();
    /** Bytes from which the next report is due; read without the lock, so a thread in between takes no lock. */
    private volatile long nextReport;
    /** The bytes last reported; guarded by {@link #reporting}. */
    private long reported = -1;

    /**
     * Starts the count at 0 of {@code planned} bytes and reports that, unless nothing is planned: then 0 of 0 would
     * say "complete" before the job is, and {@link #complete()} makes the one report.
     */
    public ProgressMeter(long planned, Listener listener) {
        if (planned < 0) {
            throw new IllegalArgumentException("planned bytes must not be negative, got " + planned);
        }
        this.planned = planned;
        this.listener = listener;
        this.step = Math.max(MIN_STEP, planned / 1000);
        if (planned > 0) {
            reporting.lock();
            try {
                report(0);
            } finally {
                reporting.unlock();
            }
        }
    }

    /**
     * Counts {@code bytes} more done, reporting when a step is due. Short of {@link #complete()} the count stops
     * just below the planned bytes, so that only a complete job reports its total.
     */
    public void add(long bytes) {
        long now = done.addAndGet(bytes);
        if (now >= nextReport && reporting.tryLock()) {
            try {
                report(Math.min(done.get(), planned - 1));
            } finally {
                reporting.unlock();
            }
        }
    }

    /** The job is complete: reports the planned bytes as done. */
    public void complete() {
        reporting.lock();
        try {
            report(planned);
        } finally {
            reporting.unlock();
        }
    }

    private void report(long bytes) {
        assert reporting.isHeldByCurrentThread();
        if (bytes <= reported) {
            return;
        }
        reported = bytes;
        nextReport = bytes + step;
        listener.progressed(bytes, planned);
    }
}
