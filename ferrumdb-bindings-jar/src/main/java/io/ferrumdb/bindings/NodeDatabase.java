package io.ferrumdb.bindings;

import io.ferrumdb.DatabaseClosedException;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.MemoryRead;
import io.ferrumdb.Stats;
import io.ferrumdb.WriteBatch;
import java.time.Duration;
import java.util.Base64;

/**
 * A database as the Node.js binding calls it: keys and values go into Java as base64 strings, not as byte
 * arrays. java-bridge 2.8.0 converts a Node Buffer argument to a Java byte[] at several hundred nanoseconds per
 * byte (it formats an error message for every element); a base64 string crosses as one native string copy, and
 * Node and the JDK encode and decode base64 natively. Results come back as byte[], which java-bridge copies
 * into a Buffer in one piece, except a get's value (see {@link #getBase64}).
 *
 * <p>The binding constructs this class through a java-bridge class proxy imported with
 * {@code asyncJavaExceptionObjects}, which its instances inherit, so that an asynchronous call still reports the
 * Java exception (the binding maps its class name to a typed error).
 */
public final class NodeDatabase implements AutoCloseable {
    private static final Base64.Decoder DECODER = Base64.getDecoder();
    private static final Base64.Encoder ENCODER = Base64.getEncoder();
    /** {@link #readIfInMemoryBase64}'s "ask a java-bridge thread": not base64, which never contains '#'. */
    static final String NOT_HERE = "#";

    private final FerrumDB db;
    private final GatheredWrites writes;
    private final LargeValues largeValues = new LargeValues();
    private final int handle;

    /** Opens the database as {@link BindingSupport#open} does. */
    public NodeDatabase(String path, String fsync, long intervalMillis, String passphrase, boolean readOnly) {
        this.db = BindingSupport.open(path, fsync, intervalMillis, passphrase, readOnly);
        this.writes = new GatheredWrites(db);
        this.handle = NodeHandles.register(this);
    }

    /** This database's handle for {@link #readBase64}. */
    public int handle() {
        return handle;
    }

    /**
     * {@link #getBase64(String)} of the database with {@code handle}: what the binding's getSync calls. Static, with
     * the handle as an argument, because java-bridge 2.8.0 dispatches a static call for about a microsecond less
     * than an instance call (see {@link NodeHandles}).
     *
     * @throws IllegalArgumentException when {@code handle} names no database, or the key is not base64
     */
    public static String readBase64(int handle, String key) {
        return NodeHandles.database(handle).getBase64(key);
    }

    /**
     * The first step of the binding's async get, run on the event loop: the value as base64 when {@link
     * FerrumDB#getIfInMemory} finds it and it has at most {@code maxBytes}; null when the key is absent or expired;
     * {@link #NOT_HERE} when the value is not in memory or is larger (the binding then calls {@link
     * #getBoundedBase64} on a java-bridge thread). Static for the reason {@link #readBase64} is.
     *
     * @throws IllegalArgumentException when {@code handle} names no database, or the key is not base64
     */
    public static String readIfInMemoryBase64(int handle, String key, int maxBytes) {
        FerrumDB db = NodeHandles.database(handle).db;
        MemoryRead read = db.getIfInMemory(decode(key, "key"));
        if (read instanceof MemoryRead.Found found) {
            return found.value().length <= maxBytes ? ENCODER.encodeToString(found.value()) : NOT_HERE;
        }
        return read == MemoryRead.ABSENT ? null : NOT_HERE;
    }

    /** The database itself, for {@link MemoryBridge#MemoryBridge(NodeDatabase)}. */
    FerrumDB database() {
        return db;
    }

    static byte[] decode(String base64, String what) {
        if (base64 == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        try {
            return DECODER.decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not base64 (the binding encodes it): " + e.getMessage(), e);
        }
    }

    static byte[] decodeOrNull(String base64, String what) {
        return base64 == null ? null : decode(base64, what);
    }

    /** The gathered writes, for {@link MemoryBridge}'s writes to share their tickets and group commits. */
    GatheredWrites writes() {
        return writes;
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

    /**
     * The value as base64, or null when absent or expired: what the binding's getSync calls. java-bridge 2.8.0
     * copies a returned byte[] into a Buffer at tens of nanoseconds per byte, more than the value's base64 string
     * costs to cross and Node to decode (measured: a 100-byte value as byte[] added about twice what a 136-character
     * string did, at every size tried up to 1,000 bytes).
     */
    public String getBase64(String key) {
        byte[] value = db.get(decode(key, "key"));
        return value == null ? null : ENCODER.encodeToString(value);
    }

    /**
     * The value as the Node.js binding's async get takes it, so that no single step on the event loop converts a
     * large value, and as a string for the same reason as {@link #getBase64}: null when absent or expired; the value
     * as base64 when it has at most {@code maxBytes}; else {@code "#<handle>,<length>"} (not base64), the value being
     * kept for {@link #readPart} to hand over in parts (one engine read: the parts are of one value).
     */
    public String getBoundedBase64(String key, int maxBytes) {
        byte[] value = db.get(decode(key, "key"));
        if (value == null) {
            return null;
        }
        if (value.length <= maxBytes) {
            return ENCODER.encodeToString(value);
        }
        return "#" + largeValues.keep(value) + "," + value.length;
    }

    /**
     * The next part (at most {@code maxBytes}) of a value {@link #getBoundedBase64} kept; the value is dropped with
     * its last part.
     *
     * @throws DatabaseClosedException when the database was closed meanwhile (closing drops kept values)
     * @throws IllegalArgumentException when {@code handle} names no kept value
     */
    public byte[] readPart(double handle, int maxBytes) {
        if (db.isClosed()) {
            throw new DatabaseClosedException("database " + db.directory());
        }
        return largeValues.next((long) handle, maxBytes);
    }

    /**
     * Drops a value {@link #getBoundedBase64} kept, when the reader gives up before its last part. Harmless twice.
     */
    public void dropPart(double handle) {
        largeValues.drop((long) handle);
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

    /**
     * Keeps a part of a pack too large for one call (see {@link GatheredWrites}) for the next {@link #submit} or
     * {@link #writePacked}; {@code first} drops the parts of an abandoned pack.
     */
    public void stage(String part, boolean first) {
        writes.stage(decode(part, "pack part"), first);
    }

    /**
     * Issues the engine appends of packed puts and deletes without waiting for them (see {@link GatheredWrites}
     * for the layout), in order, and returns the ticket under which {@link #completions} reports their outcomes.
     * The Node.js binding gathers the async writes issued together into few such calls, so that they share group
     * commits and the event loop pays for few Java calls.
     *
     * @param last        the pack, or its last part after {@code partsBefore} {@link #stage staged} ones
     * @return the ticket, as a double because java-bridge turns a long into a BigInt
     * @throws IllegalArgumentException when the pack does not follow the layout (nothing is written)
     */
    public double submit(String last, int partsBefore) {
        return writes.submit(decode(last, "packed operations"), partsBefore);
    }

    /**
     * Applies a pack (as {@link #submit} takes it) all or nothing, after the packs submitted before it, and
     * returns once it is durable under the fsync policy: the async writeBatch of the Node.js binding.
     *
     * @throws IllegalArgumentException naming the index of the operation that was rejected; nothing is written
     */
    public void writePacked(String last, int partsBefore) {
        writes.write(decode(last, "packed operations"), partsBefore);
    }

    /**
     * The outcomes of submitted writes that are now durable or failed, waiting up to {@code timeoutMillis} for
     * one; empty when none came in time. Format in {@link GatheredWrites#completions}.
     */
    public String completions(long timeoutMillis) throws InterruptedException {
        return writes.completions(timeoutMillis);
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
        largeValues.clear();
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
