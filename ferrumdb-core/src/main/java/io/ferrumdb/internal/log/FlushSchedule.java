package io.ferrumdb.internal.log;

/**
 * When the flusher runs a cycle that no writer leads: under {@code always()} not before the writers of the group it
 * just completed are back ({@link GroupGather}, unless work no wait may delay comes); then for urgent work at once,
 * for pending records once they have lingered ({@link FlusherTicks#due}), for a periodic fsync once its interval has
 * passed since the last one, and when closing for anything not yet written or fsynced; else how long it waits first
 * ({@link FlusherTicks#nextWait} says whether as a tick or a park). Times are {@link System#nanoTime} values given by
 * the caller; no clock is read here. REQUIRES the writer's lock, as {@link FlusherTicks} does.
 */
final class FlushSchedule {
    /** {@link #next}: run a cycle now. */
    static final long RUN = 0;
    /** {@link #next}: the flusher's work is done (closing, and nothing is pending or unsynced). */
    static final long END = -1;
    /** {@link #next}: wait until signalled (a park). */
    static final long UNTIL_SIGNALLED = Long.MAX_VALUE;

    /** The flusher's wait for a group's writers (under always(); the leaders have their own, in GroupCommit). */
    final GroupGather gather;
    private final FlusherTicks ticks;
    private final long lingerNanos;
    /** The periodic policy's fsync interval; 0 for the other policies. */
    private final long periodicNanos;

    /**
     * @param ticking       whether the flusher ticks while records come ({@link FlusherTicks}: not under always())
     * @param periodicNanos the periodic policy's fsync interval, 0 under the other policies ({@code interval()})
     */
    FlushSchedule(boolean ticking, long lingerNanos, long periodicNanos) {
        this.gather = new GroupGather(lingerNanos);
        this.ticks = new FlusherTicks(lingerNanos, ticking);
        this.lingerNanos = lingerNanos;
        this.periodicNanos = periodicNanos;
    }

    /**
     * How long the flusher still waits at {@code now} for the writers of the group it completed last, {@code waiting}
     * futures registered ({@link GroupGather#remaining}); 0 when it waits no longer. With {@code noDelay} (work no
     * group wait may delay: a sync, a roll or seal, a full chunk; or closing) the wait ends now.
     */
    long gathering(int waiting, boolean noDelay, long now) {
        if (noDelay) {
            gather.cancel();
        }
        return gather.remaining(waiting, now);
    }

    /**
     * The flusher's next step at {@code now}: {@link #RUN}, {@link #END}, or a wait in nanoseconds ({@link
     * #UNTIL_SIGNALLED} for an untimed one).
     *
     * @param urgent       work no linger may delay waits: fsync waiters, a sync, a roll or seal, a full chunk
     * @param pending      records wait in the pending chunk, the first since {@code pendingSince}
     * @param unsynced     records were written and not fsynced since the fsync at {@code lastFsync}
     */
    long next(long now, boolean urgent, boolean closing, boolean pending, long pendingSince, boolean unsynced,
              long lastFsync) {
        boolean lingered = pending && ticks.due(now, pendingSince);
        if (urgent || lingered || unsynced && periodicFsyncDue(now, lastFsync)) {
            return RUN;
        }
        if (closing) {
            return pending || unsynced ? RUN : END;
        }
        long wait = UNTIL_SIGNALLED;
        if (pending) {
            wait = pendingSince + lingerNanos - now;
        }
        if (periodicNanos > 0 && unsynced) {
            wait = Math.min(wait, lastFsync + periodicNanos - now);
        }
        return ticks.nextWait(wait, now, pendingSince);
    }

    /** Whether a writer's first pending record must wake the flusher ({@link FlusherTicks#parked}). */
    boolean flusherParked() {
        return ticks.parked();
    }

    /**
     * Whether a cycle starting at {@code now} fsyncs under the periodic policy: the interval has passed since the
     * fsync at {@code lastFsync} (the records the cycle writes are fsynced with it, unsynced before or not).
     */
    boolean periodicFsyncDue(long now, long lastFsync) {
        return periodicNanos > 0 && now - lastFsync >= periodicNanos;
    }
}
