package io.ferrumdb.memory;

import io.ferrumdb.FerrumDB;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One writer lock per open database, shared by every {@link AgentMemory} on it: the namespace statistics are read,
 * changed and written back by remember, forget and the {@link ExpiryEntryUpgrade}, so two instances on one database
 * (the MCP server's and a binding's, or any caller's second {@code AgentMemory.on(db)}) must not interleave them.
 * A database handle is the unit: only one writable handle can hold a directory (its lock file), and a handle is
 * compared by identity. Weak keys: a closed and dropped handle takes its lock with it.
 */
final class WriterLocks {
    private static final Map<FerrumDB, ReentrantLock> LOCKS = Collections.synchronizedMap(new WeakHashMap<>());

    private WriterLocks() {
    }

    /** The writer lock of {@code db}, the same object for every caller while {@code db} is reachable. */
    static ReentrantLock of(FerrumDB db) {
        return LOCKS.computeIfAbsent(db, d -> new ReentrantLock());
    }
}
