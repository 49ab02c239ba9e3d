package io.ferrumdb.bindings;

import io.ferrumdb.FerrumDB;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Point reads for the Python binding through two direct buffers over memory the Python side owns (JPype's
 * {@code convertToDirectBuffer} of a bytearray): Python writes the key into one, makes one call with the key's
 * length, and reads the value from the other. A call then passes and returns an int instead of converting a key
 * to a Java byte[] and the value back to a Python bytes object (measured: JPype's conversion of a returned
 * byte[] costs about as much as the crossing itself).
 *
 * <p>Not thread-safe: the buffers are shared with one Python thread, so the binding keeps one reader per thread.
 */
public final class DirectReader {
    private final FerrumDB db;
    private final ByteBuffer key;
    private final ByteBuffer value;

    /**
     * A reader of {@code db} with {@code key} (holding at least the longest key) and {@code value} (where values
     * that fit are written).
     *
     * @throws IllegalArgumentException when a buffer is read-only
     */
    public DirectReader(FerrumDB db, ByteBuffer key, ByteBuffer value) {
        this.db = Objects.requireNonNull(db, "db");
        this.key = Objects.requireNonNull(key, "key");
        this.value = Objects.requireNonNull(value, "value");
        if (value.isReadOnly()) {
            throw new IllegalArgumentException("the value buffer must be writable");
        }
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
