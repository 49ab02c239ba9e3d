package io.ferrumdb.bench.ycsb;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import org.rocksdb.FlushOptions;

import io.ferrumdb.CompactionResult;
import io.ferrumdb.FerrumDB;

/**
 * Brings a store to rest between two YCSB phases, outside YCSB's timed section, the same way for both engines:
 * {@code java -cp benchmarks.jar io.ferrumdb.bench.ycsb.YcsbSettle ferrumdb|rocksdb DIR}.
 *
 * <p>Without it a phase inherits the previous one's backlog and pays for it in its own figure: a read-only C run
 * compacted the dead records B's updates left (FerrumDB's background compaction), and RocksDB replayed the
 * previous phase's WAL into memtables and flushed them while opening. Here FerrumDB compacts every segment
 * ({@link FerrumDB#compact()}: the active one sealed, hints written), and RocksDB flushes its memtables and
 * compacts its whole key range (an empty WAL, no level-0 backlog), each opened with its binding's options. Prints
 * what it did and how long it took.
 */
public final class YcsbSettle {
    private YcsbSettle() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !(args[0].equals("ferrumdb") || args[0].equals("rocksdb"))) {
            throw new IllegalArgumentException("usage: YcsbSettle ferrumdb|rocksdb DIR (got " + String.join(" ", args)
                    + ")");
        }
        Path dir = Path.of(args[1]);
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("no store to settle: " + dir + " is not a directory");
        }
        long started = System.nanoTime();
        String done = args[0].equals("ferrumdb") ? settleFerrumDb(dir) : settleRocksDb(dir);
        System.out.printf(Locale.ROOT, "settled %s %s in %.0f ms: %s%n", args[0], dir,
                (System.nanoTime() - started) / 1e6, done);
    }

    static String settleFerrumDb(Path dir) {
        try (FerrumDB db = FerrumDbYcsb.open(dir)) {
            CompactionResult result = db.compact();
            return result + "; " + db.stats();
        }
    }

    static String settleRocksDb(Path dir) throws Exception {
        try (RocksDbYcsb.Handle h = RocksDbYcsb.open(dir); FlushOptions flush = new FlushOptions()) {
            h.db.flush(flush.setWaitForFlush(true));
            h.db.compactRange();
            return h.db.getProperty("rocksdb.num-files-at-level0") + " L0 files, "
                    + h.db.getProperty("rocksdb.estimate-num-keys") + " keys (estimate), compaction pending "
                    + h.db.getProperty("rocksdb.compaction-pending");
        }
    }
}
