package io.ferrumdb.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Properties;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.test.InternalMockProcessorContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FerrumDB store side by side with Kafka's own in-memory store ({@code Stores.inMemoryKeyValueStore}), the
 * reference implementation of the {@code KeyValueStore} contract: random writes of one-byte and empty values (put,
 * null-value put, putIfAbsent with and without a value, putAll, delete) over short keys of 0x00, 0x01, 0x7F, 0x80
 * and 0xFF bytes, and after each one the same random query on both: get, range and reverseRange with either bound
 * null or inverted, all, reverseAll, prefixScan, approximateNumEntries, and the iterator walk with
 * {@code peekNextKey} and the end-of-iteration exception.
 */
class InMemoryStoreEquivalenceTest {
    private static final byte[] ALPHABET = {0x00, 0x01, 0x7F, (byte) 0x80, (byte) 0xFF};
    private static final HexFormat HEX = HexFormat.of();

    @TempDir
    Path stateDir;

    private final List<KeyValueStore<Bytes, byte[]>> opened = new ArrayList<>();

    @AfterEach
    void closeStores() {
        opened.forEach(KeyValueStore::close);
    }

    private InternalMockProcessorContext<?, ?> lastContext;

    private KeyValueStore<Bytes, byte[]> init(KeyValueStore<Bytes, byte[]> store) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "ferrum-equivalence");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");
        InternalMockProcessorContext<?, ?> context = new InternalMockProcessorContext<>(stateDir.toFile(),
                Serdes.Bytes(), Serdes.ByteArray(), new StreamsConfig(props));
        store.init(context, store);
        opened.add(store);
        lastContext = context;
        return store;
    }

    @Test
    void everyOperationAnswersAsKafkasInMemoryStoreDoes() {
        for (long seed = 1; seed <= 20; seed++) {
            KeyValueStore<Bytes, byte[]> ferrum = init(FerrumStores.persistentKeyValueStore("f" + seed).get());
            KeyValueStore<Bytes, byte[]> memory = init(Stores.inMemoryKeyValueStore("m" + seed).get());
            Random random = new Random(seed);
            for (int step = 0; step < 300; step++) {
                String write = write(random, ferrum, memory);
                String query = query(random, ferrum, memory);
                assertThat(query).as("seed %d step %d after %s", seed, step, write).isNull();
            }
        }
    }

    /**
     * A lost local directory (a new machine, or a wiped state directory) is rebuilt from the changelog alone: the
     * store opens empty where its directory was, and the restored records, overwrites and tombstones included,
     * leave it equal to Kafka's in-memory store restored from the same records.
     */
    @Test
    void restoresFromTheChangelogAfterItsDirectoryIsDeleted() throws IOException {
        Random random = new Random(42);
        List<KeyValue<byte[], byte[]>> changelog = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            changelog.add(KeyValue.pair(randomKey(random).get(),
                    random.nextInt(5) == 0 ? null : new byte[] {(byte) random.nextInt(256)}));
        }
        KeyValueStore<Bytes, byte[]> before = init(FerrumStores.persistentKeyValueStore("counts").get());
        lastContext.restore("counts", changelog);
        before.close();
        Path directory = stateDir.resolve("ferrumdb").resolve("counts");
        assertThat(directory).isDirectory();
        deleteTree(directory);

        KeyValueStore<Bytes, byte[]> ferrum = init(FerrumStores.persistentKeyValueStore("counts").get());
        assertThat(walk(ferrum.all())).as("a store whose directory was deleted opens empty").isEmpty();
        lastContext.restore("counts", changelog);
        KeyValueStore<Bytes, byte[]> memory = init(Stores.inMemoryKeyValueStore("memory").get());
        lastContext.restore("memory", changelog);
        assertThat(walk(ferrum.all())).isNotEmpty().containsExactlyElementsOf(walk(memory.all()));
        assertThat(ferrum.approximateNumEntries()).isEqualTo(memory.approximateNumEntries());
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Kafka's stores compute a prefix's upper bound by incrementing it, which fails for "" and all-0xFF. */
    @Test
    void prefixScanOfEmptyAndAllOnesPrefixesReturnsEveryMatchingKey() {
        KeyValueStore<Bytes, byte[]> ferrum = init(FerrumStores.persistentKeyValueStore("f").get());
        List<Bytes> keys = List.of(key(), key(0x00), key(0x7F), key(0xFF), key(0xFF, 0x00), key(0xFF, 0xFF),
                key(0xFF, 0xFF, 0x01));
        keys.forEach(k -> ferrum.put(k, new byte[] {1}));
        assertThat(keys(ferrum.prefixScan(new byte[0], new ByteArraySerializer()))).containsExactlyElementsOf(keys);
        assertThat(keys(ferrum.prefixScan(new byte[] {(byte) 0xFF}, new ByteArraySerializer())))
                .containsExactly(key(0xFF), key(0xFF, 0x00), key(0xFF, 0xFF), key(0xFF, 0xFF, 0x01));
        assertThat(keys(ferrum.prefixScan(new byte[] {(byte) 0xFF, (byte) 0xFF}, new ByteArraySerializer())))
                .containsExactly(key(0xFF, 0xFF), key(0xFF, 0xFF, 0x01));
    }

    private static String write(Random random, KeyValueStore<Bytes, byte[]> ferrum,
            KeyValueStore<Bytes, byte[]> memory) {
        Bytes k = randomKey(random);
        byte[] v = random.nextInt(5) == 0 ? new byte[0] : new byte[] {(byte) random.nextInt(256)};
        switch (random.nextInt(6)) {
            case 0, 1 -> {
                ferrum.put(k, v);
                memory.put(k, v);
                return "put " + k;
            }
            case 2 -> {
                ferrum.put(k, null);
                memory.put(k, null);
                return "put " + k + " null";
            }
            case 3 -> {
                byte[] maybeNull = random.nextInt(4) == 0 ? null : v;
                assertThat(ferrum.putIfAbsent(k, maybeNull)).as("putIfAbsent %s", k)
                        .isEqualTo(memory.putIfAbsent(k, maybeNull));
                return "putIfAbsent " + k + (maybeNull == null ? " null" : "");
            }
            case 4 -> {
                List<KeyValue<Bytes, byte[]>> entries = new ArrayList<>();
                for (int i = random.nextInt(4); i >= 0; i--) {
                    entries.add(KeyValue.pair(randomKey(random), random.nextBoolean() ? null : v));
                }
                ferrum.putAll(entries);
                memory.putAll(entries);
                return "putAll " + entries.stream().map(e -> e.key + "=" + (e.value == null ? "null" : "v")).toList();
            }
            default -> {
                assertThat(ferrum.delete(k)).as("delete %s", k).isEqualTo(memory.delete(k));
                return "delete " + k;
            }
        }
    }

    /** Runs one random query on both stores; null when they agree, else what differed. */
    private static String query(Random random, KeyValueStore<Bytes, byte[]> ferrum,
            KeyValueStore<Bytes, byte[]> memory) {
        Bytes from = random.nextInt(4) == 0 ? null : randomKey(random);
        Bytes to = random.nextInt(4) == 0 ? null : randomKey(random);
        Function<KeyValueStore<Bytes, byte[]>, Object> q;
        String name;
        switch (random.nextInt(7)) {
            case 0 -> {
                name = "get " + from;
                Bytes k = from == null ? key() : from;
                q = s -> hex(s.get(k));
            }
            case 1 -> {
                name = "range " + from + " " + to;
                q = s -> walk(s.range(from, to));
            }
            case 2 -> {
                name = "reverseRange " + from + " " + to;
                q = s -> walk(s.reverseRange(from, to));
            }
            case 3 -> {
                name = "all";
                q = s -> walk(s.all());
            }
            case 4 -> {
                name = "reverseAll";
                q = s -> walk(s.reverseAll());
            }
            case 5 -> {
                // Kafka's stores bound a prefix scan by incrementing the prefix: they throw for "" and all-0xFF
                // prefixes, and for 00ff also return 01. The contract is every key starting with the prefix.
                byte[] prefix = randomKey(random).get();
                List<String> expected = new ArrayList<>();
                try (KeyValueIterator<Bytes, byte[]> it = memory.all()) {
                    it.forEachRemaining(kv -> {
                        if (startsWith(kv.key.get(), prefix)) {
                            expected.add(kv.key + "=" + hex(kv.value));
                        }
                    });
                }
                List<String> actual = walk(ferrum.prefixScan(prefix, new ByteArraySerializer()));
                return expected.equals(actual) ? null
                        : "prefixScan " + HEX.formatHex(prefix) + ": expected " + expected + " but was " + actual;
            }
            default -> {
                name = "approximateNumEntries";
                q = KeyValueStore::approximateNumEntries;
            }
        }
        Object expected = q.apply(memory);
        Object actual = q.apply(ferrum);
        return expected.equals(actual) ? null : name + ": expected " + expected + " but was " + actual;
    }

    /** The entries in order, each key checked with peekNextKey first, and the exception past the end. */
    private static List<String> walk(KeyValueIterator<Bytes, byte[]> it) {
        try (it) {
            List<String> out = new ArrayList<>();
            while (it.hasNext()) {
                Bytes peeked = it.peekNextKey();
                KeyValue<Bytes, byte[]> kv = it.next();
                assertThat(kv.key).isEqualTo(peeked);
                out.add(kv.key + "=" + hex(kv.value));
            }
            assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
            assertThatThrownBy(it::peekNextKey).isInstanceOf(NoSuchElementException.class);
            return out;
        }
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static Bytes randomKey(Random random) {
        byte[] k = new byte[random.nextInt(4)];
        for (int i = 0; i < k.length; i++) {
            k[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return Bytes.wrap(k);
    }

    private static Bytes key(int... unsignedBytes) {
        byte[] b = new byte[unsignedBytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) unsignedBytes[i];
        }
        return Bytes.wrap(b);
    }

    private static List<Bytes> keys(KeyValueIterator<Bytes, byte[]> it) {
        try (it) {
            List<Bytes> out = new ArrayList<>();
            it.forEachRemaining(kv -> out.add(kv.key));
            return out;
        }
    }

    private static String hex(byte[] value) {
        return value == null ? "null" : HEX.formatHex(value);
    }
}
