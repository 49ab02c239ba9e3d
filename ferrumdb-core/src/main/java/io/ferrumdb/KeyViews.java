package io.ferrumdb;

import io.ferrumdb.internal.keydir.Key;
import io.ferrumdb.internal.keydir.KeyDir;
import io.ferrumdb.internal.keydir.Location;
import io.ferrumdb.internal.keydir.OrderedScan;
import io.ferrumdb.internal.log.ReadPath;
import java.util.Arrays;
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
    /**
     * Entries a value iterator takes from the scan and touches before reading the first of them: enough record
     * misses in flight to overlap, few enough that the records stay cached until copied (as the scan's own
     * touch-ahead of hash slots, {@code OrderedScan}).
     */
    private static final int READ_AHEAD = 32;

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
                .filter(e -> isListed(e.getKey().bytes(), e.getValue()))
                .map(e -> e.getKey().bytes().clone());
    }

    /**
     * Whether a key walk reports {@code key}: live and not added only by writes a failure caught. Checks that the
     * database is open first, so that a walk of keys (which reads only the in-memory directory) fails after close as
     * a walk of values does, instead of going on reporting keys of a closed database.
     */
    private boolean isListed(byte[] key, Location loc) {
        ensureOpen.run();
        return (loc.expiresAt() == 0 || !loc.isExpired(clock.getAsLong())) && !addedByLostWrites(key, loc);
    }

    /**
     * After a write failure: true when only writes the failure caught (not durable, not served) added {@code key},
     * whose entry is {@code loc}. The durable records leave it absent, so the views leave it out, as {@link
     * FerrumDB#size()} does. A key those writes overwrote is kept (it is there whichever of them landed); reading
     * its value is refused, as {@code get} refuses it.
     */
    private boolean addedByLostWrites(byte[] key, Location loc) {
        return reads.caughtByFailure(loc) && keyDir.addedByLostRecords(key);
    }

    /** Live keys of {@code range}, in its order: one key-directory probe per key, no stream. */
    KeyIterator liveKeys(KeyRange range) {
        return new Keys(orderedScan(range));
    }

    /** {@link #liveKeys} as a stream; closing the stream closes the iterator. */
    Stream<byte[]> keyStream(KeyRange range) {
        KeyIterator it = liveKeys(range);
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL),
                false).onClose(it::close);
    }

    long count(KeyRange range) {
        long n = 0;
        for (KeyIterator it = liveKeys(range); it.hasNext(); it.next()) {
            n++;
        }
        return n;
    }

    /** Keys and values of {@code range} in its order, each value read when the iterator reaches its key. */
    RangeIterator iterate(KeyRange range) {
        return new Values(orderedScan(range));
    }

    /** The live keys of {@code range} with their locations, from the ordered key index; null for an empty range. */
    private OrderedScan orderedScan(KeyRange range) {
        Objects.requireNonNull(range, "range");
        ensureOpen.run();
        if (!keyDir.isOrdered()) {
            throw new IllegalStateException("range scans need an ordered key index: open the database with "
                    + "Options.builder().orderedKeys(true)");
        }
        if (range.isEmpty()) {
            return null;
        }
        return keyDir.orderedScan(range.fromUnsafe(), range.toUnsafe(), range.isReversed());
    }

    /**
     * A walk over an ordered scan that yields one element per key the scan reaches, or skips the key when
     * {@link #produce} returns null; {@code scan} is null when the range is empty.
     */
    private abstract static class Walk<T> {
        final OrderedScan scan;
        private T next;
        private boolean closedIterator;

        Walk(OrderedScan scan) {
            this.scan = scan;
        }

        /** The next element of the range, or null at its end. */
        abstract T nextElement();

        void checkOpen() {
            if (closedIterator) {
                throw new IllegalStateException("iterator is closed");
            }
        }

        public boolean hasNext() {
            checkOpen();
            if (next == null) {
                next = nextElement();
            }
            return next != null;
        }

        public T next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return takeAhead();
        }

        /** The element {@link #hasNext} read ahead, handed over; null when none is pending. */
        T takeAhead() {
            T element = next;
            next = null;
            return element;
        }

        public void close() {
            closedIterator = true;
        }
    }

    /** The key iterator of a range: the scan's keys, less those expired when the walk reaches them. */
    private final class Keys extends Walk<byte[]> implements KeyIterator {
        Keys(OrderedScan scan) {
            super(scan);
        }

        @Override
        byte[] nextElement() {
            while (scan != null && scan.next()) {
                byte[] key = scan.key().bytes(); // a fresh copy no one else holds
                if (isListed(key, scan.location())) {
                    return key;
                }
            }
            return null;
        }
    }

    /**
     * The value iterator of a range. It takes the scan's keys in batches of {@link #READ_AHEAD} with their
     * locations, touches each batch's records ({@link ReadPath#touch}), then reads them one by one into its own
     * buffer ({@link ReadPath#readForScan}). Each read starts from the location the scan found (no second lookup)
     * and checks expiry and follows a moved record as a GET does, so a key read a batch after its probe is still
     * weakly consistent: its value is one it had during the iteration, and a key that is gone or expired by then is
     * skipped.
     */
    private final class Values extends Walk<KeyValue> implements RangeIterator {
        private final ReadPath.RecordBuffer buffer = new ReadPath.RecordBuffer();
        private final Key[] keys = new Key[READ_AHEAD];
        private final Location[] locations = new Location[READ_AHEAD];
        /** The batch is keys[taken, held). */
        private int taken;
        private int held;
        /** The sum of what {@link ReadPath#touch} read, kept only so that the compiler keeps the reads. */
        private long touched;

        Values(OrderedScan scan) {
            super(scan);
        }

        @Override
        KeyValue nextElement() {
            Key k = advance();
            return k == null ? null : new KeyValue(k.bytes(), Arrays.copyOfRange(buffer.data(), buffer.valueOffset(),
                    buffer.valueOffset() + buffer.valueLength()));
        }

        @Override
        public boolean readNext(EntryReader reader) {
            checkOpen();
            KeyValue ahead = takeAhead();
            if (ahead != null) {
                reader.accept(ahead.key(), ahead.value(), 0, ahead.value().length);
                return true;
            }
            Key k = advance();
            if (k == null) {
                return false;
            }
            // The scan's key bytes are a fresh copy no one else holds.
            reader.accept(k.bytes(), buffer.data(), buffer.valueOffset(), buffer.valueLength());
            return true;
        }

        /** Reads the next live entry's value into {@link #buffer} and returns its key; null at the range's end. */
        private Key advance() {
            while (true) {
                if (taken == held && !refill()) {
                    return null;
                }
                Key k = keys[taken];
                Location loc = locations[taken];
                keys[taken] = null;
                locations[taken] = null;
                taken++;
                ensureOpen.run();
                if (!addedByLostWrites(k.bytes(), loc) && reads.readForScan(k, loc, buffer)) {
                    return k;
                }
            }
        }

        /** Takes the scan's next keys and locations, then touches their records; false when there are none. */
        private boolean refill() {
            taken = 0;
            held = 0;
            while (held < READ_AHEAD && scan != null && scan.next()) {
                keys[held] = scan.key();
                locations[held] = scan.location();
                held++;
            }
            touched += reads.touch(locations, held);
            return held > 0;
        }
    }
}
