package io.ferrumdb.bench;

import java.util.SplittableRandom;

/**
 * The benchmark data set: 16-byte ASCII keys {@code k000000000000042} (so that key order equals index order in every
 * engine's comparator) and incompressible pseudo-random values drawn from a fixed pool.
 */
public final class Data {
    public static final int KEY_SIZE = 16;
    private static final int POOL = 1024;

    private Data() {
    }

    /** Writes the key of index {@code i} into {@code out} (16 bytes). */
    public static void key(long i, byte[] out) {
        if (i < 0 || i >= 1_000_000_000_000_000L) {
            throw new IllegalArgumentException("key index out of range: " + i);
        }
        out[0] = 'k';
        long v = i;
        for (int p = KEY_SIZE - 1; p >= 1; p--) {
            out[p] = (byte) ('0' + (int) (v % 10));
            v /= 10;
        }
    }

    public static byte[] key(long i) {
        byte[] k = new byte[KEY_SIZE];
        key(i, k);
        return k;
    }

    /** The index encoded in a key made by {@link #key(long, byte[])}; used by the raw baselines as their "index". */
    public static long index(byte[] key) {
        long v = 0;
        for (int p = 1; p < KEY_SIZE; p++) {
            v = v * 10 + (key[p] - '0');
        }
        return v;
    }

    /** A pool of distinct random values of {@code size} bytes; value of index i is {@code pool[i % pool.length]}. */
    public static byte[][] valuePool(int size) {
        SplittableRandom rnd = new SplittableRandom(42);
        byte[][] pool = new byte[POOL][size];
        for (byte[] v : pool) {
            for (int j = 0; j < size; j++) {
                v[j] = (byte) rnd.nextInt(256);
            }
        }
        return pool;
    }

    public static byte[] value(byte[][] pool, long i) {
        return pool[(int) (i % pool.length)];
    }
}
