package io.ferrumdb.server;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Redis's {@code maxclients}: how many connections are served at once. Each connection is a file descriptor, and
 * so is each file the database opens (a new segment, compaction's output, a backup): without a limit, a flood of
 * idle connections takes the last descriptor, the next segment cannot be created, and the engine refuses every
 * write until a restart. As Redis does ({@code adjustOpenFilesLimit}), the limit is lowered to fit the process's
 * limit ({@code ulimit -n}): less the descriptors already open when the server starts (the database holds one per
 * segment file) and 128 more for the files it opens later; a connection beyond it is told "-ERR max number of
 * clients reached" and closed.
 *
 * <p>Thread-safe: connections of every event loop are admitted and released here.
 */
final class ClientLimit {
    /** Redis's CONFIG_MIN_RESERVED_FDS (32) plus the 96 it keeps for listeners and files: here, new segments. */
    static final int RESERVED_DESCRIPTORS = 128;

    private final int max;
    private final AtomicInteger connected = new AtomicInteger();
    private final LongAdder rejected = new LongAdder();

    ClientLimit(int max) {
        this.max = max;
    }

    /**
     * The limit for {@code requested} clients in a process that may open {@code descriptorLimit} files and has
     * {@code open} open now.
     */
    static int effective(int requested, long descriptorLimit, long open) {
        long available = descriptorLimit - open - RESERVED_DESCRIPTORS;
        return (int) Math.max(1, Math.min(requested, available));
    }

    /** This process's limit of open files, or Long.MAX_VALUE where the JDK cannot tell (not a Unix system). */
    static long descriptorLimit() {
        return unix() == null ? Long.MAX_VALUE : unix().getMaxFileDescriptorCount();
    }

    /** The files this process has open now, or 0 where the JDK cannot tell. */
    static long openDescriptors() {
        return unix() == null ? 0 : unix().getOpenFileDescriptorCount();
    }

    private static com.sun.management.UnixOperatingSystemMXBean unix() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.UnixOperatingSystemMXBean unix ? unix : null;
    }

    /** Takes a place for a new connection; false, counting a rejection, when all {@link #max()} are taken. */
    boolean admit() {
        if (connected.incrementAndGet() > max) {
            connected.decrementAndGet();
            rejected.increment();
            return false;
        }
        return true;
    }

    /** Frees the place of an admitted connection that ended. */
    void release() {
        connected.decrementAndGet();
    }

    int max() {
        return max;
    }

    long rejected() {
        return rejected.sum();
    }

    void resetStats() {
        rejected.reset();
    }
}
