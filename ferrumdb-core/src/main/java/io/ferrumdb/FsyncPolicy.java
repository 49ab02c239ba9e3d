package io.ferrumdb;

import java.time.Duration;
import java.util.Objects;

/**
 * When appended records are forced to stable storage.
 *
 * <ul>
 *   <li>{@link #always()}: a write returns only after its record is fsynced. Concurrent writers and
 *   {@code putAsync} pipelines share one fsync (group commit). The default: an acknowledged write survives
 *   power loss.</li>
 *   <li>{@link #periodic(Duration)}: records reach the OS at once (within microseconds, from a background
 *   flusher) and are fsynced every interval. Power loss may lose the last interval; a process crash loses only
 *   records still in the in-process write buffer (microseconds of work).</li>
 *   <li>{@link #never()}: like periodic, but without the timer: nothing is promised durable before {@code sync()}
 *   or {@code close()}, which still fsync. (Under both, the active segment is fsynced in the background every few
 *   MiB written, so that sealing a full segment finds little left to write; that promises nothing more.)</li>
 * </ul>
 */
public final class FsyncPolicy {
    enum Kind { ALWAYS, PERIODIC, NEVER }

    private static final FsyncPolicy ALWAYS = new FsyncPolicy(Kind.ALWAYS, Duration.ZERO);
    private static final FsyncPolicy NEVER = new FsyncPolicy(Kind.NEVER, Duration.ZERO);

    private final Kind kind;
    private final Duration interval;

    private FsyncPolicy(Kind kind, Duration interval) {
        this.kind = kind;
        this.interval = interval;
    }

    public static FsyncPolicy always() {
        return ALWAYS;
    }

    public static FsyncPolicy never() {
        return NEVER;
    }

    /**
     * The longest interval {@link #periodic} takes: a day. Longer ones overflowed the flusher's nanosecond clock
     * arithmetic, and open failed with a bare "long overflow"; a writer that wants no timer at all has
     * {@link #never()} (MySQL bounds {@code innodb_flush_log_at_timeout} the same way, at 2700 s).
     */
    public static final Duration MAX_PERIODIC_INTERVAL = Duration.ofDays(1);

    /** Fsyncs every {@code interval}: positive, at most {@link #MAX_PERIODIC_INTERVAL}. */
    public static FsyncPolicy periodic(Duration interval) {
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("periodic fsync interval must be positive, got " + interval);
        }
        if (interval.compareTo(MAX_PERIODIC_INTERVAL) > 0) {
            throw new IllegalArgumentException("periodic fsync interval must be at most " + MAX_PERIODIC_INTERVAL
                    + " (MAX_PERIODIC_INTERVAL; never() has no timer at all), got " + interval);
        }
        return new FsyncPolicy(Kind.PERIODIC, interval);
    }

    public boolean isAlways() {
        return kind == Kind.ALWAYS;
    }

    public boolean isNever() {
        return kind == Kind.NEVER;
    }

    public boolean isPeriodic() {
        return kind == Kind.PERIODIC;
    }

    /** The fsync interval of a periodic policy; zero for the others. */
    public Duration interval() {
        return interval;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FsyncPolicy p && p.kind == kind && p.interval.equals(interval);
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + interval.hashCode();
    }

    @Override
    public String toString() {
        return switch (kind) {
            case ALWAYS -> "always";
            case NEVER -> "never";
            case PERIODIC -> "periodic(" + interval + ")";
        };
    }
}
