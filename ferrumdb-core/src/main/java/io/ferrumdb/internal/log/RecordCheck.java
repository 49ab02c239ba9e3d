package io.ferrumdb.internal.log;

import io.ferrumdb.internal.format.PayloadCipher;
import io.ferrumdb.internal.format.RecordFormat;
import java.util.Arrays;

/**
 * The one check of a stored record, shared by the scanner (open, verify, repair) and the reader (get): header
 * sanity before any length is trusted, bounds, CRC32C, then (encrypted) the authentication tag.
 */
public sealed interface RecordCheck {
    /** Why a record is not valid. */
    enum DamageKind {
        /** Fewer bytes than a record header remain in the file. */
        TRUNCATED_HEADER,
        /** A header field is out of range (type, flags, length, sequence, expiry). */
        BAD_HEADER,
        /** The header is sane but the record it describes extends past the end of the file. */
        PAST_END_OF_FILE,
        /** The CRC32C does not match: bytes changed after they were written, or were never all written. */
        CHECKSUM_MISMATCH,
        /** The record is valid but not the size its reference (key directory, hint) says. */
        LENGTH_MISMATCH
    }

    /**
     * A record whose checks all pass. Key and value lie in {@code plain} at {@code plainOffset} (the record
     * itself for plaintext segments, a decrypted copy otherwise).
     */
    record Valid(byte type, boolean commit, long sequence, long expiresAt, int size, byte[] plain, int plainOffset,
                 int keyLength, int valueLength) implements RecordCheck {
        public byte[] key() {
            return Arrays.copyOfRange(plain, plainOffset, plainOffset + keyLength);
        }

        public byte[] value() {
            return Arrays.copyOfRange(plain, plainOffset + keyLength, plainOffset + keyLength + valueLength);
        }

        public boolean keyEquals(byte[] key) {
            return keyLength == key.length
                    && Arrays.equals(plain, plainOffset, plainOffset + keyLength, key, 0, key.length);
        }
    }

    /** Not a valid record: damage, or a write that was never completed. */
    record Damaged(DamageKind kind, String reason) implements RecordCheck {
    }

    /**
     * The checksum matches but the authentication tag does not. A torn write cannot produce that (its checksum
     * would not match), so it is tampering or a wrong key even at the end of a file: never truncated away.
     */
    record Unauthentic(String reason) implements RecordCheck {
    }

    /**
     * Checks the record at {@code buf[off]}, of which {@code available} bytes exist in the file from there on (all
     * of them readable in {@code buf} up to the record's size). {@code fileOffset} binds an encrypted record to its
     * place. A plaintext record is not copied: its {@link Valid} refers to {@code buf}, so a caller that reuses
     * the buffer copies what it keeps first.
     */
    static RecordCheck check(byte[] buf, int off, long available, long fileOffset, PayloadCipher cipher) {
        if (available < RecordFormat.HEADER_SIZE) {
            return new Damaged(DamageKind.TRUNCATED_HEADER,
                    "truncated record header (" + available + " bytes before end of file)");
        }
        String problem = RecordFormat.headerProblem(buf, off);
        if (problem != null) {
            return new Damaged(DamageKind.BAD_HEADER, problem);
        }
        int size = RecordFormat.recordSize(buf, off, cipher);
        if (size > available) {
            return new Damaged(DamageKind.PAST_END_OF_FILE, "record of " + size + " bytes extends past end of file");
        }
        if (!RecordFormat.crcMatches(buf, off, size)) {
            return new Damaged(DamageKind.CHECKSUM_MISMATCH, "checksum mismatch");
        }
        int keyLength = RecordFormat.keyLength(buf, off);
        int valueLength = RecordFormat.valueLength(buf, off);
        byte[] plain = buf;
        int plainOffset = off + RecordFormat.HEADER_SIZE;
        if (!cipher.isPlaintext()) {
            plain = new byte[keyLength + valueLength];
            plainOffset = 0;
            if (!cipher.open(fileOffset, buf, off + RecordFormat.AAD_OFFSET, RecordFormat.AAD_LENGTH,
                    off + RecordFormat.HEADER_SIZE, size - RecordFormat.HEADER_SIZE, plain, 0)) {
                return new Unauthentic("record fails authentication");
            }
        }
        return new Valid(RecordFormat.type(buf, off), RecordFormat.isCommit(buf, off), RecordFormat.sequence(buf, off),
                RecordFormat.expiresAt(buf, off), size, plain, plainOffset, keyLength, valueLength);
    }

    /**
     * True when the plaintext record at {@code buf[off]} is exactly {@code size} bytes and passes every check of
     * {@link #check} (header, size, checksum), without allocating: a GET's fast path. On false, {@link #check}
     * says what is wrong. Kept beside {@link #check} so the two cannot drift apart.
     */
    static boolean intactPlaintext(byte[] buf, int off, int size, PayloadCipher cipher) {
        assert cipher.isPlaintext() : "only a plaintext record can be checked without decrypting it";
        return size >= RecordFormat.HEADER_SIZE && RecordFormat.headerProblem(buf, off) == null
                && RecordFormat.recordSize(buf, off, cipher) == size && RecordFormat.crcMatches(buf, off, size);
    }
}
