package io.ferrumdb;

import java.util.Arrays;

/**
 * A range of keys in unsigned lexicographic byte order (the order of RocksDB's default comparator and LMDB),
 * with an inclusive lower bound and an exclusive upper bound, either of which may be unbounded (null).
 * A range whose lower bound is not below its upper bound is empty, not an error. Immutable, and a value: two
 * ranges are equal when they have equal bounds and direction ({@code prefix(p)} equals the {@code closedOpen} range
 * it stands for), whatever factory made them.
 */
public final class KeyRange {
    private static final KeyRange ALL = new KeyRange(null, null, false);

    private final byte[] from;
    private final byte[] to;
    private final boolean reversed;

    private KeyRange(byte[] from, byte[] to, boolean reversed) {
        this.from = from;
        this.to = to;
        this.reversed = reversed;
    }

    public static KeyRange all() {
        return ALL;
    }

    /** Keys {@code k} with {@code fromInclusive <= k < toExclusive}; a null bound is unbounded. */
    public static KeyRange closedOpen(byte[] fromInclusive, byte[] toExclusive) {
        return new KeyRange(copy(fromInclusive), copy(toExclusive), false);
    }

    public static KeyRange atLeast(byte[] from) {
        return closedOpen(from, null);
    }

    public static KeyRange lessThan(byte[] to) {
        return closedOpen(null, to);
    }

    /** Keys that start with {@code prefix}; the empty prefix is every key. */
    public static KeyRange prefix(byte[] prefix) {
        if (prefix == null) {
            throw new IllegalArgumentException("prefix must not be null");
        }
        return new KeyRange(prefix.clone(), successorOfPrefix(prefix), false);
    }

    /** The same keys in descending order. */
    public KeyRange reversed() {
        return new KeyRange(from, to, !reversed);
    }

    /** Inclusive lower bound, or null when unbounded. */
    public byte[] from() {
        return copy(from);
    }

    /** Exclusive upper bound, or null when unbounded. */
    public byte[] to() {
        return copy(to);
    }

    public boolean isReversed() {
        return reversed;
    }

    /** True when no key can fall in this range: its upper bound is the empty key, or not above its lower bound. */
    public boolean isEmpty() {
        return to != null && (to.length == 0 || from != null && Arrays.compareUnsigned(from, to) >= 0);
    }

    public boolean contains(byte[] key) {
        if (key == null) {
            throw new IllegalArgumentException("key must not be null");
        }
        return (from == null || Arrays.compareUnsigned(key, from) >= 0)
                && (to == null || Arrays.compareUnsigned(key, to) < 0);
    }

    // Internal accessors without copying, for the engine.
    byte[] fromUnsafe() {
        return from;
    }

    byte[] toUnsafe() {
        return to;
    }

    /** The smallest key greater than every key starting with prefix, or null if there is none. */
    private static byte[] successorOfPrefix(byte[] prefix) {
        int end = prefix.length;
        while (end > 0 && prefix[end - 1] == (byte) 0xFF) {
            end--;
        }
        if (end == 0) {
            return null;
        }
        byte[] next = Arrays.copyOf(prefix, end);
        next[end - 1]++;
        return next;
    }

    private static byte[] copy(byte[] bytes) {
        return bytes == null ? null : bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyRange r && reversed == r.reversed && Arrays.equals(from, r.from)
                && Arrays.equals(to, r.to);
    }

    @Override
    public int hashCode() {
        return (31 * Arrays.hashCode(from) + Arrays.hashCode(to)) * 2 + (reversed ? 1 : 0);
    }

    @Override
    public String toString() {
        return "KeyRange[" + (from == null ? "-inf" : hex(from)) + ", " + (to == null ? "+inf" : hex(to)) + ")"
                + (reversed ? " reversed" : "");
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder("0x");
        for (byte x : b) {
            sb.append(String.format("%02x", x));
        }
        return sb.toString();
    }
}
