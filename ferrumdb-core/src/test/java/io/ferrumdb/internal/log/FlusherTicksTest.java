package io.ferrumdb.internal.log;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The flusher's ticks ({@link FlusherTicks}): it ticks, and writers need not wake it, while records keep coming; it
 * parks, and the next first record must wake it, once they stop; records that arrive during a tick are due at its
 * end, never later than a linger after they arrived; under {@code always()} writers always wake it. Times are
 * nanoseconds given by the test, no clock is read.
 */
class FlusherTicksTest {
    private static final long LINGER = 1_000_000;
    private static final long MAX = Long.MAX_VALUE;

    @Test
    void parksUntilRecordsWereSeenThenTicksWhileTheyKeepComing() {
        FlusherTicks t = new FlusherTicks(LINGER, true);
        long now = -5_000_000_000L; // System.nanoTime may be negative
        assertThat(t.nextWait(MAX, now, 0)).as("no records yet: park").isEqualTo(MAX);
        assertThat(t.parked()).isTrue();
        // A first record arrives (a writer wakes the parked flusher), the flusher waits out its linger.
        long since = now + 10;
        assertThat(t.due(now + 20, since)).isFalse();
        assertThat(t.nextWait(since + LINGER - (now + 20), now + 20, since)).isEqualTo(since + LINGER - (now + 20));
        assertThat(t.parked()).as("a bounded wait for pending records").isFalse();
        assertThat(t.due(since + LINGER, since)).isTrue();
        // The cycle took them; nothing pending: tick instead of parking, so that the next writer need not wake it.
        long after = since + LINGER + 50;
        assertThat(t.nextWait(MAX, after, since)).isEqualTo(LINGER);
        assertThat(t.parked()).isFalse();
        // A record arrives during the tick: due when the tick ends, although it waited less than a linger.
        long next = after + 300_000;
        assertThat(t.due(after + LINGER, next)).isTrue();
        assertThat(t.due(after + LINGER - 1, next)).as("woken before the tick's end").isFalse();
        // The cycle ran; records that came after the tick ended wait their own linger, not a cycle at once.
        long late = after + LINGER + 40_000;
        assertThat(t.due(late + 10, late)).isFalse();
        assertThat(t.due(late + LINGER, late)).isTrue();
        // Writes stop: ticks end TICKING_LINGERS lingers after the last first record, then it parks.
        long idle = next + FlusherTicks.TICKING_LINGERS * LINGER;
        assertThat(t.nextWait(MAX, idle - 1, next)).isEqualTo(LINGER);
        assertThat(t.nextWait(MAX, idle, next)).isEqualTo(MAX);
        assertThat(t.parked()).isTrue();
    }

    @Test
    void aRecordFromBeforeTheTickWaitsItsLingerOutAndAnotherKindOfWaitIsNoTick() {
        FlusherTicks t = new FlusherTicks(LINGER, true);
        assertThat(t.due(0, 0)).isFalse();
        assertThat(t.nextWait(MAX, 10, 0)).isEqualTo(LINGER);
        // pendingSince before the tick began: only the linger itself makes it due.
        assertThat(t.due(10 + LINGER - 20, 5)).isFalse();
        assertThat(t.due(LINGER + 5, 5)).isTrue();
        // A periodic fsync's bounded wait is not a tick: records arriving then wait their linger.
        assertThat(t.nextWait(400, 20, 0)).isEqualTo(400);
        assertThat(t.due(20 + LINGER, 30)).isFalse();
    }

    @Test
    void aPeriodicFsyncsLongTimerTicksWhileRecordsComeAndIsAParkOnceTheyStop() {
        FlusherTicks t = new FlusherTicks(LINGER, true);
        long hour = 3_600_000_000_000L;
        assertThat(t.due(0, 0)).isFalse();
        // Records came lately: tick, as with nothing to wait for, not sleep until the fsync is due.
        assertThat(t.nextWait(hour, LINGER, 0)).isEqualTo(LINGER);
        assertThat(t.parked()).isFalse();
        // Writes stopped: wait for the fsync, and the next first record must wake the flusher (else it sat in the
        // process for up to the whole interval, and a process crash lost it).
        long idle = FlusherTicks.TICKING_LINGERS * LINGER;
        assertThat(t.nextWait(hour, idle, 0)).isEqualTo(hour);
        assertThat(t.parked()).isTrue();
    }

    @Test
    void underAlwaysWritersWakeTheFlusherAndItNeverTicks() {
        FlusherTicks t = new FlusherTicks(LINGER, false);
        assertThat(t.due(0, 0)).isFalse();
        assertThat(t.nextWait(MAX, 10, 0)).isEqualTo(MAX);
        assertThat(t.parked()).isTrue();
        assertThat(t.nextWait(500, 10, 0)).isEqualTo(500);
        assertThat(t.parked()).as("always(): writers wake it whatever it waits for").isTrue();
    }
}
