package io.ferrumdb.bench;

import java.nio.file.Path;
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
 * Puts without sync on one thread into a store that starts empty each trial; keys are random over {@code keys}, so
 * a trial mixes inserts with overwrites the same way for every engine.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
public class PutBench {
    @Param({"ferrum", "ferrum-hash", "rocksdb", "lmdb", "mvstore", "mapdb", "sqlite", "raw-append"})
    public String engine;
    @Param("1000000")
    public long keys;
    @Param("100")
    public int valueSize;

    Path dir;
    Store store;
    byte[][] values;
    final SplittableRandom random = new SplittableRandom(7);

    @Setup(Level.Trial)
    public void open() {
        dir = Datasets.scratch(engine);
        store = Stores.open(engine, dir, false);
        values = Data.valuePool(valueSize);
    }

    @TearDown(Level.Trial)
    public void close() {
        store.close();
        Datasets.delete(dir);
    }

    @Benchmark
    public void put() {
        long i = random.nextLong(keys);
        store.put(Data.key(i), Data.value(values, i));
    }
}
