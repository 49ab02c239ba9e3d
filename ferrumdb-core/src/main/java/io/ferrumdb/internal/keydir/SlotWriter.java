package io.ferrumdb.internal.keydir;

import java.util.function.Consumer;

/**
 * The key directory's changes of its slot table, one at a time: every method that changes a slot REQUIRES the
 * mutation lock ({@link KeyDir#mutation}) and asserts it, so slots have one writer at a time. Finds a key's slot or
 * where it goes (comparing keys through the key store), claims, writes and removes slots, grows the table and
 * publishes the grown one, and keeps what a change must note: the size, the TTL queue, the ordered index's
 * references, the keys removed since the last load from hints, and the size changes by log record ({@link
 * SizeChanges}). {@link KeyDir} takes the lock (and drains the stage first); the lock-free lookups are its own.
 */
final class SlotWriter {
    /**
     * Growth happens beyond this fill (keys and removed markers); linear probing degrades quickly past it (a miss
     * walks 0.5 * (1 + 1 / (1 - fill)^2) slots on average: 13 at 0.8, 23 at 0.85, 50 at 0.9).
     */
    static final double MAX_FILL = 0.85;

    private final KeyDir keyDir;
    /** The key directory's key store: where keys are compared, and added. */
    private final KeyStore keys;
    /** The holder for the entries keys are compared with. */
    private final SlotProbe compared = new SlotProbe();
    private final ExpiryQueue expiries = new ExpiryQueue();
    /** The earliest TTL queued, read lock-free by {@link #mayHaveExpired}. */
    private volatile long nextExpiry = Long.MAX_VALUE;
    /**
     * Keys removed since the keys were last loaded from hints: their bytes stay in the arena, and an image keeps
     * them (see {@link KeyDirImage#worthWriting}). The tombstones that load cleared are not counted: a load from
     * hints copies their keys again, as long as their delete records exist.
     */
    private long removedKeys;
    /** The log writer's size changes by record position ({@link #trackSizeChanges}); null while not tracked. */
    private SizeChanges sizeChanges;

    SlotWriter(KeyDir keyDir, KeyStore keys) {
        this.keyDir = keyDir;
        this.keys = keys;
    }

    /**
     * Points the key {@code key[from, from + length)} at the record given, adding the key if it is absent; returns
     * the previous entry as {@code segmentId << 32 | recordSize}, or {@link KeyDir#ABSENT}. A new key's reference
     * goes to the ordered index: as added ({@code maintainOrder}; a running drain hands them over at once), or as
     * loaded (for the build at open). REQUIRES: the mutation lock is held.
     */
    long set(byte[] key, int from, int length, long hash, int segmentId, long offset, int recordSize,
             long expiresAt, boolean maintainOrder) {
        assert Thread.holdsLock(keyDir.mutation) : "set requires the mutation lock";
        SlotTable t = keyDir.table;
        int slot = findOrFree(t, key, from, length, hash);
        long previous = KeyDir.ABSENT;
        long header;
        if (slot >= 0) {
            header = t.header(slot);
            previous = (long) t.segmentId(slot) << 32 | (t.recordSize(slot) & 0xFFFFFFFFL);
            t.write(slot, header, segmentId, offset, recordSize, expiresAt);
        } else {
            // One walk found the key absent and where it goes, unless the table must grow first.
            slot = -slot - 1;
            if (t != (t = withRoomForOne(t))) {
                slot = -1 - findOrFree(t, key, from, length, hash);
            }
            header = keys.add(t, slot, key, from, length, hash);
            if (t.header(slot) == SlotTable.NEVER_USED) {
                t.used++;
                t.writeFresh(slot, header, segmentId, offset, recordSize, expiresAt);
            } else {
                t.write(slot, header, segmentId, offset, recordSize, expiresAt);
            }
            t.live++;
            keyDir.size.lazySet(t.live);
            OrderedIndex ordered = keyDir.ordered;
            if (ordered != null) {
                long ref = SlotTable.ref(header);
                if (!maintainOrder) {
                    ordered.loaded(ref);
                } else if (!keyDir.stage.collected(ref)) { // a drain hands the index its new keys at once
                    ordered.added(ref);
                }
            }
        }
        noteExpiry(expiresAt, header);
        return previous;
    }

    /** The slot holding the key {@code key[from, from + length)}, or -1. REQUIRES: the mutation lock is held. */
    int find(SlotTable t, byte[] key, int from, int length, long hash) {
        return Math.max(-1, findOrFree(t, key, from, length, hash));
    }

    /**
     * The slot holding the key {@code key[from, from + length)}, or when it is absent {@code -1 - s} for the slot
     * {@code s} that {@link #claimSlot} would pick (the first removed or never-used slot of its probe sequence,
     * not yet counted as used). REQUIRES: the mutation lock is held; growth keeps a never-used slot in every table.
     *
     * <p>Keys are compared by the key store. A candidate whose record is damaged is the key's when no other
     * candidate is (its hash bits matched: 62 of them in a hash-only directory), so that a put or delete replaces
     * an entry that can no longer be read rather than adding a second entry for the key.
     */
    private int findOrFree(SlotTable t, byte[] key, int from, int length, long hash) {
        assert Thread.holdsLock(keyDir.mutation) : "findOrFree requires the mutation lock";
        long match = keys.match(hash);
        long mask = keys.matchMask();
        int slot = t.home(hash);
        int free = -1;
        int damaged = -1;
        while (true) {
            long header = t.header(slot);
            if (header == SlotTable.NEVER_USED) {
                return damaged >= 0 ? damaged : -1 - (free >= 0 ? free : slot);
            }
            if (header == SlotTable.REMOVED) {
                free = free >= 0 ? free : slot;
            } else if ((header & mask) == match) {
                t.read(slot, compared);
                int c = keys.compare(compared, key, from, length);
                if (c == KeyStore.MATCH) {
                    return slot;
                } else if (c == KeyStore.GONE) {
                    // Under the mutation lock a slot names a live record: compaction retires a segment only
                    // after switching every entry away from it.
                    throw LogKeys.gone(compared);
                } else if (c == KeyStore.DAMAGED && damaged < 0) {
                    damaged = slot;
                }
            }
            slot = t.next(slot);
        }
    }

    /**
     * The first removed or never-used slot of {@code hash}'s probe sequence, counted as used. REQUIRES: the mutation
     * lock is held, and room was made ({@link #withRoomForOne}).
     */
    int claimSlot(SlotTable t, long hash) {
        assert Thread.holdsLock(keyDir.mutation) : "claimSlot requires the mutation lock";
        int slot = t.home(hash);
        long previous;
        while (SlotTable.holdsKey(previous = t.header(slot))) {
            slot = t.next(slot);
        }
        if (previous == SlotTable.NEVER_USED) {
            t.used++;
        }
        return slot;
    }

    /** Removes the entry at {@code slot}; returns its location. REQUIRES: the mutation lock is held. */
    Location remove(SlotTable t, int slot) {
        assert Thread.holdsLock(keyDir.mutation) : "removing a slot requires the mutation lock";
        Location previous = t.location(slot);
        t.markRemoved(slot);
        t.live--;
        removedKeys++;
        keyDir.size.lazySet(t.live);
        if (keyDir.ordered != null) {
            keyDir.ordered.removed();
        }
        return previous;
    }

    /**
     * {@code t}, or when one more key would fill it beyond {@link #MAX_FILL}, the grown table (published). REQUIRES:
     * the mutation lock is held.
     */
    SlotTable withRoomForOne(SlotTable t) {
        return t.used + 1 > t.capacity * MAX_FILL ? grow(t) : t;
    }

    /**
     * Copies every key into a table sized by {@link SlotTable#fillAfterGrowth} (dropping removed markers), publishes
     * it. The copy reads no key bytes: headers carry the hash bits that place a key (see {@link SlotTable}).
     * Readers keep probing the old table until the volatile write, and what they read there was current when
     * they read it. REQUIRES: the mutation lock is held.
     */
    private SlotTable grow(SlotTable old) {
        assert Thread.holdsLock(keyDir.mutation) : "grow requires the mutation lock";
        long keys = old.live + old.tombstones + 1L;
        SlotTable grown = new SlotTable(KeyDir.capacityFor(keys, SlotTable.fillAfterGrowth(keys)));
        for (int slot = 0; slot < old.capacity; slot++) {
            if (SlotTable.holdsKey(old.header(slot))) {
                grown.copyUnpublished(old, slot);
            }
        }
        keyDir.table = grown;
        return grown;
    }

    // ------------------------------------------------------------------ TTLs

    /** Queues a TTL for the purge, naming the key by its header. REQUIRES: the mutation lock is held. */
    void noteExpiry(long expiresAt, long header) {
        assert Thread.holdsLock(keyDir.mutation) : "noteExpiry requires the mutation lock";
        if (expiresAt != 0) {
            expiries.add(expiresAt, header);
            if (expiresAt < nextExpiry) {
                nextExpiry = expiresAt;
            }
        }
    }

    /** Queues again the TTL of every key of {@code t} (a table an image restored). REQUIRES: the mutation lock. */
    void requeueExpiries(SlotTable t) {
        assert Thread.holdsLock(keyDir.mutation) : "requeueExpiries requires the mutation lock";
        for (int slot = 0; slot < t.capacity; slot++) {
            long header = t.header(slot);
            if (SlotTable.holdsKey(header)) {
                noteExpiry(t.expiresAt(slot), header);
            }
        }
    }

    /** True when some entry may have expired by {@code nowMillis}. Lock-free. */
    boolean mayHaveExpired(long nowMillis) {
        return nextExpiry <= nowMillis;
    }

    /**
     * Removes the entries expired by {@code nowMillis}: see {@link KeyDir#purgeExpired}. REQUIRES: the mutation lock
     * is held.
     */
    void purgeExpired(long nowMillis, Consumer<Location> removed) {
        assert Thread.holdsLock(keyDir.mutation) : "purgeExpired requires the mutation lock";
        while (!expiries.isEmpty() && expiries.peekAt() <= nowMillis) {
            long header = expiries.peekRef();
            expiries.poll();
            SlotTable t = keyDir.table;
            for (int slot = t.homeOfTag(header & SlotTable.TAG_MASK); t.header(slot) != SlotTable.NEVER_USED;
                 slot = t.next(slot)) {
                if (t.header(slot) == header) {
                    Location current = t.location(slot);
                    if (current.isExpired(nowMillis)) {
                        // By the record that put it (no key read: hash 0): gone at reopen too once expired.
                        sizeChanged(KeyDir.logPosition(current.segmentId(), current.offset()), 0, -1);
                        remove(t, slot);
                        removed.accept(current);
                    }
                }
            }
        }
        nextExpiry = expiries.isEmpty() ? Long.MAX_VALUE : expiries.peekAt();
    }

    // ------------------------------------------------------------------ what the durable records leave

    /** See {@link KeyDir#trackSizeChanges}. REQUIRES: the mutation lock is held. */
    void trackSizeChanges(KeyDir.Durability durable) {
        assert Thread.holdsLock(keyDir.mutation) : "trackSizeChanges requires the mutation lock";
        sizeChanges = new SizeChanges(durable);
    }

    /** Notes a change of the size made by the record at {@code position}, of the key of {@code hash}. */
    void sizeChanged(long position, long hash, int delta) {
        if (sizeChanges != null) {
            sizeChanges.add(position, hash, delta);
        }
    }

    /** The net change of size made by records that are not durable. REQUIRES: the mutation lock is held. */
    int lostSizeChange() {
        assert Thread.holdsLock(keyDir.mutation) : "lostSizeChange requires the mutation lock";
        return sizeChanges == null ? 0 : sizeChanges.lost();
    }

    /** {@link #lostSizeChange} for the key of {@code hash} only. REQUIRES: the mutation lock is held. */
    int lostSizeChange(long hash) {
        assert Thread.holdsLock(keyDir.mutation) : "lostSizeChange requires the mutation lock";
        return sizeChanges == null ? 0 : sizeChanges.lost(hash);
    }

    /** See {@link #removedKeys}. REQUIRES: the mutation lock is held. */
    long removedKeys() {
        assert Thread.holdsLock(keyDir.mutation) : "removedKeys requires the mutation lock";
        return removedKeys;
    }

    /** Sets the count of removed keys an image kept. REQUIRES: the mutation lock is held. */
    void restoreRemovedKeys(long removed) {
        assert Thread.holdsLock(keyDir.mutation) : "restoreRemovedKeys requires the mutation lock";
        removedKeys = removed;
    }
}
