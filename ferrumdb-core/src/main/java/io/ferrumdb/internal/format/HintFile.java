package io.ferrumdb.internal.format;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.Limits;
import io.ferrumdb.internal.concurrent.ArrayPool;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

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

    /** Where {@link Builder#writeTo} writes: a file's positional write. */
    public interface Sink {
        void write(long position, ByteBuffer src) throws IOException;
    }

    /** The {@link #HEADER_SIZE} bytes a hint file starts with. */
    static byte[] prologue(int count, long segmentId, byte[] databaseId, long dataLength, boolean encrypted) {
        byte[] header = new byte[HEADER_SIZE];
        Magic.HINT.write(header, 0);
        Bytes.putU16(header, 10, encrypted ? 1 : 0);
        Bytes.putI32(header, 12, count);
        Bytes.putI64(header, 16, segmentId);
        System.arraycopy(databaseId, 0, header, 24, 16);
        Bytes.putI64(header, 40, dataLength);
        return header;
    }

    /**
     * Encodes one entry at {@code b[p]}, its key taken from {@code keyBuffer[keyAt, keyAt + keyLength)}; it takes
     * {@link #ENTRY_FIXED_SIZE} {@code + keyLength} bytes.
     */
    static void putEntry(byte[] b, int p, byte type, byte[] keyBuffer, int keyAt, int keyLength, int recordSize,
                         long offset, long sequence, long expiresAt) {
        b[p] = type;
        b[p + 1] = 0;
        Bytes.putU16(b, p + 2, keyLength);
        Bytes.putI32(b, p + 4, recordSize);
        Bytes.putI64(b, p + 8, offset);
        Bytes.putI64(b, p + 16, sequence);
        Bytes.putI64(b, p + 24, expiresAt);
        System.arraycopy(keyBuffer, keyAt, b, p + ENTRY_FIXED_SIZE, keyLength);
    }

    /**
     * Collects a segment's hint entries, encoded, as its records are appended (Bitcask writes its hint entry with
     * each record), so that sealing a segment never re-reads it. Entries go into fixed-size blocks: about 48 bytes
     * per 100-byte record, without an object per entry and without copying everything each time it grows.
     * Not thread-safe: one appender at a time (the writer's lock, or the compaction thread).
     */
    public static final class Builder {
        /** Bytes of a block; an entry (at most 32 + 65,535 bytes, its key's length is 16 bits) fits in one. */
        static final int BLOCK = 256 << 10;

        private final ArrayPool<byte[]> blocks;
        private final List<byte[]> full = new ArrayList<>();
        /** The bytes used of each block of {@link #full}: a full block is kept as it is, not copied to its length. */
        private int[] fullUsed = new int[8];
        /** The block being filled; null once {@link #release} gave the blocks back. */
        private byte[] block;
        private int used;
        private int count;
        private long fullBytes;

        /** A builder whose blocks are allocated and dropped with it. */
        public Builder() {
            this(ArrayPool.none(NEW_BLOCK));
        }

        /**
         * A builder that takes its blocks from {@code blocks} (made by {@link #blockPool}); {@link #release} gives
         * them back.
         */
        public Builder(ArrayPool<byte[]> blocks) {
            this.blocks = blocks;
            this.block = blocks.take();
        }

        /** A pool of builders' blocks, keeping at most {@code maxKept} (of 256 KiB each). */
        public static ArrayPool<byte[]> blockPool(int maxKept) {
            return new ArrayPool<>(NEW_BLOCK, maxKept);
        }

        /**
         * Allocates a block. A class, not {@code Builder::newBlock}: every writer makes a builder at open
         * (ARCHITECTURE.md, "Start-up cost").
         */
        private static final class NewBlock implements Supplier<byte[]> {
            @Override
            public byte[] get() {
                return new byte[BLOCK];
            }
        }

        private static final Supplier<byte[]> NEW_BLOCK = new NewBlock();

        /**
         * Gives the blocks back to the pool they came from, once the entries are written (a block taken again
         * holds old entries past its used length, which nothing reads). The builder is unusable afterwards.
         */
        public void release() {
            assert block != null : "hint builder released twice";
            for (byte[] b : full) {
                blocks.give(b);
            }
            blocks.give(block);
            full.clear();
            block = null;
        }

        public void add(byte type, byte[] key, int recordSize, long offset, long sequence, long expiresAt) {
            add(type, key, 0, key.length, recordSize, offset, sequence, expiresAt);
        }

        /** {@link #add} of the key in {@code keyBuffer[keyAt, keyAt + keyLength)}. */
        public void add(byte type, byte[] keyBuffer, int keyAt, int keyLength, int recordSize, long offset,
                        long sequence, long expiresAt) {
            int size = ENTRY_FIXED_SIZE + keyLength;
            if (used + size > block.length) {
                nextBlock(size);
            }
            putEntry(block, used, type, keyBuffer, keyAt, keyLength, recordSize, offset, sequence, expiresAt);
            used += size;
            count++;
        }

        /**
         * Files the current block as full and takes the next one for an entry of {@code size} bytes. Out of
         * {@link #add}, which runs once per record of a compaction and is kept small enough to be inlined there.
         */
        private void nextBlock(int size) {
            assert size <= BLOCK : "a hint entry larger than a block: " + size;
            if (full.size() == fullUsed.length) {
                fullUsed = java.util.Arrays.copyOf(fullUsed, fullUsed.length * 2);
            }
            fullUsed[full.size()] = used;
            full.add(block);
            fullBytes += used;
            block = blocks.take();
            used = 0;
        }

        public int count() {
            return count;
        }

        /** The added entries, for a cursor over a segment of {@code dataLength} bytes named {@code file}. */
        public Cursor cursor(Path file, long segmentId, long dataLength) {
            byte[] body = body();
            return new Cursor(file, segmentId, dataLength, count, body, 0, body.length);
        }

        private byte[] body() {
            byte[] body = new byte[Math.toIntExact(fullBytes + used)];
            copyBody(body, 0);
            return body;
        }

        /** Copies the encoded entries into {@code to} from {@code at}. */
        private void copyBody(byte[] to, int at) {
            int p = at;
            for (int i = 0; i < full.size(); i++) {
                System.arraycopy(full.get(i), 0, to, p, fullUsed[i]);
                p += fullUsed[i];
            }
            System.arraycopy(block, 0, to, p, used);
        }

        /**
         * Writes the complete hint file, as {@link #encode} would return it, through {@code out} from position 0. A
         * plaintext hint goes block by block, its checksum computed on the way: no copy of the entries (encode's
         * one array of tens of megabytes was copied again by the JDK into a temporary direct buffer as large, to
         * write it). An encrypted body is sealed whole, so it is encoded first.
         */
        public void writeTo(Sink out, long segmentId, byte[] databaseId, long dataLength, BodyCipher cipher)
                throws IOException {
            if (cipher.encrypted()) {
                out.write(0, ByteBuffer.wrap(encode(segmentId, databaseId, dataLength, cipher)));
                return;
            }
            byte[] header = header(segmentId, databaseId, dataLength, cipher);
            CRC32C crc = new CRC32C();
            crc.update(header);
            out.write(0, ByteBuffer.wrap(header));
            long at = HEADER_SIZE;
            for (int i = 0; i <= full.size(); i++) {
                byte[] b = i < full.size() ? full.get(i) : block;
                int n = i < full.size() ? fullUsed[i] : used;
                crc.update(b, 0, n);
                out.write(at, ByteBuffer.wrap(b, 0, n));
                at += n;
            }
            byte[] tail = new byte[4];
            Bytes.putI32(tail, 0, (int) crc.getValue());
            out.write(at, ByteBuffer.wrap(tail));
        }

        private byte[] header(long segmentId, byte[] databaseId, long dataLength, BodyCipher cipher) {
            return prologue(count, segmentId, databaseId, dataLength, cipher.encrypted());
        }

        /** The complete hint file for a segment of {@code dataLength} bytes holding exactly the added entries. */
        public byte[] encode(long segmentId, byte[] databaseId, long dataLength, BodyCipher cipher) {
            byte[] header = header(segmentId, databaseId, dataLength, cipher);
            if (!cipher.encrypted()) {
                // Plaintext entries go straight behind the header: one copy of a body of tens of megabytes, not
                // two (a compaction output's hint is a third of its size).
                byte[] out = new byte[Math.toIntExact(HEADER_SIZE + fullBytes + used + 4)];
                System.arraycopy(header, 0, out, 0, HEADER_SIZE);
                copyBody(out, HEADER_SIZE);
                Bytes.putI32(out, out.length - 4, Bytes.crc32c(out, 0, out.length - 4));
                return out;
            }
            byte[] sealed = cipher.seal(header, body());
            byte[] out = new byte[HEADER_SIZE + sealed.length + 4];
            System.arraycopy(header, 0, out, 0, HEADER_SIZE);
            System.arraycopy(sealed, 0, out, HEADER_SIZE, sealed.length);
            Bytes.putI32(out, out.length - 4, Bytes.crc32c(out, 0, out.length - 4));
            return out;
        }
    }

    /**
     * Decodes a hint file into entry objects (tools; open and compaction walk a {@link Cursor} instead). Any
     * inconsistency is a CorruptionException; the caller then rebuilds the hint from the data file.
     */
    public static Contents decode(byte[] b, Path file, byte[] expectedDatabaseId, BodyCipher cipher) {
        Cursor c = open(b, file, expectedDatabaseId, cipher);
        List<Entry> entries = new ArrayList<>(c.count());
        while (c.next()) {
            entries.add(c.entry());
        }
        return new Contents(c.segmentId(), c.dataLength(), entries);
    }

    /**
     * Checks a hint file's header, checksum and authentication, and returns a cursor over its entries, decoded in
     * place as it advances (compaction walks 10^5-10^6 entries without an object each). An inconsistent entry is
     * found when the cursor reaches it; {@link Cursor#check} walks them all first.
     */
    public static Cursor open(byte[] b, Path file, byte[] expectedDatabaseId, BodyCipher cipher) {
        return open(b, b.length, file, expectedDatabaseId, cipher);
    }

    /**
     * As {@link #open(byte[], Path, byte[], BodyCipher)} for a hint file held in {@code b[0, length)}: a buffer kept
     * from one compaction to the next (InputHints) holds the previous, maybe longer, hint's bytes after its end,
     * and nothing past {@code length} is read. The cursor reads {@code b} in place: the caller keeps it unchanged
     * while the cursor (or a duplicate or part of it) is in use.
     */
    public static Cursor open(byte[] b, int length, Path file, byte[] expectedDatabaseId, BodyCipher cipher) {
        if (length < 0 || length > b.length) {
            throw new IllegalArgumentException("a hint of " + length + " bytes in a buffer of " + b.length);
        }
        if (length < HEADER_SIZE + 4) {
            throw new CorruptionException(file, 0, "hint file is only " + length + " bytes");
        }
        Magic.HINT.checkWithChecksum(b, length - 4, file, "hint file");
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
        if (!cipher.encrypted()) {
            // Plaintext entries are read where they lie: no copy of a file of up to tens of megabytes.
            return new Cursor(file, segmentId, dataLength, count, b, HEADER_SIZE, length - 4);
        }
        byte[] header = java.util.Arrays.copyOf(b, HEADER_SIZE);
        byte[] sealed = java.util.Arrays.copyOfRange(b, HEADER_SIZE, length - 4);
        byte[] body = cipher.open(header, sealed);
        if (body == null) {
            throw new CorruptionException(file, HEADER_SIZE, "hint entries fail authentication");
        }
        return new Cursor(file, segmentId, dataLength, count, body, 0, body.length);
    }

    /**
     * The entries of one hint, decoded in place: {@link #next} moves to the next entry and checks it; the
     * accessors describe the current one; its key is {@code buffer()[keyAt(), keyAt() + keyLength())}.
     */
    public static final class Cursor {
        /** Entries between two {@link #marks}: a power of two. */
        private static final int MARK_SHIFT = 10;
        private static final int MARK_EVERY = 1 << MARK_SHIFT;

        private final Path file;
        private final long segmentId;
        private final long dataLength;
        private final int count;
        private final byte[] body;
        private final int start;
        /** Where the first entry lies: {@link #start} but in a {@link #part}. */
        private final int from;
        private final int end;
        /** Position of the next entry, and how many entries were read. */
        private int p;
        private int read;
        /**
         * Where entries {@code 0, MARK_EVERY, 2 * MARK_EVERY, ...} start, filled by {@link #check} (null before):
         * {@link #part} starts its walk at the mark before its first entry instead of at the first entry of the
         * hint. Shared by duplicates, which walk the same checked entries.
         */
        private int[] marks;
        private byte type;
        private int keyAt;
        private int keyLength;
        private int recordSize;
        private long offset;
        private long sequence;
        private long expiresAt;

        Cursor(Path file, long segmentId, long dataLength, int count, byte[] body, int start, int end) {
            this(file, segmentId, dataLength, count, body, start, start, end);
        }

        /** {@code count} entries from {@code from} to {@code end}; problems reported at offsets from {@code start}. */
        private Cursor(Path file, long segmentId, long dataLength, int count, byte[] body, int start, int from,
                       int end) {
            if (count < 0 || (long) count * ENTRY_FIXED_SIZE > end - from) {
                throw new CorruptionException(file, 12, "entry count " + count + " does not fit the file");
            }
            this.file = file;
            this.segmentId = segmentId;
            this.dataLength = dataLength;
            this.count = count;
            this.body = body;
            this.start = start;
            this.from = from;
            this.end = end;
            this.p = from;
        }

        /** Moves to the next entry; false after the last. Throws CorruptionException on an inconsistent entry. */
        public boolean next() {
            if (read == count) {
                checkEnd();
                return false;
            }
            int i = read;
            if (p + ENTRY_FIXED_SIZE > end) {
                throw new CorruptionException(file, HEADER_SIZE + p - start, "hint entry " + i + " is truncated");
            }
            byte t = body[p];
            int keyLen = Bytes.u16(body, p + 2);
            int size = Bytes.i32(body, p + 4);
            long off = Bytes.i64(body, p + 8);
            if ((t != RecordFormat.TYPE_PUT && t != RecordFormat.TYPE_DELETE) || size <= 0
                    || size > Limits.MAX_VALUE_SIZE + Limits.MAX_KEY_SIZE + 1024
                    || off < SegmentHeader.SIZE || off + size > dataLength
                    || p + ENTRY_FIXED_SIZE + keyLen > end) {
                throw new CorruptionException(file, HEADER_SIZE + p - start, "hint entry " + i + " is inconsistent");
            }
            type = t;
            keyLength = keyLen;
            recordSize = size;
            offset = off;
            sequence = Bytes.i64(body, p + 16);
            expiresAt = Bytes.i64(body, p + 24);
            keyAt = p + ENTRY_FIXED_SIZE;
            p = keyAt + keyLen;
            read++;
            return true;
        }

        /**
         * After the last entry: throws CorruptionException when bytes trail it. A walk of {@link #count} calls of
         * {@link #next} followed by this one checks what a walk until next() returns false checks, and keeps the
         * end out of next()'s profile: the JIT compiles next() for the entries only, and the end of each walk of a
         * large hint no longer throws the compiled next() away (it did, once per walk, at open).
         *
         * @throws IllegalStateException when entries are left
         */
        public void checkEnd() {
            if (read != count) {
                throw new IllegalStateException((count - read) + " entries of the hint of segment " + segmentId
                        + " are left");
            }
            if (p != end) {
                throw new CorruptionException(file, HEADER_SIZE + p - start, "hint has trailing bytes after "
                        + count + " entries");
            }
        }

        /** Where the current entry lies in the hint file, as the cursor's own problems name it. */
        public long entryOffset() {
            return HEADER_SIZE + entryAt() - start;
        }

        /** Where the current entry starts in {@link #buffer}, for {@link #reordered}. */
        public int entryAt() {
            return keyAt - ENTRY_FIXED_SIZE;
        }

        /**
         * A cursor over some of this hint's entries in another order: {@code entryStarts[0, count)}, each a position
         * {@link #entryAt} returned during a walk of this cursor, none twice. The entries are copied in that order
         * into {@code into} (reused by the caller from hint to hint), so that the new cursor walks them
         * sequentially: open visits a hint's entries in order of their keys' hashes (see KeyDirLoader). The
         * copies are checked again as the new cursor reaches them.
         */
        public Cursor reordered(int[] entryStarts, int count, byte[] into) {
            if (count < 0 || count > this.count) {
                throw new IllegalArgumentException("a reordering of " + count + " entries of a hint of "
                        + this.count + " entries");
            }
            int out = 0;
            for (int i = 0; i < count; i++) {
                int at = entryStarts[i];
                if (at < start || at + ENTRY_FIXED_SIZE > end) {
                    throw new IllegalArgumentException("no hint entry starts at " + at + " in " + file);
                }
                int length = ENTRY_FIXED_SIZE + Bytes.u16(body, at + 2);
                if (out + length > into.length) {
                    throw new IllegalArgumentException("the " + count + " entries reordered overrun the "
                            + into.length + " bytes given for them");
                }
                System.arraycopy(body, at, into, out, length);
                out += length;
            }
            return new Cursor(file, segmentId, dataLength, count, into, 0, out);
        }

        /**
         * Walks every entry, so that a damaged hint is refused before anything relies on it, then rewinds. Notes
         * where every {@link #MARK_EVERY}th entry starts on the way, for {@link #part}.
         */
        public Cursor check() {
            int[] starts = new int[(count >>> MARK_SHIFT) + 1];
            starts[0] = from;
            while (read < count) {
                if ((read & (MARK_EVERY - 1)) == 0) {
                    starts[read >>> MARK_SHIFT] = p;
                }
                next();
            }
            checkEnd();
            marks = starts;
            p = from;
            read = 0;
            return this;
        }

        /**
         * A second cursor over the same entries, from the first (compaction reads a few entries ahead of its
         * work). Shares the buffer; checked entries stay checked.
         */
        public Cursor duplicate() {
            Cursor d = new Cursor(file, segmentId, dataLength, count, body, start, from, end);
            d.marks = marks;
            return d;
        }

        /**
         * A cursor over entries {@code [first, first + entries)} of this hint (a subcompaction copies a share of a
         * hint's entries). Walks to find where they lie, checking the entries walked: from the {@link #check}ed
         * hint's mark before each end (fewer than {@link #MARK_EVERY} entries), else from the first entry of the
         * hint (issue 23, session 12: a fresh JVM's first compaction spent its JIT's time on compiling that walk,
         * a quarter of a million entries long). The part checks its own entries again as it reaches them, and
         * reports problems at their offsets in the hint.
         */
        public Cursor part(int first, int entries) {
            if (first < 0 || entries < 0 || first > count - entries) {
                throw new IllegalArgumentException("entries [" + first + ", " + ((long) first + entries)
                        + ") of a hint of " + count + " entries");
            }
            int at = startOf(first);
            if (first + entries == count) {
                // The last part ends where the hint does; next() checks that nothing trails its last entry.
                return new Cursor(file, segmentId, dataLength, entries, body, start, at, end);
            }
            return new Cursor(file, segmentId, dataLength, entries, body, start, at, startOf(first + entries));
        }

        /** Where entry {@code index} (below {@link #count}) starts, walked from the nearest mark before it. */
        private int startOf(int index) {
            int mark = marks == null ? 0 : index >>> MARK_SHIFT;
            int walked = mark << MARK_SHIFT;
            Cursor walk = new Cursor(file, segmentId, dataLength, count - walked, body, start,
                    marks == null ? from : marks[mark], end);
            for (int i = walked; i < index; i++) {
                walk.next();
            }
            return walk.p;
        }

        public int count() {
            return count;
        }

        public long segmentId() {
            return segmentId;
        }

        public long dataLength() {
            return dataLength;
        }

        public byte type() {
            return type;
        }

        /** The buffer holding the current key (shared: callers must not change it). */
        public byte[] buffer() {
            return body;
        }

        public int keyAt() {
            return keyAt;
        }

        public int keyLength() {
            return keyLength;
        }

        /** A copy of the current key. */
        public byte[] key() {
            return java.util.Arrays.copyOfRange(body, keyAt, keyAt + keyLength);
        }

        public int recordSize() {
            return recordSize;
        }

        public long offset() {
            return offset;
        }

        public long sequence() {
            return sequence;
        }

        public long expiresAt() {
            return expiresAt;
        }

        /** The current entry as an object. */
        public Entry entry() {
            return new Entry(type, key(), recordSize, offset, sequence, expiresAt);
        }
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
