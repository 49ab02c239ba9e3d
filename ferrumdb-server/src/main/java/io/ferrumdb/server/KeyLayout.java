package io.ferrumdb.server;

import io.ferrumdb.KeyRange;
import io.ferrumdb.Limits;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * How Redis keys of the 16 logical databases map onto engine keys (normative description: FORMAT.md, section
 * "Redis server key layout").
 *
 * <pre>
 *   'K' db key                -> type tag, then the string value or the hash's field count   (one per Redis key)
 *   'F' db keyLen(u16) key field -> the field's value                                       (one per hash field)
 *   'L' "layout"              -> "FRESP" + layout version byte
 * </pre>
 *
 * Every Redis key has exactly one 'K' record, whose first value byte says its type, so a string and a hash of the
 * same name cannot both exist and WRONGTYPE is one lookup. Hash fields sort under their key's prefix, so a hash
 * is read with one prefix scan; the key length before the key keeps hash "a" from seeing the fields of hash "ab".
 * A key's TTL is the engine TTL of its 'K' record; fields carry none (a hash expires as a whole: its fields
 * become unreachable with the 'K' record and are deleted when a key of that name is created again or deleted).
 */
final class KeyLayout {
    static final byte KEYSPACE = 'K';
    static final byte FIELD = 'F';
    static final byte[] LAYOUT_KEY = "Llayout".getBytes(StandardCharsets.US_ASCII);
    static final byte[] LAYOUT_MAGIC = "FRESP".getBytes(StandardCharsets.US_ASCII);
    static final byte LAYOUT_VERSION = 1;

    static final byte TYPE_STRING = 's';
    static final byte TYPE_HASH = 'h';

    /** The longest Redis key: the engine's key limit minus the 'K' + db prefix. */
    static final int MAX_KEY = Limits.MAX_KEY_SIZE - 2;

    private KeyLayout() {
    }

    static byte[] keyspaceKey(int db, byte[] key) {
        byte[] k = new byte[2 + key.length];
        k[0] = KEYSPACE;
        k[1] = (byte) db;
        System.arraycopy(key, 0, k, 2, key.length);
        return k;
    }

    static KeyRange database(int db) {
        return KeyRange.prefix(new byte[] {KEYSPACE, (byte) db});
    }

    /** The Redis key of a 'K' engine key. */
    static byte[] redisKey(byte[] keyspaceKey) {
        return Arrays.copyOfRange(keyspaceKey, 2, keyspaceKey.length);
    }

    static byte[] fieldPrefix(int db, byte[] key) {
        byte[] p = new byte[4 + key.length];
        p[0] = FIELD;
        p[1] = (byte) db;
        p[2] = (byte) (key.length >>> 8);
        p[3] = (byte) key.length;
        System.arraycopy(key, 0, p, 4, key.length);
        return p;
    }

    static byte[] fieldKey(int db, byte[] key, byte[] field) {
        byte[] prefix = fieldPrefix(db, key);
        byte[] k = Arrays.copyOf(prefix, prefix.length + field.length);
        System.arraycopy(field, 0, k, prefix.length, field.length);
        return k;
    }

    static byte[] fieldOf(byte[] fieldKey, int prefixLength) {
        return Arrays.copyOfRange(fieldKey, prefixLength, fieldKey.length);
    }

    /** The (db, Redis key) an engine key belongs to, or null for records that belong to no Redis key. */
    static DbKey owner(byte[] engineKey) {
        if (engineKey.length >= 2 && engineKey[0] == KEYSPACE) {
            return new DbKey(engineKey[1], Arrays.copyOfRange(engineKey, 2, engineKey.length));
        }
        if (engineKey.length >= 4 && engineKey[0] == FIELD) {
            int len = (engineKey[2] & 0xff) << 8 | engineKey[3] & 0xff;
            return new DbKey(engineKey[1], Arrays.copyOfRange(engineKey, 4, 4 + len));
        }
        return null;
    }

    /** The longest field a hash named {@code key} can hold within the engine's key limit. */
    static int maxField(byte[] key) {
        return Limits.MAX_KEY_SIZE - 4 - key.length;
    }

    static byte[] stringValue(byte[] value) {
        byte[] v = new byte[1 + value.length];
        v[0] = TYPE_STRING;
        System.arraycopy(value, 0, v, 1, value.length);
        return v;
    }

    static byte[] hashValue(long fieldCount) {
        byte[] v = new byte[9];
        v[0] = TYPE_HASH;
        for (int i = 0; i < 8; i++) {
            v[1 + i] = (byte) (fieldCount >>> (56 - 8 * i));
        }
        return v;
    }

    static long hashFieldCount(byte[] value) {
        long n = 0;
        for (int i = 0; i < 8; i++) {
            n = n << 8 | value[1 + i] & 0xff;
        }
        return n;
    }

    /** A Redis key in one logical database, usable as a map key. */
    record DbKey(int db, byte[] key) {
        @Override
        public boolean equals(Object o) {
            return o instanceof DbKey other && other.db == db && Arrays.equals(other.key, key);
        }

        @Override
        public int hashCode() {
            return 31 * db + Arrays.hashCode(key);
        }

        @Override
        public String toString() {
            return db + ":" + new String(key, StandardCharsets.UTF_8);
        }
    }
}
