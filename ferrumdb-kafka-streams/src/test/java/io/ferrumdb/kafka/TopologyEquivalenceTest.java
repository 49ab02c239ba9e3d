package io.ferrumdb.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same topologies on generated input, once on Kafka's default RocksDB stores and once on FerrumDB stores:
 * every output record (key, value, timestamp, order) and the final store contents must be identical.
 */
class TopologyEquivalenceTest {
    private static final long SEED = 20261125L;

    @TempDir(factory = MemoryTempDirFactory.class)
    Path stateDir;

    private record Run(List<TestRecord<String, ?>> output, List<KeyValue<String, ?>> store) {
    }

    @Test
    void wordCountMatchesRocksDb() {
        List<String> lines = generatedLines(new Random(SEED), 500);
        Run rocks = wordCount(Stores::persistentKeyValueStore, lines, "rocks");
        Run ferrum = wordCount(FerrumStores::persistentKeyValueStore, lines, "ferrum");
        assertThat(rocks.output()).hasSizeGreaterThan(1000);
        assertThat(ferrum.output()).isEqualTo(rocks.output());
        assertThat(ferrum.store()).isEqualTo(rocks.store());
        Run timestamped = wordCount(FerrumStores::persistentTimestampedKeyValueStore, lines, "ferrum-timestamped");
        assertThat(timestamped.output()).isEqualTo(rocks.output());
        assertThat(timestamped.store()).isEqualTo(rocks.store());
    }

    @Test
    void streamTableJoinMatchesRocksDb() {
        Random random = new Random(SEED + 1);
        List<KeyValue<String, String>> events = new ArrayList<>();
        for (int i = 0; i < 800; i++) {
            String user = "user-" + zipf(random, 200);
            if (random.nextInt(4) == 0) {
                // Profile updates, a few of them tombstones, interleaved with the clicks they enrich.
                events.add(KeyValue.pair("users:" + user, random.nextInt(10) == 0 ? null : "region-" + random.nextInt(7)));
            } else {
                events.add(KeyValue.pair("clicks:" + user, "/page/" + random.nextInt(50)));
            }
        }
        Run rocks = join(Stores::persistentKeyValueStore, events, "rocks");
        Run ferrum = join(FerrumStores::persistentKeyValueStore, events, "ferrum");
        assertThat(rocks.output()).hasSizeGreaterThan(400);
        assertThat(ferrum.output()).isEqualTo(rocks.output());
        assertThat(ferrum.store()).isEqualTo(rocks.store());
    }

    private Run wordCount(Function<String, KeyValueBytesStoreSupplier> stores, List<String> lines, String dir) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("lines", Consumed.with(Serdes.String(), Serdes.String()))
                .flatMapValues(line -> Arrays.asList(line.split(" ")))
                .groupBy((key, word) -> word, Grouped.with(Serdes.String(), Serdes.String()))
                .count(Materialized.<String, Long>as(stores.apply("counts"))
                        .withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()))
                .toStream()
                .to("counts", Produced.with(Serdes.String(), Serdes.Long()));
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), config(dir))) {
            TestInputTopic<String, String> in = driver.createInputTopic("lines",
                    Serdes.String().serializer(), Serdes.String().serializer());
            TestOutputTopic<String, Long> out = driver.createOutputTopic("counts",
                    Serdes.String().deserializer(), Serdes.Long().deserializer());
            long ts = 1_000;
            for (String line : lines) {
                in.pipeInput(null, line, ts++);
            }
            return new Run(new ArrayList<>(out.readRecordsToList()), contents(driver.getKeyValueStore("counts")));
        }
    }

    private Run join(Function<String, KeyValueBytesStoreSupplier> stores, List<KeyValue<String, String>> events,
            String dir) {
        StreamsBuilder builder = new StreamsBuilder();
        KTable<String, String> users = builder.table("users", Consumed.with(Serdes.String(), Serdes.String()),
                Materialized.<String, String>as(stores.apply("users"))
                        .withKeySerde(Serdes.String()).withValueSerde(Serdes.String()));
        builder.stream("clicks", Consumed.with(Serdes.String(), Serdes.String()))
                .leftJoin(users, (page, region) -> (region == null ? "unknown" : region) + page)
                .to("enriched", Produced.with(Serdes.String(), Serdes.String()));
        Topology topology = builder.build();
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, config(dir))) {
            TestInputTopic<String, String> usersIn = driver.createInputTopic("users",
                    Serdes.String().serializer(), Serdes.String().serializer());
            TestInputTopic<String, String> clicksIn = driver.createInputTopic("clicks",
                    Serdes.String().serializer(), Serdes.String().serializer());
            TestOutputTopic<String, String> out = driver.createOutputTopic("enriched",
                    Serdes.String().deserializer(), Serdes.String().deserializer());
            long ts = 1_000;
            for (KeyValue<String, String> e : events) {
                String[] topicAndKey = e.key.split(":", 2);
                (topicAndKey[0].equals("users") ? usersIn : clicksIn).pipeInput(topicAndKey[1], e.value, ts++);
            }
            return new Run(new ArrayList<>(out.readRecordsToList()), contents(driver.getKeyValueStore("users")));
        }
    }

    private Properties config(String dir) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "equivalence");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(dir).toString());
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        return props;
    }

    private static <V> List<KeyValue<String, ?>> contents(KeyValueStore<String, V> store) {
        List<KeyValue<String, ?>> all = new ArrayList<>();
        try (KeyValueIterator<String, V> it = store.all()) {
            it.forEachRemaining(all::add);
        }
        return all;
    }

    private static List<String> generatedLines(Random random, int count) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder line = new StringBuilder();
            int words = 1 + random.nextInt(6);
            for (int w = 0; w < words; w++) {
                line.append(w == 0 ? "" : " ").append("w").append(zipf(random, 500));
            }
            lines.add(line.toString());
        }
        return lines;
    }

    /** A rank in [0, n) with probability roughly proportional to 1 / (rank + 1): a few hot keys, a long tail. */
    private static int zipf(Random random, int n) {
        return (int) Math.floor(Math.pow(n + 1, random.nextDouble())) - 1;
    }
}
