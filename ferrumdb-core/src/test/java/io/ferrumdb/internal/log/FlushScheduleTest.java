package io.ferrumdb.internal.log;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The flusher's schedule ({@link FlushSchedule}) alone, with times given by the test: urgent work runs at once,
 * pending records after their linger, a periodic fsync once its interval has passed (only when something is
 * unsynced); closing runs what is left and then ends; otherwise it waits for the earlier of the linger and the
 * periodic deadline. The group gather ends at once for work no wait may delay.
 */
class FlushScheduleTest {
    private static final long LINGER = 1_000_000;
    private static final long SECOND = 1_000_000_000;

    @Test
    void urgentWorkRunsAtOnceAndNothingToDoParks() {
        FlushSchedule s = new FlushSchedule(false, LINGER, 0);
        assertThat(s.next(500, true, false, false, 0, false, 0)).isEqualTo(FlushSchedule.RUN);
        assertThat(s.next(500, false, false, false, 0, false, 0)).isEqualTo(FlushSchedule.UNTIL_SIGNALLED);
        assertThat(s.flusherParked()).as("not ticking: writers always wake it").isTrue();
    }

    @Test
    void pendingRecordsRunOnceTheyLingeredAndTheWaitIsTheRestOfTheLinger() {
        FlushSchedule s = new FlushSchedule(false, LINGER, 0);
        long since = -7 * SECOND; // System.nanoTime may be negative
        assertThat(s.next(since + 300_000, false, false, true, since, false, 0)).isEqualTo(LINGER - 300_000);
        assertThat(s.next(since + LINGER, false, false, true, since, false, 0)).isEqualTo(FlushSchedule.RUN);
    }

    @Test
    void aPeriodicFsyncIsDueOnlyForUnsyncedWritesOnceItsIntervalPassed() {
        FlushSchedule s = new FlushSchedule(false, LINGER, SECOND);
        long last = 10 * SECOND;
        assertThat(s.next(last + SECOND, false, false, false, 0, false, last))
                .as("nothing unsynced: no cycle").isEqualTo(FlushSchedule.UNTIL_SIGNALLED);
        assertThat(s.next(last + SECOND - 5, false, false, false, 0, true, last)).isEqualTo(5);
        assertThat(s.next(last + SECOND, false, false, false, 0, true, last)).isEqualTo(FlushSchedule.RUN);
        // Pending records and a periodic deadline: whichever comes first.
        assertThat(s.next(last + SECOND - 5, false, false, true, last + SECOND - 10, true, last)).isEqualTo(5);
        assertThat(s.next(last + 10, false, false, true, last, true, last)).isEqualTo(LINGER - 10);
        // The cycle that runs fsyncs once the interval passed, whether or not its records were written before.
        assertThat(s.periodicFsyncDue(last + SECOND - 1, last)).isFalse();
        assertThat(s.periodicFsyncDue(last + SECOND, last)).isTrue();
        assertThat(new FlushSchedule(false, LINGER, 0).periodicFsyncDue(Long.MAX_VALUE, 0))
                .as("not the periodic policy").isFalse();
    }

    @Test
    void closingRunsWhatIsLeftThenEnds() {
        FlushSchedule s = new FlushSchedule(true, LINGER, SECOND);
        assertThat(s.next(0, false, true, true, 0, false, 0)).as("pending records").isEqualTo(FlushSchedule.RUN);
        assertThat(s.next(0, false, true, false, 0, true, 0)).as("unsynced records").isEqualTo(FlushSchedule.RUN);
        assertThat(s.next(0, false, true, false, 0, false, 0)).isEqualTo(FlushSchedule.END);
    }

    @Test
    void whileRecordsKeepComingTheFlusherTicksInsteadOfParking() {
        FlushSchedule s = new FlushSchedule(true, LINGER, 0);
        assertThat(s.next(0, false, false, true, 0, false, 0)).isEqualTo(LINGER);
        assertThat(s.next(LINGER, false, false, true, 0, false, 0)).isEqualTo(FlushSchedule.RUN);
        // Nothing pending just after the cycle: a tick of the linger, and writers need not wake the flusher.
        assertThat(s.next(LINGER + 1, false, false, false, 0, false, 0)).isEqualTo(LINGER);
        assertThat(s.flusherParked()).isFalse();
        long idle = FlusherTicks.TICKING_LINGERS * LINGER;
        assertThat(s.next(idle, false, false, false, 0, false, 0)).isEqualTo(FlushSchedule.UNTIL_SIGNALLED);
        assertThat(s.flusherParked()).isTrue();
    }

    @Test
    void theGroupGatherEndsAtOnceForWorkNoWaitMayDelay() {
        FlushSchedule s = new FlushSchedule(false, LINGER, 0);
        long now = 50 * SECOND;
        // A cycle acknowledged 4 writers of 4 waiting with a 2 ms fsync: wait for them to append again.
        s.gather.start(0, 4, 2_000_000, now);
        long waiting = s.gathering(0, false, now);
        assertThat(waiting).isPositive().isLessThanOrEqualTo(LINGER);
        assertThat(s.gathering(2, false, now + 10)).as("two of four back: still waiting").isPositive();
        assertThat(s.gathering(2, true, now + 10)).as("a sync, a roll or closing ends the wait").isZero();
        assertThat(s.gathering(2, false, now + 20)).as("ended for good").isZero();
    }
}
