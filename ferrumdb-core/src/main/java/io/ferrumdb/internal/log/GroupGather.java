package io.ferrumdb.internal.log;

/**
 * Under {@code always()}: how long the flusher waits, after a group's fsync, for the writers it just acknowledged
 * to append again before it takes the next group.
 *
 * <p>Without the wait, closed-loop writers split into two alternating groups: the writers woken after fsync N
 * append while fsync N+1 runs, so each group holds about half of them (measured: 7.4-10 records per fsync at 16
 * writers). Waiting until they are back makes one group of all of them, which pays when they come back faster
 * than an fsync. The wait is bounded by a fraction of the last fsync (and {@code maxNanos}). When it runs out
 * with not one more writer in the group (writers that stopped writing, or a machine so loaded that woken writers
 * take several fsyncs to run again), the following cycles do not wait: 1, 2, 4, ... up to {@link #MAX_SKIP} of
 * them, so that a wait that gains nothing costs a bounded share of the fsync rate. A wait that gained writers
 * resets that: at 64 writers on 2 busy cores a group is seldom complete in time, yet waiting made groups of
 * 45 rather than 28 (docs/benchmarks.md, issue 23), so only a wait that gained nothing counts against it.
 *
 * <p>Not thread-safe: every method REQUIRES the writer's lock (appends ask {@link #wakes}, the flusher the rest).
 */
final class GroupGather {
    /** The wait is at most 1/FRACTION of the last fsync. */
    static final int FRACTION = 2;
    /** Most cycles in a row that skip the wait after waits that ran out. */
    static final int MAX_SKIP = 64;

    private final long maxNanos;
    /** Waiters the next group waits for; 0 when not waiting. */
    private int target;
    private long deadline;
    /** Waiters registered when the wait began. */
    private int waitingAtStart;
    private int backoff;
    private int skip;

    GroupGather(long maxNanos) {
        this.maxNanos = maxNanos;
    }

    /**
     * After a forced cycle that acknowledged {@code acknowledged} waiters while {@code waiting} more had
     * registered, starts a wait for the acknowledged ones to come back, unless waits are being skipped.
     *
     * @param fsyncNanos how long the cycle's fsync took (no wait when unknown: 0)
     */
    void start(int waiting, int acknowledged, long fsyncNanos, long now) {
        if (acknowledged == 0 || fsyncNanos <= 0) {
            return;
        }
        if (skip > 0) {
            skip--;
            return;
        }
        target = waiting + acknowledged;
        waitingAtStart = waiting;
        deadline = now + Math.min(fsyncNanos / FRACTION, maxNanos);
    }

    /** Whether an append that brought the waiters to {@code waiting} must wake the flusher. */
    boolean wakes(int waiting) {
        return waiting >= target;
    }

    /** Ends a wait without judging it (other work is urgent: a sync, a roll, a full chunk, close). */
    void cancel() {
        target = 0;
    }

    /**
     * Nanoseconds the flusher should still wait with {@code waiting} waiters registered, or 0 to take the group
     * now. A wait that gained writers resets the skipping; one that ran out with none makes the next cycles skip.
     */
    long remaining(int waiting, long now) {
        if (target == 0) {
            return 0;
        }
        if (waiting < target && now - deadline < 0) {
            return deadline - now;
        }
        if (waiting > waitingAtStart) {
            backoff = 0;
        } else {
            backoff = Math.min(Math.max(1, backoff * 2), MAX_SKIP);
            skip = backoff;
        }
        target = 0;
        return 0;
    }
}
