package io.ferrumdb.internal.keydir;

import java.util.Iterator;
import java.util.Map;
import java.util.NavigableSet;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import io.ferrumdb.FerrumException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;

/**
 * The in-memory key directory: a hash map from key to {@link Location} for O(1) GETs, and optionally an ordered
 * set of the same Key objects for scans. The ordered set changes only when a key appears or disappears, so
 * overwrites and GETs never touch it.
 *
 * <p>Structural changes (a key added or removed) must be made by one thread at a time, the log writer holding
 * its append lock; readers are lock-free. Compaction only swaps locations of existing keys, with CAS.
 */
public final class KeyDir {
    private final ConcurrentHashMap<Key, Location> map;
    private final ConcurrentSkipListSet<Key> ordered;
    /**
     * Changes to the ordered set (a Key to add, a Removal), queued in the writer's order and applied off the write
     * path: a skip-list insert costs about a microsecond at a million keys, more than the rest of a put.
     */
    private final ConcurrentLinkedQueue<Object> orderedChanges = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queuedOrderedChanges = new AtomicInteger();
    private final ReentrantLock orderedLock = new ReentrantLock();
    /** Set while the ordered set is being built at open; null once a waiter saw it finish. */
    private volatile CountDownLatch orderedBuild;
    private volatile Throwable orderedBuildFailure;
    private final Object expiryLock = new Object();
    private final PriorityQueue<Expiring> expiries = new PriorityQueue<>();
    private volatile long nextExpiry = Long.MAX_VALUE;

    /** Beyond this many queued changes the writer applies them itself, bounding the queue's memory. */
    private static final int MAX_QUEUED_ORDERED_CHANGES = 1 << 16;

    private record Removal(Key key) {
    }

    private record Expiring(long at, Key key, long sequence) implements Comparable<Expiring> {
        @Override
        public int compareTo(Expiring o) {
            return Long.compare(at, o.at);
        }
    }

    public KeyDir(boolean ordered, int expectedKeys) {
        this.map = new ConcurrentHashMap<>(Math.max(16, expectedKeys));
        this.ordered = ordered ? new ConcurrentSkipListSet<>() : null;
    }

    public Location get(Key key) {
        return map.get(key);
    }

    public boolean isOrdered() {
        return ordered != null;
    }

    /**
     * The ordered key set, with every change made before the call applied; only when built with ordered keys.
     * Weakly consistent.
     */
    public NavigableSet<Key> orderedKeys() {
        applyOrderedChanges(true);
        return ordered;
    }

    /**
     * Applies queued ordered-set changes in the order they were made, unless the index is still being built at
     * open. The log's flusher thread calls it after each cycle, so that a writer only queues.
     */
    public void applyQueuedOrderedChanges() {
        applyOrderedChanges(false);
    }

    /** {@code waitForBuild}: scans wait for the index built at open; the flusher must never wait. */
    private void applyOrderedChanges(boolean waitForBuild) {
        if (ordered == null || !awaitOrderedBuild(waitForBuild) || queuedOrderedChanges.get() == 0) {
            return;
        }
        orderedLock.lock();
        try {
            Object change;
            while ((change = orderedChanges.poll()) != null) {
                if (change instanceof Removal r) {
                    ordered.remove(r.key());
                } else {
                    ordered.add((Key) change);
                }
                // Counted down only once applied: a scan that sees zero skips the lock, and must then find every
                // change in the set (counting down first let a scan right after a put miss its key).
                queuedOrderedChanges.decrementAndGet();
            }
        } finally {
            orderedLock.unlock();
        }
    }

    /** True when the index built at open is complete; with {@code wait}, waits for it. */
    private boolean awaitOrderedBuild(boolean wait) {
        CountDownLatch building = orderedBuild;
        if (building == null) {
            return true;
        }
        if (!wait) {
            return building.getCount() == 0 && orderedBuildFailure == null;
        }
        boolean interrupted = false;
        while (true) {
            try {
                building.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (orderedBuildFailure != null) {
            throw new FerrumException("building the ordered key index failed: " + orderedBuildFailure,
                    orderedBuildFailure);
        }
        orderedBuild = null;
        return true;
    }

    private void queueOrderedChange(Object change) {
        orderedChanges.add(change);
        if (queuedOrderedChanges.incrementAndGet() > MAX_QUEUED_ORDERED_CHANGES) {
            applyOrderedChanges(true);
        }
    }

    /** Sets the key's location; returns the previous one. Caller holds the writer's lock. */
    public Location put(Key key, Location location) {
        Location previous = map.put(key, location);
        if (previous == null && ordered != null) {
            queueOrderedChange(key);
        }
        if (location.expiresAt() != 0) {
            scheduleExpiry(key, location);
        }
        return previous;
    }

    /** Removes the key; returns its location, or null. Caller holds the writer's lock. */
    public Location remove(Key key) {
        Location previous = map.remove(key);
        if (previous != null && ordered != null) {
            queueOrderedChange(new Removal(key));
        }
        return previous;
    }

    /**
     * Recovery: sets a key's location without maintaining the ordered set, which {@link #buildOrderedIndex()}
     * then builds in one pass. Sorting once and inserting in order is several times cheaper than inserting
     * millions of keys into a skip list in hash order.
     */
    public void load(Key key, Location location) {
        map.put(key, location);
        if (location.expiresAt() != 0) {
            scheduleExpiry(key, location);
        }
    }

    /** Recovery: removes a key loaded by {@link #load}. */
    public void unload(Key key) {
        map.remove(key);
    }

    /**
     * Recovery: builds the ordered set from the loaded keys on a background thread (a no-op without ordered
     * keys), so that open returns as soon as the hash map is ready: the sort and the inserts cost several times
     * the hash-map load. Changes made meanwhile are queued and applied after it; the first scan waits for it.
     */
    public void buildOrderedIndex() {
        if (ordered == null) {
            return;
        }
        Key[] keys = map.keySet().toArray(new Key[0]);
        CountDownLatch built = new CountDownLatch(1);
        orderedBuild = built;
        Thread builder = new Thread(() -> {
            try {
                java.util.Arrays.parallelSort(keys);
                for (Key k : keys) {
                    ordered.add(k);
                }
            } catch (RuntimeException | Error e) {
                orderedBuildFailure = e;
                throw e;
            } finally {
                built.countDown();
            }
        }, "ferrumdb-ordered-index");
        builder.setDaemon(true);
        builder.start();
    }

    /** Swaps a key's location if it is still {@code expected} (compaction); never adds or removes a key. */
    public boolean relocate(Key key, Location expected, Location replacement) {
        return map.replace(key, expected, replacement);
    }

    /** Number of entries, expired ones included until {@link #purgeExpired} removes them. */
    public int size() {
        return map.size();
    }

    /** True when some entry may have expired by {@code nowMillis}. Lock-free. */
    public boolean mayHaveExpired(long nowMillis) {
        return nextExpiry <= nowMillis;
    }

    /**
     * Removes entries expired by {@code nowMillis}, calling {@code removed} for each. Caller holds the writer's
     * lock, so that no put of the same key races with the removal.
     */
    public void purgeExpired(long nowMillis, BiConsumer<Key, Location> removed) {
        synchronized (expiryLock) {
            Expiring e;
            while ((e = expiries.peek()) != null && e.at <= nowMillis) {
                expiries.poll();
                Location current = map.get(e.key);
                if (current != null && current.sequence() == e.sequence && remove(e.key) != null) {
                    removed.accept(e.key, current);
                }
            }
            nextExpiry = e == null ? Long.MAX_VALUE : e.at;
        }
    }

    private void scheduleExpiry(Key key, Location location) {
        synchronized (expiryLock) {
            expiries.add(new Expiring(location.expiresAt(), key, location.sequence()));
            if (location.expiresAt() < nextExpiry) {
                nextExpiry = location.expiresAt();
            }
        }
    }

    /** All entries, weakly consistent. */
    public Iterator<Map.Entry<Key, Location>> entries() {
        return map.entrySet().iterator();
    }
}
