package io.ferrumdb.bindings;

import io.ferrumdb.FerrumDB;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Point reads for the Python binding through direct buffers over memory the Python side owns (JPype's
 * {@code convertToDirectBuffer} of a bytearray): Python writes the key into one, and its length into a third, small
 * one ({@code lengths}), makes one call with no arguments and no result, and reads the value's length from
 * {@code lengths} and the value from the value buffer. JPype converts no argument and no result then (measured: a
 * call with an int argument and an int result cost about three times a call with neither, and converting a key to a
 * Java byte[] and the value back to a Python bytes object costs about as much as the crossing itself).
 *
 * <p>{@code lengths} holds two ints in the platform's byte order (Python reads it as a memoryview cast to 'i'): the
 * key's length at index 0, written by Python, and the result at index 1, written by Java.
 *
 * <p>Not thread-safe: the buffers are shared with one Python thread, so the binding keeps one reader per thread.
 */
public final class DirectReader {
    private final FerrumDB db;
    private final ByteBuffer key;
    private final ByteBuffer value;
    private final ByteBuffer lengths;

    /**
     * A reader of {@code db} with {@code key} (holding at least the longest key) and {@code value} (where values
     * that fit are written), and no lengths buffer: only {@link #get(int)} and {@link #contains(int)} work.
     *
     * @throws IllegalArgumentException when the value buffer is read-only
     */
    public DirectReader(FerrumDB db, ByteBuffer key, ByteBuffer value) {
        this(db, key, value, null);
    }

    /**
     * A reader whose {@link #read} and {@link #containsKey} take the key's length from {@code lengths} (at least 8
     * bytes, writable) and {@link #read} leaves its result there.
     *
     * @throws IllegalArgumentException when the value or lengths buffer is read-only, or lengths is too small
     */
    public DirectReader(FerrumDB db, ByteBuffer key, ByteBuffer value, ByteBuffer lengths) {
        this.db = Objects.requireNonNull(db, "db");
        this.key = Objects.requireNonNull(key, "key");
        this.value = Objects.requireNonNull(value, "value");
        if (value.isReadOnly()) {
            throw new IllegalArgumentException("the value buffer must be writable");
        }
        if (lengths != null && (lengths.isReadOnly() || lengths.capacity() < 8)) {
            throw new IllegalArgumentException("the lengths buffer must be writable and hold two ints, got "
                    + lengths.capacity() + " bytes" + (lengths.isReadOnly() ? ", read-only" : ""));
        }
        this.lengths = lengths == null ? null : lengths.duplicate().order(ByteOrder.nativeOrder());
    }

    /**
     * {@link #get(int)} with the key's length read from index 0 of the lengths buffer and the result written to
     * index 1 (-1 when absent or expired, else the value's length).
     *
     * @throws IllegalStateException when the reader has no lengths buffer
     */
    public void read() {
        ByteBuffer l = lengths();
        l.putInt(4, get(l.getInt(0)));
    }

    /** {@link #contains(int)} with the key's length read from index 0 of the lengths buffer. */
    public boolean containsKey() {
        return contains(lengths().getInt(0));
    }

    /**
     * Reads the value of the key held in the first {@code keyLength} bytes of the key buffer: -1 when absent or
     * expired, else the value's length {@code n}, the value having been written at the start of the value buffer
     * when {@code n} is at most its capacity (else nothing is written; retry with a larger reader).
     *
     * @throws IllegalArgumentException when {@code keyLength} is negative or beyond the key buffer
     */
    public int get(int keyLength) {
        return db.get(key(keyLength), value.clear());
    }

    /** Whether the key held in the first {@code keyLength} bytes of the key buffer is live. */
    public boolean contains(int keyLength) {
        return db.contains(key(keyLength));
    }

    /** The capacity of the value buffer: values up to this length come back in one call. */
    public int valueCapacity() {
        return value.capacity();
    }

    private ByteBuffer lengths() {
        if (lengths == null) {
            throw new IllegalStateException("this reader was made without a lengths buffer");
        }
        return lengths;
    }

    private byte[] key(int keyLength) {
        if (keyLength < 0 || keyLength > key.capacity()) {
            throw new IllegalArgumentException("key length " + keyLength + " is outside the key buffer of "
                    + key.capacity() + " bytes");
        }
        byte[] k = new byte[keyLength];
        key.get(0, k);
        return k;
    }
}
