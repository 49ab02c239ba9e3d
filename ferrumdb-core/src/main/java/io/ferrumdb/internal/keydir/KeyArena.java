package io.ferrumdb.internal.keydir;

import io.ferrumdb.FerrumException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Off-heap, append-only storage of key bytes, addressed by a {@code long} reference. The key directory keeps one
 * reference per key instead of a {@code byte[]} object, so the garbage collector never walks the keys.
 *
 * <p>Layout: direct buffers of {@link #CHUNK_SIZE} bytes; a key is a length (one byte below 128, else the byte
 * 0x80 and two bytes big-endian) followed by its bytes, never split across chunks. A reference is the key's
 * absolute position ({@code chunk * CHUNK_SIZE + offset}), below 2^{@value #REF_BITS}.
 *
 * <p>Packed references: the ordered index keeps a reference in an {@code int} ({@link #pack}), 4 bytes a key instead
 * of 8 (at 1M 16-byte keys the 8 were an eighth of an ordered directory's 57 bytes a key). A position below
 * {@link #DENSE_LIMIT} packs as itself; an arena made for packing ({@link #KeyArena(long)}) starts every key at or
 * past that limit on a {@value #PACKED_ALIGN}-byte boundary, and such a position packs as the limit plus its
 * distance from the limit divided by {@value #PACKED_ALIGN}, read as an unsigned {@code int}. So the first 2 GiB of
 * keys (over 100 million 16-byte keys, more than a table holds) cost nothing more, and the rest of the
 * {@value #REF_BITS}-bit range stays reachable at the price of padding.
 *
 * <p>Thread model: one appender at a time (the key directory's mutation lock); any number of readers. Bytes at
 * a reference never change once the reference is published, so a reader needs only to have obtained the
 * reference through a release/acquire edge (the slot that holds it). Nothing is freed while the arena lives:
 * keys removed from the directory stay here until the directory is rebuilt at the next open
 * ({@link #bytesUsed()} counts them).
 */
final class KeyArena {
    static final int CHUNK_BITS = 20;
    static final int CHUNK_SIZE = 1 << CHUNK_BITS;
    /** A slot header keeps a reference in 36 bits (64 GiB of keys) next to 28 hash bits; see SlotTable. */
    static final int REF_BITS = 36;
    /** Positions below this pack as themselves (see the class comment); a multiple of {@link #PACKED_ALIGN}. */
    static final long DENSE_LIMIT = 1L << 31;
    /** Alignment of the keys an arena made for packing stores past its dense limit. */
    static final int PACKED_ALIGN = 32;
    private static final int PACKED_SHIFT = 5;
    private static final int LONG_LENGTH_FLAG = 0x80;
    private static final VarHandle BYTES_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle BYTES_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Published after a new chunk is filled in, before any reference into it. */
    private volatile ByteBuffer[] chunks = new ByteBuffer[0];
    /** Next free position; appender only. */
    private long end;
    /** Keys starting at or past this position are aligned for {@link #pack}; {@code Long.MAX_VALUE}: never. */
    private final long denseLimit;

    /** An arena whose references are never packed (no padding). */
    KeyArena() {
        denseLimit = Long.MAX_VALUE;
    }

    /**
     * An arena whose references {@link #pack} into an {@code int}: keys from {@code denseLimit} on are aligned
     * ({@link #DENSE_LIMIT} in use; tests pass a small multiple of {@link #PACKED_ALIGN} to reach the padding).
     */
    KeyArena(long denseLimit) {
        if (denseLimit <= 0 || denseLimit > DENSE_LIMIT || denseLimit % PACKED_ALIGN != 0) {
            throw new IllegalArgumentException("dense limit " + denseLimit + " is not a multiple of "
                    + PACKED_ALIGN + " in (0, " + DENSE_LIMIT + "]");
        }
        this.denseLimit = denseLimit;
    }

    /**
     * An arena holding the positions {@code [0, end)} of an arena made with {@code denseLimit}, in {@code chunks}
     * (an image's, at open: whole chunks may be mapped copy-on-write; a partly filled last chunk must be fresh
     * memory of {@link #CHUNK_SIZE} bytes, since appends go there, never into a full chunk).
     */
    static KeyArena restored(long denseLimit, long end, ByteBuffer[] chunks) {
        KeyArena arena = denseLimit == Long.MAX_VALUE ? new KeyArena() : new KeyArena(denseLimit);
        if (end < 0 || end >= 1L << REF_BITS || chunks.length != (int) ((end + CHUNK_SIZE - 1) >>> CHUNK_BITS)) {
            throw new IllegalArgumentException("an arena of " + end + " bytes in " + chunks.length + " chunks");
        }
        for (ByteBuffer c : chunks) {
            if (c.capacity() != CHUNK_SIZE || c.order() != ByteOrder.BIG_ENDIAN) {
                throw new IllegalArgumentException("an arena chunk of " + c.capacity() + " bytes, " + c.order());
            }
        }
        arena.chunks = chunks;
        arena.end = end;
        return arena;
    }

    /** The position keys from which on are aligned for packing ({@code Long.MAX_VALUE}: never packed). */
    long denseLimit() {
        return denseLimit;
    }

    /** Chunks holding {@code [0, bytesUsed())}: a key never spans two, and a chunk exists once a key is in it. */
    int chunkCount() {
        return (int) ((end + CHUNK_SIZE - 1) >>> CHUNK_BITS);
    }

    /**
     * Chunk {@code i}'s bytes below {@link #bytesUsed()}, position 0 to that limit: what an image writes. Appender
     * only (no append runs meanwhile).
     */
    ByteBuffer chunkMemory(int i) {
        long start = (long) i << CHUNK_BITS;
        return chunks[i].duplicate().clear().limit((int) Math.min(CHUNK_SIZE, end - start));
    }

    /** {@code ref} as an unsigned {@code int}; the arena must be made for packing. Inverse of {@link #unpack}. */
    int pack(long ref) {
        if (denseLimit == Long.MAX_VALUE) {
            throw new IllegalStateException("this key arena was not made for packed references");
        }
        if (ref < denseLimit) {
            return (int) ref;
        }
        if (((ref - denseLimit) & (PACKED_ALIGN - 1)) != 0) {
            throw new IllegalStateException("reference " + ref + " past the dense limit " + denseLimit
                    + " is not aligned to " + PACKED_ALIGN + " bytes");
        }
        return (int) (denseLimit + ((ref - denseLimit) >>> PACKED_SHIFT));
    }

    /** The reference {@link #pack} made {@code packed} from. */
    long unpack(int packed) {
        long p = packed & 0xFFFF_FFFFL;
        return p < denseLimit ? p : denseLimit + ((p - denseLimit) << PACKED_SHIFT);
    }

    /** Appends {@code key}; returns its reference. Appender only. */
    long append(byte[] key) {
        return append(key, 0, key.length);
    }

    /** Appends the key {@code key[from, from + length)}; returns its reference. Appender only. */
    long append(byte[] key, int from, int length) {
        int header = length < LONG_LENGTH_FLAG ? 1 : 3;
        int need = header + length;
        int offset = (int) (end & (CHUNK_SIZE - 1));
        int chunk = (int) (end >>> CHUNK_BITS);
        if (end >= denseLimit) {
            // Chunks start on a multiple of the alignment, as the limit does: aligning within the chunk suffices.
            offset = (offset + PACKED_ALIGN - 1) & -PACKED_ALIGN;
        }
        ByteBuffer[] cs = chunks;
        // A chunk is added when the key does not fit, or when there is none yet at end (then offset is 0): one
        // test, since a test of its own for the first key of an arena made the JIT's compiled put (built from
        // profiles where it was never taken) deoptimize at a new database's first put. Math.min has no branch.
        if (offset + need > CHUNK_SIZE * Math.min(cs.length - chunk, 1)) {
            chunk = cs.length;
            offset = 0;
            if (((long) chunk + 1) << CHUNK_BITS >= 1L << REF_BITS) {
                throw new FerrumException("key directory limit: key bytes exceed " + (1L << REF_BITS) + " bytes");
            }
            ByteBuffer[] grown = java.util.Arrays.copyOf(cs, chunk + 1);
            grown[chunk] = ByteBuffer.allocateDirect(CHUNK_SIZE);
            cs = grown;
        }
        ByteBuffer b = cs[chunk];
        if (header == 1) {
            b.put(offset, (byte) length);
        } else {
            b.put(offset, (byte) LONG_LENGTH_FLAG);
            b.putShort(offset + 1, (short) length);
        }
        b.put(offset + header, key, from, length);
        if (cs != chunks) {
            chunks = cs;
        }
        long ref = ((long) chunk << CHUNK_BITS) | offset;
        end = ref + need;
        return ref;
    }

    /** Bytes taken by keys, live or not, and the chunks' unused tails. */
    long bytesReserved() {
        return (long) chunks.length * CHUNK_SIZE;
    }

    /** Bytes taken by keys, live or removed. */
    long bytesUsed() {
        return end;
    }

    private ByteBuffer chunk(long ref) {
        return chunks[(int) (ref >>> CHUNK_BITS)];
    }

    private static int start(long ref) {
        return (int) (ref & (CHUNK_SIZE - 1));
    }

    private static int length(ByteBuffer b, int at) {
        int first = b.get(at) & 0xFF;
        return first < LONG_LENGTH_FLAG ? first : b.getShort(at + 1) & 0xFFFF;
    }

    private static int headerLength(ByteBuffer b, int at) {
        return (b.get(at) & 0xFF) < LONG_LENGTH_FLAG ? 1 : 3;
    }

    int length(long ref) {
        return length(chunk(ref), start(ref));
    }

    /** A copy of the key at {@code ref}. */
    byte[] copy(long ref) {
        ByteBuffer b = chunk(ref);
        int at = start(ref);
        byte[] out = new byte[length(b, at)];
        b.get(at + headerLength(b, at), out);
        return out;
    }

    /** True when the key at {@code ref} is {@code key}. */
    boolean matches(long ref, byte[] key) {
        return matches(ref, key, 0, key.length);
    }

    /**
     * True when the key at {@code ref} is {@code key[from, from + len)} (compaction probes keys in a hint buffer).
     * Keys of one length are compared whole, differences gathered, not with a test per word: a difference is a tag
     * collision, rare enough that C2 compiled that test as a trap, and a put's lookup is inlined into its callers (in
     * YCSB F, the binding's update was thrown away at the first collision: docs/benchmarks.md, "Session 26").
     */
    boolean matches(long ref, byte[] key, int from, int len) {
        ByteBuffer b = chunk(ref);
        int at = start(ref);
        if (length(b, at) != len) {
            return false;
        }
        int stored = at + headerLength(b, at);
        long diff = 0;
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            diff |= b.getLong(stored + i) ^ (long) BYTES_BE.get(key, from + i);
        }
        for (; i < len; i++) {
            diff |= b.get(stored + i) ^ key[from + i];
        }
        return diff == 0;
    }

    /**
     * The eight key bytes from {@code depth} of the key at {@code ref} as an unsigned big-endian word, zero-padded
     * past the key's end: comparing words compares keys up to that padding (the ordered sort's fast path).
     */
    long word(long ref, int depth) {
        ByteBuffer b = chunk(ref);
        int at = start(ref);
        int len = length(b, at);
        int from = at + headerLength(b, at) + depth;
        int n = len - depth;
        if (n >= 8) {
            return b.getLong(from);
        }
        long w = 0;
        for (int i = 0; i < 8; i++) {
            w = (w << 8) | (i < n ? b.get(from + i) & 0xFFL : 0);
        }
        return w;
    }

    /** Unsigned lexicographic comparison of the key at {@code ref} with {@code key}. */
    int compare(long ref, byte[] key) {
        ByteBuffer b = chunk(ref);
        int at = start(ref);
        int len = length(b, at);
        int from = at + headerLength(b, at);
        int n = Math.min(len, key.length);
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            long x = b.getLong(from + i);
            long y = (long) BYTES_BE.get(key, i);
            if (x != y) {
                return Long.compareUnsigned(x, y);
            }
        }
        for (; i < n; i++) {
            int c = Integer.compare(b.get(from + i) & 0xFF, key[i] & 0xFF);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(len, key.length);
    }

    /** Unsigned lexicographic comparison of two stored keys. */
    int compare(long refA, long refB) {
        ByteBuffer a = chunk(refA);
        ByteBuffer b = chunk(refB);
        int atA = start(refA);
        int atB = start(refB);
        int lenA = length(a, atA);
        int lenB = length(b, atB);
        int fromA = atA + headerLength(a, atA);
        int fromB = atB + headerLength(b, atB);
        int n = Math.min(lenA, lenB);
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            long x = a.getLong(fromA + i);
            long y = b.getLong(fromB + i);
            if (x != y) {
                return Long.compareUnsigned(x, y);
            }
        }
        for (; i < n; i++) {
            int c = Integer.compare(a.get(fromA + i) & 0xFF, b.get(fromB + i) & 0xFF);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(lenA, lenB);
    }

    /** {@link #hash(byte[])} of the key at {@code ref}, without copying it. */
    long hash(long ref) {
        ByteBuffer b = chunk(ref);
        int at = start(ref);
        int len = length(b, at);
        int from = at + headerLength(b, at);
        long h = SEED ^ len;
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            h = mixIn(h, Long.reverseBytes(b.getLong(from + i)));
        }
        long tail = 0;
        for (int shift = 0; i < len; i++, shift += 8) {
            tail |= (b.get(from + i) & 0xFFL) << shift;
        }
        return finish(mixIn(h, tail));
    }

    /**
     * A 64-bit hash of a key: 8-byte little-endian words mixed multiply-rotate (as in the xxHash and Murmur
     * families), the tail packed into one more word, and a final avalanche. Must equal {@link #hash(long)}.
     */
    static long hash(byte[] key) {
        return hash(key, 0, key.length);
    }

    /** {@link #hash(byte[])} of {@code key[from, from + len)}. */
    static long hash(byte[] key, int from, int len) {
        long h = SEED ^ len;
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            h = mixIn(h, (long) BYTES_LE.get(key, from + i));
        }
        long tail = 0;
        for (int shift = 0; i < len; i++, shift += 8) {
            tail |= (key[from + i] & 0xFFL) << shift;
        }
        return finish(mixIn(h, tail));
    }

    private static final long SEED = 0x9E3779B97F4A7C15L;
    private static final long P1 = 0xC2B2AE3D27D4EB4FL;
    private static final long P2 = 0x9E3779B185EBCA87L;

    private static long mixIn(long h, long word) {
        return Long.rotateLeft(h ^ Long.rotateLeft(word * P1, 31) * P2, 27) * P2 + 0x85EBCA77C2B2AE63L;
    }

    private static long finish(long h) {
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        return h ^ (h >>> 33);
    }
}
