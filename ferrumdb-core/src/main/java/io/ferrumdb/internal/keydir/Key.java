package io.ferrumdb.internal.keydir;

import java.util.Arrays;

/**
 * A key as held by the key directory: the bytes (owned, never mutated) and their cached hash. Ordered by
 * unsigned lexicographic byte order.
 */
public final class Key implements Comparable<Key> {
    private final byte[] bytes;
    private final int hash;

    /** Takes ownership of {@code bytes}: the caller must not mutate them afterwards. */
    public Key(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** The key's bytes. Callers must not mutate them. */
    public byte[] bytes() {
        return bytes;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int compareTo(Key o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(bytes.length * 2 + 2).append("0x");
        for (byte b : bytes) {
            sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }
}
