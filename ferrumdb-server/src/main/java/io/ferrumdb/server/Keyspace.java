package io.ferrumdb.server;

import io.ferrumdb.KeyRange;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Redis values (strings and hashes of one logical database) read and written through a {@link Txn}, in the
 * layout of {@link KeyLayout}. Type checks live here: asking for a string that is a hash throws WRONGTYPE.
 */
final class Keyspace {
    /** What one 'K' record says about a Redis key. */
    sealed interface Entry {
        long expiresAt();
    }

    record StringEntry(byte[] value, long expiresAt) implements Entry {
    }

    record HashEntry(long fieldCount, long expiresAt) implements Entry {
    }

    private final Txn txn;
    private final int db;

    Keyspace(Txn txn, int db) {
        this.txn = txn;
        this.db = db;
    }

    int db() {
        return db;
    }

    Txn txn() {
        return txn;
    }

    Keyspace in(int otherDb) {
        return otherDb == db ? this : new Keyspace(txn, otherDb);
    }

    static void checkKey(byte[] key) {
        if (key.length > KeyLayout.MAX_KEY) {
            throw new CommandError("ERR key is too long: " + key.length + " bytes (FerrumDB's limit is "
                    + KeyLayout.MAX_KEY + ")");
        }
    }

    Entry lookup(byte[] key) {
        checkKey(key);
        byte[] k = KeyLayout.keyspaceKey(db, key);
        byte[] v = txn.get(k);
        if (v == null) {
            return null;
        }
        long expiresAt = txn.expiresAt(k);
        if (expiresAt < 0) {
            return null;
        }
        return switch (v[0]) {
            case KeyLayout.TYPE_STRING -> new StringEntry(Arrays.copyOfRange(v, 1, v.length), expiresAt);
            case KeyLayout.TYPE_HASH -> new HashEntry(KeyLayout.hashFieldCount(v), expiresAt);
            default -> throw new IllegalStateException("record of key '" + new String(key,
                    java.nio.charset.StandardCharsets.UTF_8) + "' in db " + db + " has unknown type tag " + v[0]
                    + " (FORMAT.md, Redis server key layout)");
        };
    }

    /** Whether {@code key} is live, from the key directory alone (no value is read). */
    boolean exists(byte[] key) {
        return expiresAt(key) >= 0;
    }

    /** The string at {@code key}; null when absent; WRONGTYPE when it is a hash. */
    byte[] getString(byte[] key) {
        Entry e = lookup(key);
        if (e == null) {
            return null;
        }
        if (e instanceof StringEntry s) {
            return s.value();
        }
        throw CommandError.wrongType();
    }

    /** The hash at {@code key}; null when absent; WRONGTYPE when it is a string. */
    HashEntry getHash(byte[] key) {
        Entry e = lookup(key);
        if (e == null || e instanceof HashEntry) {
            return (HashEntry) e;
        }
        throw CommandError.wrongType();
    }

    /** Absolute expiry (ms) of a live key: 0 for none; -1 when absent. From the key directory alone. */
    long expiresAt(byte[] key) {
        checkKey(key);
        return txn.expiresAt(KeyLayout.keyspaceKey(db, key));
    }

    /**
     * Sets the string value of {@code key} (replacing any type) with the given absolute expiry (0 = none). The
     * old value is not read: fields of a hash it replaces become unreachable with its 'K' record, like those of
     * an expired hash, and are deleted when a hash of that name is created again (see {@link #hset}).
     */
    void setString(byte[] key, byte[] value, long expiresAt) {
        checkKey(key);
        checkValue(value);
        txn.put(KeyLayout.keyspaceKey(db, key), KeyLayout.stringValue(value), expiresAt);
    }

    static void checkValue(byte[] value) {
        checkValueLength(value.length);
    }

    /** A string of {@code length} bytes fits the engine's value limit (less the type byte of its record). */
    static void checkValueLength(long length) {
        if (length > io.ferrumdb.Limits.MAX_VALUE_SIZE - 1) {
            throw new CommandError("ERR string exceeds maximum allowed size (FerrumDB's value limit is "
                    + (io.ferrumdb.Limits.MAX_VALUE_SIZE - 1) + " bytes)");
        }
    }

    /** Changes the expiry of an existing key, keeping its value. */
    void setExpiry(byte[] key, long expiresAt) {
        byte[] k = KeyLayout.keyspaceKey(db, key);
        byte[] raw = txn.get(k);
        if (expiresAt != 0 && expiresAt <= txn.now()) {
            delete(key);
        } else {
            txn.put(k, raw, expiresAt);
        }
    }

    /** Deletes {@code key} of any type; true when it existed. */
    boolean delete(byte[] key) {
        Entry e = lookup(key);
        if (e == null) {
            return false;
        }
        if (e instanceof HashEntry) {
            deleteFields(key);
        }
        txn.delete(KeyLayout.keyspaceKey(db, key));
        return true;
    }

    // ------------------------------------------------------------------ hashes

    byte[] hget(byte[] key, byte[] field) {
        if (getHash(key) == null) {
            return null;
        }
        return txn.get(KeyLayout.fieldKey(db, key, field));
    }

    /** The fields of the hash at {@code key} in field order with their values (empty when absent). */
    List<byte[][]> hgetAll(byte[] key) {
        List<byte[][]> out = new ArrayList<>();
        if (getHash(key) == null) {
            return out;
        }
        byte[] prefix = KeyLayout.fieldPrefix(db, key);
        for (byte[] k : txn.keys(KeyRange.prefix(prefix))) {
            byte[] v = txn.get(k);
            if (v != null) {
                out.add(new byte[][] {KeyLayout.fieldOf(k, prefix.length), v});
            }
        }
        return out;
    }

    /** Field names of the hash, in field order. */
    List<byte[]> hkeys(byte[] key) {
        List<byte[]> out = new ArrayList<>();
        if (getHash(key) == null) {
            return out;
        }
        byte[] prefix = KeyLayout.fieldPrefix(db, key);
        for (byte[] k : txn.keys(KeyRange.prefix(prefix))) {
            out.add(KeyLayout.fieldOf(k, prefix.length));
        }
        return out;
    }

    /**
     * Sets fields of a hash, creating it when absent (WRONGTYPE if a string); returns how many fields are new.
     * A hash created anew first drops fields left behind by an expired hash of the same name.
     */
    long hset(byte[] key, List<byte[][]> fieldValues) {
        HashEntry h = getHash(key);
        long count;
        long expiresAt;
        if (h == null) {
            deleteFields(key);
            count = 0;
            expiresAt = 0;
        } else {
            count = h.fieldCount();
            expiresAt = h.expiresAt();
        }
        long added = 0;
        for (byte[][] fv : fieldValues) {
            checkField(key, fv[0]);
            checkValue(fv[1]);
            byte[] fk = KeyLayout.fieldKey(db, key, fv[0]);
            if (txn.get(fk) == null) {
                added++;
            }
            txn.put(fk, fv[1], 0);
        }
        txn.put(KeyLayout.keyspaceKey(db, key), KeyLayout.hashValue(count + added), expiresAt);
        return added;
    }

    static void checkField(byte[] key, byte[] field) {
        if (field.length > KeyLayout.maxField(key)) {
            throw new CommandError("ERR hash field is too long: key plus field may not exceed "
                    + KeyLayout.maxField(new byte[0]) + " bytes in FerrumDB");
        }
    }

    /** Up to {@code limit} fields (with values) of the hash after field {@code after} (null: from the first). */
    List<byte[][]> hfieldsFrom(byte[] key, byte[] after, int limit) {
        List<byte[][]> out = new ArrayList<>();
        if (getHash(key) == null) {
            return out;
        }
        byte[] prefix = KeyLayout.fieldPrefix(db, key);
        KeyRange range = KeyRange.prefix(prefix);
        if (after != null) {
            byte[] from = KeyLayout.fieldKey(db, key, after);
            range = KeyRange.closedOpen(Arrays.copyOf(from, from.length + 1), range.to());
        }
        for (byte[] k : txn.keys(range, limit)) {
            byte[] v = txn.get(k);
            if (v != null) {
                out.add(new byte[][] {KeyLayout.fieldOf(k, prefix.length), v});
            }
        }
        return out;
    }

    /** Deletes fields of the hash; deletes the hash when none is left; returns how many existed. */
    long hdel(byte[] key, List<byte[]> fields) {
        HashEntry h = getHash(key);
        if (h == null) {
            return 0;
        }
        long removed = 0;
        for (byte[] f : fields) {
            if (f.length > KeyLayout.maxField(key)) {
                continue;
            }
            byte[] fk = KeyLayout.fieldKey(db, key, f);
            if (txn.get(fk) != null) {
                txn.delete(fk);
                removed++;
            }
        }
        long left = h.fieldCount() - removed;
        byte[] k = KeyLayout.keyspaceKey(db, key);
        if (left <= 0) {
            txn.delete(k);
        } else if (removed > 0) {
            txn.put(k, KeyLayout.hashValue(left), h.expiresAt());
        }
        return removed;
    }

    /** Deletes every stored field under {@code key}'s prefix, live hash or leftovers of an expired one. */
    private void deleteFields(byte[] key) {
        for (byte[] k : txn.keys(KeyRange.prefix(KeyLayout.fieldPrefix(db, key)))) {
            txn.delete(k);
        }
    }

    /** Copies the value (and fields) of {@code key} to {@code target} in {@code targetDb}, replacing it. */
    void copy(byte[] key, Entry entry, Keyspace target, byte[] targetKey, long expiresAt) {
        target.delete(targetKey);
        if (entry instanceof StringEntry s) {
            target.setString(targetKey, s.value(), expiresAt);
        } else {
            List<byte[][]> fields = hgetAll(key);
            target.deleteFields(targetKey);
            for (byte[][] fv : fields) {
                txn.put(KeyLayout.fieldKey(target.db, targetKey, fv[0]), fv[1], 0);
            }
            txn.put(KeyLayout.keyspaceKey(target.db, targetKey), KeyLayout.hashValue(fields.size()), expiresAt);
        }
    }

    /** Live Redis keys of this database in key order, starting after {@code afterKey} (null: from the start). */
    List<byte[]> keysFrom(byte[] afterKey, int limit) {
        KeyRange range = KeyLayout.database(db);
        if (afterKey != null) {
            byte[] from = KeyLayout.keyspaceKey(db, afterKey);
            from = Arrays.copyOf(from, from.length + 1);
            range = KeyRange.closedOpen(from, range.to());
        }
        List<byte[]> out = new ArrayList<>();
        for (byte[] k : txn.keys(range, limit)) {
            out.add(KeyLayout.redisKey(k));
        }
        return out;
    }
}
