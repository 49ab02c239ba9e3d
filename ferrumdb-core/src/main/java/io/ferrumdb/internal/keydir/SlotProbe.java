package io.ferrumdb.internal.keydir;

/**
 * A key's entry as the key directory held it when looked up, and the slot and header it was in, so that the lookup
 * can tell whether the slot still holds it (a record gone under it, {@link #stillHeld}). Mutable and reused: a GET
 * fills one per thread ({@link KeyDir#find}), compaction one per part, for the records it must look up by key.
 */
public final class SlotProbe {
    long header;
    int slot;
    private int segmentId;
    private long offset;
    private int recordSize;
    private long expiresAt;
    /**
     * The table and header bits of a candidate probe ({@link KeyDir#firstCandidate}), to go on from {@code slot}:
     * a candidate's header masked with {@code mask} equals {@code tag} ({@link KeyStore#match}).
     */
    SlotTable table;
    long tag;
    long mask;

    void set(int slot, long header, int segmentId, long offset, int recordSize, long expiresAt) {
        this.slot = slot;
        this.header = header;
        this.segmentId = segmentId;
        this.offset = offset;
        this.recordSize = recordSize;
        this.expiresAt = expiresAt;
    }

    /** A copy of this holder (entry, slot, and the candidate probe's table and tag), without the expiry. */
    SlotProbe copy() {
        SlotProbe c = new SlotProbe();
        c.set(slot, header, segmentId, offset, recordSize, 0);
        c.table = table;
        c.tag = tag;
        c.mask = mask;
        return c;
    }

    /** True when the slot this entry was read from still holds it (same header, same record). Lock-free. */
    boolean stillHeld() {
        SlotProbe now = new SlotProbe();
        return table.readIfHeld(slot, header, now) && now.segmentId == segmentId && now.offset == offset;
    }

    /** Fills the entry from {@code loc}, slot unknown: for lookups that produce a Location (tests, adapters). */
    public void set(Location loc) {
        set(-1, 0, loc.segmentId(), loc.offset(), loc.recordSize(), loc.expiresAt());
    }

    public int slot() {
        return slot;
    }

    public int segmentId() {
        return segmentId;
    }

    public long offset() {
        return offset;
    }

    public int recordSize() {
        return recordSize;
    }

    /** True when the entry has an expiry time at all: a caller asks the clock (tens of ns a call) only then. */
    public boolean expires() {
        return expiresAt != 0;
    }

    public boolean isExpired(long nowMillis) {
        return expiresAt != 0 && expiresAt <= nowMillis;
    }

    /** The entry as a Location (allocates: for paths off a GET's fast path). */
    public Location location() {
        return new Location(segmentId, offset, recordSize, expiresAt);
    }
}
