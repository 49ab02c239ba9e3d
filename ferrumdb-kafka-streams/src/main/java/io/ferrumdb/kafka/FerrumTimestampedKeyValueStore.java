package io.ferrumdb.kafka;

import io.ferrumdb.Options;
import org.apache.kafka.streams.state.TimestampedBytesStore;

/**
 * A {@link FerrumKeyValueStore} whose values are in Kafka's timestamped layout. Being a
 * {@link TimestampedBytesStore}, it is used by timestamped stores (every DSL {@code Materialized} store)
 * directly, without Kafka's {@code KeyValueToTimestampedKeyValueByteStoreAdapter}: so record timestamps are kept
 * and interactive range queries work (that adapter serves them only over RocksDB's own iterators).
 */
public final class FerrumTimestampedKeyValueStore extends FerrumKeyValueStore implements TimestampedBytesStore {
    FerrumTimestampedKeyValueStore(String name, Options options) {
        super(name, options, StoreFormat.TIMESTAMPED);
    }
}
