package io.ferrumdb.internal.keydir;

import java.util.AbstractMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * {@link KeyDir#entries}: every key and its location, walking one table's slots, weakly consistent (each key
 * present for the whole iteration is seen once). Keys are copied from the key store: the arena, or in a hash-only
 * directory the records, which compaction may move while the walk runs.
 */
final class EntryIterator implements Iterator<Map.Entry<Key, Location>> {
    private final SlotTable table;
    private final KeyStore keys;
    private final SlotProbe entry = new SlotProbe();
    private int slot;
    private Map.Entry<Key, Location> next;

    EntryIterator(SlotTable table, KeyStore keys) {
        this.table = table;
        this.keys = keys;
    }

    @Override
    public boolean hasNext() {
        while (next == null && slot < table.capacity) {
            int s = slot++;
            long header = table.headerAcquire(s);
            byte[] key = SlotTable.holdsKey(header) ? keyIfHeld(s, header) : null;
            if (key != null) {
                next = new AbstractMap.SimpleImmutableEntry<>(new Key(key), entry.location());
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

    /**
     * The key in {@code slot} if it still holds {@code header}, its entry read into {@link #entry}; null when the
     * slot changed. A record that compaction moved meanwhile is read again where the slot now points.
     */
    private byte[] keyIfHeld(int slot, long header) {
        entry.table = table;
        for (int attempt = 1; table.readIfHeld(slot, header, entry); attempt++) {
            byte[] key = keys.key(entry);
            if (key != null) {
                return key;
            }
            if (entry.stillHeld() || attempt == KeyDir.MAX_LOOKUPS) {
                throw LogKeys.gone(entry);
            }
        }
        return null;
    }
}
