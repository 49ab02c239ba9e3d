package io.ferrumdb.internal.keydir;

import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Writes the keys of staged single puts ({@link StagedKeys}) into the key directory's slot table, in batches whose
 * home-slot misses overlap, and decides when that happens. Staging is off until the log writer exists ({@link
 * #turnOn}); from then on every drain runs under the writer's lock, then the mutation lock (a put's order): a
 * writer's thread drains with the writer's lock already held ({@link #drainLocked}), any other thread through the
 * writer's lock it was given ({@link #drainStaged}). The stage itself is read lock-free by every lookup, which
 * {@link KeyDir} probes directly.
 */
final class StageDrain {
    private final KeyDir keyDir;
    private final StagedKeys staged;
    /** The key directory's ordered index, or null: the keys a drain adds are handed to it at once. */
    private final OrderedIndex ordered;
    /** Runs a drain under the log writer's lock, from threads other than a writer's; null while staging is off. */
    private Consumer<Runnable> underWriterLock;
    /** Told of every entry a drain replaced ({@code segmentId << 32 | recordSize}): the segments' live bytes. */
    private LongConsumer replacedByDrain;
    private final Runnable drain = new Drain();
    /** True while {@link #drainLocked} runs: new keys' references go to {@link #drainedRefs}, not one by one. */
    private boolean draining;
    /** References of the keys a drain added, handed to the ordered index at once (one lock, not one a key). */
    private final long[] drainedRefs = new long[StagedKeys.CAPACITY];
    private int drainedNew;
    /** Sum of the headers {@link #drainLocked} loaded ahead, kept so that the loads are not optimized away. */
    private long drainTouched;

    StageDrain(KeyDir keyDir, StagedKeys staged, OrderedIndex ordered) {
        this.keyDir = keyDir;
        this.staged = staged;
        this.ordered = ordered;
    }

    /** See {@link KeyDir#stageNewKeys}. REQUIRES: the mutation lock is held. */
    void turnOn(Consumer<Runnable> underWriterLock, LongConsumer replaced) {
        assert Thread.holdsLock(keyDir.mutation) : "turning staging on requires the mutation lock";
        this.replacedByDrain = replaced;
        this.underWriterLock = underWriterLock;
    }

    /** Whether single puts stage their keys (a writable database, once its log writer exists). */
    boolean isOn() {
        return underWriterLock != null;
    }

    /**
     * Writes every staged key into the table, taking the writer's lock; a no-op when none is staged. The caller
     * holds neither lock.
     */
    void drainStaged() {
        Consumer<Runnable> lock = underWriterLock;
        if (lock != null && !staged.isEmpty()) {
            lock.accept(drain);
        }
    }

    /** {@link #drainStaged}'s work, run under the writer's lock. A class, not a lambda: see FerrumDB's callbacks. */
    private final class Drain implements Runnable {
        @Override
        public void run() {
            synchronized (keyDir.mutation) {
                drainLocked();
            }
        }
    }

    /**
     * A lookup found a damaged candidate and none of its key: a put staged since may be one over the damage (its
     * drain replaces the damaged entry, as a put did before keys were staged), so the stage is drained, and true
     * returned, when something is staged and the caller holds no mutation lock (the lock order: writer's, then
     * mutation). Rare: damage on disk.
     */
    boolean drainedForDamage() {
        if (staged.isEmpty() || underWriterLock == null || Thread.holdsLock(keyDir.mutation)) {
            return false;
        }
        drainStaged();
        return true;
    }

    /**
     * Writes the staged keys into the table, oldest first, then empties the stage: a reader probing the stage then
     * the table finds each key in one or the other throughout. Their home slots are loaded first, in a row, so
     * that the misses of the batch overlap instead of each waiting for the one before. REQUIRES: the mutation lock
     * and the writer's lock are held.
     */
    void drainLocked() {
        int n = staged.count();
        if (n == 0) {
            return;
        }
        assert Thread.holdsLock(keyDir.mutation) : "a drain requires the mutation lock";
        SlotTable t = keyDir.table;
        long touched = 0;
        for (int e = 0; e < n; e++) {
            touched += t.header(t.home(staged.hash(e)));
        }
        drainTouched += touched;
        byte[] k = staged.keys();
        drainedNew = 0;
        draining = true;
        try {
            for (int e = 0; e < n; e++) {
                long previous = keyDir.writer.set(k, StagedKeys.keyAt(e), staged.length(e), staged.hash(e),
                        staged.segmentId(e), staged.offset(e), staged.recordSize(e), 0, true);
                if (previous != KeyDir.ABSENT) {
                    replacedByDrain.accept(previous);
                } else {
                    keyDir.writer.sizeChanged(staged.firstPosition(e), staged.hash(e), 1);
                }
            }
        } finally {
            draining = false;
            if (drainedNew > 0) {
                ordered.added(drainedRefs, drainedNew);
            }
        }
        staged.clear();
    }

    /**
     * Keeps the ordered index's reference {@code ref} of a key the running drain added, for the index to take with
     * the drain's others, and returns true; false when no drain runs (the caller hands it to the index itself).
     */
    boolean collected(long ref) {
        if (!draining) {
            return false;
        }
        drainedRefs[drainedNew++] = ref;
        return true;
    }
}
