package io.ferrumdb.internal.keydir;

import java.util.Arrays;

/**
 * A key passed to the key directory: the bytes (owned, never mutated) and their hashes, computed when first
 * needed. Ordered by unsigned lexicographic byte order. The directory itself stores no Key objects; this is the
 * currency of its API and of the log writer's appends.
 */
public final class Key implements Comparable<Key> {
    private final byte[] bytes;
    /** 0 until computed (a racy single-field cache, as String.hash: a 64-bit write is atomic). */
    private long directoryHash;

    /** Takes ownership of {@code bytes}: the caller must not mutate them afterwards. */
    public Key(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The key's bytes. Callers must not mutate them. */
    public byte[] bytes() {
        return bytes;
    }

    /** The 64-bit hash the key directory places the key by. */
    long directoryHash() {
        long h = directoryHash;
        if (h == 0) {
            h = KeyArena.hash(bytes);
            directoryHash = h;
        }
        return h;
    }

    @Override
    public int hashCode() {
        long h = directoryHash();
        return (int) (h ^ (h >>> 32));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Key k && Arrays.equals(k.bytes, bytes);
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
