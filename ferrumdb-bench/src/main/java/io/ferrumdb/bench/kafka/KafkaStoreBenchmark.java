package io.ferrumdb.bench.kafka;

import io.ferrumdb.kafka.FerrumStores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
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
 * What a Kafka Streams task does to its key-value store per record, on the FerrumDB store and on Kafka's
 * default RocksDB store, in the same run.
 *
 * <ul>
 *   <li>{@code count}: the read-modify-write of {@code KGroupedStream.count()} (get, then put of count + 1)
 *       over zipfian keys;</li>
 *   <li>{@code joinLookup}: the point read of a stream-table join against a preloaded table of 100-byte
 *       values, over zipfian keys.</li>
 * </ul>
 * The stores are built as the DSL builds them (typed, metered) but with Kafka's record cache and change
 * logging disabled, so the store itself is timed rather than the cache in front of it or a producer behind it.
 * TopologyTestDriver is not used: it commits, and so flushes and fsyncs checkpoints, after every record.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 4)
@Fork(1)
public class KafkaStoreBenchmark {
    private static final int KEYS = 100_000;
    private static final int SAMPLES = 1 << 20;

    @Param({"ferrumdb", "rocksdb"})
    public String engine;

    private Path stateDir;
    private KeyValueStore<String, Long> counts;
    private KeyValueStore<String, String> table;
    private String[] zipfianKeys;
    private int next;

    @Setup(Level.Trial)
    public void open() throws IOException {
        stateDir = Files.createTempDirectory("kafka-store-bench-");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        StateStoreContext context =
                new MockProcessorContext<>(props, new TaskId(0, 0), stateDir.toFile()).getStateStoreContext();
        counts = Stores.keyValueStoreBuilder(supplier("counts"), Serdes.String(), Serdes.Long())
                .withLoggingDisabled().withCachingDisabled().build();
        counts.init(context, counts);
        table = Stores.keyValueStoreBuilder(supplier("table"), Serdes.String(), Serdes.String())
                .withLoggingDisabled().withCachingDisabled().build();
        table.init(context, table);

        String value = "v".repeat(100);
        for (int i = 0; i < KEYS; i++) {
            table.put(key(i), value);
        }
        // Reads then come from RocksDB's SST files and block cache, not only its memtable.
        table.flush();
        zipfianKeys = zipfian(new SplittableRandom(42));
    }

    private KeyValueBytesStoreSupplier supplier(String name) {
        return switch (engine) {
            case "ferrumdb" -> FerrumStores.persistentKeyValueStore(name);
            case "rocksdb" -> Stores.persistentKeyValueStore(name);
            default -> throw new IllegalArgumentException("unknown engine: " + engine);
        };
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        counts.close();
        table.close();
        try (Stream<Path> paths = Files.walk(stateDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    private String nextKey() {
        String k = zipfianKeys[next];
        next = (next + 1) & (SAMPLES - 1);
        return k;
    }

    @Benchmark
    public Long count() {
        String k = nextKey();
        Long current = counts.get(k);
        Long updated = current == null ? 1L : current + 1;
        counts.put(k, updated);
        return updated;
    }

    @Benchmark
    public String joinLookup() {
        return table.get(nextKey());
    }

    private static String key(int i) {
        return String.format("key-%08d", i);
    }

    /** Zipf (s = 0.99) key ranks by inverse transform over the cumulative distribution, hottest key first. */
    private static String[] zipfian(SplittableRandom random) {
        double[] cdf = new double[KEYS];
        double sum = 0;
        for (int i = 0; i < KEYS; i++) {
            sum += 1 / Math.pow(i + 1, 0.99);
            cdf[i] = sum;
        }
        String[] keys = new String[SAMPLES];
        for (int s = 0; s < SAMPLES; s++) {
            int rank = java.util.Arrays.binarySearch(cdf, random.nextDouble() * sum);
            keys[s] = key(rank >= 0 ? rank : Math.min(-rank - 1, KEYS - 1));
        }
        return keys;
    }
}
