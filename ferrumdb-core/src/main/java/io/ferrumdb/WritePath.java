package io.ferrumdb;

import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.keydir.Key;
import io.ferrumdb.internal.keydir.KeyDir;
import io.ferrumdb.internal.keydir.Location;
import io.ferrumdb.internal.log.LogWriter;
import io.ferrumdb.internal.log.LogWriter.Append;
import io.ferrumdb.internal.log.SegmentSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The write path below the facade: turns puts, deletes and batches into {@link Append}s (copying the caller's
 * keys, computing expiry times), hands them to the {@link LogWriter}, and applies each appended record to the
 * key directory and the segments' live bytes while the writer's lock is held (so that the directory's order is
 * the sequence order). The facade checks arguments and state first.
 */
final class WritePath {
    private static final byte[] EMPTY = new byte[0];

    private final LogWriter writer;
    private final KeyDir keyDir;
    private final SegmentSet segments;
    private final LongSupplier clock;
    /**
     * Records applied, counted by the applier under the writer's lock, which serializes every increment: a release
     * store of the next value is then exact, and spares a put the locked instruction a LongAdder or an atomic add
     * costs (readers, {@link FerrumDB#stats}, need no order beyond it).
     */
    final AtomicLong puts = new AtomicLong();
    final AtomicLong deletes = new AtomicLong();
    /**
     * One instance for every append (a method reference evaluated per put is an allocation per put), taking the
     * records' locations as fields: no Location per put.
     */
    private final LogWriter.Applier applier = new LogWriter.Applier() {
        @Override
        public void apply(Append a, Location location) {
            apply(a, location.segmentId(), location.offset(), location.recordSize());
        }

        @Override
        public void apply(Append a, int segmentId, long offset, int recordSize) {
            if (a.type() == RecordFormat.TYPE_PUT) {
                long previous = keyDir.put(a.key(), segmentId, offset, recordSize, a.expiresAt());
                puts.lazySet(puts.get() + 1);
                segments.addAppended(segmentId, recordSize);
                segments.release(previous);
            } else {
                applyDelete(a);
            }
        }
    };

    /** @param writer the log writer (this class exists only for writable databases) */
    WritePath(LogWriter writer, KeyDir keyDir, SegmentSet segments, LongSupplier clock) {
        this.writer = writer;
        this.keyDir = keyDir;
        this.segments = segments;
        this.clock = clock;
    }

    /** Puts {@code value} with an expiry from {@code ttl} (null: none); waits as the fsync policy says. */
    void put(byte[] key, byte[] value, Duration ttl) {
        Append a = putOf(key, value, ttl == null ? 0 : expiresAt(ttl, clock.getAsLong()));
        appendAndWait(List.of(a), applier);
    }

    /** Appends a tombstone for {@code key}; true when it removed a live key. */
    boolean delete(byte[] key) {
        boolean[] removed = new boolean[1];
        appendAndWait(List.of(deleteOf(key)), (a, l) -> removed[0] = applyDelete(a));
        return removed[0];
    }

    void write(WriteBatch batch) {
        appendAndWait(toAppends(batch), applier);
    }

    CompletableFuture<Void> putAsync(byte[] key, byte[] value) {
        return async(List.of(putOf(key, value, 0)));
    }

    CompletableFuture<Void> deleteAsync(byte[] key) {
        return async(List.of(deleteOf(key)));
    }

    CompletableFuture<Void> writeAsync(WriteBatch batch) {
        return async(toAppends(batch));
    }

    /**
     * The key is copied: it is read several times (hashed, encoded, copied into the hint and the key directory),
     * and a caller changing it in between would make those disagree. The value is not: the log writer reads it
     * once, into its chunk, before the put returns, and keeps no reference; the record's CRC is computed over
     * that copy, so even a caller changing the array during the call cannot make a record that fails its check.
     */
    private static Append putOf(byte[] key, byte[] value, long expiresAt) {
        return new Append(RecordFormat.TYPE_PUT, new Key(key.clone()), value, expiresAt);
    }

    private static Append deleteOf(byte[] key) {
        return new Append(RecordFormat.TYPE_DELETE, new Key(key.clone()), EMPTY, 0);
    }

    /** One clock reading for the whole batch: equal TTLs in a batch give equal expiry times. */
    private List<Append> toAppends(WriteBatch batch) {
        long now = clock.getAsLong();
        List<Append> out = new ArrayList<>(batch.size());
        for (WriteBatch.Operation op : batch.operations()) {
            if (op.isDelete()) {
                out.add(new Append(RecordFormat.TYPE_DELETE, new Key(op.key()), EMPTY, 0));
            } else {
                out.add(new Append(RecordFormat.TYPE_PUT, new Key(op.key()), op.value(),
                        op.ttl() == null ? 0 : expiresAt(op.ttl(), now)));
            }
        }
        return out;
    }

    /** Absolute expiry of a TTL counted from {@code now}; saturates instead of overflowing. */
    static long expiresAt(Duration ttl, long now) {
        long millis;
        try {
            millis = Math.max(1, ttl.toMillis());
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
        long at = now + millis;
        return at < 0 ? Long.MAX_VALUE : at;
    }

    /** Appends and waits as the policy says; under always() this thread may lead its group's fsync. */
    private void appendAndWait(List<Append> appends, LogWriter.Applier applier) {
        writer.waitFor(writer.append(appends, applier, true));
    }

    private CompletableFuture<Void> async(List<Append> appends) {
        try {
            CompletableFuture<Void> durable = writer.append(appends, applier);
            return durable == null ? CompletableFuture.completedFuture(null) : durable;
        } catch (FerrumException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Applies a tombstone; the writer's lock is held (every applier runs under it). */
    private boolean applyDelete(Append a) {
        deletes.lazySet(deletes.get() + 1);
        Location previous = keyDir.remove(a.key());
        segments.release(previous);
        return previous != null && !previous.isExpired(clock.getAsLong());
    }
}
