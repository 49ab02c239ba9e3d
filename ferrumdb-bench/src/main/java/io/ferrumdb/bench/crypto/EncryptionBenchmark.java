package io.ferrumdb.bench.crypto;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encrypted against plaintext GET and put, 100 B and 4 KiB values, through the public API. Puts use
 * {@code FsyncPolicy.never()} so that the figure is the CPU cost of a write (encoding, sealing, the key
 * directory), not the disk's fsync latency, which is the same for both. Compare with {@link RawGcmBenchmark},
 * run in the same invocation: {@code java -jar ferrumdb-bench/target/benchmarks.jar 'bench.crypto'}.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EncryptionBenchmark {
    private static final int KEYS = 10_000;
    private static final byte[] KEY = new byte[32];

    static {
        new SplittableRandom(7).nextBytes(KEY);
    }

    @Param({"plaintext", "encrypted"})
    public String mode;

    @Param({"100", "4096"})
    public int valueSize;

    private Path dir;
    private FerrumDB db;
    private byte[][] keys;
    private byte[] value;
    private SplittableRandom random;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("ferrumdb-crypto-bench");
        keys = new byte[KEYS][];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = ByteBuffer.allocate(16).putLong(0x6b6579L).putLong(i).array();
        }
        value = new byte[valueSize];
        new SplittableRandom(1).nextBytes(value);
        try (FerrumDB loader = FerrumDB.open(dir, options())) {
            for (byte[] k : keys) {
                loader.put(k, value);
            }
        }
        // Reopened, every record lies in a sealed, memory-mapped segment: the steady state of a read.
        db = FerrumDB.open(dir, options());
        random = new SplittableRandom(3);
    }

    private Options options() {
        Options.Builder b = Options.builder().fsyncPolicy(FsyncPolicy.never()).autoCompaction(false);
        return "encrypted".equals(mode) ? b.encryptionKey(KEY).build() : b.build();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        db.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    public byte[] get() {
        return db.get(keys[random.nextInt(KEYS)]);
    }

    /** A fixed number of puts per iteration keeps the log (and the disk it fills) bounded; score = 2,000 puts. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 5, batchSize = 2_000)
    @Measurement(iterations = 10, batchSize = 2_000)
    public void put() {
        db.put(keys[random.nextInt(KEYS)], value);
    }
}
