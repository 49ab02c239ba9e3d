package io.ferrumdb.kafka;

import static io.ferrumdb.kafka.KraftBroker.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real KRaft broker in process and two instances of one counting application on FerrumDB stores. One
 * instance is stopped without leaving its group, as a crash would; the other must take over its partitions,
 * restore their FerrumDB stores from the changelog, and end with every count exact (exactly-once, so neither
 * lost nor doubled).
 *
 * <p>It takes one to three minutes on a loaded 2-core machine (broker start, a session timeout, EOS
 * transactions), so it runs only with {@code -Dferrumdb.soak=true}.
 */
@EnabledIfSystemProperty(named = "ferrumdb.soak", matches = "true")
@Timeout(240)
class BrokerFailoverTest {
    private static final String INPUT = "words";
    private static final String STORE = "word-counts";
    private static final int PARTITIONS = 4;

    @TempDir
    Path tmp;

    private KraftBroker cluster;
    private KafkaStreams first;
    private KafkaStreams second;

    @BeforeEach
    void startBroker() throws Exception {
        cluster = KraftBroker.start(tmp.resolve("broker"), Map.of(
                "transaction.state.log.replication.factor", "1",
                "transaction.state.log.min.isr", "1",
                "transaction.state.log.num.partitions", "1"), INPUT, PARTITIONS);
    }

    @AfterEach
    void stopAll() throws Exception {
        for (KafkaStreams streams : new KafkaStreams[] {first, second}) {
            if (streams != null) {
                streams.close(Duration.ofSeconds(10));
            }
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void survivorRestoresTheLostInstancesStoresFromTheChangelog() throws Exception {
        Map<String, Long> expected = new HashMap<>();
        Random random = new Random(7);
        produce(random, 3000, expected);

        Map<TopicPartition, Long> restoredBySecond = new ConcurrentHashMap<>();
        first = start("first", new ConcurrentHashMap<>());
        second = start("second", restoredBySecond);
        waitUntil(() -> first.state() == KafkaStreams.State.RUNNING && second.state() == KafkaStreams.State.RUNNING
                && !activePartitions(first).isEmpty() && !activePartitions(second).isEmpty(), Duration.ofSeconds(90));
        waitUntil(() -> merge(counts(first), counts(second)).equals(expected), Duration.ofSeconds(60));

        Set<Integer> lost = activePartitions(first);
        // Stopped without leaving the group, as a crashed process would be: the survivor only gets the lost
        // partitions after the session timeout, and has no standby copy of their stores.
        first.close(Duration.ZERO);
        first = null;
        produce(random, 2000, expected);

        waitUntil(() -> activePartitions(second).size() == PARTITIONS, Duration.ofSeconds(90));
        waitUntil(() -> counts(second).equals(expected), Duration.ofSeconds(60));

        Set<Integer> restoredPartitions = restoredBySecond.entrySet().stream()
                .filter(e -> e.getKey().topic().endsWith(STORE + "-changelog") && e.getValue() > 0)
                .map(e -> e.getKey().partition()).collect(Collectors.toSet());
        assertThat(restoredPartitions).as("changelog partitions restored by the survivor").containsAll(lost);
        for (int p : lost) {
            assertThat(tmp.resolve("second-state").resolve("failover").resolve("0_" + p)
                    .resolve("ferrumdb").resolve(STORE)).isDirectory();
        }
    }

    private KafkaStreams start(String name, Map<TopicPartition, Long> restored) throws Exception {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(INPUT, Consumed.with(Serdes.String(), Serdes.String()))
                .groupByKey(Grouped.with(Serdes.String(), Serdes.String()))
                .count(Materialized.as(FerrumStores.persistentKeyValueStore(STORE)));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "failover");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createDirectories(tmp.resolve(name + "-state")).toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 0);
        props.put(StreamsConfig.consumerPrefix("session.timeout.ms"), 6000);
        props.put(StreamsConfig.consumerPrefix("heartbeat.interval.ms"), 1000);
        KafkaStreams streams = new KafkaStreams(builder.build(), props);
        streams.setGlobalStateRestoreListener(new StateRestoreListener() {
            @Override
            public void onRestoreStart(TopicPartition partition, String store, long start, long end) {
            }

            @Override
            public void onBatchRestored(TopicPartition partition, String store, long batchEnd, long count) {
            }

            @Override
            public void onRestoreEnd(TopicPartition partition, String store, long total) {
                restored.merge(partition, total, Long::sum);
            }
        });
        streams.start();
        return streams;
    }

    private void produce(Random random, int count, Map<String, Long> expected) throws Exception {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String word = "w" + random.nextInt(300);
            records.add(new ProducerRecord<>(INPUT, word, "x"));
            expected.merge(word, 1L, Long::sum);
        }
        cluster.produce(records);
    }

    private static Set<Integer> activePartitions(KafkaStreams streams) {
        return streams.metadataForLocalThreads().stream()
                .map(ThreadMetadata::activeTasks).flatMap(Set::stream)
                .map(t -> t.taskId().partition()).collect(Collectors.toSet());
    }

    /** The counts in an instance's local active stores, read through interactive queries. */
    private static Map<String, Long> counts(KafkaStreams streams) {
        Map<String, Long> out = new HashMap<>();
        try {
            ReadOnlyKeyValueStore<String, Long> store = streams.store(
                    StoreQueryParameters.fromNameAndType(STORE, QueryableStoreTypes.<String, Long>keyValueStore()));
            try (KeyValueIterator<String, Long> it = store.all()) {
                it.forEachRemaining(kv -> out.put(kv.key, kv.value));
            }
        } catch (org.apache.kafka.streams.errors.InvalidStateStoreException rebalancing) {
            return Map.of();
        }
        return out;
    }

    private static Map<String, Long> merge(Map<String, Long> a, Map<String, Long> b) {
        Map<String, Long> out = new HashMap<>(a);
        b.forEach((k, v) -> out.merge(k, v, Long::sum));
        return out;
    }
}
