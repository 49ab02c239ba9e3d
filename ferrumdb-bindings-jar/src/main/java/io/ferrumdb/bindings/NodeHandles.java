package io.ferrumdb.bindings;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Node.js binding's databases by number, so that its hottest call can be a static method
 * ({@link NodeDatabase#readBase64(int, String)}): java-bridge 2.8.0 spends about a microsecond more on a call of an
 * instance method than of a static one with an extra int argument (measured: see docs/benchmarks.md, issue 22,
 * session 6), a sixth of a whole sync get.
 *
 * <p>Entries are weak: a database the JavaScript side has dropped (its java-bridge proxy collected) leaves the table
 * when the garbage collector clears it, as it would if no table existed. A closed database stays in the table as
 * long as it is reachable, so that a read through its handle fails as any read of a closed database does.
 * Thread-safe.
 */
final class NodeHandles {
    private static final AtomicInteger LAST = new AtomicInteger();
    private static final ConcurrentHashMap<Integer, Entry> BY_HANDLE = new ConcurrentHashMap<>();
    private static final ReferenceQueue<NodeDatabase> CLEARED = new ReferenceQueue<>();

    private static final class Entry extends WeakReference<NodeDatabase> {
        final int handle;

        Entry(NodeDatabase db, int handle) {
            super(db, CLEARED);
            this.handle = handle;
        }
    }

    private NodeHandles() {
    }

    /**
     * A new handle for {@code db}. Handles count up from 1 and are not reused within 2^32 registrations; no
     * process opens that many databases.
     */
    static int register(NodeDatabase db) {
        for (Reference<? extends NodeDatabase> r; (r = CLEARED.poll()) != null; ) {
            Entry cleared = (Entry) r;
            BY_HANDLE.remove(cleared.handle, cleared);
        }
        int handle = LAST.incrementAndGet();
        BY_HANDLE.put(handle, new Entry(db, handle));
        return handle;
    }

    /**
     * The database registered under {@code handle}.
     *
     * @throws IllegalArgumentException when no database has that handle (the binding passes only handles it was
     *                                  given, so this is a bug in the caller)
     */
    static NodeDatabase database(int handle) {
        Entry entry = BY_HANDLE.get(handle);
        NodeDatabase db = entry == null ? null : entry.get();
        if (db == null) {
            throw new IllegalArgumentException("no database has handle " + handle);
        }
        return db;
    }
}
