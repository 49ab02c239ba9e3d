package io.ferrumdb.internal.keydir;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.FormatVersionException;
import io.ferrumdb.internal.format.Bytes;
import io.ferrumdb.internal.format.Magic;
import io.ferrumdb.internal.io.StorageFile;
import java.io.File;
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
 * then and taken back at the next open in place of the hint files. No key is hashed, probed or copied at open:
 * loading 10M keys from hints probes a 300 MB table once per record, which is bound by cache and TLB misses
 * (docs/benchmarks.md, issue 18).
 *
 * <p>Version 2 starts every memory area on an 8-byte boundary of the file, so that open can map the areas
 * copy-on-write ({@link StorageFile#mapPrivate}) and use them as the directory's memory: the table's slot words
 * need 8-byte alignment for their ordered accesses. A mapping costs no allocation, no zeroing and no copy (reading
 * a 510 MB image into fresh direct memory was mostly the kernel's page faults and zeroing, docs/benchmarks.md);
 * the pages come from the page cache until the directory writes one, which then gets a private copy. Nothing is
 * ever written to the file through the mapping. The mapped pages follow the file, so an image file is never
 * rewritten or truncated in place: a close writes a new one and renames it over ({@code DirectoryImage}); a
 * refused one is deleted (on Linux and macOS a mapped file may be unlinked or renamed over: the mapping keeps the
 * old file). Windows can do neither to a mapped file, and a JDK 17 mapping cannot be unmapped before the garbage
 * collector frees it, so there ({@link #MAPS}), in a read-only open (a private mapping needs a descriptor open for
 * writing), and for version-1 images (whose areas may be misaligned) the areas are read into fresh memory instead.
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

    /**
     * Whether open may map a version-2 image's areas (see the class comment): not on Windows, which can neither
     * delete nor rename over a mapped file (the close that writes the next image renames it over this one).
     */
    public static final boolean MAPS = File.separatorChar == '/';
    /** In version 2 every area starts at a multiple of this in the file (zero bytes pad the header and the arena). */
    static final int ALIGN = 8;
    /** Largest area mapped or read in one piece (a buffer holds below 2 GiB); a multiple of the arena's chunk size. */
    private static final int REGION = 1 << 30;

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
            return kd.arena() == null || kd.writer.removedKeys() <= (long) kd.table.live * MAX_REMOVED_PER_LIVE_KEY;
        }
    }

    /**
     * The ordered index's references as an image keeps them, and whether they are in key order. While the build
     * at open is still deferred (no scan, few keys added since), the live keys' references in slot order, for the
     * next open to defer as this one did; else the index's own, sorted ({@link OrderedIndex#sortedForImage}).
     * Null without ordered keys. REQUIRES: the mutation lock is held, and no writer or scan runs any more (close).
     */
    private static References references(KeyDir kd) {
        assert Thread.holdsLock(kd.mutation) : "an image's references require the mutation lock";
        OrderedIndex ordered = kd.ordered;
        if (ordered == null) {
            return null;
        }
        SlotTable t = kd.table;
        if (kd.orderedBuild.isDeferred()) {
            int[] refs = new int[t.live];
            int n = 0;
            for (int slot = 0; slot < t.capacity; slot++) {
                long header = t.header(slot);
                if (SlotTable.holdsKey(header)) {
                    refs[n++] = kd.arena().pack(SlotTable.ref(header));
                }
            }
            assert n == refs.length : n + " keys found in a table of " + refs.length;
            return new References(new OrderedIndex.Loaded(refs, 0), false);
        }
        kd.orderedBuild.await(true);
        return new References(ordered.sortedForImage(t.live), true);
    }

    /** The ordered index's references in an image; {@code sorted}: in key order (else in no order). */
    record References(OrderedIndex.Loaded loaded, boolean sorted) {
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
            References refs = references(kd);
            ByteBuffer expiries = t.expiryMemory();
            int flags = (arena != null ? FLAG_ARENA : 0) | (refs != null ? FLAG_ORDERED : 0)
                    | (refs != null && refs.sorted() ? FLAG_SORTED : 0) | (expiries != null ? FLAG_EXPIRIES : 0)
                    | (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? FLAG_LITTLE_ENDIAN : 0);
            int[] refArray = refs == null ? new int[0] : refs.loaded().refs();
            long maxSequence = 0;
            for (SegmentState s : segments) {
                maxSequence = Math.max(maxSequence, s.maxSequence());
            }
            int crcAt = FIXED + segments.size() * SEGMENT_BYTES;
            byte[] h = new byte[align(crcAt + 4)];
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
            Bytes.putI64(h, 72, kd.writer.removedKeys());
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
            Bytes.putI32(h, crcAt, Bytes.crc32c(h, 0, crcAt));
            f.write(0, ByteBuffer.wrap(h));
            CRC32C crc = new CRC32C();
            long pos = writeCounted(f, h.length, t.slotMemory(), crc);
            if (expiries != null) {
                pos = writeCounted(f, pos, expiries, crc);
            }
            for (int i = 0; arena != null && i < arena.chunkCount(); i++) {
                pos = writeCounted(f, pos, arena.chunkMemory(i), crc);
            }
            // Zero bytes to the next 8-byte boundary (only the arena's length can leave one): the references too
            // start aligned, as every area does.
            int pad = (int) (align(pos) - pos);
            if (pad > 0) {
                pos = writeCounted(f, pos, ByteBuffer.allocate(pad), crc);
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

    /** {@code n} rounded up to a multiple of {@link #ALIGN}. */
    static long align(long n) {
        return (n + ALIGN - 1) & -ALIGN;
    }

    private static int align(int n) {
        return (int) align((long) n);
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
        private final int version;
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
        /** Where the body's first area starts: right after the header's checksum (version 1), or aligned after it. */
        private final long bodyStart;

        private Header(byte[] h, int version, int headerLength) {
            this.version = version;
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
            bodyStart = version == 1 ? headerLength : align(headerLength);
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
            int crcAt = FIXED + n * SEGMENT_BYTES;
            // With version 2's padding: within the file of either version, whose body is longer than 4 bytes.
            byte[] h = new byte[align(crcAt + 4)];
            if (f.read(0, ByteBuffer.wrap(h)) != h.length) {
                throw new Invalid("shorter than its header", true);
            }
            int version;
            try {
                version = Magic.KEYDIR.checkWithChecksum(h, crcAt, path, "key directory image header");
            } catch (FormatVersionException e) {
                throw new Invalid(e.getMessage(), false);
            } catch (CorruptionException e) {
                throw new Invalid(e.getMessage(), true);
            }
            for (int i = crcAt + 4; version > 1 && i < h.length; i++) {
                if (h[i] != 0) {
                    throw new Invalid("header padding at " + i + " is not zero", true);
                }
            }
            Header header = new Header(h, version, crcAt + 4);
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
            long expected = bodyStart + bodyLength() + 4;
            if (size != expected) {
                throw new Invalid("file is " + size + " bytes, its header describes " + expected, true);
            }
        }

        private long bodyLength() {
            return (long) capacity * SlotTable.SLOT_BYTES + (has(FLAG_EXPIRIES) ? capacity * 8L : 0)
                    + arenaArea() + refCount * 4L;
        }

        /** Bytes of the arena's area: its bytes, padded to {@link #ALIGN} from version 2 on. */
        private long arenaArea() {
            return !has(FLAG_ARENA) ? 0 : version == 1 ? arenaEnd : align(arenaEnd);
        }

        private boolean has(int flag) {
            return (flags & flag) != 0;
        }

        /** The format version of the file (1 or 2). */
        public int version() {
            return version;
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
         * Takes the body as a new key directory, checking its checksum; the directory is returned only when it
         * holds. With {@code map} (and a version-2 image), the table, the expiry area and the arena's whole chunks
         * are the file's pages mapped copy-on-write ({@link StorageFile#mapPrivate}; {@code f} must be open for
         * writing, and the file must then never be truncated or rewritten in place); else each area is read into
         * fresh memory. Either way the arena's last chunk, if partly filled, is a fresh chunk the arena's later
         * appends go to (it never appends into a mapped chunk), and the references are copied to the heap.
         */
        public KeyDir load(StorageFile f, boolean map) throws IOException, Invalid {
            Body body = new Body(f, map && version >= 2, bodyStart);
            ByteBuffer slots = body.area((long) capacity * SlotTable.SLOT_BYTES);
            ByteBuffer expiries = has(FLAG_EXPIRIES) ? body.area(capacity * 8L) : null;
            KeyArena arena = has(FLAG_ARENA) ? KeyArena.restored(denseLimit, arenaEnd, arenaChunks(body)) : null;
            int[] refs = new int[refCount];
            body.ints(refs);
            body.checkEnd();
            SlotTable t = SlotTable.restored(capacity, slots, expiries, live, used);
            References ordered = has(FLAG_ORDERED)
                    ? new References(new OrderedIndex.Loaded(refs, deadRefs), has(FLAG_SORTED)) : null;
            return KeyDir.restored(t, arena, keyHashBits, ordered, removedKeys);
        }

        /**
         * Checks the body's checksum without building a key directory, reading it in pieces (verify: memory stays
         * small whatever the number of keys). Use after {@link #read}, which checked the file's length.
         */
        public void checkBody(StorageFile f) throws IOException, Invalid {
            Body body = new Body(f, false, bodyStart);
            body.skipChecked(f.size() - 4 - bodyStart);
            body.checkEnd();
        }

        /** The arena's chunks: whole ones straight from the body's areas, a partly filled last one copied. */
        private ByteBuffer[] arenaChunks(Body body) throws IOException, Invalid {
            int count = (int) ((arenaEnd + KeyArena.CHUNK_SIZE - 1) >>> KeyArena.CHUNK_BITS);
            ByteBuffer[] chunks = new ByteBuffer[count];
            long area = arenaArea();
            for (long from = 0; from < area; from += REGION) {
                ByteBuffer region = body.area(Math.min(REGION, area - from));
                for (int at = 0; at < region.capacity() && from + at < arenaEnd; at += KeyArena.CHUNK_SIZE) {
                    int chunk = (int) ((from + at) >>> KeyArena.CHUNK_BITS);
                    int n = (int) Math.min(KeyArena.CHUNK_SIZE, arenaEnd - from - at);
                    if (n == KeyArena.CHUNK_SIZE) {
                        chunks[chunk] = region.slice(at, n);
                    } else {
                        chunks[chunk] = ByteBuffer.allocateDirect(KeyArena.CHUNK_SIZE).put(0, region, at, n);
                    }
                }
            }
            return chunks;
        }
    }

    /**
     * The body's areas in order, each mapped copy-on-write or read into fresh memory, and the checksum of all of
     * them. Reading stops at the first short read: the header's length check makes that a file changed meanwhile.
     */
    private static final class Body {
        private final StorageFile f;
        private final boolean map;
        private final CRC32C crc = new CRC32C();
        private long pos;
        /** The copy path's buffer for references (a direct buffer: see {@link #REF_PIECE}). */
        private ByteBuffer piece;

        Body(StorageFile f, boolean map, long start) {
            this.f = f;
            this.map = map;
            this.pos = start;
        }

        /**
         * The next {@code n} bytes, position 0 to their end, in the checksum: one buffer, so below 2 GiB (the table's
         * and expiry areas are, by {@link SlotTable#MAX_CAPACITY}; the arena and the references come in pieces of
         * at most {@link #REGION}).
         */
        ByteBuffer area(long n) throws IOException, Invalid {
            return next(map ? f.mapPrivate(pos, (int) n) : read(ByteBuffer.allocateDirect((int) n)));
        }

        /** {@code b}, the bytes at the current position, into the checksum; moves past them. */
        private ByteBuffer next(ByteBuffer b) {
            crc.update(b.duplicate());
            pos += b.remaining();
            return b;
        }

        /** Fills {@code b} from the file at the current position (not advanced). */
        private ByteBuffer read(ByteBuffer b) throws IOException, Invalid {
            int n = b.remaining();
            if (f.read(pos, b) != n) {
                throw new Invalid("truncated at " + pos, true);
            }
            return b.flip();
        }

        /**
         * Fills {@code refs} from the next {@code 4 * refs.length} bytes (u32 each, native order): mapped in pieces
         * of up to {@link #REGION}, or read through one buffer of {@link #REF_PIECE} bytes.
         */
        void ints(int[] refs) throws IOException, Invalid {
            for (int from = 0; from < refs.length; ) {
                int n = Math.min((map ? REGION : REF_PIECE) / 4, refs.length - from);
                if (!map && piece == null) {
                    piece = ByteBuffer.allocateDirect(Math.min(REF_PIECE, refs.length * 4));
                }
                ByteBuffer b = map ? area(n * 4L) : next(read(piece.clear().limit(n * 4)));
                b.order(ByteOrder.nativeOrder()).asIntBuffer().get(refs, from, n);
                from += n;
            }
        }

        /** The next {@code n} bytes into the checksum, read through one buffer of {@link #REF_PIECE} bytes. */
        void skipChecked(long n) throws IOException, Invalid {
            piece = ByteBuffer.allocateDirect((int) Math.min(REF_PIECE, Math.max(n, 1)));
            for (long left = n; left > 0; ) {
                int k = (int) Math.min(piece.capacity(), left);
                next(read(piece.clear().limit(k)));
                left -= k;
            }
        }

        /** Checks the body's checksum, stored after the last area. */
        void checkEnd() throws IOException, Invalid {
            byte[] end = new byte[4];
            if (f.read(pos, ByteBuffer.wrap(end)) != 4 || Bytes.i32(end, 0) != (int) crc.getValue()) {
                throw new Invalid("body checksum mismatch", true);
            }
        }
    }
}
