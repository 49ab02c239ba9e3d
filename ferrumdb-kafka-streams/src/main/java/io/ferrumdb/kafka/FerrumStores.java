package io.ferrumdb.kafka;

import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import java.util.Objects;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;

/**
 * Factory for Kafka Streams key-value stores backed by FerrumDB, the counterpart of
 * {@link org.apache.kafka.streams.state.Stores#persistentKeyValueStore(String)}:
 * <pre>{@code
 * builder.table("in", Materialized.as(FerrumStores.persistentKeyValueStore("t")));
 * Stores.keyValueStoreBuilder(FerrumStores.persistentKeyValueStore("s"), keySerde, valueSerde);
 * }</pre>
 * Each store instance (one per task and store name) is one FerrumDB database in
 * {@code <state.dir>/<application.id>/<task>/ferrumdb/<name>}.
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
        return new FerrumKeyValueBytesStoreSupplier(name, options);
    }
}
