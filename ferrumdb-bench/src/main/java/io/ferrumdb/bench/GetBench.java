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

/** Random point reads of present and of missing keys on a prepared data set; one thread. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class GetBench {
    @Param({"ferrum", "ferrum-hash", "rocksdb", "lmdb", "mvstore", "mapdb", "sqlite", "raw-chm", "raw-pread", "raw-mmap"})
    public String engine;
    @Param("1000000")
    public long keys;
    @Param("100")
    public int valueSize;

    Store store;

    @Setup(Level.Trial)
    public void open() {
        store = Datasets.open(engine, keys, valueSize, "");
        if (store.get(Data.key(keys - 1)) == null || store.get(Data.key(keys)) != null) {
            throw new BenchException(engine + ": data set is not what the benchmark expects");
        }
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
    public byte[] getHit(Cursor c) {
        Data.key(c.random.nextLong(keys), c.key);
        return store.get(c.key);
    }

    @Benchmark
    public byte[] getMiss(Cursor c) {
        Data.key(keys + c.random.nextLong(keys), c.key);
        return store.get(c.key);
    }
}
