package io.ferrumdb.bindings;

import io.ferrumdb.DatabaseClosedException;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.KeyIterator;
import io.ferrumdb.KeyRange;
import io.ferrumdb.KeyValue;
import io.ferrumdb.RangeIterator;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * A scan as the bindings consume it: the entries of a key range handed over in chunks, each chunk one byte array,
 * so that a scan of N keys crosses the language boundary N / chunk-size times instead of N times, and each
 * crossing is one copy the other side can slice without further calls into Java.
 *
 * <p>Chunk layout (little-endian): {@code int32 count}, then {@code count} (keys only) or {@code 2 * count}
 * (key, value, key, value...) {@code int32} lengths, then the bytes of the keys (and values) in the same order.
 *
 * <p>The Python binding has the chunks written into a buffer it owns instead ({@link #fill}), in the same layout but
 * with the bytes at a fixed offset: no Java array is made, converted or copied per chunk.
 *
 * <p>The Node.js binding fetches the next chunk on one Java thread while it may close the cursor from another, so
 * the methods are synchronized.
 *
 * <p>Invariant: after {@link #next} has returned null, {@link #fill} 0, or after {@link #close}, the engine iterator
 * is closed; {@code remaining} never goes below zero; {@code held} is empty or holds the parts of one entry taken
 * from the source (and counted in {@code remaining}) that no chunk has carried yet.
 */
public final class ScanCursor implements AutoCloseable {
    /** No limit, as the bindings pass it. */
    public static final long UNLIMITED = -1;
    /** What {@link #fill} returns when the next entry alone is larger than the buffer. */
    public static final int TOO_LARGE = -1;
    private static final Base64.Encoder BASE64 = Base64.getEncoder();

    /** Where the entries come from: keys alone (no value is read) or keys with their values. */
    private interface Source extends AutoCloseable {
        boolean hasNext();

        /** Adds the next entry's parts (key, then value if any) to {@code parts}; returns their byte count. */
        long addNext(List<byte[]> parts);

        /** Hands the next entry to {@code into} (no array is made for a value); false when there is none. */
        boolean writeNext(Chunk into);

        @Override
        void close();
    }

    private final FerrumDB db;
    private final Source source;
    private final int partsPerEntry;
    /** An entry {@link #fill} took from the source but had no room for: the next chunk starts with it. */
    private final List<byte[]> held = new ArrayList<>(2);
    private long remaining;
    private boolean closed;

    /**
     * A scan of {@code db}.
     *
     * @param prefix     only keys starting with it; null for none. Cannot be combined with start or stop.
     * @param start      the inclusive lower bound, or null
     * @param stop       the exclusive upper bound, or null
     * @param reverse    descending key order
     * @param limit      at most this many entries; {@link #UNLIMITED} for all
     * @param withValues chunks carry values as well as keys; without them no value is read from disk
     * @throws IllegalArgumentException naming the argument that is wrong
     */
    public ScanCursor(FerrumDB db, byte[] prefix, byte[] start, byte[] stop, boolean reverse, long limit,
                      boolean withValues) {
        if (limit < 0 && limit != UNLIMITED) {
            throw new IllegalArgumentException("limit must be zero or more, got " + limit);
        }
        KeyRange range = range(prefix, start, stop);
        KeyRange ordered = reverse ? range.reversed() : range;
        this.db = db;
        this.source = withValues ? entries(db.iterate(ordered)) : keys(db.keyIterator(ordered));
        this.partsPerEntry = withValues ? 2 : 1;
        this.remaining = limit == UNLIMITED ? Long.MAX_VALUE : limit;
    }

    /** The same scan with keys and bounds as base64 strings, as the Node.js binding passes bytes. */
    public ScanCursor(NodeDatabase db, String prefix, String start, String stop, boolean reverse, long limit,
                      boolean withValues) {
        this(db.engine(), NodeDatabase.decodeOrNull(prefix, "prefix"), NodeDatabase.decodeOrNull(start, "start"),
                NodeDatabase.decodeOrNull(stop, "stop"), reverse, limit, withValues);
    }

    private static Source entries(RangeIterator entries) {
        return new Source() {
            @Override
            public boolean hasNext() {
                return entries.hasNext();
            }

            @Override
            public long addNext(List<byte[]> parts) {
                KeyValue entry = entries.next();
                parts.add(entry.key());
                parts.add(entry.value());
                return (long) entry.key().length + entry.value().length;
            }

            @Override
            public boolean writeNext(Chunk into) {
                return entries.readNext(into);
            }

            @Override
            public void close() {
                entries.close();
            }
        };
    }

    /** Keys alone, walked without a stream (no per-key pipeline stages on the bindings' hot path). */
    private static Source keys(KeyIterator keys) {
        return new Source() {
            @Override
            public boolean hasNext() {
                return keys.hasNext();
            }

            @Override
            public long addNext(List<byte[]> parts) {
                byte[] key = keys.next();
                parts.add(key);
                return key.length;
            }

            @Override
            public boolean writeNext(Chunk into) {
                if (!keys.hasNext()) {
                    return false;
                }
                into.key(keys.next());
                return true;
            }

            @Override
            public void close() {
                keys.close();
            }
        };
    }

    static KeyRange range(byte[] prefix, byte[] start, byte[] stop) {
        if (prefix != null) {
            if (start != null || stop != null) {
                throw new IllegalArgumentException("prefix cannot be combined with range bounds (start, stop or end)");
            }
            return KeyRange.prefix(prefix);
        }
        return KeyRange.closedOpen(start, stop);
    }

    /**
     * The next chunk: at most {@code maxEntries} entries, and no more than {@code maxBytes} of keys and values
     * unless a single entry is larger (it then travels alone). Null when the scan is over; the cursor is then
     * closed.
     */
    public synchronized byte[] next(int maxEntries, int maxBytes) {
        if (maxEntries <= 0 || maxBytes <= 0) {
            throw new IllegalArgumentException("a chunk needs positive sizes, got " + maxEntries + " entries and "
                    + maxBytes + " bytes");
        }
        if (closed) {
            return null;
        }
        ensureDatabaseOpen();
        List<byte[]> parts = new ArrayList<>();
        long bytes = 0;
        int count = 0;
        if (!held.isEmpty()) {
            for (byte[] part : held) {
                bytes += part.length;
            }
            parts.addAll(held);
            held.clear();
            count++;
        }
        while (count < maxEntries && remaining > 0 && (count == 0 || bytes < maxBytes) && source.hasNext()) {
            bytes += source.addNext(parts);
            count++;
            remaining--;
        }
        if (count == 0) {
            close();
            return null;
        }
        return pack(count, parts, bytes);
    }

    /**
     * Writes the next chunk into {@code out} (from index 0, whatever its position; little-endian): {@code int32
     * count}, then the parts' {@code int32} lengths as in {@link #next}, then, from index {@code 4 + 4 * maxEntries *
     * parts per entry} (a fixed offset, so that the lengths have room for a full chunk), the parts' bytes. At most
     * {@code maxEntries} entries, as many as fit.
     *
     * @return the entries written; 0 when the scan is over (the cursor is then closed); {@link #TOO_LARGE} when the
     *         next entry alone does not fit ({@link #next} hands it over)
     * @throws IllegalArgumentException when {@code out} is read-only or has no room for the lengths of {@code
     *                                  maxEntries} entries
     */
    public synchronized int fill(ByteBuffer out, int maxEntries) {
        if (maxEntries <= 0 || maxEntries > (Integer.MAX_VALUE - 4) / 8) {
            throw new IllegalArgumentException("a chunk needs a positive number of entries, got " + maxEntries);
        }
        int body = 4 + 4 * partsPerEntry * maxEntries;
        if (out.isReadOnly() || body > out.capacity()) {
            throw new IllegalArgumentException("a writable buffer of " + out.capacity() + " bytes has no room for "
                    + maxEntries + " entries" + (out.isReadOnly() ? " (it is read-only)" : ""));
        }
        if (closed) {
            return 0;
        }
        ensureDatabaseOpen();
        ByteBuffer o = out.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        Chunk chunk = new Chunk(o, body, held);
        int count = 0;
        while (count < maxEntries) {
            if (!held.isEmpty()) {
                if (!chunk.putHeld()) {
                    if (count == 0) {
                        return TOO_LARGE;
                    }
                    break;
                }
                count++;
                continue;
            }
            if (remaining <= 0 || !source.writeNext(chunk)) {
                break;
            }
            remaining--;
            // An entry with no room left is held instead, and goes first into the next chunk (see the loop's top).
            if (held.isEmpty()) {
                count++;
            }
        }
        if (count == 0) {
            close();
            return 0;
        }
        o.putInt(0, count);
        return count;
    }

    /**
     * A scan of a closed database fails as every other call on it does. The engine's value iterator checks this
     * itself, but its key iterator walks the key directory in memory, which a closed handle still holds, so a
     * keys-only scan would otherwise go on to its end after close().
     */
    private void ensureDatabaseOpen() {
        if (db.isClosed()) {
            throw new DatabaseClosedException("database " + db.directory());
        }
    }

    /**
     * The chunk {@link #fill} is writing: each entry handed to it goes in when it fits, with its lengths, else into
     * {@code held} (copied: a value handed over is readable only during the call).
     */
    private static final class Chunk implements RangeIterator.EntryReader {
        private final ByteBuffer out;
        private final List<byte[]> held;
        private int lengthAt = 4;
        private int at;

        Chunk(ByteBuffer out, int body, List<byte[]> held) {
            this.out = out;
            this.at = body;
            this.held = held;
        }

        @Override
        public void accept(byte[] key, byte[] value, int valueOffset, int valueLength) {
            if ((long) at + key.length + valueLength > out.capacity()) {
                held.add(key);
                held.add(Arrays.copyOfRange(value, valueOffset, valueOffset + valueLength));
                return;
            }
            out.putInt(lengthAt, key.length);
            out.putInt(lengthAt + 4, valueLength);
            lengthAt += 8;
            out.put(at, key);
            at += key.length;
            out.put(at, value, valueOffset, valueLength);
            at += valueLength;
        }

        void key(byte[] key) {
            if ((long) at + key.length > out.capacity()) {
                held.add(key);
                return;
            }
            out.putInt(lengthAt, key.length);
            lengthAt += 4;
            out.put(at, key);
            at += key.length;
        }

        /** Writes the held entry and empties {@code held}; false, leaving it held, when it does not fit. */
        boolean putHeld() {
            long size = 0;
            for (byte[] part : held) {
                size += part.length;
            }
            if (at + size > out.capacity()) {
                return false;
            }
            for (byte[] part : held) {
                out.putInt(lengthAt, part.length);
                lengthAt += 4;
                out.put(at, part);
                at += part.length;
            }
            held.clear();
            return true;
        }
    }

    /**
     * {@link #next} as base64, for the Node.js binding: java-bridge 2.8.0 turns a returned byte[] into a Buffer
     * through a JavaScript array of its length, and a string for about half of that (see {@link NodeDatabase}).
     */
    public String nextBase64(int maxEntries, int maxBytes) {
        byte[] chunk = next(maxEntries, maxBytes);
        return chunk == null ? null : BASE64.encodeToString(chunk);
    }

    private static byte[] pack(int count, List<byte[]> parts, long bytes) {
        long size = 4L + 4L * parts.size() + bytes;
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a chunk of " + count + " entries would take " + size
                    + " bytes; ask for fewer bytes per chunk");
        }
        ByteBuffer out = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(count);
        for (byte[] part : parts) {
            out.putInt(part.length);
        }
        for (byte[] part : parts) {
            out.put(part);
        }
        return out.array();
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            held.clear();
            source.close();
        }
    }
}
