package io.ferrumdb.server;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Redis's {@code maxclients}: how many connections are served at once. Each connection is a file descriptor, and
 * so is each file the database opens (a new segment, compaction's output, a backup): without a limit, a flood of
 * idle connections takes the last descriptor, the next segment cannot be created, and the engine refuses every
 * write until a restart. As Redis does ({@code adjustOpenFilesLimit}), the limit is lowered to leave 128
 * descriptors of the process's limit ({@code ulimit -n}) for everything else; a connection beyond it is told
 * "-ERR max number of clients reached" and closed.
 *
 * <p>Thread-safe: connections of every event loop are admitted and released here.
 */
final class ClientLimit {
    /** Redis's CONFIG_MIN_RESERVED_FDS (32) plus the 96 it keeps for listeners and files. */
    static final int RESERVED_DESCRIPTORS = 128;

    private final int max;
    private final AtomicInteger connected = new AtomicInteger();
    private final LongAdder rejected = new LongAdder();

    ClientLimit(int max) {
        this.max = max;
    }

    /** The limit for {@code requested} clients under a process limit of {@code descriptorLimit} open files. */
    static int effective(int requested, long descriptorLimit) {
        long available = descriptorLimit - RESERVED_DESCRIPTORS;
        return (int) Math.max(1, Math.min(requested, available));
    }

    /** This process's limit of open files, or Long.MAX_VALUE where the JDK cannot tell (not a Unix system). */
    static long descriptorLimit() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.UnixOperatingSystemMXBean unix
                ? unix.getMaxFileDescriptorCount() : Long.MAX_VALUE;
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
