package io.ferrumdb.bench.ycsb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.Stats;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;
import site.ycsb.StringByteIterator;

/** Settling between YCSB phases leaves each store without a backlog and with every record. */
class YcsbSettleTest {
    @TempDir
    Path dir;

    @Test
    void ferrumDbIsCompactedToItsLiveRecords() throws Exception {
        Path store = dir.resolve("ferrumdb");
        writeAndOverwrite(new FerrumDbYcsb(), FerrumDbYcsb.DIR_PROPERTY, store);
        long deadBefore;
        try (FerrumDB db = FerrumDbYcsb.open(store)) {
            deadBefore = db.stats().deadBytes();
        }
        YcsbSettle.main(new String[] {"ferrumdb", store.toString()});
        try (FerrumDB db = FerrumDbYcsb.open(store)) {
            Stats stats = db.stats();
            // Two of every three records were overwritten; what stays dead is the segment header.
            assertThat(stats.deadBytes()).isLessThan(deadBefore / 10);
            assertThat(stats.pendingCompactionBytes()).as("background compaction's backlog").isZero();
            assertThat(stats.segments()).noneMatch(Stats.SegmentStats::active);
            assertThat(db.size()).isEqualTo(50);
        }
        assertLatestValues(new FerrumDbYcsb(), FerrumDbYcsb.DIR_PROPERTY, store);
    }

    @Test
    void rocksDbIsFlushedAndCompactedOutOfLevelZero() throws Exception {
        Path store = dir.resolve("rocksdb");
        writeAndOverwrite(new RocksDbYcsb(), RocksDbYcsb.DIR_PROPERTY, store);
        YcsbSettle.main(new String[] {"rocksdb", store.toString()});
        try (RocksDbYcsb.Handle h = RocksDbYcsb.open(store)) {
            assertThat(h.db.getProperty("rocksdb.num-files-at-level0")).isEqualTo("0");
            assertThat(h.db.getProperty("rocksdb.num-entries-active-mem-table")).isEqualTo("0");
        }
        assertLatestValues(new RocksDbYcsb(), RocksDbYcsb.DIR_PROPERTY, store);
    }

    @Test
    void refusesAnUnknownEngineOrAMissingDirectory() {
        assertThatThrownBy(() -> YcsbSettle.main(new String[] {"leveldb", dir.toString()}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("leveldb");
        assertThatThrownBy(() -> YcsbSettle.main(new String[] {"ferrumdb", dir.resolve("absent").toString()}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("absent");
    }

    private static void writeAndOverwrite(DB db, String property, Path store) throws DBException {
        init(db, property, store);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 50; i++) {
                Map<String, ByteIterator> fields = Map.of("field0", new StringByteIterator(round + "-" + i));
                assertThat(db.insert("usertable", "user" + i, fields)).isEqualTo(Status.OK);
            }
        }
        db.cleanup();
    }

    private static void assertLatestValues(DB db, String property, Path store) throws DBException {
        init(db, property, store);
        for (int i = 0; i < 50; i++) {
            Map<String, ByteIterator> read = new HashMap<>();
            assertThat(db.read("usertable", "user" + i, null, read)).isEqualTo(Status.OK);
            assertThat(StringByteIterator.getStringMap(read)).isEqualTo(Map.of("field0", "2-" + i));
        }
        db.cleanup();
    }

    private static void init(DB db, String property, Path store) throws DBException {
        Properties properties = new Properties();
        properties.setProperty(property, store.toString());
        db.setProperties(properties);
        db.init();
    }
}
