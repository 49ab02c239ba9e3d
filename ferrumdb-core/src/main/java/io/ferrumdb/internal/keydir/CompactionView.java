package io.ferrumdb.internal.keydir;

/**
 * Compaction's access to the key directory, by record rather than by key. A record is identified by where it lies
 * (segment id and offset: records are never rewritten in place), and only the key's own record can lie there, so
 * whether the directory still points at a record is answered from the slot table alone: the probe walks the
 * key's probe sequence comparing hash bits and locations, and never reads the key's bytes in the arena (a second
 * memory access per record, in another structure, whose order follows the keys' insertion, not the hint's).
 *
 * <p>The access left, to the home slot, can be overlapped across records: {@link #touchHome} loads it for a
 * batch of records before {@link #pointsAt} runs for them (as {@link KeyDirLoader} does at open). Relocations are
 * applied in batches under one hold of the mutation lock ({@link #relocate}), by slot, so that the table is
 * written nearly in address order instead of at random.
 */
public final class CompactionView {
    private final KeyDir keyDir;
    /** Folds {@link #touchSlots}' early reads, only so that they are not optimized away; means nothing. */
    private long sink;

    public CompactionView(KeyDir keyDir) {
        this.keyDir = keyDir;
    }

    /** The number of slots of the directory's table now (it only grows). */
    public int slotCount() {
        return keyDir.table.capacity;
    }

    /** The directory's hash of the key {@code bytes[from, from + len)}. */
    public static long hash(byte[] bytes, int from, int len) {
        return KeyArena.hash(bytes, from, len);
    }

    /**
     * Reads the header of {@code hash}'s home slot and returns it, only so that its cache miss starts now; the
     * caller folds the value into one it keeps. Lock-free.
     */
    public long touchHome(long hash) {
        SlotTable t = keyDir.table;
        return t.headerAcquire(t.home(hash));
    }

    /**
     * Whether the key of hash {@code hash} points at the record at {@code (segmentId, offset)}; if so fills
     * {@code into} with its entry, slot and header (for {@link #relocate}). Lock-free, no key comparison: a slot
     * naming that record can only be its key's. False means the key points elsewhere or has no entry (the caller
     * asks {@link KeyDir#probe} when it must tell those apart). Like {@link KeyDir#probe} this is a snapshot: a
     * write racing it may make the answer stale, which the compare-and-set of {@link #relocate} settles.
     */
    public boolean pointsAt(long hash, int segmentId, long offset, SlotProbe into) {
        SlotTable t = keyDir.table;
        long tag = SlotTable.tag(hash);
        int slot = t.home(hash);
        for (int probes = 0; probes < t.capacity; probes++, slot = t.next(slot)) {
            long header = t.headerAcquire(slot);
            if (header == SlotTable.NEVER_USED) {
                return false;
            }
            // A slot that changed between its header and its words (readIfHeld false) was removed or reused: it
            // does not hold this record now, so the walk goes on.
            if (header != SlotTable.REMOVED && (header & SlotTable.TAG_MASK) == tag
                    && t.readIfHeld(slot, header, into) && into.segmentId() == segmentId
                    && into.offset() == offset) {
                return true;
            }
        }
        return false;
    }

    /**
     * Applies the switches {@code from} to {@code to} of a batch (one hold of the mutation lock): for each
     * {@code i}, points the key found at {@code batch.slot(i)} with {@code batch.header(i)} at the new record if
     * its entry still names the old one (see {@link #switchHeld}), and then calls {@code batch.switched(i)}.
     * Returns how many switched.
     */
    public int relocate(Batch batch, int from, int to) {
        touchSlots(batch, from, to);
        synchronized (keyDir.mutation) {
            int n = 0;
            SlotTable t = keyDir.table;
            for (int i = from; i < to; i++) {
                if (switchHeld(keyDir, t, batch.header(i), batch.slot(i), batch.fromLocation(i),
                        batch.toLocation(i), batch.toSize(i), batch.toExpiresAt(i))) {
                    batch.switched(i);
                    n++;
                }
            }
            return n;
        }
    }

    /**
     * Loads the headers of the batch's slots in a row before the lock is taken, so that their cache misses overlap
     * (a few independent loads wait together) instead of stalling the switches one by one under the lock: the
     * switches read each slot first in {@link #switchHeld}, and that read was a third of a warm compaction's samples
     * on the calling thread (issue 23, session 24). Lock-free; the values are only folded into {@link #sink}.
     */
    private void touchSlots(Batch batch, int from, int to) {
        SlotTable t = keyDir.table;
        long touched = 0;
        for (int i = from; i < to; i++) {
            int slot = batch.slot(i);
            if (slot >= 0 && slot < t.capacity) {
                touched += t.touch(slot);
            }
        }
        sink += touched;
    }

    /**
     * Points {@code key} at {@code replacement} if its entry is still {@code expected} (compared by value), one key
     * at a time (tests and tools; compaction relocates in batches by slot).
     */
    public boolean relocate(Key key, Location expected, Location replacement) {
        synchronized (keyDir.mutation) {
            SlotTable t = keyDir.table;
            int slot = keyDir.writer.find(t, key.bytes(), 0, key.bytes().length, key.directoryHash());
            if (slot < 0 || !t.holds(slot, expected)) {
                return false;
            }
            t.write(slot, t.header(slot), replacement);
            return true;
        }
    }

    /**
     * The compare-and-set of {@link #relocate(Batch, int, int)} for one key found by {@link KeyDir#probe} ({@code
     * header} and {@code slot} from its {@link SlotProbe}): see {@link #switchHeld}.
     */
    public boolean relocate(long header, int slot, int segmentId, long offset, Location replacement) {
        synchronized (keyDir.mutation) {
            return switchHeld(keyDir, keyDir.table, header, slot, segmentId, offset, replacement.segmentId(),
                    replacement.offset(), replacement.recordSize(), replacement.expiresAt());
        }
    }

    /**
     * The relocations of one compaction as the view reads them, in the order they are applied (compaction keeps
     * them in primitive arrays, grouped by slot so that the table is written nearly in address order). Locations
     * are packed by {@link #locationWord}; a place whose header holds no key is skipped.
     */
    public interface Batch {
        long header(int i);

        int slot(int i);

        long fromLocation(int i);

        long toLocation(int i);

        int toSize(int i);

        long toExpiresAt(int i);

        /**
         * Relocation {@code i} switched its key, while the mutation lock is held (the caller counts live bytes
         * while the entry is in its cache; must not block).
         */
        void switched(int i);
    }

    /**
     * The location {@code (segmentId, offset)} packed as a slot holds it, so that a relocation is kept and
     * compared as one word.
     *
     * @throws io.ferrumdb.FerrumException if the key directory cannot hold that location
     */
    public static long locationWord(int segmentId, long offset) {
        SlotTable.checkLimits(segmentId, offset);
        return SlotTable.locationWord(segmentId, offset);
    }

    /** The segment id of a word made by {@link #locationWord}. */
    public static int segmentOf(long locationWord) {
        return SlotTable.segmentOf(locationWord);
    }

    /**
     * Compaction's compare-and-set for a key found at {@code slot} with {@code header}: points it at the new
     * record if its entry still names the record at {@code (segmentId, offset)}. Records are never rewritten in
     * place, so that pair identifies the record; a put, remove or expiry of the key since the probe changed the
     * entry (a key removed and put again gets a new arena reference, so a new header), and the swap is refused.
     * If the table grew meanwhile the slot is found again by its header and the record it names, without
     * comparing key bytes. REQUIRES: the mutation lock is held.
     */
    static boolean switchHeld(KeyDir keyDir, SlotTable t, long header, int slot, int segmentId, long offset,
                              int toSegment, long toOffset, int toSize, long toExpiresAt) {
        // The old location is only compared (one that the table cannot hold is in no slot); the new one is checked.
        return switchHeld(keyDir, t, header, slot, SlotTable.locationWord(segmentId, offset),
                locationWord(toSegment, toOffset), toSize, toExpiresAt);
    }

    /** {@link #switchHeld(KeyDir, SlotTable, long, int, int, long, int, long, int, long)} with packed locations. */
    private static boolean switchHeld(KeyDir keyDir, SlotTable t, long header, int slot, long fromLocation,
                                      long toLocation, int toSize, long toExpiresAt) {
        assert Thread.holdsLock(keyDir.mutation) : "a relocation requires the mutation lock";
        if (!SlotTable.holdsKey(header)) {
            return false; // a holder filled from a Location (Probe.set), not by a lookup: no slot to go to
        }
        boolean inPlace = slot >= 0 && slot < t.capacity && t.header(slot) == header;
        int at = inPlace ? slot : slotHolding(t, header, fromLocation);
        if (at < 0 || !t.holdsLocation(at, fromLocation)) {
            return false;
        }
        t.switchLocation(at, header, toLocation, toSize, toExpiresAt);
        return true;
    }

    /**
     * The slot of {@code t} holding {@code header} and pointing at the record at {@code locationWord} (packed by
     * {@link SlotTable#locationWord}), or -1 (a compare-and-set after growth moved the slot: a record identifies its
     * key). REQUIRES: the mutation lock is held.
     */
    private static int slotHolding(SlotTable t, long header, long locationWord) {
        for (int slot = t.homeOfTag(header & SlotTable.TAG_MASK); t.header(slot) != SlotTable.NEVER_USED;
             slot = t.next(slot)) {
            if (t.header(slot) == header && t.holdsLocation(slot, locationWord)) {
                return slot;
            }
        }
        return -1;
    }
}
