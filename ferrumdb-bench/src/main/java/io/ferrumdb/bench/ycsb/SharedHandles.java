package io.ferrumdb.bench.ycsb;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * One engine handle per directory shared by YCSB's client threads: YCSB creates one {@code DB} per thread and
 * calls init/cleanup on each, while both engines lock their directory and want one handle per process. The
 * first acquire opens, the last release closes.
 *
 * <p>Both are inside YCSB's timed section (threads call init and cleanup), so their durations go to stderr, which
 * run-ycsb.sh keeps with YCSB's output, together with the engine's own account of its background work at close.
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
    private final String engine;
    private final Opener<H> opener;
    private final Function<H, String> report;

    /** {@code report} describes a handle's state just before it closes (for the log, not for YCSB). */
    SharedHandles(String engine, Opener<H> opener, Function<H, String> report) {
        this.engine = engine;
        this.opener = opener;
        this.report = report;
    }

    synchronized H acquire(Path dir) throws Exception {
        Path key = dir.toAbsolutePath().normalize();
        Entry<H> entry = open.get(key);
        if (entry == null) {
            long started = System.nanoTime();
            entry = new Entry<>(opener.open(key));
            open.put(key, entry);
            System.err.printf(Locale.ROOT, "ycsb-binding: %s open_ms=%.1f %s%n", engine,
                    (System.nanoTime() - started) / 1e6, key);
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
            System.err.println("ycsb-binding: " + engine + " at close: " + report.apply(entry.handle));
            long started = System.nanoTime();
            entry.handle.close();
            System.err.printf(Locale.ROOT, "ycsb-binding: %s close_ms=%.1f %s%n", engine,
                    (System.nanoTime() - started) / 1e6, key);
        }
    }

    synchronized int references(Path dir) {
        Entry<H> entry = open.get(dir.toAbsolutePath().normalize());
        return entry == null ? 0 : entry.references;
    }
}
