package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code FsyncPolicy.periodic} takes any interval up to a day and refuses a longer one naming the limit: a long one
 * (a thousand years, {@code Duration.ofSeconds(Long.MAX_VALUE)}) was accepted, and the open that used it failed
 * with a bare {@code ArithmeticException: long overflow}.
 */
class PeriodicIntervalTest {
    @TempDir
    Path dir;

    @Test
    void anIntervalOverADayIsRefusedNamingTheLimit() {
        for (Duration tooLong : new Duration[] {Duration.ofDays(1).plusNanos(1), Duration.ofDays(365_000),
                Duration.ofSeconds(Long.MAX_VALUE)}) {
            assertThatThrownBy(() -> FsyncPolicy.periodic(tooLong)).as(tooLong.toString())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("at most PT24H").hasMessageContaining("MAX_PERIODIC_INTERVAL");
        }
    }

    @Test
    void theLongestIntervalOpensAndCloseStillSyncs() {
        byte[] k = "k".getBytes(StandardCharsets.UTF_8);
        Options o = Options.builder().fsyncPolicy(FsyncPolicy.periodic(FsyncPolicy.MAX_PERIODIC_INTERVAL)).build();
        try (FerrumDB db = FerrumDB.open(dir, o)) {
            db.put(k, k);
        }
        try (FerrumDB db = FerrumDB.open(dir, o)) {
            assertThat(db.get(k)).containsExactly(k);
        }
    }
}
