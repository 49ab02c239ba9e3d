package io.ferrumdb;

import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.keydir.KeyDir;
import io.ferrumdb.internal.keydir.Location;
import io.ferrumdb.internal.log.Applier;
import io.ferrumdb.internal.log.LogWriter;
import io.ferrumdb.internal.log.SegmentSet;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The write path below the facade: hands single puts and deletes to the {@link LogWriter} as they are (one record,
 * no objects of its own) and batches as {@link BatchRecords} (the batch copied the caller's arrays), computes expiry
 * times, and applies each appended record to the key directory and the segments' live bytes while the writer's
 * lock is held (so that the directory's order is the sequence order). The facade checks arguments and state first.
 */
final class WritePath {
    static final byte[] EMPTY = new byte[0];

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
     * records' keys and locations as fields: no Key, no Location per put. A class, not {@code this::apply}: a fresh
     * JVM spins a class for a method reference (ARCHITECTURE.md, "Start-up cost"), and every writable open makes one.
     */
    private final Applier applier = new KeyDirApplier();

    /** @param writer the log writer (this class exists only for writable databases) */
    WritePath(LogWriter writer, KeyDir keyDir, SegmentSet segments, LongSupplier clock) {
        this.writer = writer;
        this.keyDir = keyDir;
        this.segments = segments;
        this.clock = clock;
    }

    /**
     * Puts {@code value} with an expiry from {@code ttl} (null: none); waits as the fsync policy says. Neither array
     * is copied here, nor kept: the log writer encodes the record from them under its lock, and the hint and the key
     * directory take the key from the record ({@link LogWriter#append(byte, byte[], byte[], long, Applier,
     * boolean)}), so a caller changing an array during or after the call cannot make them disagree with it.
     */
    void put(byte[] key, byte[] value, Duration ttl) {
        long expiresAt = ttl == null ? 0 : expiresAt(ttl, clock.getAsLong());
        writer.waitFor(writer.append(RecordFormat.TYPE_PUT, key, value, expiresAt, applier, true));
    }

    /** Appends a tombstone for {@code key}; true when it removed a live key. */
    boolean delete(byte[] key) {
        boolean[] removed = new boolean[1];
        writer.waitFor(writer.append(RecordFormat.TYPE_DELETE, key, EMPTY, 0,
                (type, k, keyAt, keyLength, expiresAt, segmentId, offset, size) ->
                        removed[0] = applyDelete(k, keyAt, keyLength, segmentId, offset), true));
        return removed[0];
    }

    void write(WriteBatch batch) {
        writer.waitFor(writer.append(new BatchRecords(batch, clock.getAsLong()), applier, true));
    }

    CompletableFuture<Void> putAsync(byte[] key, byte[] value) {
        return async(() -> writer.append(RecordFormat.TYPE_PUT, key, value, 0, applier, false));
    }

    CompletableFuture<Void> deleteAsync(byte[] key) {
        return async(() -> writer.append(RecordFormat.TYPE_DELETE, key, EMPTY, 0, applier, false));
    }

    CompletableFuture<Void> writeAsync(WriteBatch batch) {
        return async(() -> writer.append(new BatchRecords(batch, clock.getAsLong()), applier, false));
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

    /** The future of {@code append}: completed at once when the policy does not wait (null), failed if it throws. */
    private static CompletableFuture<Void> async(Supplier<CompletableFuture<Void>> append) {
        try {
            CompletableFuture<Void> durable = append.get();
            return durable == null ? CompletableFuture.completedFuture(null) : durable;
        } catch (FerrumException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Applies an appended record to the key directory and the segments' live bytes; the writer's lock is held. */
    private final class KeyDirApplier implements Applier {
        @Override
        public void apply(byte type, byte[] key, int keyAt, int keyLength, long expiresAt, int segmentId, long offset,
                          int recordSize) {
            if (type == RecordFormat.TYPE_PUT) {
                long previous = keyDir.put(key, keyAt, keyLength, segmentId, offset, recordSize, expiresAt);
                puts.lazySet(puts.get() + 1);
                segments.addAppended(segmentId, recordSize);
                segments.release(previous);
            } else {
                applyDelete(key, keyAt, keyLength, segmentId, offset);
            }
        }
    }

    /**
     * Applies the tombstone at {@code offset} of segment {@code segmentId} of the key {@code key[keyAt, keyAt +
     * keyLength)}; the writer's lock is held.
     */
    private boolean applyDelete(byte[] key, int keyAt, int keyLength, int segmentId, long offset) {
        deletes.lazySet(deletes.get() + 1);
        Location previous = keyDir.remove(key, keyAt, keyLength, segmentId, offset);
        segments.release(previous);
        return previous != null && !previous.isExpired(clock.getAsLong());
    }
}
