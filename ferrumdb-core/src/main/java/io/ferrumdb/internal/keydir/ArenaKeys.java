package io.ferrumdb.internal.keydir;

import io.ferrumdb.FerrumException;

/**
 * Keys kept in a {@link KeyArena}: the header holds the key's arena reference beside its hash bits. The key
 * directory's store with ordered keys (the ordered index sorts arena references) and for encrypted databases
 * (comparing with a record would mean decrypting it). While a hash-only directory loads, the same arena on the
 * heap holds the keys seen so far ({@link #loading}), with the references beside the table instead of in the
 * headers, until the directory switches to {@link LogKeys}.
 */
final class ArenaKeys implements KeyStore {
    final KeyArena arena;
    /** Null, or the fingerprint headers of a hash-only directory, whose references are in the table's side array. */
    private final LogKeys fingerprints;

    private ArenaKeys(KeyArena arena, LogKeys fingerprints) {
        this.arena = arena;
        this.fingerprints = fingerprints;
    }

    /** Keys in an off-heap arena, references in the headers. */
    static ArenaKeys inHeaders() {
        return new ArenaKeys(new KeyArena(true), null);
    }

    /**
     * Keys of a hash-only directory while it loads: in a heap arena (dropped whole after loading, so nothing stays
     * resident), references in {@link SlotTable#loadRefs}, headers as {@code headers} makes them.
     */
    static ArenaKeys loading(LogKeys headers) {
        return new ArenaKeys(new KeyArena(false), headers);
    }

    private long ref(SlotProbe entry) {
        return fingerprints == null ? SlotTable.ref(entry.header) : entry.table.loadRefs()[entry.slot];
    }

    @Override
    public long add(SlotTable t, int slot, byte[] key, int from, int len, long hash) {
        long ref = arena.append(key, from, len);
        if (fingerprints == null) {
            return SlotTable.header(ref, hash);
        }
        t.loadRefs()[slot] = ref;
        return fingerprints.add(t, slot, key, from, len, hash);
    }

    @Override
    public long match(long hash) {
        return fingerprints == null ? SlotTable.tag(hash) : fingerprints.match(hash);
    }

    @Override
    public long matchMask() {
        return fingerprints == null ? SlotTable.TAG_MASK : fingerprints.matchMask();
    }

    @Override
    public int compare(SlotProbe entry, byte[] key, int from, int len) {
        return arena.matches(ref(entry), key, from, len) ? MATCH : OTHER;
    }

    @Override
    public byte[] key(SlotProbe entry) {
        return arena.copy(ref(entry));
    }

    @Override
    public RuntimeException damaged(SlotProbe entry) {
        // compare never answers DAMAGED: the arena's copy is not a record.
        return new FerrumException("the key arena cannot be damaged (segment " + entry.segmentId() + ")");
    }

    @Override
    public long bytesReserved() {
        return arena.bytesReserved();
    }

    @Override
    public long bytesUsed() {
        return arena.bytesUsed();
    }
}
