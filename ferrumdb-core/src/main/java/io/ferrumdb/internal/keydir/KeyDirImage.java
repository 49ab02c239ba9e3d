package io.ferrumdb.internal.keydir;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.FormatVersionException;
import io.ferrumdb.internal.format.Bytes;
import io.ferrumdb.internal.format.Magic;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The key directory's image (FORMAT.md, "KEYDIR"): the memory of a directory as a clean close left it, written
 * then and read back at the next open in place of the hint files, with a few large reads straight into the
 * off-heap table, the key arena's chunks and the ordered index's reference array. No key is hashed, probed or
 * copied at open: loading 10M keys from hints probes a 300 MB table once per record, which is bound by cache and
 * TLB misses (docs/benchmarks.md, issue 18), while reading the image is bound by the copy from the page cache.
 *
 * <p>An image is only a cache of what the hint files say. It names the database and every segment it describes
 * (id, length, sequence range, live bytes); open uses it only when that is exactly the set of segments, at exactly
 * those lengths, and every checksum holds ({@link Header#read}, {@link Header#load}); anything else is
 * {@link Invalid} and open loads the hints as it would without an image. Every change to the database after an
 * open goes to a segment the image does not name (the log writer starts a new segment for its first append;
 * compaction writes new segments and deletes old ones), so an image describes one state of the database only.
 *
 * <p>Byte order: the header is big-endian like every FerrumDB file; the body holds the memory as it was, in the
 * writer's native order, which the header names: a reader of the other order ignores the image.
 */
public final class KeyDirImage {
    /** What the image says about one segment: what open would otherwise learn by loading its hint. */
    public record SegmentState(int id, long length, long minSequence, long maxSequence, long liveBytes) {
    }

    /** The image is not usable: damaged, of an unknown version, or describing another state of the database. */
    public static final class Invalid extends Exception {
        private final boolean damaged;

        Invalid(String problem, boolean damaged) {
            super(problem);
            this.damaged = damaged;
        }

        /** True when the file is damaged (not merely describing another state, or of a newer version). */
        public boolean damaged() {
            return damaged;
        }
    }

    /** Keys are in an arena (else compared with their records: a hash-only plaintext directory). */
    static final int FLAG_ARENA = 1;
    /** The directory keeps the key order: the body holds the ordered index's references. */
    static final int FLAG_ORDERED = 2;
    /** Those references are in key order (else in no order: the build at open sorts them). */
    static final int FLAG_SORTED = 4;
    /** The body holds the expiry area (some key had a TTL). */
    static final int FLAG_EXPIRIES = 8;
    /** The body's memory is little-endian (else big-endian). */
    static final int FLAG_LITTLE_ENDIAN = 16;
    private static final int KNOWN_FLAGS = 31;

    /** Bytes of the header before the segment list (see FORMAT.md). */
    static final int FIXED = 92;
    static final int SEGMENT_BYTES = 36;
    /** More segments than this is not a plausible header (checked before allocating for the list). */
    static final int MAX_SEGMENTS = SlotTable.MAX_SEGMENT_ID + 1;
    /** References are read and written through a direct buffer of this size (a heap buffer's read or write makes
     * the JDK allocate, and cache per thread, a direct buffer as large as it). */
    private static final int REF_PIECE = 1 << 20;
    /**
     * An arena's image is not written once more keys were removed since the keys were last loaded from hints than
     * there are live ones: their bytes would stay in the arena, image after image, so the arena could grow without
     * bound under churn; a load from hints copies only the keys its records name. At most one removed key a live
     * key keeps the arena within about twice its live keys' bytes (plus the keys of tombstones, which a load from
     * hints copies too).
     */
    static final int MAX_REMOVED_PER_LIVE_KEY = 1;

    private KeyDirImage() {
    }

    /**
     * True when an image of {@code kd} is worth writing: its arena (if any) holds few removed keys (see
     * {@link #MAX_REMOVED_PER_LIVE_KEY}). Caller holds nothing; no change runs any more (close).
     */
    public static boolean worthWriting(KeyDir kd) {
        synchronized (kd.mutation) {
            return kd.arena() == null || kd.removedKeys() <= (long) kd.table.live * MAX_REMOVED_PER_LIVE_KEY;
        }
    }

    /**
     * Writes the image of {@code kd}, describing {@code segments} of database {@code databaseId}, into the empty
     * file {@code f} (the caller makes it durable and renames it). No change may run (close: the writer and
     * compaction have stopped); the mutation lock is held throughout all the same.
     */
    public static void write(KeyDir kd, StorageFile f, byte[] databaseId, List<SegmentState> segments)
            throws IOException {
        synchronized (kd.mutation) {
            SlotTable t = kd.table;
            assert t.tombstones == 0 && !t.isLoading() : "an image of a directory still loading";
            KeyArena arena = kd.arena();
            KeyDir.ImageReferences refs = kd.imageReferences();
            ByteBuffer expiries = t.expiryMemory();
            int flags = (arena != null ? FLAG_ARENA : 0) | (refs != null ? FLAG_ORDERED : 0)
                    | (refs != null && refs.sorted() ? FLAG_SORTED : 0) | (expiries != null ? FLAG_EXPIRIES : 0)
                    | (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? FLAG_LITTLE_ENDIAN : 0);
            int[] refArray = refs == null ? new int[0] : refs.loaded().refs();
            long maxSequence = 0;
            for (SegmentState s : segments) {
                maxSequence = Math.max(maxSequence, s.maxSequence());
            }
            byte[] h = new byte[FIXED + segments.size() * SEGMENT_BYTES + 4];
            Magic.KEYDIR.write(h, 0);
            Bytes.putU16(h, 10, flags);
            Bytes.putI32(h, 12, Math.max(0, kd.keyHashBits()));
            System.arraycopy(databaseId, 0, h, 16, 16);
            Bytes.putI32(h, 32, t.capacity);
            Bytes.putI32(h, 36, t.live);
            Bytes.putI32(h, 40, t.used);
            Bytes.putI32(h, 44, refArray.length);
            Bytes.putI64(h, 48, refs == null ? 0 : refs.loaded().dead());
            Bytes.putI64(h, 56, arena == null ? 0 : arena.bytesUsed());
            Bytes.putI64(h, 64, arena == null ? 0 : arena.denseLimit());
            Bytes.putI64(h, 72, kd.removedKeys());
            Bytes.putI64(h, 80, maxSequence);
            Bytes.putI32(h, 88, segments.size());
            int at = FIXED;
            for (SegmentState s : segments) {
                Bytes.putI32(h, at, s.id());
                Bytes.putI64(h, at + 4, s.length());
                Bytes.putI64(h, at + 12, s.minSequence());
                Bytes.putI64(h, at + 20, s.maxSequence());
                Bytes.putI64(h, at + 28, s.liveBytes());
                at += SEGMENT_BYTES;
            }
            Bytes.putI32(h, at, Bytes.crc32c(h, 0, at));
            f.write(0, ByteBuffer.wrap(h));
            CRC32C crc = new CRC32C();
            long pos = writeCounted(f, h.length, t.slotMemory(), crc);
            if (expiries != null) {
                pos = writeCounted(f, pos, expiries, crc);
            }
            for (int i = 0; arena != null && i < arena.chunkCount(); i++) {
                pos = writeCounted(f, pos, arena.chunkMemory(i), crc);
            }
            ByteBuffer piece = ByteBuffer.allocateDirect(REF_PIECE).order(ByteOrder.nativeOrder());
            for (int from = 0; from < refArray.length; ) {
                int n = Math.min(REF_PIECE / 4, refArray.length - from);
                piece.clear();
                piece.asIntBuffer().put(refArray, from, n);
                piece.limit(n * 4);
                pos = writeCounted(f, pos, piece, crc);
                from += n;
            }
            byte[] end = new byte[4];
            Bytes.putI32(end, 0, (int) crc.getValue());
            f.write(pos, ByteBuffer.wrap(end));
        }
    }

    /** Writes {@code b} (position to limit) at {@code pos} into the checksum and the file; returns the next position. */
    private static long writeCounted(StorageFile f, long pos, ByteBuffer b, CRC32C crc) throws IOException {
        int n = b.remaining();
        crc.update(b.duplicate());
        f.write(pos, b);
        return pos + n;
    }

    /** An image's header, read and checked whole (checksum, version, length of the file); the body not yet read. */
    public static final class Header {
        private final int flags;
        private final int keyHashBits;
        private final byte[] databaseId;
        private final int capacity;
        private final int live;
        private final int used;
        private final int refCount;
        private final long deadRefs;
        private final long arenaEnd;
        private final long denseLimit;
        private final long removedKeys;
        private final long maxSequence;
        private final List<SegmentState> segments;
        private final long bodyStart;

        private Header(byte[] h) {
            flags = Bytes.u16(h, 10);
            keyHashBits = Bytes.i32(h, 12);
            databaseId = Arrays.copyOfRange(h, 16, 32);
            capacity = Bytes.i32(h, 32);
            live = Bytes.i32(h, 36);
            used = Bytes.i32(h, 40);
            refCount = Bytes.i32(h, 44);
            deadRefs = Bytes.i64(h, 48);
            arenaEnd = Bytes.i64(h, 56);
            denseLimit = Bytes.i64(h, 64);
            removedKeys = Bytes.i64(h, 72);
            maxSequence = Bytes.i64(h, 80);
            int n = Bytes.i32(h, 88);
            List<SegmentState> list = new ArrayList<>(n);
            for (int i = 0, at = FIXED; i < n; i++, at += SEGMENT_BYTES) {
                list.add(new SegmentState(Bytes.i32(h, at), Bytes.i64(h, at + 4), Bytes.i64(h, at + 12),
                        Bytes.i64(h, at + 20), Bytes.i64(h, at + 28)));
            }
            segments = List.copyOf(list);
            bodyStart = h.length;
        }

        /**
         * Reads and checks the header of the image in {@code f}: the checksum first, then the version (as every
         * FerrumDB file), then that the fields are plausible and the file is exactly as long as they say.
         */
        public static Header read(StorageFile f, Path path) throws IOException, Invalid {
            long size = f.size();
            byte[] fixed = new byte[FIXED];
            if (size < FIXED + 4 || f.read(0, ByteBuffer.wrap(fixed)) != FIXED) {
                throw new Invalid("shorter than its header (" + size + " bytes)", true);
            }
            int n = Bytes.i32(fixed, 88);
            if (n < 0 || n > MAX_SEGMENTS || size < FIXED + (long) n * SEGMENT_BYTES + 4) {
                throw new Invalid("header claims " + n + " segments in a file of " + size + " bytes", true);
            }
            byte[] h = new byte[FIXED + n * SEGMENT_BYTES + 4];
            if (f.read(0, ByteBuffer.wrap(h)) != h.length) {
                throw new Invalid("shorter than its header", true);
            }
            try {
                Magic.KEYDIR.checkWithChecksum(h, h.length - 4, path, "key directory image header");
            } catch (FormatVersionException e) {
                throw new Invalid(e.getMessage(), false);
            } catch (CorruptionException e) {
                throw new Invalid(e.getMessage(), true);
            }
            Header header = new Header(Arrays.copyOf(h, h.length - 4));
            header.checkFields(size);
            return header;
        }

        private void checkFields(long size) throws Invalid {
            if ((flags & ~KNOWN_FLAGS) != 0 || capacity < 1 || capacity > SlotTable.MAX_CAPACITY || live < 0
                    || used < live || used >= capacity || refCount < 0 || deadRefs < 0 || arenaEnd < 0
                    || arenaEnd >= 1L << KeyArena.REF_BITS || keyHashBits < 0
                    || keyHashBits > LogKeys.DEFAULT_EXTRA_BITS
                    || (has(FLAG_ORDERED) && (!has(FLAG_ARENA) || refCount - deadRefs != live))
                    || (!has(FLAG_ORDERED) && (refCount != 0 || has(FLAG_SORTED)))
                    || (has(FLAG_ARENA) && denseLimit != KeyArena.DENSE_LIMIT && denseLimit != Long.MAX_VALUE)) {
                throw new Invalid("implausible header fields", true);
            }
            long expected = bodyStart + 4 + bodyLength() + 4;
            if (size != expected) {
                throw new Invalid("file is " + size + " bytes, its header describes " + expected, true);
            }
        }

        private long bodyLength() {
            return (long) capacity * SlotTable.SLOT_BYTES + (has(FLAG_EXPIRIES) ? capacity * 8L : 0)
                    + (has(FLAG_ARENA) ? arenaEnd : 0) + refCount * 4L;
        }

        private boolean has(int flag) {
            return (flags & flag) != 0;
        }

        public byte[] databaseId() {
            return databaseId.clone();
        }

        /** The segments the image describes, in increasing id order as written. */
        public List<SegmentState> segments() {
            return segments;
        }

        /** The highest sequence number of the records the image describes (0 when none). */
        public long maxSequence() {
            return maxSequence;
        }

        /**
         * Why this image cannot serve a directory opened with these options, or null when it can: ordered keys or
         * not, and a hash-only directory's header bits, must be as when it was written; so must the byte order.
         */
        public String incompatibility(boolean orderedKeys, int keyHashBits) {
            if (has(FLAG_LITTLE_ENDIAN) != (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN)) {
                return "written in the other byte order";
            }
            if (has(FLAG_ORDERED) != orderedKeys) {
                return orderedKeys ? "written without ordered keys" : "written with ordered keys";
            }
            if (!orderedKeys && (has(FLAG_ARENA) || this.keyHashBits != keyHashBits)) {
                return "written for hash-only keys of another kind (" + this.keyHashBits + " hash bits beyond the tag)";
            }
            return null;
        }

        /**
         * Reads the body into a new key directory, checking its checksum; the directory is returned only when it
         * holds. Reads each memory area with one call straight into its direct buffer (the arena chunk by chunk,
         * the references through one buffer of {@link #REF_PIECE} bytes).
         */
        public KeyDir load(StorageFile f) throws IOException, Invalid {
            CRC32C crc = new CRC32C();
            SlotTable t = new SlotTable(capacity);
            long pos = readCounted(f, bodyStart + 4, t.slotMemory(), crc);
            if (has(FLAG_EXPIRIES)) {
                pos = readCounted(f, pos, t.newExpiryMemory(), crc);
            }
            KeyArena arena = has(FLAG_ARENA) ? KeyArena.restored(denseLimit, arenaEnd) : null;
            for (int i = 0; arena != null && i < arena.chunkCount(); i++) {
                pos = readCounted(f, pos, arena.chunkMemory(i), crc);
            }
            int[] refs = new int[refCount];
            ByteBuffer piece = refCount == 0 ? null
                    : ByteBuffer.allocateDirect(Math.min(REF_PIECE, refCount * 4)).order(ByteOrder.nativeOrder());
            for (int from = 0; from < refCount; ) {
                int n = Math.min(piece.capacity() / 4, refCount - from);
                piece.clear().limit(n * 4);
                pos = readCounted(f, pos, piece, crc);
                piece.flip();
                piece.asIntBuffer().get(refs, from, n);
                from += n;
            }
            byte[] end = new byte[4];
            if (f.read(pos, ByteBuffer.wrap(end)) != 4 || Bytes.i32(end, 0) != (int) crc.getValue()) {
                throw new Invalid("body checksum mismatch", true);
            }
            t.restored(live, used);
            KeyDir.ImageReferences ordered = has(FLAG_ORDERED)
                    ? new KeyDir.ImageReferences(new OrderedIndex.Loaded(refs, deadRefs), has(FLAG_SORTED)) : null;
            return KeyDir.restored(t, arena, keyHashBits, ordered, removedKeys);
        }

        /** Reads {@code b} whole from {@code pos} into it and the checksum; returns the next position. */
        private static long readCounted(StorageFile f, long pos, ByteBuffer b, CRC32C crc) throws IOException, Invalid {
            int n = b.remaining();
            if (f.read(pos, b) != n) {
                throw new Invalid("truncated at " + pos, true);
            }
            b.flip();
            crc.update(b);
            return pos + n;
        }
    }
}
