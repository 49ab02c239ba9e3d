package io.ferrumdb.server;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SCAN and HSCAN cursors. A Redis cursor is a number, but FerrumDB resumes a scan after the last key (or field)
 * returned, in key order, which guarantees what Redis guarantees: an element present for the whole scan is
 * returned, at least once. This table maps each issued number to that resume point; the oldest entries are
 * dropped beyond {@link #CAPACITY}, and an unknown cursor is reported as invalid rather than guessed.
 */
final class CursorTable {
    static final int CAPACITY = 100_000;
    private final Map<Long, byte[]> resumeAfter = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
            return size() > CAPACITY;
        }
    };
    private long next = 1;

    synchronized long issue(byte[] lastReturned) {
        long id = next++;
        resumeAfter.put(id, lastReturned);
        return id;
    }

    /** Where cursor {@code id} resumes; null for 0 (a new scan); throws "invalid cursor" for an unknown one. */
    synchronized byte[] resume(long id) {
        if (id == 0) {
            return null;
        }
        byte[] after = resumeAfter.get(id);
        if (after == null) {
            throw new CommandError("ERR invalid cursor");
        }
        return after;
    }
}
