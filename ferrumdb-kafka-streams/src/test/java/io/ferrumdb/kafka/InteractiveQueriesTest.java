package io.ferrumdb.kafka;

import static io.ferrumdb.kafka.KraftBroker.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.query.FailureReason;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.query.TimestampedKeyQuery;
import org.apache.kafka.streams.query.TimestampedRangeQuery;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interactive queries against a running {@link KafkaStreams} application on FerrumDB stores, the way an
 * application serves its state: IQv2 ({@code KafkaStreams.query(StateQueryRequest)}) and IQv1
 * ({@code KafkaStreams.store(StoreQueryParameters)}), before and after the application restarts on its state
 * directory.
 *
 * <p>Three stores, the ways the README supplies one: a DSL count on the timestamped supplier, a processor's plain
 * store ({@code Stores.keyValueStoreBuilder}), and a DSL table on the plain supplier, which Kafka Streams puts
 * behind its timestamped adapter: that one must answer key queries and refuse range queries in words.
 * TopologyTestDriver has no {@code query(StateQueryRequest)}, so this needs a broker: the in-process KRaft
 * broker of BrokerFailoverTest, without its exactly-once transactions and session timeout. It took 65 s on the
 * 2-core machine at a load average of 9-12 (broker start, two application starts and a rebalance each).
 */
@Timeout(120)
class InteractiveQueriesTest {
    private static final String INPUT = "events";
    private static final String COUNTS = "event-counts";
    private static final String LATEST = "latest-event";
    private static final String PLAIN_TABLE = "plain-table";
    private static final int PARTITIONS = 2;
    private static final int KEYS = 12;

    @TempDir
    Path tmp;

    private KraftBroker cluster;
    private KafkaStreams streams;

    @BeforeEach
    void startBroker() throws Exception {
        cluster = KraftBroker.start(tmp.resolve("broker"), Map.of(), INPUT, PARTITIONS);
    }

    @AfterEach
    void stopAll() throws Exception {
        if (streams != null) {
            streams.close(Duration.ofSeconds(10));
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void keyRangeAndTimestampedQueriesReturnWhatTheTopologyWroteBeforeAndAfterARestart() throws Exception {
        Expected expected = new Expected();
        // Key i gets i + 1 events; the last one of each key has timestamp 1000 * (i + 1) + i.
        for (int i = 0; i < KEYS; i++) {
            for (int n = 0; n <= i; n++) {
                expected.add(key(i), "v" + i + "." + n, 1000L * (n + 1) + i);
            }
        }
        produce(expected.sent);
        streams = start();
        waitUntil(() -> caughtUp(expected), Duration.ofSeconds(60));
        checkQueries(expected);

        // Leaving the group, so that the restarted instance need not wait a session timeout for the old member.
        streams.close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(Duration.ofSeconds(30)));
        streams = start();
        // Reopened from the state directory: the counts are there before any new event arrives ...
        waitUntil(() -> caughtUp(expected), Duration.ofSeconds(60));
        checkQueries(expected);

        // ... and go on from there, not from zero.
        expected.sent.clear();
        expected.add(key(0), "v0.again", 99_000L);
        expected.add(key(5), "v5.again", 99_005L);
        produce(expected.sent);
        waitUntil(() -> caughtUp(expected), Duration.ofSeconds(60));
        checkQueries(expected);
    }

    private void checkQueries(Expected expected) {
        TreeMap<String, Long> counts = expected.counts();
        String from = key(3);
        String to = key(7);

        // IQv2 on the DSL store.
        assertThat(key(COUNTS, KeyQuery.<String, Long>withKey(key(4)))).isEqualTo(counts.get(key(4)));
        assertThat(key(COUNTS, KeyQuery.<String, Long>withKey("absent"))).isNull();
        assertThat(range(COUNTS, RangeQuery.<String, Long>withRange(from, to)))
                .isEqualTo(counts.subMap(from, true, to, true));
        assertThat(range(COUNTS, RangeQuery.<String, Long>withNoBounds())).isEqualTo(counts);
        assertThat(range(COUNTS, RangeQuery.<String, Long>withLowerBound(key(9)))).isEqualTo(counts.tailMap(key(9)));
        ValueAndTimestamp<Long> stamped = key(COUNTS, TimestampedKeyQuery.<String, Long>withKey(key(4)));
        assertThat(stamped.value()).isEqualTo(counts.get(key(4)));
        assertThat(stamped.timestamp()).isEqualTo(expected.timestamps.get(key(4)));
        Map<String, ValueAndTimestamp<Long>> stampedRange =
                range(COUNTS, TimestampedRangeQuery.<String, Long>withRange(from, to));
        assertThat(stampedRange.keySet()).containsExactlyElementsOf(counts.subMap(from, true, to, true).keySet());
        stampedRange.forEach((k, v) -> assertThat(v.value()).as(k).isEqualTo(counts.get(k)));

        // IQv2 on the processor's plain store.
        TreeMap<String, String> latest = expected.latest();
        assertThat(key(LATEST, KeyQuery.<String, String>withKey(key(6)))).isEqualTo(latest.get(key(6)));
        assertThat(range(LATEST, RangeQuery.<String, String>withRange(from, to)))
                .isEqualTo(latest.subMap(from, true, to, true));

        // IQv2 on a DSL store from the plain supplier: keys yes, ranges refused with the way out.
        assertThat(key(PLAIN_TABLE, KeyQuery.<String, String>withKey(key(6)))).isEqualTo(latest.get(key(6)));
        StateQueryResult<KeyValueIterator<String, String>> refused = streams.query(StateQueryRequest
                .inStore(PLAIN_TABLE).withQuery(RangeQuery.<String, String>withNoBounds()).requireActive());
        assertThat(refused.getPartitionResults()).hasSize(PARTITIONS).allSatisfy((partition, answer) -> {
            assertThat(answer.isFailure()).isTrue();
            assertThat(answer.getFailureReason()).isEqualTo(FailureReason.UNKNOWN_QUERY_TYPE);
            assertThat(answer.getFailureMessage()).contains(PLAIN_TABLE, "persistentTimestampedKeyValueStore");
        });

        // IQv1 on all three.
        ReadOnlyKeyValueStore<String, Long> countStore = streams.store(
                StoreQueryParameters.fromNameAndType(COUNTS, QueryableStoreTypes.<String, Long>keyValueStore()));
        assertThat(countStore.get(key(11))).isEqualTo(counts.get(key(11)));
        assertThat(drain(countStore.range(from, to))).isEqualTo(counts.subMap(from, true, to, true));
        assertThat(drain(countStore.reverseRange(from, to)).keySet())
                .containsExactlyInAnyOrderElementsOf(counts.subMap(from, true, to, true).keySet());
        assertThat(countStore.approximateNumEntries()).isEqualTo(KEYS);
        ReadOnlyKeyValueStore<String, ValueAndTimestamp<Long>> stampedStore = streams.store(StoreQueryParameters
                .fromNameAndType(COUNTS, QueryableStoreTypes.<String, Long>timestampedKeyValueStore()));
        assertThat(stampedStore.get(key(2))).isEqualTo(
                ValueAndTimestamp.make(counts.get(key(2)), expected.timestamps.get(key(2))));
        ReadOnlyKeyValueStore<String, String> latestStore = streams.store(
                StoreQueryParameters.fromNameAndType(LATEST, QueryableStoreTypes.<String, String>keyValueStore()));
        assertThat(drain(latestStore.all())).isEqualTo(latest);
        assertThat(drain(latestStore.prefixScan("key-1", Serdes.String().serializer())))
                .isEqualTo(latest.subMap("key-1", "key-2"));
        ReadOnlyKeyValueStore<String, String> plainTable = streams.store(StoreQueryParameters
                .fromNameAndType(PLAIN_TABLE, QueryableStoreTypes.<String, String>keyValueStore()));
        assertThat(drain(plainTable.range(from, to))).isEqualTo(latest.subMap(from, true, to, true));
    }

    /** A key query's answer: every partition must answer, and at most one (the key's) with a value. */
    private <R> R key(String store, Query<R> query) {
        StateQueryResult<R> result = streams.query(StateQueryRequest.inStore(store).withQuery(query).requireActive());
        assertThat(result.getPartitionResults()).as("partitions answering").hasSize(PARTITIONS);
        List<R> found = new ArrayList<>();
        result.getPartitionResults().forEach((partition, answer) -> {
            assertThat(answer.isSuccess()).as("%s on %s, partition %d: %s", query, store, partition, answer)
                    .isTrue();
            if (answer.getResult() != null) {
                found.add(answer.getResult());
            }
        });
        assertThat(found).as("partitions with a value for %s", query).hasSizeLessThanOrEqualTo(1);
        return found.isEmpty() ? null : found.get(0);
    }

    /** A range query's answers from every partition, merged in key order. */
    private <V> TreeMap<String, V> range(String store, Query<KeyValueIterator<String, V>> query) {
        StateQueryResult<KeyValueIterator<String, V>> result =
                streams.query(StateQueryRequest.inStore(store).withQuery(query).requireActive());
        assertThat(result.getPartitionResults()).as("partitions answering").hasSize(PARTITIONS);
        TreeMap<String, V> merged = new TreeMap<>();
        result.getPartitionResults().forEach((partition, answer) -> {
            assertThat(answer.isSuccess()).as("%s on %s, partition %d: %s", query, store, partition, answer)
                    .isTrue();
            merged.putAll(drain(answer.getResult()));
        });
        return merged;
    }

    private static <V> Map<String, V> drain(KeyValueIterator<String, V> it) {
        Map<String, V> out = new LinkedHashMap<>();
        try (it) {
            it.forEachRemaining(kv -> out.put(kv.key, kv.value));
        }
        return out;
    }

    /**
     * Whether all three stores hold what was sent. Each event is written to them one after another (the count, then
     * the processor's store, then the table), so the count alone being there does not mean the others are.
     */
    private boolean caughtUp(Expected expected) {
        return expected.counts().equals(all(COUNTS)) && expected.latest().equals(all(LATEST))
                && expected.latest().equals(all(PLAIN_TABLE));
    }

    private <V> Map<String, V> all(String store) {
        assertThat(streams.state()).as("application state").isNotIn(KafkaStreams.State.ERROR,
                KafkaStreams.State.PENDING_ERROR);
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return Map.of();
        }
        try {
            return drain(streams.store(StoreQueryParameters.fromNameAndType(store,
                    QueryableStoreTypes.<String, V>keyValueStore())).all());
        } catch (InvalidStateStoreException rebalancing) {
            return Map.of();
        }
    }

    private KafkaStreams start() throws Exception {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(FerrumStores.persistentKeyValueStore(LATEST),
                Serdes.String(), Serdes.String()));
        var events = builder.stream(INPUT, Consumed.with(Serdes.String(), Serdes.String()));
        events.groupByKey(Grouped.with(Serdes.String(), Serdes.String()))
                .count(Materialized.as(FerrumStores.persistentTimestampedKeyValueStore(COUNTS)));
        events.process(KeepLatest::new, LATEST);
        events.toTable(Materialized.<String, String>as(FerrumStores.persistentKeyValueStore(PLAIN_TABLE))
                .withKeySerde(Serdes.String()).withValueSerde(Serdes.String()));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "queries");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createDirectories(tmp.resolve("state")).toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        // No record cache: every update reaches the FerrumDB store at once, so the queries read the store itself.
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        KafkaStreams started = new KafkaStreams(builder.build(), props);
        started.start();
        return started;
    }

    /** Keeps each key's latest value in a plain (not timestamped) FerrumDB store. */
    private static final class KeepLatest implements Processor<String, String, Void, Void> {
        private KeyValueStore<String, String> store;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(LATEST);
        }

        @Override
        public void process(Record<String, String> record) {
            store.put(record.key(), record.value());
        }
    }

    private record KeyValueAndTime(String key, String value, long timestamp) {
    }

    /** What was produced, and what the stores must hold for it. */
    private static final class Expected {
        final List<KeyValueAndTime> sent = new ArrayList<>();
        private final TreeMap<String, Long> counts = new TreeMap<>();
        private final TreeMap<String, String> latest = new TreeMap<>();
        final Map<String, Long> timestamps = new TreeMap<>();

        void add(String key, String value, long timestamp) {
            sent.add(new KeyValueAndTime(key, value, timestamp));
            counts.merge(key, 1L, Long::sum);
            latest.put(key, value);
            timestamps.put(key, timestamp);
        }

        TreeMap<String, Long> counts() {
            return counts;
        }

        TreeMap<String, String> latest() {
            return latest;
        }
    }

    private static String key(int i) {
        return String.format("key-%02d", i);
    }

    private void produce(List<KeyValueAndTime> records) throws Exception {
        cluster.produce(records.stream()
                .map(r -> new ProducerRecord<>(INPUT, null, r.timestamp(), r.key(), r.value())).toList());
    }
}
