package io.ferrumdb.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * 90% random GETs and 10% overwrites (without sync) of random keys, two threads, on a data set of its own (variant
 * "mixed") because the overwrites change it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(2)
public class MixedBench {
    @Param({"ferrum", "ferrum-hash", "rocksdb", "lmdb", "mvstore", "mapdb", "sqlite"})
    public String engine;
    @Param("1000000")
    public long keys;
    @Param("100")
    public int valueSize;

    Store store;
    byte[][] values;

    @Setup(Level.Trial)
    public void open() {
        store = Datasets.open(engine, keys, valueSize, "mixed");
        values = Data.valuePool(valueSize);
    }

    @TearDown(Level.Trial)
    public void close() {
        store.close();
    }

    @State(Scope.Thread)
    public static class Cursor {
        final SplittableRandom random = new SplittableRandom(System.nanoTime());
        final byte[] key = new byte[Data.KEY_SIZE];
    }

    @Benchmark
    public byte[] mixed90read10write(Cursor c) {
        long i = c.random.nextLong(keys);
        if (c.random.nextInt(10) == 0) {
            store.put(Data.key(i), Data.value(values, i + 1));
            return null;
        }
        Data.key(i, c.key);
        return store.get(c.key);
    }
}
