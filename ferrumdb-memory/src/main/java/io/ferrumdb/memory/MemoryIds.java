package io.ferrumdb.memory;

import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Memory ids: 16 lowercase hex digits of {@code millis << 16 | sequence}. They sort by creation time (so "newest
 * first" is a reversed key scan and {@code since} is a key range) and are unique within a process: each id is
 * strictly greater than the one before, even when the clock stands still or steps back. Across restarts the
 * caller checks that an id is not taken (see {@link AgentMemory}).
 */
final class MemoryIds {
    static final int LENGTH = 16;
    private static final int SEQUENCE_BITS = 16;

    private final Clock clock;
    private final AtomicLong last = new AtomicLong();

    MemoryIds(Clock clock) {
        this.clock = clock;
    }

    String next() {
        long floor = clock.millis() << SEQUENCE_BITS;
        return format(last.updateAndGet(previous -> Math.max(previous + 1, floor)));
    }

    /** The last instant an id can hold: its 16 hex digits keep 48 bits of milliseconds (about the year 10889). */
    static final Instant LAST = Instant.ofEpochMilli((1L << (64 - SEQUENCE_BITS)) - 1);

    /**
     * The smallest id a memory created at or after {@code instant} can have; 0 for any instant before the epoch
     * (however far: {@code toEpochMilli} would overflow). REQUIRES: {@code instant} is not after {@link #LAST},
     * where no id is (the shift would wrap and admit older memories).
     */
    static String lowestAt(Instant instant) {
        assert !instant.isAfter(LAST) : instant;
        return format(instant.isBefore(Instant.EPOCH) ? 0 : instant.toEpochMilli() << SEQUENCE_BITS);
    }

    static Instant createdAt(String id) {
        return Instant.ofEpochMilli(HexFormat.fromHexDigitsToLong(id) >>> SEQUENCE_BITS);
    }

    static boolean isWellFormed(String id) {
        if (id.length() != LENGTH) {
            return false;
        }
        for (int i = 0; i < LENGTH; i++) {
            char c = id.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static String format(long value) {
        return HexFormat.of().toHexDigits(value);
    }
}
