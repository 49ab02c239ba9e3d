package io.ferrumdb.internal.keydir;

import io.ferrumdb.FerrumException;
import io.ferrumdb.internal.concurrent.Uninterruptibly;
import java.util.concurrent.CountDownLatch;

/**
 * The ordered index's build at open, on a background thread so that open returns as soon as the hash table is
 * ready: sorts the references the loader noted and installs them. Scans wait for it; the acknowledger's merges
 * of keys added meanwhile wait until it is done (they stay pending until then).
 */
final class OrderedBuild {
    /** Set while the build runs; null once a waiter saw it finish (or when none was started). */
    private volatile CountDownLatch running;
    private volatile Throwable failure;

    /** Starts sorting {@code loaded} into {@code ordered} on a daemon thread. */
    void start(OrderedIndex ordered, OrderedIndex.Loaded loaded) {
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
     * True when the index built at open is complete; with {@code wait}, waits for it.
     *
     * @throws FerrumException when waiting for a build that failed
     */
    boolean await(boolean wait) {
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
