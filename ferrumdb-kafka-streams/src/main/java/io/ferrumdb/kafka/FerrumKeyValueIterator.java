package io.ferrumdb.kafka;

import io.ferrumdb.RangeIterator;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * Kafka's iterator contract over a FerrumDB {@link RangeIterator}: one entry of look-ahead for
 * {@link #peekNextKey()}, NoSuchElementException past the end, InvalidStateStoreException after close.
 */
final class FerrumKeyValueIterator implements KeyValueIterator<Bytes, byte[]> {
    private final String storeName;
    private final RangeIterator source;
    private final Consumer<FerrumKeyValueIterator> onClose;
    private KeyValue<Bytes, byte[]> next;
    private boolean open = true;

    FerrumKeyValueIterator(String storeName, RangeIterator source, Consumer<FerrumKeyValueIterator> onClose) {
        this.storeName = storeName;
        this.source = source;
        this.onClose = onClose;
    }

    @Override
    public synchronized boolean hasNext() {
        if (!open) {
            throw new InvalidStateStoreException(String.format("FerrumDB iterator for store %s has closed", storeName));
        }
        if (next == null && source.hasNext()) {
            io.ferrumdb.KeyValue kv = source.next();
            next = KeyValue.pair(Bytes.wrap(kv.key()), kv.value());
        }
        return next != null;
    }

    @Override
    public synchronized KeyValue<Bytes, byte[]> next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        KeyValue<Bytes, byte[]> result = next;
        next = null;
        return result;
    }

    @Override
    public synchronized Bytes peekNextKey() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return next.key;
    }

    @Override
    public synchronized void close() {
        if (!open) {
            return;
        }
        open = false;
        next = null;
        source.close();
        onClose.accept(this);
    }
}
