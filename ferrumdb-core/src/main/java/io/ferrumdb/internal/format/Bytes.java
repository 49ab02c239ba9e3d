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
}
