package io.ferrumdb.internal.format;

import io.ferrumdb.Limits;

/**
 * Layout of one log record (FORMAT.md, "Records"):
 * <pre>
 *  0  u32  CRC32C of bytes [4, end)
 *  4  u8   type: 1 = PUT, 2 = DELETE (tombstone)
 *  5  u8   flags: bit 0 = COMMIT (last record of an atomic unit); other bits zero
 *  6  u16  key length (plaintext)
 *  8  u32  value length (plaintext; 0 for DELETE)
 * 12  u64  sequence number
 * 20  i64  expiry, epoch milliseconds UTC; 0 = never
 * 28  ...  payload: key || value, or AES-GCM(key || value) || tag when the segment is encrypted
 * </pre>
 */
public final class RecordFormat {
    public static final int HEADER_SIZE = 28;
    /** The header bytes covered by the CRC and used as associated data: everything after the CRC. */
    public static final int AAD_OFFSET = 4;
    public static final int AAD_LENGTH = HEADER_SIZE - AAD_OFFSET;

    public static final byte TYPE_PUT = 1;
    public static final byte TYPE_DELETE = 2;
    public static final byte FLAG_COMMIT = 1;

    private RecordFormat() {
    }

    public static int recordSize(int keyLength, int valueLength, PayloadCipher cipher) {
        return recordSize(keyLength, valueLength, cipher.overhead());
    }

    /** The same from the cipher's {@link PayloadCipher#overhead}: the log writer sizes appends from it. */
    public static int recordSize(int keyLength, int valueLength, int overhead) {
        return HEADER_SIZE + keyLength + valueLength + overhead;
    }

    /** Encodes one record at {@code buf[pos]}; returns its size. {@code value} is empty for a tombstone. */
    public static int encode(byte[] buf, int pos, long fileOffset, byte type, boolean commit, long sequence,
                             long expiresAt, byte[] key, byte[] value, PayloadCipher cipher) {
        buf[pos + 4] = type;
        buf[pos + 5] = commit ? FLAG_COMMIT : 0;
        Bytes.putU16(buf, pos + 6, key.length);
        Bytes.putI32(buf, pos + 8, value.length);
        Bytes.putI64(buf, pos + 12, sequence);
        Bytes.putI64(buf, pos + 20, expiresAt);
        cipher.seal(fileOffset, buf, pos + AAD_OFFSET, AAD_LENGTH, key, value, buf, pos + HEADER_SIZE);
        int size = recordSize(key.length, value.length, cipher);
        Bytes.putI32(buf, pos, Bytes.crc32c(buf, pos + 4, size - 4));
        return size;
    }

    public static int storedCrc(byte[] b, int off) {
        return Bytes.i32(b, off);
    }

    public static byte type(byte[] b, int off) {
        return b[off + 4];
    }

    public static byte flags(byte[] b, int off) {
        return b[off + 5];
    }

    public static boolean isCommit(byte[] b, int off) {
        return (b[off + 5] & FLAG_COMMIT) != 0;
    }

    /** Sets the COMMIT flag of the complete record of {@code size} bytes at {@code off} and refreshes its CRC. */
    public static void markCommit(byte[] b, int off, int size) {
        b[off + 5] |= FLAG_COMMIT;
        Bytes.putI32(b, off, Bytes.crc32c(b, off + 4, size - 4));
    }

    public static int keyLength(byte[] b, int off) {
        return Bytes.u16(b, off + 6);
    }

    /** {@link #keyLength(byte[], int)} of a record in a buffer (a mapped segment), whatever the buffer's order. */
    public static int keyLength(java.nio.ByteBuffer b, int off) {
        return (b.get(off + 6) & 0xFF) << 8 | (b.get(off + 7) & 0xFF);
    }

    public static int valueLength(byte[] b, int off) {
        return Bytes.i32(b, off + 8);
    }

    public static long sequence(byte[] b, int off) {
        return Bytes.i64(b, off + 12);
    }

    public static long expiresAt(byte[] b, int off) {
        return Bytes.i64(b, off + 20);
    }

    /*
     * The header's fields read in place from a big-endian buffer (a compaction part's InputWindow): a few absolute
     * reads cost several times less than a bulk copy of the 28 bytes into an array (compaction, issue 23).
     */

    public static byte type(java.nio.ByteBuffer b, int off) {
        return b.get(off + 4);
    }

    public static int valueLength(java.nio.ByteBuffer b, int off) {
        assert b.order() == java.nio.ByteOrder.BIG_ENDIAN : "a header read from a little-endian buffer";
        return b.getInt(off + 8);
    }

    public static long sequence(java.nio.ByteBuffer b, int off) {
        assert b.order() == java.nio.ByteOrder.BIG_ENDIAN : "a header read from a little-endian buffer";
        return b.getLong(off + 12);
    }

    public static long expiresAt(java.nio.ByteBuffer b, int off) {
        assert b.order() == java.nio.ByteOrder.BIG_ENDIAN : "a header read from a little-endian buffer";
        return b.getLong(off + 20);
    }

    /**
     * Checks the header fields that must hold before the lengths are trusted; returns null when sane, else
     * what is wrong. Lengths are checked against the limits before anything is allocated from them.
     */
    public static String headerProblem(byte[] b, int off) {
        return headerProblem(type(b, off), flags(b, off), valueLength(b, off), sequence(b, off), expiresAt(b, off));
    }

    /** {@link #headerProblem(byte[], int)} of a header in a big-endian buffer. */
    public static String headerProblem(java.nio.ByteBuffer b, int off) {
        return headerProblem(type(b, off), b.get(off + 5), valueLength(b, off), sequence(b, off), expiresAt(b, off));
    }

    private static String headerProblem(byte type, byte flags, int valueLength, long sequence, long expiresAt) {
        if (type != TYPE_PUT && type != TYPE_DELETE) {
            return "unknown record type " + (type & 0xFF);
        }
        if ((flags & ~FLAG_COMMIT) != 0) {
            return "unknown record flags 0x" + Integer.toHexString(flags & 0xFF);
        }
        if (valueLength < 0 || valueLength > Limits.MAX_VALUE_SIZE) {
            return "value length " + Integer.toUnsignedString(valueLength) + " exceeds the limit "
                    + Limits.MAX_VALUE_SIZE;
        }
        if (type == TYPE_DELETE && valueLength != 0) {
            return "tombstone with value length " + valueLength;
        }
        if (sequence <= 0) {
            return "non-positive sequence number " + sequence;
        }
        if (expiresAt < 0) {
            return "negative expiry " + expiresAt;
        }
        return null;
    }

    /** Size of the record whose sane header is at {@code off}. */
    public static int recordSize(byte[] b, int off, PayloadCipher cipher) {
        return recordSize(keyLength(b, off), valueLength(b, off), cipher);
    }

    public static boolean crcMatches(byte[] b, int off, int size) {
        return Bytes.crc32c(b, off + 4, size - 4) == storedCrc(b, off);
    }
}
