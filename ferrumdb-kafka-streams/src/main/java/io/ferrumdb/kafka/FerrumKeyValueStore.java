package io.ferrumdb.kafka;

import io.ferrumdb.DatabaseClosedException;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.FerrumException;
import io.ferrumdb.KeyRange;
import io.ferrumdb.Options;
import io.ferrumdb.WriteBatch;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.internals.ChangelogRecordDeserializationHelper;
import org.apache.kafka.streams.processor.internals.RecordBatchingStateRestoreCallback;
import org.apache.kafka.streams.query.FailureReason;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.internals.OffsetCheckpoint;
import org.apache.kafka.streams.state.internals.StoreQueryUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka Streams {@code KeyValueStore<Bytes, byte[]>} on one FerrumDB database. It behaves like Kafka's
 * RocksDB store: the same null handling, range semantics (inclusive bounds, unsigned byte order, empty on an
 * inverted range with Kafka's warning), restore through batches, position tracking for interactive queries.
 *
 * <p>Writes come from the stream thread only; reads may also come from interactive-query threads, which
 * FerrumDB allows without locking. Writes are synchronized so that putIfAbsent and delete stay atomic with
 * respect to the position they record.
 *
 * <p>Sealed: its one subclass only marks the timestamped value layout; callers get stores from {@link FerrumStores}.
 */
public sealed class FerrumKeyValueStore implements KeyValueStore<Bytes, byte[]> permits FerrumTimestampedKeyValueStore {
    static final String INVALID_RANGE_WARNING = "Returning empty iterator for fetch with invalid key range: from > to. "
            + "This may be due to range arguments set in the wrong order, "
            + "or serdes that don't preserve ordering when lexicographically comparing the serialized bytes. "
            + "Note that the built-in numerical serdes do not follow this for negative numbers";

    private static final KeyRange EMPTY = KeyRange.closedOpen(new byte[0], new byte[0]);
    private static final Logger LOG = LoggerFactory.getLogger(FerrumKeyValueStore.class);

    private final String name;
    private final Options options;
    private final StoreFormat format;
    private final Set<FerrumKeyValueIterator> openIterators = ConcurrentHashMap.newKeySet();

    private volatile FerrumDB db;
    private volatile boolean open;
    private StateStoreContext context;
    private Position position = Position.emptyPosition();
    private OffsetCheckpoint positionCheckpoint;
    private boolean consistencyEnabled;
    private boolean behindTimestampedAdapter;

    FerrumKeyValueStore(String name, Options options) {
        this(name, options, StoreFormat.PLAIN);
    }

    FerrumKeyValueStore(String name, Options options, StoreFormat format) {
        this.name = name;
        this.options = options;
        this.format = format;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext stateStoreContext, StateStore root) {
        File parent = new File(stateStoreContext.stateDir(), format.directory());
        Path dir = parent.toPath().resolve(name);
        refuseTheOtherFormat(stateStoreContext.stateDir());
        try {
            Files.createDirectories(dir);
            db = FerrumDB.open(dir, options);
        } catch (IOException | FerrumException e) {
            throw new ProcessorStateException("Error opening store " + name + " at location " + dir, e);
        }
        context = stateStoreContext;
        positionCheckpoint = new OffsetCheckpoint(new File(parent, name + ".position"));
        position = StoreQueryUtils.readPositionFromCheckpoint(positionCheckpoint);
        consistencyEnabled = StreamsConfig.InternalConfig.getBoolean(stateStoreContext.appConfigs(),
                StreamsConfig.InternalConfig.IQ_CONSISTENCY_OFFSET_VECTOR_ENABLED, false);
        // A plain store under a timestamped root is wrapped in Kafka's KeyValueToTimestampedKeyValueByteStoreAdapter.
        behindTimestampedAdapter = format == StoreFormat.PLAIN && root instanceof TimestampedKeyValueStore;
        // Open before registering: a context may hand records to the restore callback as soon as it has it.
        open = true;
        stateStoreContext.register(root, (RecordBatchingStateRestoreCallback) this::restoreBatch,
                this::checkpointPosition);
    }

    /**
     * Refuses to start when this task's state directory holds this store in the other format (the application
     * switched between the plain and the timestamped supplier): the old database cannot be read as the new
     * format, and an empty new one would be taken as up to date by the task's checkpoint.
     */
    private void refuseTheOtherFormat(File taskStateDir) {
        File other = new File(new File(taskStateDir, format.other().directory()), name);
        if (other.exists()) {
            throw new ProcessorStateException("Store " + name + " is supplied by " + format.supplier()
                    + " but its local state at " + other + " was written by " + format.other().supplier()
                    + " in another value format; delete the local state (KafkaStreams.cleanUp() before start,"
                    + " or the task directory) so that Kafka Streams restores the store from its changelog");
        }
    }

    /** Applies a batch of changelog records as one FerrumDB write batch; a null value is a delete. */
    void restoreBatch(Collection<ConsumerRecord<byte[], byte[]>> records) {
        WriteBatch batch = new WriteBatch();
        synchronized (position) {
            for (ConsumerRecord<byte[], byte[]> record : records) {
                ChangelogRecordDeserializationHelper.applyChecksAndUpdatePosition(record, consistencyEnabled, position);
                if (record.value() == null) {
                    batch.delete(record.key());
                } else {
                    batch.put(record.key(), record.value());
                }
            }
        }
        try {
            database().write(batch);
        } catch (FerrumException e) {
            throw new ProcessorStateException("Error restoring batch to store " + name, e);
        }
    }

    private void checkpointPosition() {
        StoreQueryUtils.checkpointPosition(positionCheckpoint, position);
    }

    @Override
    public boolean persistent() {
        return true;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public Position getPosition() {
        return position;
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        if (behindTimestampedAdapter && query instanceof RangeQuery) {
            // Kafka's adapter would cast this store's iterator to its RocksDB iterator and fail with a
            // ClassCastException: refuse the query in words instead.
            return QueryResult.forFailure(FailureReason.UNKNOWN_QUERY_TYPE, "Store " + name
                    + " is a plain FerrumDB store behind Kafka Streams' timestamped adapter, which can serve range"
                    + " queries only over RocksDB; supply it with " + StoreFormat.TIMESTAMPED.supplier());
        }
        return StoreQueryUtils.handleBasicQueries(query, positionBound, config, this, position, context);
    }

    // ---------------------------------------------------------------- writes

    @Override
    public synchronized void put(Bytes key, byte[] value) {
        Objects.requireNonNull(key, "key cannot be null");
        FerrumDB d = database();
        try {
            if (value == null) {
                d.delete(key.get());
            } else {
                d.put(key.get(), value);
            }
        } catch (DatabaseClosedException e) {
            throw closed(e);
        } catch (FerrumException e) {
            throw new ProcessorStateException("Error while putting key/value into store " + name, e);
        }
        StoreQueryUtils.updatePosition(position, context);
    }

    @Override
    public synchronized byte[] putIfAbsent(Bytes key, byte[] value) {
        Objects.requireNonNull(key, "key cannot be null");
        byte[] previous = get(key);
        if (previous == null) {
            put(key, value);
        }
        return previous;
    }

    /** Writes every entry as one FerrumDB write batch: all or nothing. */
    @Override
    public synchronized void putAll(List<KeyValue<Bytes, byte[]>> entries) {
        WriteBatch batch = new WriteBatch();
        for (KeyValue<Bytes, byte[]> entry : entries) {
            Objects.requireNonNull(entry.key, "key cannot be null");
            if (entry.value == null) {
                batch.delete(entry.key.get());
            } else {
                batch.put(entry.key.get(), entry.value);
            }
        }
        FerrumDB d = database();
        try {
            d.write(batch);
        } catch (DatabaseClosedException e) {
            throw closed(e);
        } catch (FerrumException e) {
            throw new ProcessorStateException("Error while batch writing to store " + name, e);
        }
        StoreQueryUtils.updatePosition(position, context);
    }

    @Override
    public synchronized byte[] delete(Bytes key) {
        Objects.requireNonNull(key, "key cannot be null");
        byte[] previous = get(key);
        put(key, null);
        return previous;
    }

    // ---------------------------------------------------------------- reads

    @Override
    public byte[] get(Bytes key) {
        Objects.requireNonNull(key, "key cannot be null");
        FerrumDB d = database();
        try {
            return d.get(key.get());
        } catch (DatabaseClosedException e) {
            throw closed(e);
        } catch (FerrumException e) {
            throw new ProcessorStateException("Error while getting value for key from store " + name, e);
        }
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
        return range(from, to, false);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
        return range(from, to, true);
    }

    /** Kafka's bounds are both inclusive and either may be null (unbounded). */
    private KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to, boolean reverse) {
        if (from != null && to != null && from.compareTo(to) > 0) {
            LOG.warn(INVALID_RANGE_WARNING);
            return iterate(EMPTY);
        }
        KeyRange range = KeyRange.closedOpen(from == null ? null : from.get(), to == null ? null : successor(to.get()));
        return iterate(reverse ? range.reversed() : range);
    }

    /** The least key greater than {@code key} in unsigned byte order: the key followed by a zero byte. */
    private static byte[] successor(byte[] key) {
        return Arrays.copyOf(key, key.length + 1);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        return iterate(KeyRange.all());
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseAll() {
        return iterate(KeyRange.all().reversed());
    }

    /** Keys starting with the serialized prefix, serialized with {@code topic == null} as Kafka's stores do. */
    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(P prefix, PS prefixKeySerializer) {
        Objects.requireNonNull(prefix, "prefix cannot be null");
        Objects.requireNonNull(prefixKeySerializer, "prefixKeySerializer cannot be null");
        byte[] serialized = prefixKeySerializer.serialize(null, prefix);
        return iterate(KeyRange.prefix(serialized));
    }

    private KeyValueIterator<Bytes, byte[]> iterate(KeyRange range) {
        FerrumDB d = database();
        FerrumKeyValueIterator iterator;
        try {
            iterator = new FerrumKeyValueIterator(name, d.iterate(range), openIterators::remove);
        } catch (DatabaseClosedException e) {
            throw closed(e);
        }
        openIterators.add(iterator);
        return iterator;
    }

    @Override
    public long approximateNumEntries() {
        FerrumDB d = database();
        try {
            return d.size();
        } catch (DatabaseClosedException e) {
            throw closed(e);
        }
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Makes every write so far durable: Kafka Streams checkpoints the changelog offset right after. On a closed store
     * it does nothing, as Kafka's RocksDB and in-memory stores do: close already synced every write.
     */
    @Override
    public synchronized void flush() {
        if (!open) {
            return;
        }
        FerrumDB d = database();
        try {
            d.sync();
        } catch (DatabaseClosedException e) {
            throw closed(e);
        } catch (FerrumException e) {
            throw new ProcessorStateException("Error while executing flush of store " + name, e);
        }
    }

    @Override
    public synchronized void close() {
        if (!open) {
            return;
        }
        open = false;
        if (!openIterators.isEmpty()) {
            LOG.warn("Closing {} open iterators for store {}", openIterators.size(), name);
            for (FerrumKeyValueIterator iterator : List.copyOf(openIterators)) {
                iterator.close();
            }
        }
        FerrumDB d = db;
        db = null;
        try {
            d.close();
        } catch (FerrumException e) {
            throw new ProcessorStateException("Error while closing store " + name, e);
        }
    }

    private FerrumDB database() {
        FerrumDB d = db;
        if (!open || d == null) {
            throw new InvalidStateStoreException("Store " + name + " is currently closed");
        }
        return d;
    }

    private InvalidStateStoreException closed(DatabaseClosedException e) {
        return new InvalidStateStoreException("Store " + name + " is currently closed", e);
    }
}
