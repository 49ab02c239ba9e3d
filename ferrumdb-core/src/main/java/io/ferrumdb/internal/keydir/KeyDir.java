package io.ferrumdb.internal.keydir;

import io.ferrumdb.FerrumException;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The in-memory key directory: for every live key, where its newest record is. No Java object per key: entries
 * live in an off-heap {@link SlotTable} (24 bytes a slot), key bytes compared through a {@link KeyStore} (an
 * off-heap {@link KeyArena}, or in a hash-only plaintext database the records themselves: {@link LogKeys}), the
 * optional key order in sorted reference arrays ({@link OrderedIndex}, 4 bytes a key) and TTLs in a primitive
 * heap ({@link ExpiryQueue}). {@link Key} and {@link Location} objects exist only while a call uses them.
 *
 * <p>Concurrency: GETs and scans are lock-free. Every change (the log writer's puts and removes, compaction's {@link
 * CompactionView#switchCopies}, the TTL purge, growth) is made under one mutation lock, so slots have one writer at a
 * time ({@link SlotWriter} makes them; recovery's loading is {@link KeyDirLoader}'s). Growth copies the table into a
 * larger one while readers keep using the old one, then publishes the new one with a single volatile write: readers
 * never wait; the writer that triggers growth pays the copy. Comparing a key with a record may take the log writer's
 * lock (to copy from its chunks), so changes that compare keys (puts, removes) are made with the writer's lock
 * already held; the others (relocations, the purge) compare none.
 *
 * <p>In a writable database single puts stage their keys ({@link #stageNewKeys}, {@link StagedKeys}) instead of
 * probing the table, and the stage is drained into the table in batches whose slot misses overlap; reads probe the
 * stage first; scans, {@link #size} and {@link #entries} drain a non-empty stage first, under the writer's lock
 * ({@link StageDrain}).
 * ARCHITECTURE.md, "The key directory", lists the invariants that keep this correct.
 */
public final class KeyDir {
    /** Fill of the table open sizes from the hints' entry counts: room for 6% more keys before the first growth. */
    private static final double OPEN_FILL = 0.8;

    /** Held by every change; {@link CompactionView} takes it for its switches, a chunk of slots per hold. */
    final Object mutation = new Object();
    /** Where keys are compared: an arena, or (hash-only, plaintext) the records, at open too. */
    final KeyStore keys;
    /** The arena of a directory keeping its keys (the ordered index sorts its references), else null. */
    private final KeyArena arena;
    /** A hash-only directory's store ({@link #keysInRecords}); null when keys stay in the arena. */
    final LogKeys logKeys;
    final OrderedIndex ordered;
    volatile SlotTable table;
    /** Published by release stores only (lazySet): no reader orders later loads by it, and a put saves a fence. */
    final AtomicInteger size = new AtomicInteger();
    /** Set once {@link #clearTombstones} ended recovery's loading (mutator only). */
    private boolean loaded;
    /** Restored from an image whose references were in no order (see {@link #sortedSinceRestore}). */
    private boolean restoredUnsorted;
    /** The ordered index's build at open (see {@link #buildOrderedIndex}). */
    final OrderedBuild orderedBuild = new OrderedBuild();
    /**
     * Keys of single puts not yet in the table ({@link #stageNewKeys}); empty while staging is off. Every read probes
     * it first. Invariant: a staged entry names the newest record of its key, a record of the active segment (the
     * writer drains the stage before it rolls), and is written into the table before it leaves the stage.
     */
    private final StagedKeys staged = new StagedKeys();
    /** Writes {@link #staged} into the table, and says when. */
    final StageDrain stage;
    /** Makes every change of the slot table, under {@link #mutation}. */
    final SlotWriter writer;
    /** Bits of a log position below the segment id ({@link #logPosition}); offsets stay below 2^40. */
    private static final int POSITION_OFFSET_BITS = 40;

    /** Which of the log's records are durable: for {@link #trackSizeChanges}. */
    public interface Durability {
        /** Whether the record at {@code offset} of segment {@code segmentId} is durable (would be there at reopen). */
        boolean isDurable(int segmentId, long offset);
    }

    /** Hash bits beyond the tag a hash-only directory's headers keep by default ({@link #keysInLog}). */
    public static final int DEFAULT_KEY_HASH_BITS = LogKeys.DEFAULT_EXTRA_BITS;

    /** A key directory keeping its keys in an off-heap arena (ordered keys, encrypted databases). */
    public KeyDir(boolean ordered, int expectedKeys) {
        this(ordered, expectedKeys, null);
    }

    /**
     * A hash-only key directory keeping no key bytes once loaded: keys are compared with the records their slots
     * point at ({@link LogKeys}), read through {@code records}, given by {@link #keysInRecords} once the log is
     * open. Headers keep {@code extraHashBits} hash bits beyond the tag ({@link LogKeys#DEFAULT_EXTRA_BITS}; tests
     * use 0 so that keys of one tag share a header and every probe compares records).
     */
    public static KeyDir keysInLog(int expectedKeys, int extraHashBits) {
        return new KeyDir(false, expectedKeys, new LogKeys(extraHashBits));
    }

    private KeyDir(boolean ordered, int expectedKeys, LogKeys logKeys) {
        // Only the ordered index packs references: an encrypted hash-only arena never pads.
        this(new SlotTable(capacityFor(Math.max(16, expectedKeys), OPEN_FILL)), logKeys,
                logKeys == null ? (ordered ? new KeyArena(KeyArena.DENSE_LIMIT) : new KeyArena()) : null, ordered);
        if (ordered) {
            this.ordered.expectLoaded(expectedKeys);
        }
    }

    /** A directory over {@code initial} and the key store: {@code logKeys} if not null, else {@code arena}. */
    private KeyDir(SlotTable initial, LogKeys logKeys, KeyArena arena, boolean ordered) {
        this.table = initial;
        this.logKeys = logKeys;
        this.arena = arena;
        this.keys = logKeys == null ? new ArenaKeys(arena) : logKeys;
        // The current table, not the initial one: growth replaces it.
        this.ordered = ordered ? new OrderedIndex(arena, ref -> slotOf(table, ref) >= 0, mutation) : null;
        this.stage = new StageDrain(this, staged, this.ordered);
        this.writer = new SlotWriter(this, keys);
    }

    /**
     * Gives a hash-only directory the records through which keys are compared from then on (a no-op for a
     * directory keeping its keys): before loading, the segments being loaded (a loaded entry whose header matches
     * a slot's is compared with that slot's record), then, once the log is open, the log with its writer.
     */
    public void keysInRecords(RecordKeys records) {
        if (logKeys != null) {
            logKeys.attach(records);
        }
    }

    /** True when this directory keeps no key bytes and compares keys with records. */
    public boolean keysInLog() {
        return logKeys != null;
    }

    static int capacityFor(long keys, double fill) {
        long capacity = (long) Math.ceil(keys / fill) + 1;
        if (capacity > SlotTable.MAX_CAPACITY) {
            throw new FerrumException("key directory limit: " + keys + " keys need " + capacity
                    + " slots, more than " + SlotTable.MAX_CAPACITY);
        }
        return (int) capacity;
    }

    // ------------------------------------------------------------------ lock-free reads

    /** The key's location, or null. Lock-free. */
    public Location get(Key key) {
        byte[] bytes = key.bytes();
        SlotProbe found = new SlotProbe();
        return lookup(bytes, 0, bytes.length, key.directoryHash(), found) ? found.location() : null;
    }

    /**
     * A GET's lookup: fills {@code into} with the entry of {@code key} (hashed here: no Key object) and returns
     * true, or returns false when the key is absent. Allocates nothing, so that a GET allocates only the value it
     * returns: the caller reuses one holder per thread. Lock-free.
     */
    public boolean find(byte[] key, SlotProbe into) {
        return lookup(key, 0, key.length, KeyArena.hash(key), into);
    }

    /**
     * Compaction's lookup of the key in {@code bytes[from, from + len)} (a hint file's buffer: no Key object, one
     * hash): as {@link #get}, and when found, notes the slot in {@code at}. Lock-free.
     */
    public Location probe(byte[] bytes, int from, int len, SlotProbe at) {
        return lookup(bytes, from, len, KeyArena.hash(bytes, from, len), at) ? at.location() : null;
    }

    /**
     * The lock-free lookup: candidates by hash bits, each compared by the key store. A candidate whose record
     * is gone (compaction retired its segment after the slot was read) makes the lookup start again, unless its
     * slot still names that record. A damaged record is reported only when no later candidate is the key: the
     * damaged one may then be the key's.
     */
    private boolean lookup(byte[] bytes, int from, int len, long hash, SlotProbe into) {
        if (staged.find(bytes, from, len, hash, into)) {
            return true;
        }
        for (int attempt = 1; ; attempt++) {
            boolean found = firstCandidate(hash, into);
            SlotProbe damaged = null;
            int c = KeyStore.OTHER;
            while (found && (c = keys.compare(into, bytes, from, len)) != KeyStore.MATCH && c != KeyStore.GONE) {
                if (c == KeyStore.DAMAGED && damaged == null) {
                    damaged = into.copy();
                }
                found = nextCandidate(into);
            }
            if (found && c == KeyStore.GONE) {
                if (into.stillHeld() || attempt == MAX_LOOKUPS) {
                    throw LogKeys.gone(into);
                }
                continue;
            }
            if (!found && damaged != null) {
                if (attempt < MAX_LOOKUPS && stage.drainedForDamage()) {
                    continue;
                }
                throw keys.damaged(damaged);
            }
            return found;
        }
    }

    /** Lookups one call makes at most when records keep moving under it (each move needs a compaction). */
    static final int MAX_LOOKUPS = 8;

    /**
     * A GET's lookup without the key compare: fills {@code into} with the first entry of {@code key}'s probe
     * sequence whose header matches the key's hash bits (28 of them, or 62 in a hash-only directory) and returns
     * true, or returns false when none does. The caller compares the key with the record the entry names, which it
     * reads anyway (a key arena line is a cache miss of its own), and on a mismatch asks {@link #isKey} and goes
     * on with {@link #nextCandidate}. Lock-free, allocates nothing.
     */
    public boolean firstCandidate(byte[] key, SlotProbe into) {
        return firstCandidate(key, KeyArena.hash(key), into);
    }

    private boolean firstCandidate(byte[] key, long hash, SlotProbe into) {
        // A staged key was compared here (isKey answers true for it); the table's candidates come after it.
        if (staged.find(key, 0, key.length, hash, into)) {
            into.tag = hash;
            return true;
        }
        return firstCandidate(hash, into);
    }

    private boolean firstCandidate(long hash, SlotProbe into) {
        into.table = table;
        KeyStore k = keys;
        into.tag = k.match(hash);
        into.mask = k.matchMask();
        return candidateFrom(into.table.homeOfTag(into.tag & SlotTable.TAG_MASK), into);
    }

    /** The next candidate after {@code p}'s slot, in the table {@code p} was found in; see {@link #firstCandidate}. */
    public boolean nextCandidate(SlotProbe p) {
        return p.slot == StagedKeys.SLOT ? firstCandidate(p.tag, p) : candidateFrom(p.table.next(p.slot), p);
    }

    private boolean candidateFrom(int slot, SlotProbe p) {
        while (true) {
            int found = p.table.candidate(slot, p.tag, p.mask, p);
            if (found >= 0) {
                return found == 1;
            }
            // The slot was removed or reused between reading its header and its words: probe again from home.
            p.table = table;
            slot = p.table.homeOfTag(p.tag & SlotTable.TAG_MASK);
        }
    }

    /**
     * True when the candidate {@code p} is {@code key}'s entry, as the key store says (the arena's copy, or the
     * record read again). A record that is gone counts as the key's (the caller then looks again); a damaged one
     * as the key's unless a later candidate is the key. Lock-free.
     */
    public boolean isKey(byte[] key, SlotProbe p) {
        if (p.slot == StagedKeys.SLOT) {
            return true;
        }
        int c = keys.compare(p, key, 0, key.length);
        if (c != KeyStore.DAMAGED) {
            return c != KeyStore.OTHER;
        }
        SlotProbe later = p.copy();
        while (nextCandidate(later)) {
            if (keys.compare(later, key, 0, key.length) == KeyStore.MATCH) {
                return false;
            }
        }
        // The damaged entry is the key's unless a staged put of its key has replaced it since.
        return !stage.drainedForDamage() || p.stillHeld();
    }

    public boolean isOrdered() {
        return ordered != null;
    }

    /**
     * Keys in {@code [fromInclusive, toExclusive)} (null = unbounded) in key order, descending if asked, each with
     * its location (found by the probe that checked the key is live); only with ordered keys. Sees every key added
     * before the call (waiting for the build at open if it is still running); weakly consistent after that.
     */
    public OrderedScan orderedScan(byte[] fromInclusive, byte[] toExclusive, boolean descending) {
        if (ordered == null) {
            throw new IllegalStateException("the key directory was built without ordered keys");
        }
        drainStaged();
        orderedBuild.await(true);
        return ordered.scan(fromInclusive, toExclusive, descending, new ScanProbe(this, arena));
    }

    /** The location of the key with arena reference {@code ref} if it is in the table now, else null. Lock-free. */
    Location locationOf(long ref) {
        SlotTable t = table;
        int slot = slotOf(t, ref);
        long header = slot < 0 ? SlotTable.NEVER_USED : t.headerAcquire(slot);
        // A slot changed since slotOf found it no longer holds this reference: its key was removed (a key added again
        // gets a new reference), so null is right as of that later moment; so is readIfHeld's null. No retry.
        return SlotTable.holdsKey(header) && SlotTable.ref(header) == ref ? t.readIfHeld(slot, header) : null;
    }

    /**
     * Sorts recently added keys into the ordered index, unless its build at open is deferred (which this starts
     * once writers have added many keys, see {@link OrderedBuild}) or still running. The log's acknowledger calls it
     * after group commits (under {@code always()} once per 256 records or so), so that a writer only appends a
     * reference.
     */
    public void applyQueuedOrderedChanges() {
        if (ordered != null && orderedBuild.await(false)) {
            ordered.merge(false);
        }
    }

    /** Number of entries, expired ones included until {@link #purgeExpired} removes them. */
    public int size() {
        drainStaged();
        return size.get();
    }

    /**
     * {@code offset} of segment {@code segmentId} as one comparable long, the segment id above a 40-bit offset: the
     * log writer's records lie in append order exactly when their positions rise.
     */
    public static long logPosition(int segmentId, long offset) {
        return (long) segmentId << POSITION_OFFSET_BITS | offset;
    }

    /** The segment id of a {@link #logPosition}. */
    public static int segmentOf(long position) {
        return (int) (position >>> POSITION_OFFSET_BITS);
    }

    /** The offset of a {@link #logPosition}. */
    public static long offsetOf(long position) {
        return position & ((1L << POSITION_OFFSET_BITS) - 1);
    }

    /**
     * Notes, from now on, which log record made each change of the size ({@link SizeChanges}), so that {@link
     * #durableSize} and {@link #addedByLostRecords} can leave out the records that {@code durable} says are not
     * (after a write failure: those it caught). The log writer's puts and deletes pass their records' positions
     * ({@link #put(byte[], int, int, int, long, int, long)}, {@link #remove(byte[], int, int, int, long)}).
     */
    public void trackSizeChanges(Durability durable) {
        synchronized (mutation) {
            writer.trackSizeChanges(durable);
        }
    }

    /**
     * {@link #size()} as the durable records leave it: without the keys added, and with the keys removed, by records
     * that are not durable (after a write failure: those it caught, which a reopen may not find).
     */
    public int durableSize() {
        drainStaged();
        synchronized (mutation) {
            return size.get() - writer.lostSizeChange();
        }
    }

    /**
     * True when records that are not durable added {@code key}, which the directory holds, and the durable records
     * leave it absent (see {@link #durableSize}).
     */
    public boolean addedByLostRecords(byte[] key) {
        drainStaged();
        synchronized (mutation) {
            return writer.lostSizeChange(KeyArena.hash(key)) > 0;
        }
    }

    /** True when some entry may have expired by {@code nowMillis}. Lock-free. */
    public boolean mayHaveExpired(long nowMillis) {
        return writer.mayHaveExpired(nowMillis);
    }

    /**
     * Off-heap bytes held: table, expiry area and key arena (the ordered arrays are on the heap), an image's areas
     * mapped at open included: those are file-backed pages (RssFile, not RssAnon) until written.
     */
    public long offHeapBytes() {
        return table.bytesReserved() + keys.bytesReserved();
    }

    /**
     * Bytes of memory the directory holds: {@link #offHeapBytes} and the ordered index's heap arrays (what
     * {@code Stats.keyDirectoryBytes} reports).
     */
    public long memoryBytes() {
        return offHeapBytes() + (ordered == null ? 0 : ordered.heapBytes());
    }

    /** Calls {@code action} with every entry's location, weakly consistent, without copying keys (recovery). */
    public void forEachLocation(Consumer<Location> action) {
        drainStaged();
        SlotTable t = table;
        for (int slot = 0; slot < t.capacity; slot++) {
            long header = t.headerAcquire(slot);
            if (SlotTable.holdsKey(header)) {
                Location loc = t.readIfHeld(slot, header);
                if (loc != null) {
                    action.accept(loc);
                }
            }
        }
    }

    /** All entries, weakly consistent: each key present for the whole iteration is seen once. */
    public Iterator<Map.Entry<Key, Location>> entries() {
        drainStaged();
        return new EntryIterator(table, keys);
    }

    // ------------------------------------------------------------------ the image (KeyDirImage)

    /** The arena of a directory keeping its keys; null when keys are compared with records. */
    KeyArena arena() {
        return arena;
    }

    /** Hash bits a hash-only directory's headers keep beyond the tag; -1 when the keys are in the arena. */
    int keyHashBits() {
        return logKeys == null ? -1 : logKeys.extraBits();
    }

    /**
     * True when this directory was restored from an image whose references were in no order and the ordered index
     * has been built since: an image written now would spare the next open's first scan that sort.
     */
    public boolean sortedSinceRestore() {
        return restoredUnsorted && !orderedBuild.isDeferred();
    }

    /**
     * A directory an image restored: {@code t} and {@code arena} (null: keys compared with records, the headers
     * keeping {@code keyHashBits} more hash bits) as a clean close left them, loading ended. The ordered index
     * gets {@code refs}: installed as they are when sorted, else handed to a deferred build as after a load from
     * hints. TTLs are queued again from the expiry area (one pass over the table, only when some key has one).
     */
    static KeyDir restored(SlotTable t, KeyArena arena, int keyHashBits, KeyDirImage.References refs,
                           long removedKeys) {
        KeyDir kd = new KeyDir(t, arena == null ? new LogKeys(keyHashBits) : null, arena, refs != null);
        synchronized (kd.mutation) {
            kd.loaded = true;
            kd.writer.restoreRemovedKeys(removedKeys);
            kd.size.lazySet(t.live);
            if (t.expiryMemory() != null) {
                kd.writer.requeueExpiries(t);
            }
        }
        if (refs != null && refs.sorted()) {
            kd.ordered.install(refs.loaded().refs(), refs.loaded().dead());
        } else if (refs != null) {
            kd.orderedBuild.defer(kd.ordered, refs.loaded());
            kd.restoredUnsorted = true;
        }
        return kd;
    }

    // ------------------------------------------------------------------ changes (one at a time)

    /** Sets the key's location; returns the previous one (looked up first: tests and tools; puts use the next). */
    public Location put(Key key, Location location) {
        synchronized (mutation) {
            stage.drainLocked();
            Location previous = get(key);
            set(key, location, true);
            return previous;
        }
    }

    /**
     * {@link #put(Key, Location)} of {@code key[from, from + length)} (read during the call only) from the location's
     * fields, no objects: returns the previous entry as {@code segmentId << 32 | recordSize}, or {@link #ABSENT}.
     * With staging on ({@link #stageNewKeys}) the caller holds the log writer's lock, and a staged put returns the
     * previous entry only when that was staged too: the drain that writes the key into the table reports the table's.
     */
    public long put(byte[] key, int from, int length, int segmentId, long offset, int recordSize, long expiresAt) {
        long hash = KeyArena.hash(key, from, length);
        if (stage.isOn() && expiresAt == 0 && StagedKeys.fits(length)) {
            // The stage changes only under the writer's lock, which the caller holds: no mutation lock (its locked
            // instructions are a put's cost), unless this put drains, which changes the table.
            int e = staged.entryOf(key, from, length, hash);
            if (e >= 0) {
                return staged.replace(e, segmentId, offset, recordSize);
            }
            if (staged.isFull()) {
                drainBeforeRoll();
            }
            staged.add(key, from, length, hash, segmentId, offset, recordSize);
            return ABSENT;
        }
        synchronized (mutation) {
            // A put that is not staged is newer than every staged one: they go first, or they would shadow it.
            stage.drainLocked();
            long previous = writer.set(key, from, length, hash, segmentId, offset, recordSize, expiresAt, true);
            if (previous == ABSENT) {
                writer.sizeChanged(logPosition(segmentId, offset), hash, 1);
            }
            return previous;
        }
    }

    /**
     * Turns staging on (a writable database, once its log writer exists): from then on a single put without a TTL
     * of a key of at most {@link StagedKeys#MAX_KEY} bytes stages its key ({@link StagedKeys}) instead of probing the
     * table, and {@link #put(byte[], int, int, int, long, int, long)} returns the replaced entry only when that was
     * staged too; a drain tells {@code replaced} of the table entries it replaces. Drains change the segments' live
     * bytes, which only the log writer's lock guards for the active segment, so every drain runs under it: a
     * writer's (puts, deletes, the purge, {@link #drainBeforeRoll}) holds it already, and other threads (scans,
     * {@link #size}, {@link #entries}) drain through {@code underWriterLock}, which must take the writer's lock and
     * then run its argument (the same order as a put: the writer's lock, then the mutation lock).
     */
    public void stageNewKeys(Consumer<Runnable> underWriterLock, LongConsumer replaced) {
        synchronized (mutation) {
            stage.turnOn(underWriterLock, replaced);
        }
    }

    /**
     * Writes every staged key into the table; a no-op when none is staged. Caller holds the writer's lock (a roll, or
     * a put that found the stage full).
     */
    public void drainBeforeRoll() {
        synchronized (mutation) {
            stage.drainLocked();
        }
    }

    /**
     * Writes every staged key into the table, taking the writer's lock (see {@link #stageNewKeys}); a no-op when
     * none is staged. The caller holds neither lock.
     */
    public void drainStaged() {
        stage.drainStaged();
    }

    /** Removes the key; returns its location, or null. */
    public Location remove(Key key) {
        return remove(key.bytes(), 0, key.bytes().length);
    }

    /** {@link #remove(Key)} of {@code key[from, from + length)}, read during the call only. */
    public Location remove(byte[] key, int from, int length) {
        return remove(key, from, length, -1, 0);
    }

    /**
     * {@link #remove(byte[], int, int)} by the log writer's delete record at {@code offset} of segment {@code
     * segmentId} ({@link #trackSizeChanges}); a negative segment id: by no record.
     */
    public Location remove(byte[] key, int from, int length, int segmentId, long offset) {
        long hash = KeyArena.hash(key, from, length);
        synchronized (mutation) {
            stage.drainLocked();
            SlotTable t = table;
            int slot = writer.find(t, key, from, length, hash);
            if (slot < 0) {
                return null;
            }
            if (segmentId >= 0) {
                writer.sizeChanged(logPosition(segmentId, offset), hash, -1);
            }
            return writer.remove(t, slot);
        }
    }

    /**
     * Recovery: sets a key's location without maintaining the ordered index, which {@link #buildOrderedIndex()}
     * then builds in one pass: sorting once is several times cheaper than inserting keys one by one.
     */
    public void load(Key key, Location location) {
        set(key, location, false);
    }

    /**
     * Runs {@code loading} (recovery's {@link KeyDirLoader}) under the mutation lock, then publishes the size.
     *
     * @throws IllegalStateException after {@link #clearTombstones}: the loaded sequence numbers are gone by then
     */
    void whileLoading(Runnable loading) {
        synchronized (mutation) {
            if (loaded) {
                throw new IllegalStateException(
                        "the key directory finished loading; records can no longer be recovered");
            }
            loading.run();
            size.lazySet(table.live);
        }
    }

    /** {@link #put(Key, int, long, int, long)}'s answer for a key that had no entry. */
    public static final long ABSENT = -1;

    /**
     * Recovery: turns every tombstone marker into a removed marker, once all records are loaded, and drops the
     * loaded sequence numbers. The tombstones' key bytes stay in the arena unused (like keys removed later) until
     * the next open; {@link #keyBytesUsed} counts them. Returns the number of tombstones cleared.
     */
    int clearTombstones() {
        synchronized (mutation) {
            SlotTable t = table;
            int cleared = t.endLoading();
            loaded = true;
            size.lazySet(t.live);
            return cleared;
        }
    }

    /** Bytes of key storage appended so far, removed keys and cleared tombstones included. */
    public long keyBytesUsed() {
        return keys.bytesUsed();
    }

    /**
     * Removes entries expired by {@code nowMillis}, calling {@code removed} with each one's location. The caller
     * holds the writer's lock, so that no put of the same key races with the removal. The queue names keys by
     * header; a hash-only directory's header may be shared by keys (with probability 2^-62, or always in tests),
     * so every slot holding it is checked: an expired entry is removed whichever key's queue entry found it.
     * No key bytes are read.
     */
    public void purgeExpired(long nowMillis, Consumer<Location> removed) {
        synchronized (mutation) {
            stage.drainLocked();
            writer.purgeExpired(nowMillis, removed);
        }
    }

    /**
     * Recovery: readies the ordered index's build from the loaded keys (a no-op without ordered keys). The loader
     * noted each key's reference as it added the key ({@link OrderedIndex#loaded}), so no pass over the table is
     * needed; the sort runs on a background thread once the index is first needed ({@link OrderedBuild}: the first
     * scan, or many keys added). Keys added meanwhile stay pending; the first scan waits for the build. References
     * of keys removed at the end of the loading (deleted, expired) are among them, dead, and skipped like those of
     * keys removed later.
     */
    public void buildOrderedIndex() {
        if (ordered == null) {
            return;
        }
        OrderedIndex.Loaded loaded;
        synchronized (mutation) {
            loaded = ordered.takeLoaded(table.live);
        }
        orderedBuild.defer(ordered, loaded);
    }

    private void set(Key key, Location l, boolean maintainOrder) {
        set(key.bytes(), 0, key.bytes().length, key.directoryHash(), l.segmentId(), l.offset(), l.recordSize(),
                l.expiresAt(), maintainOrder);
    }

    private long set(byte[] key, int from, int length, long hash, int segmentId, long offset, int recordSize,
                     long expiresAt, boolean maintainOrder) {
        synchronized (mutation) {
            stage.drainLocked();
            return writer.set(key, from, length, hash, segmentId, offset, recordSize, expiresAt, maintainOrder);
        }
    }

    /** The slot of {@code t} holding the key with reference {@code ref}, or -1. Lock-free. */
    int slotOf(SlotTable t, long ref) {
        long hash = arena.hash(ref);
        int slot = t.home(hash);
        for (int probes = 0; probes < t.capacity; probes++, slot = t.next(slot)) {
            long header = t.headerAcquire(slot);
            if (header == SlotTable.NEVER_USED) {
                return -1;
            }
            if (SlotTable.holdsKey(header) && SlotTable.ref(header) == ref) {
                return slot;
            }
        }
        return -1;
    }
}
