package io.ferrumdb.bindings;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Values read whole by one engine read and handed to the Node.js binding in parts (see
 * {@link NodeDatabase#getBounded}), each under a handle until its last part is taken or it is dropped.
 *
 * <p>Thread-safe: java-bridge runs the binding's async calls on a pool of threads, and a value's parts are taken
 * one call after the other, possibly on different threads.
 */
final class LargeValues {
    /** A kept value and how much of it has been handed over. */
    private static final class Kept {
        final byte[] value;
        int taken;

        Kept(byte[] value) {
            this.value = value;
        }
    }

    private final Map<Long, Kept> kept = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);

    /** Keeps {@code value}; returns its handle. */
    long keep(byte[] value) {
        long handle = nextHandle.getAndIncrement();
        kept.put(handle, new Kept(value));
        return handle;
    }

    /**
     * The next part of value {@code handle}, at most {@code maxBytes}; the value is dropped with its last part.
     *
     * @throws IllegalArgumentException when no value is kept under {@code handle}, or {@code maxBytes} is not
     *     positive
     */
    byte[] next(long handle, int maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("a part needs a positive size, got " + maxBytes);
        }
        Kept k = kept.get(handle);
        if (k == null) {
            throw new IllegalArgumentException("no value is kept under handle " + handle
                    + " (read to its end, dropped, or the database was closed)");
        }
        synchronized (k) {
            int from = k.taken;
            int to = (int) Math.min(k.value.length, (long) from + maxBytes);
            k.taken = to;
            if (to == k.value.length) {
                kept.remove(handle);
            }
            return Arrays.copyOfRange(k.value, from, to);
        }
    }

    void drop(long handle) {
        kept.remove(handle);
    }

    void clear() {
        kept.clear();
    }
}
