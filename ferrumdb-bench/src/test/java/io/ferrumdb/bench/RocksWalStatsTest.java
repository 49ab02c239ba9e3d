package io.ferrumdb.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RocksWalStatsTest {
    /** The lines as RocksDB 11.8 prints them in "rocksdb.dbstats" (copied from a run). */
    private static final String DB_STATS = """
            ** DB Stats **
            Cumulative WAL: 120K writes, 14K syncs, 8.57 writes per sync, written: 0.01 GB, 0.03 MB/s
            Interval WAL: 50 writes, 50 syncs, 1.00 writes per sync, written: 0.00 GB, 0.05 MB/s
            """;

    @Test
    void readsTheIntervalNotTheCumulativeWritesPerSync() {
        assertThat(Harness.walWritesPerSync(DB_STATS)).isEqualTo(1.00);
        assertThat(Harness.walWritesPerSync(DB_STATS.replace("1.00 writes per sync", "8.49 writes per sync")))
                .isEqualTo(8.49);
    }

    @Test
    void namesTheMissingLine() {
        assertThatThrownBy(() -> Harness.walWritesPerSync("** DB Stats **\nUptime(secs): 1.0 total\n"))
                .isInstanceOf(BenchException.class)
                .hasMessageContaining("Interval WAL");
    }
}
