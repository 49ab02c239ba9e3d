package io.ferrumdb.internal.crypto;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.internal.format.Bytes;
import io.ferrumdb.internal.format.Magic;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The database's key file {@code KEY} (FORMAT.md, "KEY file"): the data keys wrapped by the key-encryption key.
 * <pre>
 *   0  8  magic "FDBKEY01"
 *   8  u16 format version
 *  10  u8  KDF: 1 = none (raw 256-bit key), 2 = Argon2id (passphrase)
 *  11  u8  number of data keys N, 1 to 16
 *  12  u32 Argon2id memory in KiB (0 for a raw key)
 *  16  u32 Argon2id iterations (0 for a raw key)
 *  20  u32 Argon2id parallelism (0 for a raw key)
 *  24  16  KDF salt (random)
 *  40  16  database id (equals META's)
 *  56  16  key-check value: HKDF(KEK material, salt, "ferrumdb key check" || database id), 16 bytes
 *  72  N x 68: data key entries, ascending first segment, the first 0:
 *        u64 first segment number the key encrypts (it serves segments up to the next entry's first segment)
 *        12  wrap nonce (random)
 *        48  AES-256-GCM(wrap key, nonce, AAD = bytes [0, 72) || entry bytes [0, 8)) of the data key || tag
 * end  u32 CRC32C of every preceding byte
 * </pre>
 */
record KeyFile(int kdf, int memoryKiB, int iterations, int parallelism, byte[] salt, byte[] databaseId,
               byte[] keyCheck, List<Entry> entries) {
    static final int HEADER_SIZE = 72;
    static final int ENTRY_SIZE = 8 + Gcm.NONCE_BYTES + Gcm.KEY_BYTES + Gcm.TAG_BYTES;
    static final int MAX_ENTRIES = 16;
    static final int MAX_SIZE = HEADER_SIZE + MAX_ENTRIES * ENTRY_SIZE + 4;
    static final int KDF_RAW = 1;
    static final int KDF_ARGON2ID = 2;
    static final int KEY_CHECK_BYTES = 16;

    /** Bounds accepted when reading: at least the OWASP minimum, at most what one open may reasonably cost. */
    static final int MIN_MEMORY_KIB = 19 * 1024;
    static final int MAX_MEMORY_KIB = 1024 * 1024;
    static final int MIN_ITERATIONS = 2;
    static final int MAX_ITERATIONS = 64;
    static final int MAX_PARALLELISM = 16;

    /** One wrapped data key and the first segment number it encrypts. */
    record Entry(long firstSegment, byte[] nonce, byte[] wrapped) {
    }

    static int size(int entries) {
        return HEADER_SIZE + entries * ENTRY_SIZE + 4;
    }

    /** The bytes a wrap authenticates: the header, then the entry's first segment number. */
    byte[] associatedData(long firstSegment) {
        byte[] aad = Arrays.copyOf(encodeHeader(), HEADER_SIZE + 8);
        Bytes.putI64(aad, HEADER_SIZE, firstSegment);
        return aad;
    }

    /** The header with an entry count, which the associated data of every wrap covers. */
    private byte[] encodeHeader() {
        byte[] b = new byte[HEADER_SIZE];
        Magic.KEYFILE.write(b, 0);
        b[10] = (byte) kdf;
        b[11] = (byte) entries.size();
        Bytes.putI32(b, 12, memoryKiB);
        Bytes.putI32(b, 16, iterations);
        Bytes.putI32(b, 20, parallelism);
        System.arraycopy(salt, 0, b, 24, 16);
        System.arraycopy(databaseId, 0, b, 40, 16);
        System.arraycopy(keyCheck, 0, b, 56, KEY_CHECK_BYTES);
        return b;
    }

    byte[] encode() {
        byte[] b = Arrays.copyOf(encodeHeader(), size(entries.size()));
        int p = HEADER_SIZE;
        for (Entry e : entries) {
            Bytes.putI64(b, p, e.firstSegment());
            System.arraycopy(e.nonce(), 0, b, p + 8, Gcm.NONCE_BYTES);
            System.arraycopy(e.wrapped(), 0, b, p + 8 + Gcm.NONCE_BYTES, Gcm.KEY_BYTES + Gcm.TAG_BYTES);
            p += ENTRY_SIZE;
        }
        Bytes.putI32(b, p, Bytes.crc32c(b, 0, p));
        return b;
    }

    static KeyFile decode(byte[] b, Path file) {
        if (b.length < size(1)) {
            throw new CorruptionException(file, 0, "KEY file has only " + b.length + " bytes");
        }
        Magic.KEYFILE.checkWithChecksum(b, b.length - 4, file, "KEY file");
        int count = b[11] & 0xFF;
        if (count < 1 || count > MAX_ENTRIES || b.length != size(count)) {
            throw new CorruptionException(file, 11, "KEY file of " + b.length + " bytes does not hold " + count
                    + " data key(s)");
        }
        int kdf = b[10] & 0xFF;
        int memory = Bytes.i32(b, 12);
        int iterations = Bytes.i32(b, 16);
        int parallelism = Bytes.i32(b, 20);
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
        List<Entry> entries = new ArrayList<>(count);
        long previous = -1;
        for (int i = 0, p = HEADER_SIZE; i < count; i++, p += ENTRY_SIZE) {
            long first = Bytes.i64(b, p);
            if (i == 0 ? first != 0 : first <= previous) {
                throw new CorruptionException(file, p, "KEY file data key " + i + " starts at segment " + first
                        + (i == 0 ? ", not 0" : ", not after " + previous));
            }
            previous = first;
            entries.add(new Entry(first, Arrays.copyOfRange(b, p + 8, p + 8 + Gcm.NONCE_BYTES),
                    Arrays.copyOfRange(b, p + 8 + Gcm.NONCE_BYTES, p + ENTRY_SIZE)));
        }
        return new KeyFile(kdf, memory, iterations, parallelism, Arrays.copyOfRange(b, 24, 40),
                Arrays.copyOfRange(b, 40, 56), Arrays.copyOfRange(b, 56, 72), List.copyOf(entries));
    }
}
