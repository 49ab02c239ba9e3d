package io.ferrumdb.bench;

/**
 * One engine under test behind the smallest common interface: point reads and writes with the durability chosen
 * when it was opened (see {@link Stores}).
 */
public interface Store extends AutoCloseable {
    /** The value, or null when absent. */
    byte[] get(byte[] key);

    /** Writes one record under the durability the store was opened with; durable when it returns if so opened. */
    void put(byte[] key, byte[] value);

    /** Loads keys 0..n-1 as fast as the engine allows (no per-record durability), then makes them durable. */
    default void load(long n, byte[][] values) {
        for (long i = 0; i < n; i++) {
            put(Data.key(i), Data.value(values, i));
        }
        flush();
    }

    /** Makes everything written so far durable and, where the engine has one, empties its write buffer. */
    void flush();

    @Override
    void close();
}
