package io.ferrumdb.internal.log;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.internal.format.PayloadCipher;
import io.ferrumdb.internal.format.RecordFormat;

/** Verifies a record read from a segment and exposes its plaintext key and value. */
public final class RecordReader {
    /**
     * A verified record. Key and value lie in {@code bytes} at {@code offset} (the record itself for plaintext
     * segments, a decrypted copy otherwise).
     */
    public record Payload(byte type, long sequence, long expiresAt, byte[] bytes, int offset, int keyLength,
                          int valueLength) {
        public byte[] key() {
            return java.util.Arrays.copyOfRange(bytes, offset, offset + keyLength);
        }

        public byte[] value() {
            return java.util.Arrays.copyOfRange(bytes, offset + keyLength, offset + keyLength + valueLength);
        }
    }

    private RecordReader() {
    }

    /**
     * Checks CRC, header and (when encrypted) authentication of the record {@code rec} read at {@code fileOffset}
     * of {@code segment}; any failure is a CorruptionException naming file and offset.
     */
    public static Payload open(Segment segment, long fileOffset, byte[] rec) {
        int size = rec.length;
        if (size < RecordFormat.HEADER_SIZE || !RecordFormat.crcMatches(rec, 0, size)) {
            throw new CorruptionException(segment.path(), fileOffset, "record checksum mismatch");
        }
        PayloadCipher cipher = segment.cipher();
        String problem = RecordFormat.headerProblem(rec, 0);
        if (problem != null || RecordFormat.recordSize(rec, 0, cipher) != size) {
            throw new CorruptionException(segment.path(), fileOffset,
                    problem != null ? problem : "record length does not match the key directory");
        }
        int keyLength = RecordFormat.keyLength(rec, 0);
        int valueLength = RecordFormat.valueLength(rec, 0);
        byte[] plain = rec;
        int offset = RecordFormat.HEADER_SIZE;
        if (!cipher.isPlaintext()) {
            plain = new byte[keyLength + valueLength];
            offset = 0;
            if (!cipher.open(fileOffset, rec, RecordFormat.AAD_OFFSET, RecordFormat.AAD_LENGTH,
                    RecordFormat.HEADER_SIZE, size - RecordFormat.HEADER_SIZE, plain, 0)) {
                throw new CorruptionException(segment.path(), fileOffset, "record fails authentication");
            }
        }
        return new Payload(RecordFormat.type(rec, 0), RecordFormat.sequence(rec, 0), RecordFormat.expiresAt(rec, 0),
                plain, offset, keyLength, valueLength);
    }
}
