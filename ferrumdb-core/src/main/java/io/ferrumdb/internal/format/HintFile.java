package io.ferrumdb.internal.format;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.Limits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A hint file lists every record of one sealed segment, so that open reads the small hint instead of the data
 * (FORMAT.md, "Hint files"):
 * <pre>
 *  0  8  magic "FDBHNT01"
 *  8  u16 format version
 * 10  u16 flags: bit 0 = entries are encrypted
 * 12  u32 entry count
 * 16  u64 segment id
 * 24  16  database id
 * 40  u64 length of the segment file this hint describes
 * 48  ... entries (plaintext), or nonce (12) || AES-GCM(entries) || tag (encrypted; SECURITY.md)
 * end u32 CRC32C of every preceding byte
 * entry: u8 type, u8 zero, u16 key length, u32 record size, u64 offset, u64 sequence, i64 expiry, key
 * </pre>
 */
public final class HintFile {
    public static final int HEADER_SIZE = 48;
    public static final int ENTRY_FIXED_SIZE = 32;

    /** One record's location. {@code key} is plaintext. */
    public record Entry(byte type, byte[] key, int recordSize, long offset, long sequence, long expiresAt) {
    }

    /** A decoded hint: what it claims about its segment, and its entries. */
    public record Contents(long segmentId, long dataLength, List<Entry> entries) {
    }

    /** Encrypts and decrypts the entry block; {@link #PLAIN} for plaintext databases. */
    public interface BodyCipher {
        int overhead();

        byte[] seal(byte[] header, byte[] body);

        /** Returns the plaintext entries, or null when authentication fails. */
        byte[] open(byte[] header, byte[] sealed);

        boolean encrypted();
    }

    public static final BodyCipher PLAIN = new BodyCipher() {
        @Override
        public int overhead() {
            return 0;
        }

        @Override
        public byte[] seal(byte[] header, byte[] body) {
            return body;
        }

        @Override
        public byte[] open(byte[] header, byte[] sealed) {
            return sealed;
        }

        @Override
        public boolean encrypted() {
            return false;
        }
    };

    private HintFile() {
    }

    /**
     * Collects a segment's hint entries, encoded, as its records are appended (Bitcask writes its hint entry with
     * each record), so that sealing a segment never re-reads it. Entries go into fixed-size blocks: about 48 bytes
     * per 100-byte record, without an object per entry and without copying everything each time it grows.
     * Not thread-safe: one appender at a time (the writer's lock, or the compaction thread).
     */
    public static final class Builder {
        private static final int BLOCK = 256 << 10;

        private final List<byte[]> full = new ArrayList<>();
        private byte[] block = new byte[BLOCK];
        private int used;
        private int count;
        private long fullBytes;

        public void add(byte type, byte[] key, int recordSize, long offset, long sequence, long expiresAt) {
            int size = ENTRY_FIXED_SIZE + key.length;
            if (used + size > block.length) {
                full.add(java.util.Arrays.copyOf(block, used));
                fullBytes += used;
                block = new byte[Math.max(BLOCK, size)];
                used = 0;
            }
            byte[] b = block;
            int p = used;
            b[p] = type;
            Bytes.putU16(b, p + 2, key.length);
            Bytes.putI32(b, p + 4, recordSize);
            Bytes.putI64(b, p + 8, offset);
            Bytes.putI64(b, p + 16, sequence);
            Bytes.putI64(b, p + 24, expiresAt);
            System.arraycopy(key, 0, b, p + ENTRY_FIXED_SIZE, key.length);
            used += size;
            count++;
        }

        public int count() {
            return count;
        }

        /** The complete hint file for a segment of {@code dataLength} bytes holding exactly the added entries. */
        public byte[] encode(long segmentId, byte[] databaseId, long dataLength, BodyCipher cipher) {
            byte[] body = new byte[Math.toIntExact(fullBytes + used)];
            int p = 0;
            for (byte[] f : full) {
                System.arraycopy(f, 0, body, p, f.length);
                p += f.length;
            }
            System.arraycopy(block, 0, body, p, used);
            byte[] header = new byte[HEADER_SIZE];
            Magic.HINT.write(header, 0);
            Bytes.putU16(header, 10, cipher.encrypted() ? 1 : 0);
            Bytes.putI32(header, 12, count);
            Bytes.putI64(header, 16, segmentId);
            System.arraycopy(databaseId, 0, header, 24, 16);
            Bytes.putI64(header, 40, dataLength);
            byte[] sealed = cipher.seal(header, body);
            byte[] out = new byte[HEADER_SIZE + sealed.length + 4];
            System.arraycopy(header, 0, out, 0, HEADER_SIZE);
            System.arraycopy(sealed, 0, out, HEADER_SIZE, sealed.length);
            Bytes.putI32(out, out.length - 4, Bytes.crc32c(out, 0, out.length - 4));
            return out;
        }
    }

    /**
     * Receives a hint's entries straight from the hint's bytes, without an object or a key copy per entry: the key
     * is {@code bytes[keyOffset, keyOffset + keyLength)}; {@link Body#forEach} passes the body itself, which does
     * not change while the body is reachable.
     */
    @FunctionalInterface
    public interface EntryVisitor {
        void entry(byte type, byte[] bytes, int keyOffset, int keyLength, int recordSize, long offset, long sequence,
                   long expiresAt);
    }

    /**
     * A hint checked whole (checksum, database, authentication, every entry consistent), its plaintext entries
     * in {@code bytes[from, to)}: for a plaintext hint the file's own bytes, for an encrypted one the body
     * decrypted once. Open walks it with {@link #forEach} instead of decoding it into objects.
     */
    public record Body(long segmentId, long dataLength, int count, byte[] bytes, int from, int to) {
        /** Calls {@code visitor} with every entry in file order. Entries were checked by {@link #check}. */
        public void forEach(EntryVisitor visitor) {
            byte[] b = bytes;
            int p = from;
            for (int i = 0; i < count; i++) {
                int keyLength = Bytes.u16(b, p + 2);
                visitor.entry(b[p], b, p + ENTRY_FIXED_SIZE, keyLength, Bytes.i32(b, p + 4), Bytes.i64(b, p + 8),
                        Bytes.i64(b, p + 16), Bytes.i64(b, p + 24));
                p += ENTRY_FIXED_SIZE + keyLength;
            }
        }
    }

    /**
     * Decodes a hint file into entry objects (tools and compaction; open walks {@link #check}'s body instead).
     * Any inconsistency is a CorruptionException; the caller then rebuilds the hint from the data file.
     */
    public static Contents decode(byte[] b, Path file, byte[] expectedDatabaseId, BodyCipher cipher) {
        Body body = check(b, file, expectedDatabaseId, cipher);
        List<Entry> entries = new ArrayList<>(body.count());
        body.forEach((type, bytes, keyOffset, keyLength, recordSize, offset, sequence, expiresAt) ->
                entries.add(new Entry(type, java.util.Arrays.copyOfRange(bytes, keyOffset, keyOffset + keyLength),
                        recordSize, offset, sequence, expiresAt)));
        return new Contents(body.segmentId(), body.dataLength(), entries);
    }

    /**
     * Checks a whole hint file before anything of it is used, so that a damaged hint is rejected before a single
     * entry reaches the key directory. Any inconsistency is a CorruptionException; the caller then rebuilds the
     * hint from the data file instead of trusting it. Allocates nothing per entry; a plaintext body is not copied.
     */
    public static Body check(byte[] b, Path file, byte[] expectedDatabaseId, BodyCipher cipher) {
        if (b.length < HEADER_SIZE + 4) {
            throw new CorruptionException(file, 0, "hint file is only " + b.length + " bytes");
        }
        Magic.HINT.checkWithChecksum(b, b.length - 4, file, "hint file");
        boolean encrypted = (Bytes.u16(b, 10) & 1) != 0;
        if (encrypted != cipher.encrypted()) {
            throw new CorruptionException(file, 10, encrypted ? "hint is encrypted but the database is not"
                    : "hint is not encrypted but the database is");
        }
        int count = Bytes.i32(b, 12);
        long segmentId = Bytes.i64(b, 16);
        if (!java.util.Arrays.equals(b, 24, 40, expectedDatabaseId, 0, 16)) {
            throw new CorruptionException(file, 24, "hint belongs to another database");
        }
        long dataLength = Bytes.i64(b, 40);
        byte[] body;
        int from;
        int to;
        if (encrypted) {
            byte[] header = java.util.Arrays.copyOf(b, HEADER_SIZE);
            body = cipher.open(header, java.util.Arrays.copyOfRange(b, HEADER_SIZE, b.length - 4));
            if (body == null) {
                throw new CorruptionException(file, HEADER_SIZE, "hint entries fail authentication");
            }
            from = 0;
            to = body.length;
        } else {
            body = b;
            from = HEADER_SIZE;
            to = b.length - 4;
        }
        if (count < 0 || (long) count * ENTRY_FIXED_SIZE > to - from) {
            throw new CorruptionException(file, 12, "entry count " + count + " does not fit the file");
        }
        // Offsets in messages are file offsets for a plaintext hint, body offsets after the header otherwise.
        int shift = HEADER_SIZE - from;
        int p = from;
        for (int i = 0; i < count; i++) {
            if (p + ENTRY_FIXED_SIZE > to) {
                throw new CorruptionException(file, shift + p, "hint entry " + i + " is truncated");
            }
            byte type = body[p];
            int keyLength = Bytes.u16(body, p + 2);
            int recordSize = Bytes.i32(body, p + 4);
            long offset = Bytes.i64(body, p + 8);
            if ((type != RecordFormat.TYPE_PUT && type != RecordFormat.TYPE_DELETE) || recordSize <= 0
                    || recordSize > Limits.MAX_VALUE_SIZE + Limits.MAX_KEY_SIZE + 1024
                    || offset < SegmentHeader.SIZE || offset + recordSize > dataLength
                    || p + ENTRY_FIXED_SIZE + keyLength > to) {
                throw new CorruptionException(file, shift + p, "hint entry " + i + " is inconsistent");
            }
            p += ENTRY_FIXED_SIZE + keyLength;
        }
        if (p != to) {
            throw new CorruptionException(file, shift + p, "hint has trailing bytes after " + count + " entries");
        }
        return new Body(segmentId, dataLength, count, body, from, to);
    }

    /**
     * The entry count a hint file's header claims, bounded by what its size can hold (an entry takes at least
     * {@link #ENTRY_FIXED_SIZE} bytes), without checking the file: open sizes the key directory from it once.
     */
    public static long claimedCount(byte[] header, long fileSize) {
        if (header.length < HEADER_SIZE) {
            return 0;
        }
        long fits = Math.max(0, (fileSize - HEADER_SIZE - 4) / ENTRY_FIXED_SIZE);
        return Math.max(0, Math.min(Bytes.i32(header, 12), fits));
    }
}
