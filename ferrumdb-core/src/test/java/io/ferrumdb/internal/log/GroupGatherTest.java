package io.ferrumdb.internal.log;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The flusher's wait for a group's writers, driven with explicit clock values. */
class GroupGatherTest {
    private static final long MAX = 1_000_000;

    @Test
    void waitsForTheAcknowledgedWritersUntilTheGroupIsComplete() {
        GroupGather g = new GroupGather(MAX);
        g.start(3, 5, 400_000, 0);

        assertThat(g.wakes(7)).isFalse();
        assertThat(g.remaining(7, 100_000)).isEqualTo(100_000);
        assertThat(g.wakes(8)).isTrue();
        assertThat(g.remaining(8, 150_000)).isZero();
        // Done: appends wake the flusher again, and the next start waits (no skipping after a complete group).
        assertThat(g.wakes(1)).isTrue();
        g.start(0, 8, 400_000, 1_000_000);
        assertThat(g.remaining(0, 1_000_000)).isEqualTo(200_000);
    }

    @Test
    void theWaitIsBoundedByAFractionOfTheFsyncAndByTheCap() {
        GroupGather g = new GroupGather(MAX);
        g.start(0, 4, 10_000_000, 0);
        assertThat(g.remaining(0, 0)).isEqualTo(MAX);

        GroupGather h = new GroupGather(MAX);
        h.start(0, 4, 300_000, 0);
        assertThat(h.remaining(0, 0)).isEqualTo(300_000 / GroupGather.FRACTION);
    }

    @Test
    void waitsThatGainNothingAreSkippedForExponentiallyMoreCycles() {
        GroupGather g = new GroupGather(MAX);
        int[] skippedAfterEachMiss = new int[8];
        long now = 0;
        for (int miss = 0; miss < skippedAfterEachMiss.length; miss++) {
            // Start cycles until one waits; count those that skipped.
            int skipped = 0;
            while (true) {
                g.start(0, 4, 400_000, now);
                if (g.remaining(0, now) > 0) {
                    break;
                }
                skipped++;
            }
            skippedAfterEachMiss[miss] = skipped;
            now += 200_000; // the deadline passes and no writer came back
            assertThat(g.remaining(0, now)).isZero();
        }
        assertThat(skippedAfterEachMiss).containsExactly(0, 1, 2, 4, 8, 16, 32, 64);

        // A wait that gains writers, even short of the whole group, resets the skipping.
        int skipped = 0;
        while (true) {
            g.start(0, 4, 400_000, now);
            if (g.remaining(0, now) > 0) {
                break;
            }
            skipped++;
        }
        assertThat(skipped).isEqualTo(GroupGather.MAX_SKIP);
        now += 200_000;
        assertThat(g.remaining(1, now)).isZero();
        g.start(0, 4, 400_000, now);
        assertThat(g.remaining(0, now)).isPositive();
    }

    @Test
    void aWaitThatRunsOutWithSomeWritersBackDoesNotSkipTheNext() {
        GroupGather g = new GroupGather(MAX);
        g.start(2, 6, 400_000, 0);
        assertThat(g.remaining(5, 250_000)).isZero();
        g.start(0, 5, 400_000, 300_000);
        assertThat(g.remaining(0, 300_000)).isPositive();
    }

    @Test
    void noWaitWithoutAcknowledgedWritersOrAMeasuredFsync() {
        GroupGather g = new GroupGather(MAX);
        g.start(5, 0, 400_000, 0);
        assertThat(g.remaining(5, 0)).isZero();
        g.start(5, 3, 0, 0);
        assertThat(g.remaining(5, 0)).isZero();
        assertThat(g.wakes(0)).isTrue();
    }

    @Test
    void cancelEndsTheWaitWithoutSkippingLaterOnes() {
        GroupGather g = new GroupGather(MAX);
        g.start(0, 4, 400_000, 0);
        g.cancel();
        assertThat(g.remaining(0, 0)).isZero();
        g.start(0, 4, 400_000, 0);
        assertThat(g.remaining(0, 0)).isPositive();
    }
}
