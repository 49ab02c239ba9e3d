package io.ferrumdb.server;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The engine's clock, frozen for the duration of a command on the thread that runs it (Redis's
 * {@code commandTimeSnapshot}): every expiry decision and every TTL written by one command or one EXEC uses
 * the same millisecond, so {@code PEXPIREAT k T} stores exactly T and a key cannot expire half-way through
 * a transaction. Other threads (the engine's purges) see the system clock.
 */
final class CommandClock extends Clock {
    private final ThreadLocal<long[]> frozen = ThreadLocal.withInitial(() -> new long[] {-1});

    /** Freezes this thread's time at the current millisecond and returns it. */
    long freeze() {
        long now = System.currentTimeMillis();
        frozen.get()[0] = now;
        return now;
    }

    void unfreeze() {
        frozen.get()[0] = -1;
    }

    @Override
    public long millis() {
        long t = frozen.get()[0];
        return t >= 0 ? t : System.currentTimeMillis();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the command clock is UTC only");
    }
}
