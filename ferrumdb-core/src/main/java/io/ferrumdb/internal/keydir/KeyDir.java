package io.ferrumdb.internal.keydir;

import io.ferrumdb.FerrumException;
import io.ferrumdb.internal.concurrent.Uninterruptibly;
import java.util.AbstractMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiConsumer;

/**
 * The in-memory key directory: for every live key, where its newest record is. No Java object per key: entries
 * live in an off-heap {@link SlotTable} (32 bytes a slot), key bytes in an off-heap {@link KeyArena}, the
 * optional key order in sorted reference arrays ({@link OrderedIndex}, 8 bytes a key) and TTLs in a primitive
 * heap ({@link ExpiryQueue}). {@link Key} and {@link Location} objects exist only while a call uses them.
 *
 * <p>Concurrency: GETs and scans are lock-free. Every change (the log writer's puts and removes, compaction's
 * {@link #relocate}, the TTL purge, growth) is made under one mutation lock, so slots have one writer at a time.
 * Growth copies the table into a larger one while readers keep using the old one, then publishes the new one
 * with a single volatile write: readers never wait; the writer that triggers growth pays the copy.
 */
public final class KeyDir {
    /** Growth happens beyond this fill (keys and removed markers); linear probing degrades quickly past it. */
    private static final double MAX_FILL = 0.8;
    /** Fill right after growth: the table grows by about 1.45x each time. */
    private static final double FILL_AFTER_GROWTH = 0.55;

    private final Object mutation = new Object();
    private final KeyArena arena = new KeyArena();
    private final OrderedIndex ordered;
    private final ExpiryQueue expiries = new ExpiryQueue();
    private volatile SlotTable table;
    private volatile int size;
    private volatile long nextExpiry = Long.MAX_VALUE;
    /** Set while the ordered index is being built at open; null once a waiter saw it finish. */
    private volatile CountDownLatch orderedBuild;
    private volatile Throwable orderedBuildFailure;

    public KeyDir(boolean ordered, int expectedKeys) {
        this.table = new SlotTable(capacityFor(Math.max(16, expectedKeys), MAX_FILL - 0.05));
        this.ordered = ordered ? new OrderedIndex(arena, this::isLive) : null;
    }

    private static int capacityFor(long keys, double fill) {
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
        return lookup(bytes, 0, bytes.length, key.directoryHash(), null);
    }

    /**
     * Where {@link #probe} found a key: the slot and the header it held, so that a later
     * {@link #relocate(long, int, int, long, Location)} goes straight to the slot instead of hashing and comparing
     * the key again. One mutable instance, reused record after record by compaction.
     */
    public static final class Probe {
        private long header;
        private int slot;

        public long header() {
            return header;
        }

        public int slot() {
            return slot;
        }
    }

    /**
     * Compaction's lookup of the key in {@code bytes[from, from + len)} (a hint file's buffer: no Key object, one
     * hash): as {@link #get}, and when found, notes the slot in {@code at}. Lock-free.
     */
    public Location probe(byte[] bytes, int from, int len, Probe at) {
        return lookup(bytes, from, len, KeyArena.hash(bytes, from, len), at);
    }

    private Location lookup(byte[] bytes, int from, int len, long hash, Probe at) {
        while (true) {
            SlotTable t = table;
            long tag = SlotTable.tag(hash);
            int slot = t.home(hash);
            Location found = null;
            boolean changed = false;
            for (int probes = 0; probes < t.capacity; probes++, slot = t.next(slot)) {
                long header = t.headerAcquire(slot);
                if (header == SlotTable.NEVER_USED) {
                    break;
                }
                if (header != SlotTable.REMOVED && (header & SlotTable.TAG_MASK) == tag
                        && arena.matches(SlotTable.ref(header), bytes, from, len)) {
                    found = t.readIfHeld(slot, header);
                    changed = found == null;
                    if (at != null) {
                        at.header = header;
                        at.slot = slot;
                    }
                    break;
                }
            }
            if (!changed) {
                return found;
            }
            // The slot was removed or reused between reading its header and its words: probe again.
        }
    }

    /** True when {@code ref} is the reference of a key in the table now. Lock-free. */
    private boolean isLive(long ref) {
        return slotOf(table, ref) >= 0;
    }

    public boolean isOrdered() {
        return ordered != null;
    }

    /**
     * Keys in {@code [fromInclusive, toExclusive)} (null = unbounded) in key order, descending if asked; only with
     * ordered keys. Sees every key added before the call (waiting for the build at open if it is still running);
     * weakly consistent after that.
     */
    public Iterator<Key> orderedKeys(byte[] fromInclusive, byte[] toExclusive, boolean descending) {
        if (ordered == null) {
            throw new IllegalStateException("the key directory was built without ordered keys");
        }
        awaitOrderedBuild(true);
        return ordered.scan(fromInclusive, toExclusive, descending);
    }

    /**
     * Sorts recently added keys into the ordered index, unless it is still being built at open. The log's
     * acknowledger calls it after each group commit, so that a writer only appends a reference.
     */
    public void applyQueuedOrderedChanges() {
        if (ordered != null && awaitOrderedBuild(false)) {
            ordered.merge(false);
        }
    }

    /** True when the index built at open is complete; with {@code wait}, waits for it. */
    private boolean awaitOrderedBuild(boolean wait) {
        CountDownLatch building = orderedBuild;
        if (building == null) {
            return true;
        }
        if (!wait) {
            return building.getCount() == 0 && orderedBuildFailure == null;
        }
        Uninterruptibly.await(() -> {
            building.await();
            return true;
        });
        if (orderedBuildFailure != null) {
            throw new FerrumException("building the ordered key index failed: " + orderedBuildFailure,
                    orderedBuildFailure);
        }
        orderedBuild = null;
        return true;
    }

    /** Number of entries, expired ones included until {@link #purgeExpired} removes them. */
    public int size() {
        return size;
    }

    /** True when some entry may have expired by {@code nowMillis}. Lock-free. */
    public boolean mayHaveExpired(long nowMillis) {
        return nextExpiry <= nowMillis;
    }

    /** Off-heap bytes held: table, expiry area and key arena (the ordered arrays are on the heap). */
    public long offHeapBytes() {
        return table.bytesReserved() + arena.bytesReserved();
    }

    /** Calls {@code action} with every entry's location, weakly consistent, without copying keys (recovery). */
    public void forEachLocation(java.util.function.Consumer<Location> action) {
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
        SlotTable t = table;
        return new Iterator<>() {
            private int slot;
            private Map.Entry<Key, Location> next;

            @Override
            public boolean hasNext() {
                while (next == null && slot < t.capacity) {
                    int s = slot++;
                    long header = t.headerAcquire(s);
                    if (SlotTable.holdsKey(header)) {
                        Location loc = t.readIfHeld(s, header);
                        if (loc != null) {
                            next = new AbstractMap.SimpleImmutableEntry<>(
                                    new Key(arena.copy(SlotTable.ref(header))), loc);
                        }
                    }
                }
                return next != null;
            }

            @Override
            public Map.Entry<Key, Location> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Map.Entry<Key, Location> e = next;
                next = null;
                return e;
            }
        };
    }

    // ------------------------------------------------------------------ changes (one at a time)

    /** Sets the key's location; returns the previous one. */
    public Location put(Key key, Location location) {
        return set(key, location, true);
    }

    /** Removes the key; returns its location, or null. */
    public Location remove(Key key) {
        synchronized (mutation) {
            SlotTable t = table;
            int slot = find(t, key.bytes(), key.directoryHash());
            return slot < 0 ? null : removeSlot(t, slot);
        }
    }

    /**
     * Recovery: sets a key's location without maintaining the ordered index, which {@link #buildOrderedIndex()}
     * then builds in one pass: sorting once is several times cheaper than inserting keys one by one.
     */
    public void load(Key key, Location location) {
        set(key, location, false);
    }

    /** Recovery: removes a key loaded by {@link #load}. */
    public void unload(Key key) {
        remove(key);
    }

    /** Swaps a key's location if it is still {@code expected} (compared by value; compaction). */
    public boolean relocate(Key key, Location expected, Location replacement) {
        synchronized (mutation) {
            SlotTable t = table;
            int slot = find(t, key.bytes(), key.directoryHash());
            if (slot < 0 || !t.holds(slot, expected)) {
                return false;
            }
            t.write(slot, t.header(slot), replacement);
            return true;
        }
    }

    /**
     * Compaction's compare-and-set for a key found by {@link #probe} ({@code header} and {@code slot} from its
     * {@link Probe}): points the key at {@code replacement} if its entry still names the record at
     * {@code (segmentId, offset)}. Records are never rewritten in place, so that pair identifies the record; a put,
     * remove or expiry of the key since the probe changed the entry (a key removed and put again gets a new arena
     * reference, so a new header), and the swap is refused. If the table grew meanwhile the slot is found again
     * by the key's arena reference, without comparing key bytes.
     */
    public boolean relocate(long header, int slot, int segmentId, long offset, Location replacement) {
        synchronized (mutation) {
            SlotTable t = table;
            int at = slot < t.capacity && t.header(slot) == header ? slot : slotOf(t, SlotTable.ref(header));
            if (at < 0 || !t.holdsRecordAt(at, segmentId, offset)) {
                return false;
            }
            t.write(at, header, replacement);
            return true;
        }
    }

    /**
     * Removes entries expired by {@code nowMillis}, calling {@code removed} for each. The caller holds the
     * writer's lock, so that no put of the same key races with the removal.
     */
    public void purgeExpired(long nowMillis, BiConsumer<Key, Location> removed) {
        synchronized (mutation) {
            while (!expiries.isEmpty() && expiries.peekAt() <= nowMillis) {
                long ref = expiries.peekRef();
                expiries.poll();
                SlotTable t = table;
                int slot = slotOf(t, ref);
                if (slot >= 0) {
                    Location current = t.location(slot);
                    if (current.isExpired(nowMillis)) {
                        removeSlot(t, slot);
                        removed.accept(new Key(arena.copy(ref)), current);
                    }
                }
            }
            nextExpiry = expiries.isEmpty() ? Long.MAX_VALUE : expiries.peekAt();
        }
    }

    /**
     * Recovery: builds the ordered index from the loaded keys (a no-op without ordered keys). The references are
     * collected here, before any writer runs; the sort runs on a background thread so that open returns as soon
     * as the hash table is ready. Keys added meanwhile stay pending; the first scan waits for the build.
     */
    public void buildOrderedIndex() {
        if (ordered == null) {
            return;
        }
        long[] refs;
        synchronized (mutation) {
            SlotTable t = table;
            refs = new long[t.live];
            int n = 0;
            for (int slot = 0; slot < t.capacity; slot++) {
                long header = t.header(slot);
                if (SlotTable.holdsKey(header)) {
                    refs[n++] = SlotTable.ref(header);
                }
            }
            assert n == refs.length : "live count " + refs.length + " but " + n + " keys in the table";
        }
        CountDownLatch built = new CountDownLatch(1);
        orderedBuild = built;
        Thread builder = new Thread(() -> {
            try {
                ordered.sort(refs);
                ordered.install(refs);
            } catch (RuntimeException | Error e) {
                orderedBuildFailure = e;
                throw e;
            } finally {
                built.countDown();
            }
        }, "ferrumdb-ordered-index");
        builder.setDaemon(true);
        builder.start();
    }

    private Location set(Key key, Location location, boolean maintainOrder) {
        byte[] bytes = key.bytes();
        long hash = key.directoryHash();
        synchronized (mutation) {
            SlotTable t = table;
            int slot = find(t, bytes, hash);
            Location previous = null;
            long ref;
            if (slot >= 0) {
                long header = t.header(slot);
                ref = SlotTable.ref(header);
                previous = t.location(slot);
                t.write(slot, header, location);
            } else {
                if (t.used + 1 > t.capacity * MAX_FILL) {
                    t = grow(t);
                }
                ref = arena.append(bytes);
                insert(t, hash, SlotTable.header(ref, hash), location);
                size = t.live;
                if (maintainOrder && ordered != null) {
                    ordered.added(ref);
                }
            }
            if (location.expiresAt() != 0) {
                expiries.add(location.expiresAt(), ref);
                if (location.expiresAt() < nextExpiry) {
                    nextExpiry = location.expiresAt();
                }
            }
            return previous;
        }
    }

    /** The slot holding {@code key}, or -1. Caller holds the mutation lock. */
    private int find(SlotTable t, byte[] key, long hash) {
        assert Thread.holdsLock(mutation) : "find requires the mutation lock";
        long tag = SlotTable.tag(hash);
        int slot = t.home(hash);
        for (int probes = 0; probes < t.capacity; probes++, slot = t.next(slot)) {
            long header = t.header(slot);
            if (header == SlotTable.NEVER_USED) {
                return -1;
            }
            if (header != SlotTable.REMOVED && (header & SlotTable.TAG_MASK) == tag
                    && arena.matches(SlotTable.ref(header), key)) {
                return slot;
            }
        }
        return -1;
    }

    /** The slot of {@code t} holding the key with reference {@code ref}, or -1. Lock-free. */
    private int slotOf(SlotTable t, long ref) {
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

    /**
     * Inserts a key known to be absent at the first removed or never-used slot of its probe sequence. Caller
     * holds the mutation lock and has made room.
     */
    private void insert(SlotTable t, long hash, long header, Location location) {
        assert Thread.holdsLock(mutation) : "insert requires the mutation lock";
        int slot = t.home(hash);
        long previous;
        while (SlotTable.holdsKey(previous = t.header(slot))) {
            slot = t.next(slot);
        }
        t.write(slot, header, location);
        t.live++;
        if (previous == SlotTable.NEVER_USED) {
            t.used++;
        }
    }

    /** Caller holds the mutation lock. */
    private Location removeSlot(SlotTable t, int slot) {
        assert Thread.holdsLock(mutation) : "removeSlot requires the mutation lock";
        Location previous = t.location(slot);
        t.markRemoved(slot);
        t.live--;
        size = t.live;
        if (ordered != null) {
            ordered.removed();
        }
        return previous;
    }

    /**
     * Copies every key into a table sized for {@link #FILL_AFTER_GROWTH} (dropping removed markers) and publishes
     * it. Readers keep probing the old table until the volatile write, and what they read there was current
     * when they read it. Caller holds the mutation lock.
     */
    private SlotTable grow(SlotTable old) {
        assert Thread.holdsLock(mutation) : "grow requires the mutation lock";
        SlotTable grown = new SlotTable(capacityFor(old.live + 1L, FILL_AFTER_GROWTH));
        for (int slot = 0; slot < old.capacity; slot++) {
            long header = old.header(slot);
            if (SlotTable.holdsKey(header)) {
                grown.copyUnpublished(arena.hash(SlotTable.ref(header)), old, slot);
            }
        }
        table = grown;
        return grown;
    }
}
