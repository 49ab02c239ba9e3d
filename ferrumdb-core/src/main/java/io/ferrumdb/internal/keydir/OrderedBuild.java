package io.ferrumdb.internal.keydir;

import io.ferrumdb.FerrumException;
import io.ferrumdb.internal.concurrent.Uninterruptibly;
import java.util.concurrent.CountDownLatch;

/**
 * The ordered index's build after open: sorts the references the loader noted and installs them, on a background
 * thread. It is deferred ({@link #defer}) until the index is needed: the first ordered scan starts it and waits for
 * it, and so do writers once they have added {@link #startsAfterAdded} keys (keys added meanwhile stay pending, and
 * the build bounds their memory and how many a first scan must sort in). A database opened with ordered keys but
 * only read and written by key (YCSB B, C, D) never sorts its keys: at 100,000 keys the sort was 0.10-0.15 CPU
 * seconds of every open in a fresh JVM, on the cores the clients use. The acknowledger's merges of pending keys wait
 * until the build is done.
 */
final class OrderedBuild {
    /**
     * Keys added since open beyond which writers start a deferred build, at least (see {@link #startsAfterAdded}):
     * 4 MiB of pending references. At a quarter of the loaded keys (at least 65,536), YCSB D's inserts started the
     * sort in the middle of a 2,000,000-operation run (100,000 inserts into 100,000 keys) that never scans.
     */
    static final int START_AFTER_ADDED = 1 << 20;

    /** Set while the build runs; null once a waiter saw it finish (or when none was started). */
    private volatile CountDownLatch running;
    private volatile Throwable failure;
    /** The deferred build's index and references; null when none is deferred. Guarded by this. */
    private OrderedIndex deferredIndex;
    private OrderedIndex.Loaded deferred;
    /** True while a build is deferred (read without the lock by the acknowledger). */
    private volatile boolean isDeferred;

    /** Keeps {@code loaded} for a build of {@code ordered} that starts when the index is first needed. */
    synchronized void defer(OrderedIndex ordered, OrderedIndex.Loaded loaded) {
        deferredIndex = ordered;
        deferred = loaded;
        isDeferred = true;
    }

    boolean isDeferred() {
        return isDeferred;
    }

    /**
     * How many keys writers may add before they start a deferred build: as many as were loaded, at least
     * {@link #START_AFTER_ADDED}; -1 when no build is deferred. So the pending references never take more memory
     * than the loaded ones the deferred build keeps (or 4 MiB), and a first scan sorts at most twice the loaded keys.
     */
    synchronized int startsAfterAdded() {
        return deferred == null ? -1 : Math.max(START_AFTER_ADDED, deferred.refs().length);
    }

    /** Starts the deferred build, if one is deferred (once). */
    synchronized void startDeferred() {
        if (deferred != null) {
            start(deferredIndex, deferred);
            deferredIndex = null;
            deferred = null;
            isDeferred = false;
        }
    }

    /** Starts sorting {@code loaded} into {@code ordered} on a daemon thread. */
    private void start(OrderedIndex ordered, OrderedIndex.Loaded loaded) {
        CountDownLatch built = new CountDownLatch(1);
        running = built;
        Thread builder = new Thread(() -> {
            try {
                int[] refs = loaded.refs();
                ordered.sort(refs);
                ordered.install(refs, loaded.dead());
            } catch (RuntimeException | Error e) {
                failure = e;
                throw e;
            } finally {
                built.countDown();
            }
        }, "ferrumdb-ordered-index");
        builder.setDaemon(true);
        builder.start();
    }

    /**
     * True when the index built at open is complete; with {@code wait} (a scan), starts it if it was deferred and
     * waits for it. Without (the acknowledger's merges), a deferred build is not complete, and is started once
     * writers have added more than {@link #startsAfterAdded} keys.
     *
     * @throws FerrumException when waiting for a build that failed
     */
    boolean await(boolean wait) {
        if (isDeferred) {
            OrderedIndex index;
            synchronized (this) {
                index = deferredIndex;
            }
            if (wait || index != null && index.pendingCount() > startsAfterAdded()) {
                startDeferred();
            }
            if (!wait) {
                return false;
            }
        }
        CountDownLatch building = running;
        if (building == null) {
            return true;
        }
        if (!wait) {
            return building.getCount() == 0 && failure == null;
        }
        Uninterruptibly.await(() -> {
            building.await();
            return true;
        });
        if (failure != null) {
            throw new FerrumException("building the ordered key index failed: " + failure, failure);
        }
        running = null;
        return true;
    }
}
