package io.ferrumdb.internal.keydir;

import io.ferrumdb.FerrumException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;

/**
 * An open-addressing hash table (linear probing) of fixed capacity, off-heap, with no Java object per entry.
 * {@link KeyDir} owns it and replaces it by a larger copy when it fills up.
 *
 * <p>A slot is three 64-bit words (24 bytes), plus one word in a parallel expiry area that exists only once
 * some key has a TTL:
 * <pre>
 *   word 0  header   (key reference + 1) &lt;&lt; 28 | the top 28 bits of the key's hash; 0 = never used, -1 = removed
 *   word 1  location segment id &lt;&lt; 40 | byte offset (40 bits)
 *   word 2  version (32 bits, odd while the slot is being written) &lt;&lt; 32 | record size (32 bits)
 * </pre>
 *
 * <p>No sequence number: a record is identified by where it is (records are never rewritten in place), which is
 * all that reads, compaction's compare-and-set and the write-failure check need. Only recovery must compare
 * sequence numbers (the newest record of a key wins, whatever order segments load in), and it keeps them in a
 * side array indexed by slot ({@link #loadSequences}) that exists while the directory loads and is dropped after:
 * a fourth word kept for the life of the database cost 8 bytes a slot, about 11 a key at 75% fill.
 *
 * <p>Concurrency: one mutator at a time (the caller's lock), any number of lock-free readers. A mutator makes
 * the version odd, writes the words, then publishes the next even version with release semantics; a reader
 * reads the version, the words, then the version again and retries on a mismatch (a per-slot seqlock), so it
 * never sees a torn entry. One change skips the seqlock: compaction's switch of a key to a copy of its record
 * with the same size and expiry writes the location word alone ({@link #switchLocation}), since either value of
 * that one word makes a whole entry. A key keeps its slot until it is removed (the slot becomes a "removed"
 * marker, which probes walk past), so a reader never misses a key that stays present during its probe.
 *
 * <p>The hash bits in the header both filter probes (a key's bytes in the arena are compared only on a match)
 * and place the key: its home slot is a monotone function of those bits alone ({@link #home}). So growth
 * re-places every key from the old table's headers without reading the key arena, and since walking the old
 * table in slot order visits keys nearly in order of home, it writes the new table nearly sequentially too.
 */
final class SlotTable {
    static final int SLOT_BYTES = 24;
    static final long NEVER_USED = 0;
    static final long REMOVED = -1L;
    /** Hash bits a header keeps; the key reference has the other 36 (see {@link KeyArena#REF_BITS}). */
    static final int TAG_BITS = 28;
    static final long TAG_MASK = (1L << TAG_BITS) - 1;
    static final int MAX_SEGMENT_ID = (1 << 23) - 1;
    static final long MAX_OFFSET = (1L << 40) - 1;
    /** Largest capacity one direct buffer can hold. */
    static final int MAX_CAPACITY = Integer.MAX_VALUE / SLOT_BYTES;
    /** Growth doubles the table while the grown one has at most this many slots (48 MiB of slots). */
    static final int DOUBLE_UP_TO = 1 << 21;
    /** The fill a doubled table starts at: half of {@link SlotWriter#MAX_FILL}, where growth happens. */
    static final double FILL_AFTER_DOUBLING = SlotWriter.MAX_FILL / 2;

    /**
     * The words' ordered accesses only (acquire, opaque, release, volatile: the seqlock and the lock-free reads). Plain
     * accesses use the buffer's own absolute {@code getLong}/{@code putLong} (native order, as the buffers are made),
     * the same plain loads and stores once compiled: a VarHandle call costs the interpreter and C1 several times
     * more (its guard and LambdaForm frames), and a fresh JVM's open runs the loader's header reads and slot writes
     * 100,000 times or more before C2 has compiled them (44% of an open's samples went to these accesses).
     */
    private static final VarHandle WORDS = MethodHandles.byteBufferViewVarHandle(long[].class,
            ByteOrder.nativeOrder());
    private static final long ODD = 1L << 32;

    /** Words a slot, as {@link #copyWords} lays them out. */
    static final int WORDS_PER_SLOT = SLOT_BYTES / 8;

    final int capacity;
    private final ByteBuffer slots;
    /** The slots as longs in native order, for {@link #copyWords}' bulk copies only. */
    private final LongBuffer words;
    /** One word a slot, allocated on the first TTL; null means every expiry is 0. Covered by the slot version. */
    private volatile ByteBuffer expiries;
    /**
     * Recovery only: the sequence number of the record each slot holds, so that the newest record of a key wins;
     * null outside loading (see {@link KeyDirLoader#recover} and {@link #endLoading}). Mutator only.
     *
     * <p>Invariant, while loading, for a slot holding a key: {@code loadSequences[slot] > 0} is the sequence number
     * of the put record the slot names; {@code loadSequences[slot] < 0} marks a tombstone (a delete that must
     * shadow older records of its key until loading ends), {@code -sequence} of the delete record, whose location
     * the slot's words hold like a put's: a hash-only directory compares a key with that record, the only copy of
     * the deleted key. Sequence numbers start at 1, so 0 means no record (a never-used slot).
     */
    private long[] loadSequences;
    /** Slots holding a key; mutator only. */
    int live;
    /** Recovery only: slots holding a tombstone marker (not counted in {@link #live}); mutator only. */
    int tombstones;
    /** Slots holding a key or a removed marker (probes stop only at never-used slots); mutator only. */
    int used;

    SlotTable(int capacity) {
        this(checkCapacity(capacity), ByteBuffer.allocateDirect(capacity * SLOT_BYTES));
    }

    /** A table over {@code slots}: {@code capacity} slots' memory (fresh, or an image's). */
    private SlotTable(int capacity, ByteBuffer slots) {
        this.capacity = capacity;
        this.slots = slots.order(ByteOrder.nativeOrder());
        this.words = slots.duplicate().clear().order(ByteOrder.nativeOrder()).asLongBuffer();
    }

    private static int checkCapacity(int capacity) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new FerrumException("key directory limit: a table of " + capacity + " slots exceeds "
                    + MAX_CAPACITY + " slots");
        }
        return capacity;
    }

    /**
     * The fill a table grown for {@code keys} keys starts at: {@link #FILL_AFTER_DOUBLING} (growth beyond 85% fill:
     * 2x) while that table stays within {@link #DOUBLE_UP_TO} slots, else 0.55 (about 1.55x). Growth copies every
     * key and zeroes a new table: with 1.55x steps a database filled from empty copied each key two to three times
     * (growth was a fifth of a put at 1M keys), with 2x steps about 1.1 times at 1M keys. Steps of 4x (sessions 5
     * to 28) copied a key 0.5 times at 1M keys but left the table 56% full there: 42.7 bytes of slots a key right
     * after a bulk load of 1M keys instead of 31.5 (docs/benchmarks.md, "Session 29: memory right after a bulk
     * load"), and a table 20-85% full at any size. Large tables keep the small step: the old and new table coexist
     * during growth, and direct memory is bounded.
     */
    static double fillAfterGrowth(long keys) {
        return keys / FILL_AFTER_DOUBLING <= DOUBLE_UP_TO ? FILL_AFTER_DOUBLING : 0.55;
    }

    /**
     * Recovery: the per-slot sequence numbers, allocated on first use (0 = no record yet). They live on the heap
     * so that dropping them after loading returns the memory at once, not when a direct buffer is collected.
     */
    long[] loadSequences() {
        long[] s = loadSequences;
        if (s == null) {
            s = new long[capacity];
            loadSequences = s;
        }
        return s;
    }

    /** True while {@link #loadSequences} exists (recovery is loading this table). */
    boolean isLoading() {
        return loadSequences != null;
    }

    /**
     * Recovery is over: turns every tombstone marker into a removed marker (deleted keys are absent from then on)
     * and drops the sequence numbers. Returns the number of tombstones cleared.
     */
    int endLoading() {
        int cleared = 0;
        for (int slot = 0; tombstones > 0 && slot < capacity; slot++) {
            if (holdsKey(header(slot)) && isTombstone(slot)) {
                markRemoved(slot);
                tombstones--;
                cleared++;
            }
        }
        assert tombstones == 0 : tombstones + " tombstones not found in the table";
        loadSequences = null;
        return cleared;
    }

    // ------------------------------------------------------------------ the image (KeyDirImage)

    /**
     * The slots' memory, position 0 to its capacity: what {@link KeyDirImage} writes at a clean close (no mutator
     * then: every version even) and gives back to a new table at open ({@link #restored}).
     */
    ByteBuffer slotMemory() {
        return slots.duplicate().clear();
    }

    /** The expiry area's memory, or null while no key has had a TTL. */
    ByteBuffer expiryMemory() {
        ByteBuffer e = expiries;
        return e == null ? null : e.duplicate().clear();
    }

    /**
     * The table an image holds: {@code slots} (and {@code expiries}, null when no key had a TTL) are its memory as
     * {@link #slotMemory} and {@link #expiryMemory} gave it to the image, read into fresh memory or mapped
     * copy-on-write (then slot writes copy a page of the mapping, never reaching the file); {@code live} keys in
     * {@code used} slots (keys and removed markers), no tombstone (images are written after loading ended).
     */
    static SlotTable restored(int capacity, ByteBuffer slots, ByteBuffer expiries, int live, int used) {
        if (live < 0 || used < live || used >= capacity || slots.capacity() != capacity * SLOT_BYTES
                || (expiries != null && expiries.capacity() != capacity * 8)) {
            throw new IllegalArgumentException("an image of " + live + " keys in " + used + " used slots does not fit "
                    + capacity + " slots with one never used, in " + slots.capacity() + " bytes");
        }
        SlotTable t = new SlotTable(checkCapacity(capacity), slots);
        t.expiries = expiries == null ? null : expiries.order(ByteOrder.nativeOrder());
        t.live = live;
        t.used = used;
        return t;
    }

    /** Bytes this table takes off-heap (an image's mapped pages included: file-backed until written). */
    long bytesReserved() {
        ByteBuffer e = expiries;
        return (long) capacity * SLOT_BYTES + (e == null ? 0 : e.capacity());
    }

    /** A key's header; never {@link #NEVER_USED} (ref + 1 &gt; 0) nor {@link #REMOVED} (refs stay below 2^36 - 1). */
    static long header(long ref, long hash) {
        return ((ref + 1) << TAG_BITS) | tag(hash);
    }

    static long tag(long hash) {
        return hash >>> (64 - TAG_BITS);
    }

    static long ref(long header) {
        return (header >>> TAG_BITS) - 1;
    }

    static boolean holdsKey(long header) {
        return header != NEVER_USED && header != REMOVED;
    }

    /** The first slot to probe for {@code hash}. */
    int home(long hash) {
        return homeOfTag(tag(hash));
    }

    /**
     * The first slot to probe for a key whose header holds {@code tag}: multiply-shift range reduction, any
     * capacity (up to {@link #MAX_CAPACITY}, below 2^27: at least two tags a slot, so 28 bits still spread keys over
     * every slot), monotone in the tag.
     */
    int homeOfTag(long tag) {
        return homeOfTag(tag, capacity);
    }

    static int homeOfTag(long tag, int capacity) {
        return (int) ((tag * capacity) >>> TAG_BITS);
    }

    int next(int slot) {
        return slot + 1 == capacity ? 0 : slot + 1;
    }

    private static int at(int slot, int word) {
        return slot * SLOT_BYTES + word * 8;
    }

    long headerAcquire(int slot) {
        return (long) WORDS.getAcquire(slots, at(slot, 0));
    }

    // ------------------------------------------------------------------ lock-free reads

    /**
     * Reads the entry in {@code slot} if it still holds {@code expectedHeader}; null when the slot changed to
     * another key or was removed (the caller probes again from the start).
     */
    Location readIfHeld(int slot, long expectedHeader) {
        SlotProbe entry = new SlotProbe();
        return readIfHeld(slot, expectedHeader, entry) ? entry.location() : null;
    }

    /**
     * From {@code slot} on, finds the first slot holding a key whose header carries {@code tag} and reads its entry
     * into {@code into}: 1 when found, 0 when the probe reached a never-used slot (no such key), -1 when the slot
     * changed between reading its header and its words (the caller probes again from home). Keys are not compared.
     */
    int candidate(int slot, long match, long mask, SlotProbe into) {
        for (int probes = 0; probes < capacity; probes++, slot = next(slot)) {
            long header = headerAcquire(slot);
            if (header == NEVER_USED) {
                return 0;
            }
            if (header != REMOVED && (header & mask) == match) {
                return readIfHeld(slot, header, into) ? 1 : -1;
            }
        }
        return 0;
    }

    /**
     * {@link #readIfHeld(int, long)} into {@code into} (a GET's reused holder: no Location); false when the slot
     * changed to another key or was removed.
     */
    boolean readIfHeld(int slot, long expectedHeader, SlotProbe into) {
        while (true) {
            long v1 = (long) WORDS.getAcquire(slots, at(slot, 2));
            if ((v1 & ODD) != 0) {
                Thread.onSpinWait();
                continue;
            }
            long header = (long) WORDS.getOpaque(slots, at(slot, 0));
            long location = (long) WORDS.getOpaque(slots, at(slot, 1));
            ByteBuffer e = expiries;
            long expiresAt = e == null ? 0 : (long) WORDS.getOpaque(e, slot * 8);
            VarHandle.loadLoadFence();
            long v2 = (long) WORDS.getOpaque(slots, at(slot, 2));
            if (v1 != v2) {
                continue;
            }
            if (header != expectedHeader) {
                return false;
            }
            into.set(slot, header, (int) (location >>> 40), location & MAX_OFFSET, (int) v1, expiresAt);
            return true;
        }
    }

    /**
     * Copies the words of slots {@code [from, from + count)} into {@code into} (three a slot, from index 0), with
     * plain loads and no seqlock: a slot being written meanwhile may come out stale or torn between its words, so
     * only callers that tolerate that (compaction's walks, {@link CompactionView}) use it. One bulk copy per call
     * instead of a buffer access per word: a fresh JVM walks the whole table before C2 has compiled anything, and
     * a direct buffer's {@code getLong} is a deeper call chain than the interpreter and C1 handle cheaply.
     */
    void copyWords(int from, int count, long[] into) {
        words.get(from * WORDS_PER_SLOT, into, 0, count * WORDS_PER_SLOT);
    }

    // ------------------------------------------------------------------ mutator side (caller holds the lock)

    long header(int slot) {
        return slots.getLong(at(slot, 0));
    }

    /** The entry in {@code slot}, read by the mutator (no other writer can change it meanwhile). */
    Location location(int slot) {
        long location = slots.getLong(at(slot, 1));
        int size = (int) slots.getLong(at(slot, 2));
        ByteBuffer e = expiries;
        long expiresAt = e == null ? 0 : e.getLong(slot * 8);
        return new Location((int) (location >>> 40), location & MAX_OFFSET, size, expiresAt);
    }

    /** Fills {@code into} with the entry in {@code slot}, read by the mutator; no Location is built. */
    void read(int slot, SlotProbe into) {
        long location = slots.getLong(at(slot, 1));
        ByteBuffer e = expiries;
        into.set(slot, header(slot), (int) (location >>> 40), location & MAX_OFFSET,
                (int) slots.getLong(at(slot, 2)), e == null ? 0 : e.getLong(slot * 8));
        into.table = this;
    }

    /** True when {@code slot} holds exactly {@code expected} (compared by value). */
    boolean holds(int slot, Location expected) {
        return location(slot).equals(expected);
    }

    /** True when {@code slot}'s location word is {@code locationWord} ({@link #locationWord}). Mutator only. */
    boolean holdsLocation(int slot, long locationWord) {
        return locationWordOf(slot) == locationWord;
    }

    /** {@code slot}'s location word ({@link #locationWord}). Mutator only. */
    long locationWordOf(int slot) {
        return slots.getLong(at(slot, 1));
    }

    /** Word 1 of a slot: the location, packed. The caller has checked {@link #checkLimits}. */
    static long locationWord(int segmentId, long offset) {
        return ((long) segmentId << 40) | offset;
    }

    static int segmentOf(long locationWord) {
        return (int) (locationWord >>> 40);
    }

    /** Writes the whole slot under its seqlock. */
    void write(int slot, long header, Location loc) {
        write(slot, header, loc.segmentId(), loc.offset(), loc.recordSize(), loc.expiresAt());
    }

    /** {@link #write(int, long, Location)} from the location's fields (compaction's switches: no Location each). */
    void write(int slot, long header, int segmentId, long offset, int recordSize, long expiresAt) {
        checkLimits(segmentId, offset);
        writeWords(slot, header, locationWord(segmentId, offset), recordSize, expiresAt);
    }

    /**
     * Compaction's switch of {@code slot}, which the caller found holding {@code header} and its key's old record,
     * to the copy at {@code toLocation} (a word checked when it was made, {@link #locationWord}). When the copy has
     * the entry's size and expiry (always, but for a copy sealed under another cipher) only the location word
     * changes, and one release store does it without the seqlock: a reader between its two version reads sees the
     * old or the new location beside the same header, size and expiry, and either is a whole entry (the old record
     * stays readable until the compaction retires its segment, after every switch). The seqlock's write costs a
     * locked instruction per switch, which also keeps the next switch's load of its slot from starting early:
     * 13-19% of the switches' CPU time (issue 23, ninth session). Otherwise the whole slot is written under its
     * seqlock. Mutator only.
     */
    void switchLocation(int slot, long header, long toLocation, int toSize, long toExpiresAt) {
        ByteBuffer e = expiries;
        long expiresAt = e == null ? 0 : e.getLong(slot * 8);
        if ((int) slots.getLong(at(slot, 2)) == toSize && expiresAt == toExpiresAt) {
            WORDS.setRelease(slots, at(slot, 1), toLocation);
        } else {
            writeWords(slot, header, toLocation, toSize, toExpiresAt);
        }
    }

    /**
     * Recovery only, before any reader sees the table: makes {@code slot} (holding an older record of the key, or
     * just claimed for it) hold the loaded record of sequence {@code sequence}: a put's entry, or for a delete a
     * tombstone marker naming the delete record (its key is compared there), its sequence kept negated (see
     * {@link #loadSequences}) so that an older record of the key loaded later loses. Keeps {@link #live} and
     * {@link #tombstones} counting them. {@link #endLoading} clears every marker before the table is used.
     */
    void load(int slot, long header, boolean put, int segmentId, long offset, int recordSize, long sequence,
              long expiresAt) {
        boolean held = holdsKey(header(slot));
        if (held && isTombstone(slot)) {
            tombstones--;
        } else if (held) {
            live--;
        }
        writeUnpublished(slot, header, segmentId, offset, recordSize, sequence, put ? expiresAt : 0);
        if (put) {
            live++;
        } else {
            loadSequences[slot] = -sequence;
            tombstones++;
        }
        assert isTombstone(slot) != put && loadedSequence(slot) == sequence : "slot " + slot + " after loading";
    }

    /** The sequence number recovery loaded into {@code slot}, a put's or a tombstone's; 0 when none. Recovery only. */
    long loadedSequence(int slot) {
        return Math.abs(loadSequences()[slot]);
    }

    /** True when {@code slot} (holding a key) is a tombstone marker: only while loading. Mutator only. */
    boolean isTombstone(int slot) {
        long[] s = loadSequences;
        return s != null && s[slot] < 0;
    }

    /** The segment id in {@code slot}. Mutator only. */
    int segmentId(int slot) {
        return (int) (slots.getLong(at(slot, 1)) >>> 40);
    }

    /** The expiry time in {@code slot} (0: none). Mutator only. */
    long expiresAt(int slot) {
        ByteBuffer e = expiries;
        return e == null ? 0 : e.getLong(slot * 8);
    }

    /** The record offset in {@code slot}. Mutator only. */
    long offset(int slot) {
        return slots.getLong(at(slot, 1)) & MAX_OFFSET;
    }

    /** The record size in {@code slot} (a tombstone's: its delete record's). Mutator only. */
    int recordSize(int slot) {
        return (int) slots.getLong(at(slot, 2));
    }

    /**
     * Recovery only, before any reader sees the table: {@link #write(int, long, Location)} from the record's
     * fields, with plain stores, without the seqlock's fences (no reader can be inside the slot; publishing the
     * table to other threads later orders these stores before their reads); the sequence number goes to
     * {@link #loadSequences} (a put's: positive).
     */
    void writeUnpublished(int slot, long header, int segmentId, long offset, int recordSize, long sequence,
                          long expiresAt) {
        assert sequence > 0 : "sequence " + sequence + " of a loaded record (numbers start at 1)";
        checkLimits(segmentId, offset);
        if (expiresAt != 0 && expiries == null) {
            expiries = ByteBuffer.allocateDirect(capacity * 8).order(ByteOrder.nativeOrder());
        }
        int versionAt = at(slot, 2);
        long version = slots.getLong(versionAt) & ~0xFFFFFFFFL;
        slots.putLong(at(slot, 0), header);
        slots.putLong(at(slot, 1), ((long) segmentId << 40) | offset);
        loadSequences()[slot] = sequence;
        ByteBuffer e = expiries;
        if (e != null) {
            e.putLong(slot * 8, expiresAt);
        }
        slots.putLong(versionAt, (version + 2 * ODD) | (recordSize & 0xFFFFFFFFL));
    }

    /**
     * Writes a key into a never-used slot: the words with plain stores, then the header with release semantics,
     * no seqlock. A reader reaches a slot's words only after reading its header (acquire): one that read
     * "never used" stopped there, one that reads the new header sees the words written before it.
     */
    void writeFresh(int slot, long header, int segmentId, long offset, int recordSize, long expiresAt) {
        assert header(slot) == NEVER_USED : "slot " + slot + " is in use";
        checkLimits(segmentId, offset);
        if (expiresAt != 0 && expiries == null) {
            expiries = ByteBuffer.allocateDirect(capacity * 8).order(ByteOrder.nativeOrder());
        }
        int versionAt = at(slot, 2);
        long version = slots.getLong(versionAt) & ~0xFFFFFFFFL;
        slots.putLong(at(slot, 1), ((long) segmentId << 40) | offset);
        slots.putLong(versionAt, version | (recordSize & 0xFFFFFFFFL));
        ByteBuffer e = expiries;
        if (e != null) {
            e.putLong(slot * 8, expiresAt);
        }
        WORDS.setRelease(slots, at(slot, 0), header);
    }

    private void writeWords(int slot, long header, long location, int recordSize, long expiresAt) {
        if (expiresAt != 0 && expiries == null) {
            expiries = ByteBuffer.allocateDirect(capacity * 8).order(ByteOrder.nativeOrder());
        }
        int versionAt = at(slot, 2);
        long version = slots.getLong(versionAt) & ~0xFFFFFFFFL;
        WORDS.setVolatile(slots, versionAt, version + ODD);
        VarHandle.storeStoreFence();
        WORDS.setOpaque(slots, at(slot, 0), header);
        WORDS.setOpaque(slots, at(slot, 1), location);
        ByteBuffer e = expiries;
        if (e != null) {
            WORDS.setOpaque(e, slot * 8, expiresAt);
        }
        WORDS.setRelease(slots, versionAt, (version + 2 * ODD) | (recordSize & 0xFFFFFFFFL));
    }

    /** Marks {@code slot} removed under its seqlock; the location words keep their stale values. */
    void markRemoved(int slot) {
        int versionAt = at(slot, 2);
        long word = slots.getLong(versionAt);
        WORDS.setVolatile(slots, versionAt, word + ODD);
        VarHandle.storeStoreFence();
        WORDS.setOpaque(slots, at(slot, 0), REMOVED);
        WORDS.setRelease(slots, versionAt, word + 2 * ODD);
    }

    /**
     * Copies the entry of {@code from}'s {@code fromSlot} (a key, or a tombstone while recovery loads) into this
     * table, not yet visible to readers (growth), at the first never-used slot from home. The words are copied as
     * they are: no Location object and no seqlock writes per key (no reader sees this table before it is
     * published). The home slot comes from the header's hash bits: the key arena is not read.
     */
    void copyUnpublished(SlotTable from, int fromSlot) {
        int src = at(fromSlot, 0);
        long header = from.slots.getLong(src);
        int slot = homeOfTag(header & TAG_MASK);
        while (header(slot) != NEVER_USED) {
            slot = next(slot);
        }
        int to = at(slot, 0);
        slots.putLong(to, header);
        slots.putLong(to + 8, from.slots.getLong(src + 8));
        // The version restarts at 0 (even): only the record size is kept from word 2.
        slots.putLong(to + 16, from.slots.getLong(src + 16) & 0xFFFFFFFFL);
        if (from.loadSequences != null) {
            loadSequences()[slot] = from.loadSequences[fromSlot];
        }
        ByteBuffer fromExpiries = from.expiries;
        if (fromExpiries != null) {
            if (expiries == null) {
                expiries = ByteBuffer.allocateDirect(capacity * 8).order(ByteOrder.nativeOrder());
            }
            expiries.putLong(slot * 8, fromExpiries.getLong(fromSlot * 8));
        }
        if (isTombstone(slot)) {
            tombstones++;
        } else {
            live++;
        }
        used++;
    }

    static void checkLimits(int segmentId, long offset) {
        if (segmentId < 0 || segmentId > MAX_SEGMENT_ID) {
            throw new FerrumException("key directory limit: segment id " + segmentId + " exceeds "
                    + MAX_SEGMENT_ID);
        }
        if (offset < 0 || offset > MAX_OFFSET) {
            throw new FerrumException("key directory limit: offset " + offset + " in segment " + segmentId
                    + " exceeds " + MAX_OFFSET);
        }
    }
}
