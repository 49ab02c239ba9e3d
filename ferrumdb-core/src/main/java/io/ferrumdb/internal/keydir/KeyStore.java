package io.ferrumdb.internal.keydir;

/**
 * Where the key directory finds a key's bytes when a slot's hash bits match the key looked for: in its own
 * arena ({@link ArenaKeys}: ordered keys, encrypted databases), or in the record the slot points at
 * ({@link LogKeys}: hash-only, the keys are not kept in memory, as FASTER and Tsavorite keep them in the log). The
 * store also makes a new key's slot header, since what the header holds besides the hash bits depends on it (an
 * arena reference, or more hash bits).
 */
interface KeyStore {
    /** The entry is the key's. */
    int MATCH = RecordKeys.MATCH;
    /** The entry is another key's (its record verifies and carries another key). */
    int OTHER = RecordKeys.OTHER;
    /** The entry's record is no longer where the entry says (compaction retired its segment): look again. */
    int GONE = RecordKeys.GONE;
    /** The entry's record carries another key and fails its check: it may be this key's, damaged. */
    int DAMAGED = RecordKeys.DAMAGED;

    /**
     * The header of a new key about to be written into {@code slot} of {@code t}; stores the key's bytes if this
     * store keeps them. Mutator only.
     */
    long add(SlotTable t, int slot, byte[] key, int from, int len, long hash);

    /**
     * What the header of a key of hash {@code hash} holds under {@link #matchMask}: the slots a probe compares.
     * The tag alone when the rest of the header is not a function of the hash (an arena reference).
     */
    long match(long hash);

    /** The header bits {@link #match} makes: its low 28 bits are always the tag, which places the key. */
    long matchMask();

    /** Compares {@code key[from, from + len)} with the key of {@code entry} (as read from its slot). */
    int compare(SlotProbe entry, byte[] key, int from, int len);

    /** A copy of the key of {@code entry}; null when its record is gone (see {@link #GONE}). */
    byte[] key(SlotProbe entry);

    /** The exception reporting that the record of {@code entry}, compared against, is damaged. */
    RuntimeException damaged(SlotProbe entry);

    /** Bytes this store holds off-heap. */
    long bytesReserved();

    /** Bytes of keys stored so far, removed ones included. */
    long bytesUsed();
}
