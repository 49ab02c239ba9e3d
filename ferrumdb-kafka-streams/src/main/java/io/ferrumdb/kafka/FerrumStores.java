package io.ferrumdb.kafka;

import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import java.util.Objects;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;

/**
 * Factory for Kafka Streams key-value stores backed by FerrumDB, the counterpart of
 * {@link org.apache.kafka.streams.state.Stores#persistentKeyValueStore(String)}:
 * <pre>{@code
 * builder.table("in", Materialized.as(FerrumStores.persistentTimestampedKeyValueStore("t")));
 * Stores.keyValueStoreBuilder(FerrumStores.persistentKeyValueStore("s"), keySerde, valueSerde);
 * }</pre>
 * Each store instance (one per task and store name) is one FerrumDB database in
 * {@code <state.dir>/<application.id>/<task>/ferrumdb/<name>} (plain) or {@code .../ferrumdb-timestamped/<name>}
 * (timestamped). A store refuses to start when its task holds it in the other format.
 */
public final class FerrumStores {
    private FerrumStores() {
    }

    /**
     * The options a store gets when none are given: {@link FsyncPolicy#never()} and ordered keys.
     *
     * <p>Why no fsync per write: the store is a cache of its changelog topic, which holds the durable copy.
     * Kafka Streams calls {@code flush()} (a FerrumDB {@code sync()}) before it writes the task's checkpoint
     * offset, so everything at or below a checkpointed offset is on stable storage; whatever was written after
     * it is replayed from the changelog on restart. An fsync per record would buy nothing and cost a disk round
     * trip per record. Ordered keys are required: range, reverse range and prefix scans need them.
     */
    public static Options defaultOptions() {
        return Options.builder().fsyncPolicy(FsyncPolicy.never()).orderedKeys(true).build();
    }

    /** A persistent key-value store named {@code name} with {@link #defaultOptions()}. */
    public static KeyValueBytesStoreSupplier persistentKeyValueStore(String name) {
        return persistentKeyValueStore(name, defaultOptions());
    }

    /**
     * A persistent key-value store named {@code name} with the given FerrumDB options.
     *
     * @throws NullPointerException when name or options is null
     * @throws IllegalArgumentException when the options are read-only or without ordered keys: a state store
     *                                  must be written by restore and needs ordered keys for its range scans
     */
    public static KeyValueBytesStoreSupplier persistentKeyValueStore(String name, Options options) {
        return supplier(name, options, StoreFormat.PLAIN);
    }

    /**
     * A persistent timestamped key-value store named {@code name} with {@link #defaultOptions()}, the counterpart
     * of {@link org.apache.kafka.streams.state.Stores#persistentTimestampedKeyValueStore(String)}. The choice for
     * DSL stores ({@code Materialized.as}): they are timestamped, and a plain store behind Kafka's adapter loses
     * record timestamps ({@code -1}) and refuses interactive {@code RangeQuery}/{@code TimestampedRangeQuery}.
     */
    public static KeyValueBytesStoreSupplier persistentTimestampedKeyValueStore(String name) {
        return persistentTimestampedKeyValueStore(name, defaultOptions());
    }

    /**
     * A persistent timestamped key-value store named {@code name} with the given FerrumDB options.
     *
     * @throws NullPointerException when name or options is null
     * @throws IllegalArgumentException as {@link #persistentKeyValueStore(String, Options)}
     */
    public static KeyValueBytesStoreSupplier persistentTimestampedKeyValueStore(String name, Options options) {
        return supplier(name, options, StoreFormat.TIMESTAMPED);
    }

    private static KeyValueBytesStoreSupplier supplier(String name, Options options, StoreFormat format) {
        Objects.requireNonNull(name, "name cannot be null");
        Objects.requireNonNull(options, "options cannot be null");
        if (options.readOnly()) {
            throw new IllegalArgumentException("FerrumDB options for Kafka Streams store '" + name
                    + "' must not be readOnly(true): Kafka Streams writes the store and restores it");
        }
        if (!options.orderedKeys()) {
            throw new IllegalArgumentException("FerrumDB options for Kafka Streams store '" + name
                    + "' need orderedKeys(true): range, reverseRange, all and prefixScan iterate in key order");
        }
        return new FerrumKeyValueBytesStoreSupplier(name, options, format);
    }
}
