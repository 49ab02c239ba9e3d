package io.ferrumdb.internal.crypto;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.internal.format.Bytes;
import io.ferrumdb.internal.format.Magic;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The database's key file {@code KEY} (FORMAT.md, "KEY file"): the data key wrapped by the key-encryption key.
 * <pre>
 *   0  8  magic "FDBKEY01"
 *   8  u16 format version
 *  10  u8  KDF: 1 = none (raw 256-bit key), 2 = Argon2id (passphrase)
 *  11  u8  reserved, zero
 *  12  u32 Argon2id memory in KiB (0 for a raw key)
 *  16  u32 Argon2id iterations (0 for a raw key)
 *  20  u32 Argon2id parallelism (0 for a raw key)
 *  24  16  KDF salt (random)
 *  40  16  database id (equals META's)
 *  56  16  key-check value: HKDF(KEK material, salt, "ferrumdb key check" || database id), 16 bytes
 *  72  12  wrap nonce (random)
 *  84  48  AES-256-GCM(wrap key, nonce, AAD = bytes [0, 72)) of the 32-byte data key, then the 16-byte tag
 * 132  u32 CRC32C of bytes [0, 132)
 * </pre>
 */
record KeyFile(int kdf, int memoryKiB, int iterations, int parallelism, byte[] salt, byte[] databaseId,
               byte[] keyCheck, byte[] nonce, byte[] wrapped) {
    static final String NAME = "KEY";
    static final int SIZE = 136;
    static final int AAD_LENGTH = 72;
    static final int KDF_RAW = 1;
    static final int KDF_ARGON2ID = 2;
    static final int KEY_CHECK_BYTES = 16;
    static final int WRAPPED_BYTES = Gcm.KEY_BYTES + Gcm.TAG_BYTES;

    /** Bounds accepted when reading: at least the OWASP minimum, at most what one open may reasonably cost. */
    static final int MIN_MEMORY_KIB = 19 * 1024;
    static final int MAX_MEMORY_KIB = 1024 * 1024;
    static final int MIN_ITERATIONS = 2;
    static final int MAX_ITERATIONS = 64;
    static final int MAX_PARALLELISM = 16;

    /** The bytes the wrap authenticates: everything before the nonce. */
    byte[] associatedData() {
        return Arrays.copyOf(encodeUnchecked(), AAD_LENGTH);
    }

    byte[] encode() {
        byte[] b = encodeUnchecked();
        Bytes.putI32(b, SIZE - 4, Bytes.crc32c(b, 0, SIZE - 4));
        return b;
    }

    private byte[] encodeUnchecked() {
        byte[] b = new byte[SIZE];
        Magic.KEYFILE.write(b, 0);
        b[10] = (byte) kdf;
        Bytes.putI32(b, 12, memoryKiB);
        Bytes.putI32(b, 16, iterations);
        Bytes.putI32(b, 20, parallelism);
        System.arraycopy(salt, 0, b, 24, 16);
        System.arraycopy(databaseId, 0, b, 40, 16);
        System.arraycopy(keyCheck, 0, b, 56, KEY_CHECK_BYTES);
        System.arraycopy(nonce, 0, b, 72, Gcm.NONCE_BYTES);
        System.arraycopy(wrapped, 0, b, 84, WRAPPED_BYTES);
        return b;
    }

    static KeyFile decode(byte[] b, Path file) {
        if (b.length != SIZE) {
            throw new CorruptionException(file, 0, "KEY file has " + b.length + " bytes, expected " + SIZE);
        }
        Magic.KEYFILE.check(b, 0, file);
        if (Bytes.crc32c(b, 0, SIZE - 4) != Bytes.i32(b, SIZE - 4)) {
            throw new CorruptionException(file, SIZE - 4, "KEY file checksum mismatch");
        }
        int kdf = b[10] & 0xFF;
        int memory = Bytes.i32(b, 12);
        int iterations = Bytes.i32(b, 16);
        int parallelism = Bytes.i32(b, 20);
        if (b[11] != 0) {
            throw new CorruptionException(file, 11, "KEY file reserved byte is not zero");
        }
        if (kdf == KDF_RAW) {
            if (memory != 0 || iterations != 0 || parallelism != 0) {
                throw new CorruptionException(file, 12, "KEY file for a raw key carries KDF parameters");
            }
        } else if (kdf == KDF_ARGON2ID) {
            if (memory < MIN_MEMORY_KIB || memory > MAX_MEMORY_KIB || iterations < MIN_ITERATIONS
                    || iterations > MAX_ITERATIONS || parallelism < 1 || parallelism > MAX_PARALLELISM) {
                throw new CorruptionException(file, 12, "KEY file Argon2id parameters out of bounds: memory "
                        + memory + " KiB, iterations " + iterations + ", parallelism " + parallelism);
            }
        } else {
            throw new CorruptionException(file, 10, "KEY file names unknown KDF " + kdf);
        }
        return new KeyFile(kdf, memory, iterations, parallelism, Arrays.copyOfRange(b, 24, 40),
                Arrays.copyOfRange(b, 40, 56), Arrays.copyOfRange(b, 56, 72), Arrays.copyOfRange(b, 72, 84),
                Arrays.copyOfRange(b, 84, 84 + WRAPPED_BYTES));
    }
}
