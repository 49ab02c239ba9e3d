package io.ferrumdb.kafka;

import io.ferrumdb.Options;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;

/** Supplies one {@link FerrumKeyValueStore} (of one {@link StoreFormat}) per task; created through {@link FerrumStores}. */
final class FerrumKeyValueBytesStoreSupplier implements KeyValueBytesStoreSupplier {
    static final String METRICS_SCOPE = "ferrumdb";

    private final String name;
    private final Options options;
    private final StoreFormat format;

    FerrumKeyValueBytesStoreSupplier(String name, Options options, StoreFormat format) {
        this.name = name;
        this.options = options;
        this.format = format;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public KeyValueStore<Bytes, byte[]> get() {
        return format == StoreFormat.TIMESTAMPED
                ? new FerrumTimestampedKeyValueStore(name, options)
                : new FerrumKeyValueStore(name, options);
    }

    @Override
    public String metricsScope() {
        return METRICS_SCOPE;
    }
}
