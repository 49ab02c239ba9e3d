package io.ferrumdb.bench;

import io.ferrumdb.KeyRange;
import io.ferrumdb.KeyValue;
import io.ferrumdb.RangeIterator;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;
import org.rocksdb.RocksIterator;

/**
 * Ordered scans of {@value #ENTRIES} entries from a random start key, keys only and keys with values; the score is
 * entries per second. raw-cslm is a ConcurrentSkipListMap of key to value index plus one positional read per value.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ScanBench {
    static final int ENTRIES = 10_000;

    @Param({"ferrum", "raw-cslm", "rocksdb"})
    public String engine;
    @Param("1000000")
    public long keys;
    @Param("100")
    public int valueSize;

    Store store;
    ConcurrentSkipListMap<byte[], Long> skipList;
    final SplittableRandom random = new SplittableRandom(11);

    @Setup(Level.Trial)
    public void open() {
        if (engine.equals("raw-cslm")) {
            store = Datasets.open("raw-pread", keys, valueSize, "");
            skipList = new ConcurrentSkipListMap<>(Arrays::compareUnsigned);
            for (long i = 0; i < keys; i++) {
                skipList.put(Data.key(i), i);
            }
        } else if (engine.equals("ferrum") || engine.equals("rocksdb")) {
            store = Datasets.open(engine, keys, valueSize, "");
        } else {
            throw new IllegalArgumentException("no scan for engine " + engine);
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        store.close();
    }

    private byte[] start() {
        return Data.key(random.nextLong(keys - ENTRIES));
    }

    @Benchmark
    @OperationsPerInvocation(ENTRIES)
    public void keysOnly(Blackhole bh) {
        scan(bh, false);
    }

    @Benchmark
    @OperationsPerInvocation(ENTRIES)
    public void keysAndValues(Blackhole bh) {
        scan(bh, true);
    }

    private void scan(Blackhole bh, boolean values) {
        byte[] from = start();
        int n = 0;
        switch (engine) {
            case "ferrum" -> {
                Stores.Ferrum f = (Stores.Ferrum) store;
                if (values) {
                    try (RangeIterator it = f.db.iterate(KeyRange.atLeast(from))) {
                        for (; n < ENTRIES && it.hasNext(); n++) {
                            KeyValue kv = it.next();
                            bh.consume(kv.key());
                            bh.consume(kv.value());
                        }
                    }
                } else {
                    Iterator<byte[]> it = f.db.keys(KeyRange.atLeast(from)).iterator();
                    for (; n < ENTRIES && it.hasNext(); n++) {
                        bh.consume(it.next());
                    }
                }
            }
            case "raw-cslm" -> {
                Stores.RawRead raw = (Stores.RawRead) store;
                Iterator<Map.Entry<byte[], Long>> it = skipList.tailMap(from, true).entrySet().iterator();
                for (; n < ENTRIES && it.hasNext(); n++) {
                    Map.Entry<byte[], Long> e = it.next();
                    bh.consume(e.getKey());
                    if (values) {
                        bh.consume(raw.read(e.getValue()));
                    }
                }
            }
            default -> {
                Stores.Rocks r = (Stores.Rocks) store;
                try (RocksIterator it = r.db.newIterator()) {
                    for (it.seek(from); n < ENTRIES && it.isValid(); it.next(), n++) {
                        bh.consume(it.key());
                        if (values) {
                            bh.consume(it.value());
                        }
                    }
                }
            }
        }
        if (n != ENTRIES) {
            throw new BenchException(engine + " scan returned " + n + " entries, expected " + ENTRIES);
        }
    }
}
