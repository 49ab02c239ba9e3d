package io.ferrumdb.internal.keydir;

import io.ferrumdb.FerrumException;

/**
 * Keys kept in an off-heap {@link KeyArena}: the header holds the key's arena reference beside its hash bits. The
 * key directory's store with ordered keys (the ordered index sorts arena references) and for encrypted databases
 * (comparing with a record would mean decrypting it).
 */
final class ArenaKeys implements KeyStore {
    final KeyArena arena;

    ArenaKeys(KeyArena arena) {
        this.arena = arena;
    }

    @Override
    public long add(SlotTable t, int slot, byte[] key, int from, int len, long hash) {
        return SlotTable.header(arena.append(key, from, len), hash);
    }

    @Override
    public long match(long hash) {
        return SlotTable.tag(hash);
    }

    @Override
    public long matchMask() {
        return SlotTable.TAG_MASK;
    }

    @Override
    public int compare(SlotProbe entry, byte[] key, int from, int len) {
        return arena.matches(SlotTable.ref(entry.header), key, from, len) ? MATCH : OTHER;
    }

    @Override
    public byte[] key(SlotProbe entry) {
        return arena.copy(SlotTable.ref(entry.header));
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
