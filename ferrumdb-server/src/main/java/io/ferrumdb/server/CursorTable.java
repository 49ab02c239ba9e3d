package io.ferrumdb.server;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SCAN and HSCAN cursors. A Redis cursor is a number, but FerrumDB resumes a scan after the last key (or field)
 * returned, in key order, which guarantees what Redis guarantees: an element present for the whole scan is
 * returned, at least once. This table maps each issued number to that resume point; the least recently used
 * entries are dropped beyond {@link #CAPACITY} cursors or {@link #BYTE_BUDGET} bytes of resume points, and an
 * unknown cursor is reported as invalid rather than guessed. The byte bound is what keeps a client from running
 * the server out of memory: keys may hold 65,533 bytes, so 100,000 cursors over long keys (a {@code SCAN 0 COUNT 1}
 * loop over them) held 6.5 GB.
 */
final class CursorTable {
    static final int CAPACITY = 100_000;
    static final long BYTE_BUDGET = 32L << 20;
    /** What an entry costs beside its resume point's bytes: the map entry, the boxed id, the array header. */
    static final int ENTRY_OVERHEAD = 96;
    private final Map<Long, byte[]> resumeAfter = new LinkedHashMap<>(1024, 0.75f, true);
    private long bytes;
    private long next = 1;

    synchronized long issue(byte[] lastReturned) {
        long id = next++;
        resumeAfter.put(id, lastReturned);
        bytes += cost(lastReturned);
        Iterator<byte[]> oldestFirst = resumeAfter.values().iterator();
        // One entry alone (at most a key's 65,533 bytes) is far below the budget, so the new one always stays.
        while (resumeAfter.size() > CAPACITY || bytes > BYTE_BUDGET) {
            bytes -= cost(oldestFirst.next());
            oldestFirst.remove();
        }
        assert resumeAfter.containsKey(id) && bytes >= 0;
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

    private static long cost(byte[] resumePoint) {
        return resumePoint.length + ENTRY_OVERHEAD;
    }
}
