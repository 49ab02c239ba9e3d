package io.ferrumdb.server;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.KeyRange;
import io.ferrumdb.Limits;
import io.ferrumdb.WriteBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * The writes of one command, or of one EXEC, held in memory until they are committed as one engine
 * {@link WriteBatch}. Reads see the unit's own writes first (so {@code SET a 1; INCR a} inside MULTI reads 1),
 * then the database. Engine keys only: {@link Keyspace} gives them their Redis meaning.
 *
 * <p>Not thread-safe: a unit of work lives on one thread, under the server's write lock.
 */
final class Txn {
    /** A pending write: a value with its absolute expiry (0 = none), or a deletion (value null). */
    private record Pending(byte[] value, long expiresAt) {
    }

    private final FerrumDB db;
    private final long now;
    private final NavigableMap<byte[], Pending> writes = new TreeMap<>(Arrays::compareUnsigned);
    /** BGSAVE inside EXEC: force the log once this unit's batch is written. */
    boolean saveAfterCommit;

    Txn(FerrumDB db, long now) {
        this.db = db;
        this.now = now;
    }

    long now() {
        return now;
    }

    byte[] get(byte[] key) {
        Pending p = writes.get(key);
        if (p != null) {
            return p.value;
        }
        return db.get(key);
    }

    /** Absolute expiry in epoch ms: 0 when the key has none, -1 when it is absent. */
    long expiresAt(byte[] key) {
        Pending p = writes.get(key);
        if (p != null) {
            return p.value == null ? -1 : p.expiresAt;
        }
        return db.expiresAt(key);
    }

    /** Writes {@code value}; an expiry at or before now deletes the key instead, as Redis does. */
    void put(byte[] key, byte[] value, long expiresAt) {
        if (expiresAt != 0 && expiresAt <= now) {
            delete(key);
            return;
        }
        writes.put(key, new Pending(value, expiresAt));
    }

    void delete(byte[] key) {
        writes.put(key, new Pending(null, 0));
    }

    /** Live keys of {@code range} (ascending), the unit's own writes included. */
    List<byte[]> keys(KeyRange range) {
        return keys(range, Integer.MAX_VALUE);
    }

    /** The first {@code limit} live keys of {@code range} (ascending), the unit's own writes included. */
    List<byte[]> keys(KeyRange range, int limit) {
        NavigableMap<byte[], Pending> mine = overlay(range);
        // Each pending deletion can hide one stored key: read that many more.
        long want = Math.min(Integer.MAX_VALUE, (long) limit + mine.size());
        List<byte[]> stored = db.keys(range).limit(want).toList();
        if (mine.isEmpty()) {
            return stored;
        }
        TreeMap<byte[], Boolean> merged = new TreeMap<>(Arrays::compareUnsigned);
        for (byte[] k : stored) {
            merged.put(k, Boolean.TRUE);
        }
        for (Map.Entry<byte[], Pending> e : mine.entrySet()) {
            if (e.getValue().value == null) {
                merged.remove(e.getKey());
            } else {
                merged.put(e.getKey(), Boolean.TRUE);
            }
        }
        List<byte[]> out = new ArrayList<>(Math.min(limit, merged.size()));
        for (byte[] k : merged.keySet()) {
            if (out.size() == limit) {
                break;
            }
            out.add(k);
        }
        return out;
    }

    /** How many live keys {@code range} holds, the unit's own writes included. */
    long count(KeyRange range) {
        long n = db.count(range);
        for (Map.Entry<byte[], Pending> e : overlay(range).entrySet()) {
            boolean stored = db.expiresAt(e.getKey()) >= 0;
            boolean live = e.getValue().value != null;
            n += (live ? 1 : 0) - (stored ? 1 : 0);
        }
        return n;
    }

    private NavigableMap<byte[], Pending> overlay(KeyRange range) {
        if (writes.isEmpty()) {
            return writes;
        }
        byte[] from = range.from();
        byte[] to = range.to();
        NavigableMap<byte[], Pending> view = writes;
        if (from != null) {
            view = view.tailMap(from, true);
        }
        if (to != null) {
            view = view.headMap(to, false);
        }
        return view;
    }

    boolean isEmpty() {
        return writes.isEmpty();
    }

    /** The Redis keys this unit changes (for WATCH). */
    Set<KeyLayout.DbKey> touched() {
        Set<KeyLayout.DbKey> keys = new HashSet<>();
        for (byte[] k : writes.keySet()) {
            KeyLayout.DbKey owner = KeyLayout.owner(k);
            if (owner != null) {
                keys.add(owner);
            }
        }
        return keys;
    }

    /**
     * The unit as one engine batch. TTLs become durations counted from this unit's frozen {@link #now}, which the
     * engine reads from the same frozen {@link CommandClock}, so the stored expiry is exactly the one computed.
     */
    WriteBatch toBatch() {
        WriteBatch batch = new WriteBatch();
        long bytes = 0;
        for (Iterator<Map.Entry<byte[], Pending>> it = writes.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<byte[], Pending> e = it.next();
            Pending p = e.getValue();
            bytes += e.getKey().length + (p.value == null ? 0 : p.value.length);
            if (bytes > Limits.MAX_BATCH_BYTES) {
                // Said in a Redis client's terms: WriteBatch's own words name its Java constant and an operation
                // number the client never saw. Nothing of the unit is written (the batch is not committed).
                throw new IllegalArgumentException("the writes of one command or transaction total more than "
                        + Limits.MAX_BATCH_BYTES + " bytes of keys and values (256 MiB), the limit of one atomic"
                        + " write; nothing was written: split it into several commands");
            }
            if (p.value == null) {
                batch.delete(e.getKey());
            } else if (p.expiresAt == 0) {
                batch.put(e.getKey(), p.value);
            } else {
                batch.put(e.getKey(), p.value, Duration.ofMillis(p.expiresAt - now));
            }
        }
        return batch;
    }
}
