package io.ferrumdb.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.Options;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.processor.internals.ProcessorRecordContext;
import org.apache.kafka.streams.query.FailureReason;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.test.InternalMockProcessorContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What Kafka's inherited suite does not pin down: layout, byte order, iterator contract, restore, queries. */
class FerrumKeyValueStoreTest {
    @TempDir
    Path stateDir;

    private final List<KeyValueStore<Bytes, byte[]>> opened = new ArrayList<>();
    private InternalMockProcessorContext<?, ?> context;

    @AfterEach
    void closeStores() {
        opened.forEach(KeyValueStore::close);
    }

    private KeyValueStore<Bytes, byte[]> open(KeyValueBytesStoreSupplier supplier) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "ferrum-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");
        context = new InternalMockProcessorContext<>(stateDir.toFile(), Serdes.Bytes(), Serdes.ByteArray(),
                new StreamsConfig(props));
        KeyValueStore<Bytes, byte[]> store = supplier.get();
        store.init(context, store);
        opened.add(store);
        return store;
    }

    private KeyValueStore<Bytes, byte[]> open() {
        return open(FerrumStores.persistentKeyValueStore("counts"));
    }

    private static Bytes key(int... unsignedBytes) {
        byte[] b = new byte[unsignedBytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) unsignedBytes[i];
        }
        return Bytes.wrap(b);
    }

    private static Bytes key(String s) {
        return Bytes.wrap(s.getBytes(UTF_8));
    }

    private static List<Bytes> keys(KeyValueIterator<Bytes, byte[]> it) {
        try (it) {
            List<Bytes> out = new ArrayList<>();
            it.forEachRemaining(kv -> out.add(kv.key));
            return out;
        }
    }

    @Test
    void storeLivesInStateDirectoryAndSurvivesReopen() {
        KeyValueStore<Bytes, byte[]> store = open();
        store.put(key("a"), "1".getBytes(UTF_8));
        assertThat(store.persistent()).isTrue();
        assertThat(store.isOpen()).isTrue();
        store.flush();
        store.close();
        assertThat(store.isOpen()).isFalse();
        assertThat(stateDir.resolve("ferrumdb").resolve("counts")).isDirectory();

        KeyValueStore<Bytes, byte[]> reopened = open();
        assertThat(reopened.get(key("a"))).asString(UTF_8).isEqualTo("1");
    }

    @Test
    void timestampedStoreIsATimestampedBytesStoreInADirectoryOfItsOwn() {
        KeyValueStore<Bytes, byte[]> store = open(FerrumStores.persistentTimestampedKeyValueStore("counts"));
        assertThat(store).isInstanceOf(org.apache.kafka.streams.state.TimestampedBytesStore.class);
        store.put(key("a"), "1".getBytes(UTF_8));
        store.close();
        assertThat(stateDir.resolve("ferrumdb-timestamped").resolve("counts")).isDirectory();
        assertThat(stateDir.resolve("ferrumdb")).doesNotExist();
        assertThat(FerrumStores.persistentKeyValueStore("counts").get())
                .isNotInstanceOf(org.apache.kafka.streams.state.TimestampedBytesStore.class);
    }

    /** Switching suppliers must not read one format as the other, nor start empty behind a checkpoint. */
    @Test
    void aStoreWrittenInTheOtherFormatIsRefusedNamingTheWayOut() {
        KeyValueStore<Bytes, byte[]> plain = open();
        plain.put(key("a"), "1".getBytes(UTF_8));
        plain.close();
        assertThatThrownBy(() -> open(FerrumStores.persistentTimestampedKeyValueStore("counts")))
                .isInstanceOf(org.apache.kafka.streams.errors.ProcessorStateException.class)
                .hasMessageContaining("counts").hasMessageContaining(stateDir.resolve("ferrumdb").toString())
                .hasMessageContaining("FerrumStores.persistentKeyValueStore").hasMessageContaining("cleanUp()");
        assertThat(stateDir.resolve("ferrumdb-timestamped")).doesNotExist();
        // Another store name in the same task is not concerned.
        assertThatCode(() -> open(FerrumStores.persistentTimestampedKeyValueStore("other")))
                .doesNotThrowAnyException();
    }

    @Test
    void closedStoreRejectsUseWithKafkasException() {
        KeyValueStore<Bytes, byte[]> store = open();
        store.close();
        assertThatThrownBy(() -> store.get(key("a"))).isInstanceOf(InvalidStateStoreException.class)
                .hasMessageContaining("counts");
        assertThatThrownBy(() -> store.put(key("a"), new byte[1])).isInstanceOf(InvalidStateStoreException.class);
        store.flush(); // a no-op, as on Kafka's RocksDB and in-memory stores: close synced everything
    }

    @Test
    void deleteReturnsPreviousValueAndNullValueDeletes() {
        KeyValueStore<Bytes, byte[]> store = open();
        store.put(key("a"), "1".getBytes(UTF_8));
        store.put(key("b"), "2".getBytes(UTF_8));
        assertThat(store.delete(key("a"))).asString(UTF_8).isEqualTo("1");
        assertThat(store.delete(key("a"))).isNull();
        store.put(key("b"), null);
        assertThat(store.get(key("b"))).isNull();
        assertThat(store.approximateNumEntries()).isZero();
    }

    @Test
    void rangesAreInclusiveInUnsignedByteOrderBothWays() {
        KeyValueStore<Bytes, byte[]> store = open();
        List<Bytes> all = List.of(key(), key(0x00), key(0x7F), key(0x80), key(0x80, 0x00), key(0xFF), key(0xFF, 0xFF));
        for (Bytes k : all) {
            store.put(k, new byte[] {1});
        }
        assertThat(keys(store.all())).containsExactlyElementsOf(all);
        List<Bytes> reversed = new ArrayList<>(all);
        java.util.Collections.reverse(reversed);
        assertThat(keys(store.reverseAll())).containsExactlyElementsOf(reversed);

        assertThat(keys(store.range(key(0x7F), key(0x80)))).containsExactly(key(0x7F), key(0x80));
        assertThat(keys(store.reverseRange(key(0x7F), key(0x80)))).containsExactly(key(0x80), key(0x7F));
        assertThat(keys(store.range(null, key(0x00)))).containsExactly(key(), key(0x00));
        assertThat(keys(store.range(key(0xFF), null))).containsExactly(key(0xFF), key(0xFF, 0xFF));
        assertThat(keys(store.reverseRange(key(0xFF), null))).containsExactly(key(0xFF, 0xFF), key(0xFF));
        assertThat(keys(store.range(key(0x80), key(0x7F)))).isEmpty();
    }

    @Test
    void prefixScanUsesTheGivenSerializer() {
        KeyValueStore<Bytes, byte[]> store = open();
        for (String k : List.of("a", "ab", "abc", "abd", "b", "ab\u00ff")) {
            store.put(key(k), k.getBytes(UTF_8));
        }
        assertThat(keys(store.prefixScan("ab", new StringSerializer())))
                .containsExactly(key("ab"), key("abc"), key("abd"), key("ab\u00ff"));
        assertThat(keys(store.prefixScan("x", new StringSerializer()))).isEmpty();
    }

    @Test
    void iteratorsFollowKafkasContract() {
        KeyValueStore<Bytes, byte[]> store = open();
        store.put(key("a"), "1".getBytes(UTF_8));
        store.put(key("b"), "2".getBytes(UTF_8));
        KeyValueIterator<Bytes, byte[]> it = store.all();
        assertThat(it.peekNextKey()).isEqualTo(key("a"));
        assertThat(it.peekNextKey()).isEqualTo(key("a"));
        assertThat(it.next().key).isEqualTo(key("a"));
        assertThat(it.next().value).asString(UTF_8).isEqualTo("2");
        assertThat(it.hasNext()).isFalse();
        assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
        assertThatThrownBy(it::peekNextKey).isInstanceOf(NoSuchElementException.class);
        it.close();
        it.close();
        assertThatThrownBy(it::hasNext).isInstanceOf(InvalidStateStoreException.class);

        KeyValueIterator<Bytes, byte[]> leftOpen = store.range(key("a"), key("b"));
        store.close();
        assertThatThrownBy(leftOpen::hasNext).as("store close closes its open iterators")
                .isInstanceOf(InvalidStateStoreException.class);
    }

    @Test
    void putAllIsAllOrNothingWhenAKeyIsNull() {
        KeyValueStore<Bytes, byte[]> store = open();
        List<KeyValue<Bytes, byte[]>> entries = Arrays.asList(
                KeyValue.pair(key("a"), new byte[] {1}), KeyValue.pair(null, new byte[] {2}));
        assertThatThrownBy(() -> store.putAll(entries)).isInstanceOf(NullPointerException.class);
        assertThat(store.get(key("a"))).isNull();

        store.put(key("gone"), new byte[] {9});
        store.putAll(List.of(KeyValue.pair(key("a"), new byte[] {1}), KeyValue.pair(key("gone"), null)));
        assertThat(store.get(key("a"))).containsExactly(1);
        assertThat(store.get(key("gone"))).isNull();
    }

    @Test
    void keysOverFerrumDbsLimitAreRefusedNamingTheLimitAndPutAllWritesNothing() {
        KeyValueStore<Bytes, byte[]> store = open();
        Bytes tooLong = Bytes.wrap(new byte[io.ferrumdb.Limits.MAX_KEY_SIZE + 1]);
        assertThatThrownBy(() -> store.put(tooLong, new byte[1])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MAX_KEY_SIZE");
        assertThatThrownBy(() -> store.putAll(List.of(KeyValue.pair(key("a"), new byte[] {1}),
                KeyValue.pair(tooLong, new byte[1])))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MAX_KEY_SIZE");
        assertThat(store.get(key("a"))).isNull();
        Bytes longest = Bytes.wrap(new byte[io.ferrumdb.Limits.MAX_KEY_SIZE]);
        store.put(longest, new byte[] {1});
        assertThat(keys(store.range(key(0x00), longest))).containsExactly(longest);
    }

    @Test
    void putIfAbsentKeepsTheExistingValue() {
        KeyValueStore<Bytes, byte[]> store = open();
        assertThat(store.putIfAbsent(key("a"), new byte[] {1})).isNull();
        assertThat(store.putIfAbsent(key("a"), new byte[] {2})).containsExactly(1);
        assertThat(store.get(key("a"))).containsExactly(1);
    }

    @Test
    void restoreAppliesChangelogBatchesIncludingTombstones() {
        KeyValueStore<Bytes, byte[]> store = open();
        store.put(key("stale"), new byte[] {7});
        context.restore("counts", List.of(
                KeyValue.pair(key("a").get(), new byte[] {1}),
                KeyValue.pair(key("b").get(), new byte[] {2}),
                KeyValue.pair(key("a").get(), new byte[] {3}),
                KeyValue.pair(key("stale").get(), null)));
        assertThat(store.get(key("a"))).containsExactly(3);
        assertThat(store.get(key("b"))).containsExactly(2);
        assertThat(store.get(key("stale"))).isNull();
        assertThat(store.approximateNumEntries()).isEqualTo(2);
    }

    @Test
    void interactiveQueriesAnswerKeyAndRangeQueriesAndTrackPosition() {
        KeyValueStore<Bytes, byte[]> store = open();
        // A position bound is checked against the store's own task partition.
        int partition = context.taskId().partition();
        context.setRecordContext(new ProcessorRecordContext(0L, 41L, partition, "input", new RecordHeaders()));
        store.put(key("a"), new byte[] {1});
        context.setRecordContext(new ProcessorRecordContext(0L, 42L, partition, "input", new RecordHeaders()));
        store.put(key("b"), new byte[] {2});
        store.put(key("c"), new byte[] {3});

        assertThat(store.getPosition()).isEqualTo(Position.fromMap(Map.of("input", Map.of(partition, 42L))));

        QueryResult<byte[]> hit = store.query(KeyQuery.withKey(key("b")), PositionBound.unbounded(),
                new QueryConfig(false));
        assertThat(hit.isSuccess()).as(hit.toString()).isTrue();
        assertThat(hit.getResult()).containsExactly(2);

        QueryResult<KeyValueIterator<Bytes, byte[]>> range = store.query(
                RangeQuery.<Bytes, byte[]>withRange(key("b"), key("c")), PositionBound.unbounded(),
                new QueryConfig(false));
        assertThat(keys(range.getResult())).containsExactly(key("b"), key("c"));

        QueryResult<KeyValueIterator<Bytes, byte[]>> descending = store.query(
                RangeQuery.<Bytes, byte[]>withNoBounds().withDescendingKeys(), PositionBound.unbounded(),
                new QueryConfig(false));
        assertThat(keys(descending.getResult())).containsExactly(key("c"), key("b"), key("a"));

        QueryResult<byte[]> ahead = store.query(KeyQuery.withKey(key("b")),
                PositionBound.at(Position.fromMap(Map.of("input", Map.of(partition, 100L)))), new QueryConfig(false));
        assertThat(ahead.isFailure()).isTrue();
        assertThat(ahead.getFailureReason()).isEqualTo(FailureReason.NOT_UP_TO_BOUND);
    }

    @Test
    void perStoreOptionsReachTheDatabase() throws IOException {
        KeyValueStore<Bytes, byte[]> store = open(FerrumStores.persistentKeyValueStore("small",
                FerrumStores.defaultOptions().toBuilder().segmentSize(Options.MIN_SEGMENT_SIZE).build()));
        for (int i = 0; i < 200; i++) {
            store.put(key("k" + i), new byte[100]);
        }
        store.flush();
        try (Stream<Path> files = Files.list(stateDir.resolve("ferrumdb").resolve("small"))) {
            assertThat(files.count()).as("4 KiB segments roll over many times for 20 KiB of records")
                    .isGreaterThan(4);
        }
    }

    @Test
    void factoryValidatesItsArguments() {
        KeyValueBytesStoreSupplier supplier = FerrumStores.persistentKeyValueStore("s");
        assertThat(supplier.name()).isEqualTo("s");
        assertThat(supplier.metricsScope()).isEqualTo("ferrumdb");
        assertThat(supplier.get()).isNotSameAs(supplier.get());
        assertThat(FerrumStores.defaultOptions().fsyncPolicy().isNever()).isTrue();

        assertThatThrownBy(() -> FerrumStores.persistentKeyValueStore(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> FerrumStores.persistentKeyValueStore("s", null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> FerrumStores.persistentKeyValueStore("s",
                Options.builder().readOnly(true).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("readOnly");
        assertThatThrownBy(() -> FerrumStores.persistentKeyValueStore("s",
                Options.builder().orderedKeys(false).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("orderedKeys");
    }
}
