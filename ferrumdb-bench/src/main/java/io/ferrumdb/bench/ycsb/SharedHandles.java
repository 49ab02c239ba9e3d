package io.ferrumdb.bench.ycsb;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One engine handle per directory shared by YCSB's client threads: YCSB creates one {@code DB} per thread and
 * calls init/cleanup on each, while both engines lock their directory and want one handle per process. The
 * first acquire opens, the last release closes.
 */
final class SharedHandles<H extends AutoCloseable> {
    interface Opener<H> {
        H open(Path dir) throws Exception;
    }

    private static final class Entry<H> {
        final H handle;
        int references;

        Entry(H handle) {
            this.handle = handle;
        }
    }

    private final Map<Path, Entry<H>> open = new HashMap<>();
    private final Opener<H> opener;

    SharedHandles(Opener<H> opener) {
        this.opener = opener;
    }

    synchronized H acquire(Path dir) throws Exception {
        Path key = dir.toAbsolutePath().normalize();
        Entry<H> entry = open.get(key);
        if (entry == null) {
            entry = new Entry<>(opener.open(key));
            open.put(key, entry);
        }
        entry.references++;
        return entry.handle;
    }

    /** Releases one reference; closes the handle when it was the last. */
    synchronized void release(Path dir) throws Exception {
        Path key = dir.toAbsolutePath().normalize();
        Entry<H> entry = open.get(key);
        if (entry == null) {
            throw new IllegalStateException("release of " + key + " which is not open here");
        }
        if (--entry.references == 0) {
            open.remove(key);
            entry.handle.close();
        }
    }

    synchronized int references(Path dir) {
        Entry<H> entry = open.get(dir.toAbsolutePath().normalize());
        return entry == null ? 0 : entry.references;
    }
}
