package io.ferrumdb.internal.format;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/** Big-endian field access in byte arrays, and CRC32C. Every multi-byte integer on disk is big-endian. */
public final class Bytes {
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private Bytes() {
    }

    public static int u16(byte[] b, int off) {
        return ((short) SHORT.get(b, off)) & 0xFFFF;
    }

    public static void putU16(byte[] b, int off, int v) {
        SHORT.set(b, off, (short) v);
    }

    public static int i32(byte[] b, int off) {
        return (int) INT.get(b, off);
    }

    public static void putI32(byte[] b, int off, int v) {
        INT.set(b, off, v);
    }

    public static long i64(byte[] b, int off) {
        return (long) LONG.get(b, off);
    }

    public static void putI64(byte[] b, int off, long v) {
        LONG.set(b, off, v);
    }

    public static int crc32c(byte[] b, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(b, off, len);
        return (int) crc.getValue();
    }

    /** CRC32C's polynomial, bit-reflected (as {@link CRC32C} computes it). */
    private static final int CRC32C_REFLECTED = 0x82F63B78;

    /**
     * The CRC32C of {@code A || B} from {@code crcA} (of A), {@code crcB} (of B) and B's length, without reading
     * either (zlib's {@code crc32_combine}, for CRC32C's polynomial): A's CRC is carried over B's length of zero
     * bits by squaring the 32x32 bit matrix of "one zero bit" over GF(2), then B's is added. A hint file's
     * checksum covers its prologue, which is known only once its entries, written before, are all counted.
     */
    public static int crc32cConcat(int crcA, int crcB, long lengthB) {
        if (lengthB < 0) {
            throw new IllegalArgumentException("a length of " + lengthB + " bytes");
        }
        int crc = crcA;
        int[] odd = new int[32]; // the operator for one zero bit
        odd[0] = CRC32C_REFLECTED;
        for (int n = 1; n < 32; n++) {
            odd[n] = 1 << (n - 1);
        }
        int[] even = square(odd); // two zero bits
        odd = square(even); // four
        long bytes = lengthB;
        while (bytes != 0) {
            even = square(odd); // the first pass: eight zero bits, one zero byte
            if ((bytes & 1) != 0) {
                crc = times(even, crc);
            }
            bytes >>>= 1;
            if (bytes == 0) {
                break;
            }
            odd = square(even);
            if ((bytes & 1) != 0) {
                crc = times(odd, crc);
            }
            bytes >>>= 1;
        }
        return crc ^ crcB;
    }

    /** The 32x32 bit matrix {@code m} (column per bit) times the vector {@code v}, over GF(2). */
    private static int times(int[] m, int v) {
        int sum = 0;
        for (int i = 0; v != 0; i++, v >>>= 1) {
            if ((v & 1) != 0) {
                sum ^= m[i];
            }
        }
        return sum;
    }

    private static int[] square(int[] m) {
        int[] s = new int[32];
        for (int n = 0; n < 32; n++) {
            s[n] = times(m, m[n]);
        }
        return s;
    }
}
