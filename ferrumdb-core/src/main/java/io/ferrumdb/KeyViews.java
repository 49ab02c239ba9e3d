package io.ferrumdb;

import io.ferrumdb.internal.keydir.Key;
import io.ferrumdb.internal.keydir.KeyDir;
import io.ferrumdb.internal.keydir.Location;
import io.ferrumdb.internal.log.ReadPath;
import io.ferrumdb.internal.log.RecordCheck;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Keys and values in bulk: the unordered key stream, and the ordered views of a {@link KeyRange} (keys, counts,
 * the value iterator) over the key directory's ordered index. Every key is checked against the key directory
 * when it is reported (deleted and expired keys never appear) and values are read lazily through the
 * {@link ReadPath}; nothing holds a lock or pins a file.
 */
final class KeyViews {
    private final KeyDir keyDir;
    private final ReadPath reads;
    private final LongSupplier clock;
    private final Runnable ensureOpen;

    KeyViews(KeyDir keyDir, ReadPath reads, LongSupplier clock, Runnable ensureOpen) {
        this.keyDir = keyDir;
        this.reads = reads;
        this.clock = clock;
        this.ensureOpen = ensureOpen;
    }

    /** Live keys in no particular order, weakly consistent (the caller purged expired entries). */
    Stream<byte[]> unordered() {
        Iterator<Map.Entry<Key, Location>> it = keyDir.entries();
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.NONNULL), false)
                .filter(e -> !e.getValue().isExpired(clock.getAsLong()))
                .map(e -> e.getKey().bytes().clone());
    }

    /** Live keys of {@code range}, in its order. */
    Stream<Key> liveKeys(KeyRange range) {
        Iterator<Key> view = orderedView(range);
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(view, Spliterator.ORDERED
                | Spliterator.NONNULL), false).filter(k -> {
            Location loc = keyDir.get(k);
            return loc != null && !loc.isExpired(clock.getAsLong());
        });
    }

    /** Keys and values of {@code range} in its order, each value read when the iterator reaches its key. */
    RangeIterator iterate(KeyRange range) {
        return new Values(orderedView(range));
    }

    /** The keys of {@code range} in its order, from the ordered key index. */
    private Iterator<Key> orderedView(KeyRange range) {
        Objects.requireNonNull(range, "range");
        ensureOpen.run();
        if (!keyDir.isOrdered()) {
            throw new IllegalStateException("range scans need an ordered key index: open the database with "
                    + "Options.builder().orderedKeys(true)");
        }
        if (range.isEmpty()) {
            return Collections.emptyIterator();
        }
        return keyDir.orderedKeys(range.fromUnsafe(), range.toUnsafe(), range.isReversed());
    }

    /** The value iterator of a range. */
    private final class Values implements RangeIterator {
        private final Iterator<Key> keys;
        private KeyValue next;
        private boolean closedIterator;

        Values(Iterator<Key> keys) {
            this.keys = keys;
        }

        @Override
        public boolean hasNext() {
            if (closedIterator) {
                throw new IllegalStateException("iterator is closed");
            }
            while (next == null && keys.hasNext()) {
                Key k = keys.next();
                ensureOpen.run();
                RecordCheck.Valid p = reads.read(k);
                if (p != null) {
                    next = new KeyValue(k.bytes().clone(), p.value());
                }
            }
            return next != null;
        }

        @Override
        public KeyValue next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            KeyValue kv = next;
            next = null;
            return kv;
        }

        @Override
        public void close() {
            closedIterator = true;
        }
    }
}
