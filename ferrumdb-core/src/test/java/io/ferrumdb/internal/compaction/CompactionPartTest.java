package io.ferrumdb.internal.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The rate limit that a compaction's parts share, on a clock of its own that moves only when the limit sleeps: the
 * sleeps asked for are exactly those that keep all parts' bytes together under the rate.
 */
class CompactionPartTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void thePartsShareOneLimit() {
        AtomicLong now = new AtomicLong(5 * SECOND);
        List<Long> sleeps = new ArrayList<>();
        CompactionPart.RateLimit limit = new CompactionPart.RateLimit(1000, now::get, nanos -> {
            sleeps.add(nanos);
            now.addAndGet(nanos);
        });
        // Part A writes 600 bytes: due 0.6 s after the start.
        limit.wrote(600, () -> false);
        // Part B's 600 bytes are due 1.2 s after the start, counting A's: a limit per part would not sleep here
        // (B's own 600 bytes were due at 0.6 s, which has passed).
        limit.wrote(600, () -> false);
        // 0.2 s pass without a write; 100 more bytes are then already within the rate.
        now.addAndGet(SECOND / 5);
        limit.wrote(100, () -> false);
        assertThat(sleeps).containsExactly(600_000_000L, 600_000_000L);
    }

    @Test
    void anAbandonedRunStopsSleeping() {
        AtomicLong now = new AtomicLong();
        List<Long> sleeps = new ArrayList<>();
        CompactionPart.RateLimit limit = new CompactionPart.RateLimit(1, now::get, sleeps::add);
        limit.wrote(1_000, () -> true);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void noLimitNeverSleeps() {
        List<Long> sleeps = new ArrayList<>();
        CompactionPart.RateLimit limit = new CompactionPart.RateLimit(0, () -> 0, sleeps::add);
        limit.wrote(Long.MAX_VALUE / 2, () -> false);
        assertThat(sleeps).isEmpty();
    }
}
