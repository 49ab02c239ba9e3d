package io.ferrumdb.bindings;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.Stats;
import io.ferrumdb.WriteBatch;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A database as the Node.js binding calls it: keys and values go into Java as base64 strings, not as byte
 * arrays. java-bridge 2.8.0 converts a Node Buffer argument to a Java byte[] at several hundred nanoseconds per
 * byte (it formats an error message for every element); a base64 string crosses as one native string copy, and
 * Node and the JDK encode and decode base64 natively. Results come back as byte[], which java-bridge copies
 * into a Buffer in one piece.
 *
 * <p>The binding constructs this class through a java-bridge class proxy imported with
 * {@code asyncJavaExceptionObjects}, which its instances inherit, so that an asynchronous call still reports the
 * Java exception (the binding maps its class name to a typed error).
 */
public final class NodeDatabase implements AutoCloseable {
    private static final Base64.Decoder DECODER = Base64.getDecoder();

    private final FerrumDB db;

    /** Opens the database as {@link BindingSupport#open} does. */
    public NodeDatabase(String path, String fsync, long intervalMillis, String passphrase, boolean readOnly) {
        this.db = BindingSupport.open(path, fsync, intervalMillis, passphrase, readOnly);
    }

    /** The database itself, for {@link MemoryBridge#MemoryBridge(NodeDatabase)}. */
    FerrumDB database() {
        return db;
    }

    static byte[] decode(String base64, String what) {
        if (base64 == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        return DECODER.decode(base64);
    }

    static byte[] decodeOrNull(String base64, String what) {
        return base64 == null ? null : decode(base64, what);
    }

    /** The engine, for {@link ScanCursor}. */
    FerrumDB engine() {
        return db;
    }

    /**
     * Puts a value.
     *
     * @param ttlMillis 0 for no expiry, else the positive time to live in milliseconds
     */
    public void put(String key, String value, long ttlMillis) {
        byte[] k = decode(key, "key");
        byte[] v = decode(value, "value");
        if (ttlMillis == 0) {
            db.put(k, v);
        } else {
            db.put(k, v, ttl(ttlMillis));
        }
    }

    /** The value, or null when absent or expired. */
    public byte[] get(String key) {
        return db.get(decode(key, "key"));
    }

    public boolean delete(String key) {
        return db.delete(decode(key, "key"));
    }

    public boolean contains(String key) {
        return db.contains(decode(key, "key"));
    }

    /** The number of live keys, as a double because java-bridge turns a long into a JavaScript BigInt. */
    public double size() {
        return db.size();
    }

    /**
     * Applies a batch all or nothing: operation {@code i} deletes {@code keys[i]} when {@code deletes[i]}, else
     * puts {@code values[i]} under it (with {@code ttlMillis[i]} as in {@link #put}). Deletes are flagged
     * separately because java-bridge does not pass a null element of a JavaScript array through as null.
     *
     * @throws IllegalArgumentException naming the index of the operation that was rejected; nothing is written
     */
    public void write(String[] keys, String[] values, long[] ttlMillis, boolean[] deletes) {
        int n = keys.length;
        if (values.length != n || ttlMillis.length != n || deletes.length != n) {
            throw new IllegalArgumentException("a batch needs one value, TTL and delete flag per key, got " + n
                    + " keys, " + values.length + " values, " + ttlMillis.length + " TTLs and " + deletes.length
                    + " flags");
        }
        WriteBatch batch = new WriteBatch();
        for (int i = 0; i < n; i++) {
            try {
                byte[] k = decode(keys[i], "key");
                if (deletes[i]) {
                    batch.delete(k);
                } else if (ttlMillis[i] == 0) {
                    batch.put(k, decode(values[i], "value"));
                } else {
                    batch.put(k, decode(values[i], "value"), ttl(ttlMillis[i]));
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("batch operation " + i + ": " + e.getMessage(), e);
            }
        }
        db.write(batch);
    }

    /** {@link #writeEach}'s operation code of a put. */
    static final byte OP_PUT = 0;
    /** {@link #writeEach}'s operation code of a delete. */
    static final byte OP_DELETE = 1;
    /** Bytes before an operation's key in {@link #writeEach}'s layout: code, key length, value length, TTL. */
    static final int OP_HEADER = 1 + 4 + 4 + 8;

    /** {@link #writeEach}'s outcome of an operation that succeeded (a delete: that found no live key). */
    static final char DONE = '0';
    /** {@link #writeEach}'s outcome of a delete that removed a live key. */
    static final char REMOVED = '1';
    /** {@link #writeEach}'s outcome of an operation that failed. */
    static final char FAILED = 'E';

    /**
     * Applies each packed operation on its own (not all or nothing, unlike {@link #write}), in order, and returns
     * once every one is durable under the fsync policy or has failed. The Node.js binding gathers the async puts
     * and deletes issued in one event-loop turn into one call of this method: the appends are issued without
     * waiting, so they share the engine's group commits (one fsync covers all that are pending when the flusher
     * runs) and the event loop pays for one Java call instead of one per operation.
     *
     * <p>Layout, little-endian, repeated to the end: {@code byte} code ({@link #OP_PUT} or {@link #OP_DELETE}),
     * {@code int32} key length, {@code int32} value length (0 for a delete), {@code float64} TTL in milliseconds
     * (0 for none; whole and positive otherwise), the key's bytes, the value's bytes.
     *
     * <p>A delete reports whether it removed a live key; it checks that just before appending its tombstone, so a
     * write of the same key by another thread in between (not the binding's own, which are ordered here) can make
     * the report stale. A key that is not live gets a tombstone only when an expired value of it may be on disk,
     * as {@link FerrumDB#delete} does.
     *
     * @param packed the operations in the layout above, as base64 (see the class comment for why)
     * @return one character per operation, {@link #DONE}, {@link #REMOVED} or {@link #FAILED}; then, for each
     *     failed operation in order, {@code "<index>\t<class>,<superclass>,...\t<message length>\t<message>"}
     *     (the class names up to {@code java.lang.Throwable}; the message is the exception's, or its class name
     *     when it has none)
     * @throws IllegalArgumentException when {@code packed} does not follow the layout (nothing is written)
     */
    public String writeEach(String packed) {
        ByteBuffer in = ByteBuffer.wrap(decode(packed, "packed operations")).order(ByteOrder.LITTLE_ENDIAN);
        List<int[]> bounds = new ArrayList<>();
        while (in.hasRemaining()) {
            int start = in.position();
            if (in.remaining() < OP_HEADER) {
                throw new IllegalArgumentException("packed operation " + bounds.size() + " is cut short at byte "
                        + start);
            }
            byte code = in.get();
            int keyLength = in.getInt();
            int valueLength = in.getInt();
            in.getDouble();
            if ((code != OP_PUT && code != OP_DELETE) || keyLength < 0 || valueLength < 0
                    || (code == OP_DELETE && valueLength != 0)
                    || (long) keyLength + valueLength > in.remaining()) {
                throw new IllegalArgumentException("packed operation " + bounds.size() + " at byte " + start
                        + " is malformed");
            }
            in.position(in.position() + keyLength + valueLength);
            bounds.add(new int[] {start, keyLength, valueLength});
        }
        int n = bounds.size();
        char[] outcome = new char[n];
        Throwable[] failures = new Throwable[n];
        List<CompletableFuture<Void>> durable = new ArrayList<>(n);
        int[] waiting = new int[n];
        for (int i = 0; i < n; i++) {
            int[] op = bounds.get(i);
            byte code = in.get(op[0]);
            double ttlMillis = in.getDouble(op[0] + 9);
            byte[] key = new byte[op[1]];
            in.get(op[0] + OP_HEADER, key);
            try {
                CompletableFuture<Void> done;
                if (code == OP_PUT) {
                    byte[] value = new byte[op[2]];
                    in.get(op[0] + OP_HEADER + op[1], value);
                    outcome[i] = DONE;
                    if (ttlMillis == 0) {
                        done = db.putAsync(key, value);
                    } else {
                        done = db.writeAsync(new WriteBatch().put(key, value, ttl(wholeMillis(ttlMillis))));
                    }
                } else if (db.contains(key)) {
                    outcome[i] = REMOVED;
                    done = db.deleteAsync(key);
                } else {
                    // Not live: FerrumDB.delete appends a tombstone only when an expired value may be on disk.
                    outcome[i] = db.delete(key) ? REMOVED : DONE;
                    done = null;
                }
                if (done != null) {
                    waiting[durable.size()] = i;
                    durable.add(done);
                }
            } catch (RuntimeException e) {
                outcome[i] = FAILED;
                failures[i] = e;
            }
        }
        for (int j = 0; j < durable.size(); j++) {
            try {
                durable.get(j).join();
            } catch (CompletionException e) {
                outcome[waiting[j]] = FAILED;
                failures[waiting[j]] = e.getCause() == null ? e : e.getCause();
            } catch (CancellationException e) {
                outcome[waiting[j]] = FAILED;
                failures[waiting[j]] = e;
            }
        }
        StringBuilder out = new StringBuilder(n + 16).append(outcome);
        for (int i = 0; i < n; i++) {
            if (failures[i] != null) {
                appendFailure(out, i, failures[i]);
            }
        }
        return out.toString();
    }

    private static long wholeMillis(double ttlMillis) {
        if (!(ttlMillis > 0) || ttlMillis != Math.rint(ttlMillis) || ttlMillis > Long.MAX_VALUE) {
            throw new IllegalArgumentException("ttl must be a positive whole number of milliseconds, got "
                    + ttlMillis);
        }
        return (long) ttlMillis;
    }

    private static void appendFailure(StringBuilder out, int index, Throwable failure) {
        out.append('\n').append(index).append('\t');
        for (Class<?> c = failure.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            if (c != failure.getClass()) {
                out.append(',');
            }
            out.append(c.getName());
        }
        String message = failure.getMessage() == null ? failure.getClass().getName() : failure.getMessage();
        out.append('\t').append(message.length()).append('\t').append(message);
    }

    /**
     * The engine's counters, as doubles because java-bridge turns a long into a BigInt: live keys, puts,
     * deletes, gets, fsyncs, records made durable by those fsyncs, bytes on disk, live bytes, compactions and
     * bytes reclaimed by them, in that order.
     */
    public double[] stats() {
        Stats s = db.stats();
        return new double[] {s.liveKeys(), s.puts(), s.deletes(), s.gets(), s.fsyncs(), s.syncedRecords(),
            s.totalBytes(), s.liveBytes(), s.compactions(), s.reclaimedBytes()};
    }

    public void sync() {
        db.sync();
    }

    @Override
    public void close() {
        db.close();
    }

    public String directory() {
        return db.directory().toString();
    }

    private static Duration ttl(long millis) {
        if (millis <= 0) {
            throw new IllegalArgumentException("ttl must be positive milliseconds, got " + millis);
        }
        return Duration.ofMillis(millis);
    }
}
