package io.ferrumdb.internal.log;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Diagnostics for measurements only: with the system property {@code ferrumdb.traceCycles} naming a file, the log
 * writer records the timestamps of its first {@link #CAPACITY} cycles (who ran each, its records, when it was taken,
 * written, fsynced, handed on, its followers completed and the next leader woken, when that leader ran again) and
 * writes them there as CSV when the JVM exits. Without the property every call is a test of a constant false.
 * Timestamps are System.nanoTime(); only the token holder writes a cycle's row (one cycle runs at a time).
 */
final class CycleTrace {
    static final String PROPERTY = "ferrumdb.traceCycles";
    static final boolean ON = System.getProperty(PROPERTY) != null;
    static final int CAPACITY = 1 << 18;

    /** Columns of a row: the timestamps in cycle order, then counts. */
    static final int RESUMED = 0;
    static final int TAKEN = 1;
    static final int WRITTEN = 2;
    static final int SYNCED = 3;
    static final int HANDED = 4;
    static final int ACKED = 5;
    static final int WOKEN = 6;
    static final int RECORDS = 7;
    static final int WAITERS = 8;
    static final int LEADER = 9;
    static final int ACKS = 10;
    static final int THREAD = 11;
    /** The token holder's run-queue wait and CPU time (ns, /proc/thread-self/schedstat) before and after the force. */
    static final int RQ_BEFORE = 12;
    static final int RQ_AFTER = 13;
    static final int CPU_BEFORE = 14;
    static final int CPU_AFTER = 15;
    private static final int COLUMNS = 16;
    private static final String HEADER = "resumed,taken,written,synced,handed,acked,woken,records,waiters,leader,acks,"
            + "thread,rqBefore,rqAfter,cpuBefore,cpuAfter";

    private static final long[] ROWS = ON ? new long[CAPACITY * COLUMNS] : null;
    /** Cycles begun; written by the token holder only. */
    private static volatile int cycles;
    /** When the thread last made the leader resumed from its park, for the next row. */
    private static volatile long resumed;
    /** Why the scheduler statistics could not be read, or null. */
    private static volatile Throwable schedUnreadable;

    static {
        if (ON) {
            Runtime.getRuntime().addShutdownHook(new Thread(CycleTrace::dump, "ferrumdb-cycle-trace"));
        }
    }

    private CycleTrace() {
    }

    /** A writer made the leader resumed from its park. */
    static void resumed() {
        if (ON) {
            resumed = System.nanoTime();
        }
    }

    /** A cycle was taken by the token holder; returns its row, or -1 when tracing is off or full. */
    static int begin(CycleIo.Cycle c, boolean leader) {
        if (!ON || cycles >= CAPACITY) {
            return -1;
        }
        int records = 0;
        for (Chunks.Chunk k : c.batch()) {
            records += k.records;
        }
        int waiters = c.done().size();
        int row = cycles;
        cycles = row + 1;
        int at = row * COLUMNS;
        ROWS[at + RESUMED] = leader ? resumed : 0;
        ROWS[at + TAKEN] = System.nanoTime();
        ROWS[at + RECORDS] = records;
        ROWS[at + WAITERS] = waiters;
        ROWS[at + LEADER] = leader ? 1 : 0;
        ROWS[at + THREAD] = Thread.currentThread().getId();
        return row;
    }

    static void mark(int row, int column) {
        if (ON && row >= 0) {
            ROWS[row * COLUMNS + column] = System.nanoTime();
        }
    }

    static void count(int row, int column, long value) {
        if (ON && row >= 0) {
            ROWS[row * COLUMNS + column] = value;
        }
    }

    /**
     * Records the calling thread's CPU and run-queue time in {@code cpuColumn} and {@code rqColumn}. Where the
     * kernel has no {@code /proc/thread-self/schedstat} the columns stay 0 and the dump's last line says why: a
     * diagnostic must not stop the writer.
     */
    static void sched(int row, int cpuColumn, int rqColumn) {
        if (ON && row >= 0 && schedUnreadable == null) {
            try {
                String[] f = new String(Files.readAllBytes(Path.of("/proc/thread-self/schedstat"))).trim().split(" ");
                ROWS[row * COLUMNS + cpuColumn] = Long.parseLong(f[0]);
                ROWS[row * COLUMNS + rqColumn] = Long.parseLong(f[1]);
            } catch (IOException | RuntimeException e) {
                schedUnreadable = e;
            }
        }
    }

    private static void dump() {
        Path out = Path.of(System.getProperty(PROPERTY));
        int n = cycles;
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out))) {
            w.println(HEADER);
            StringBuilder line = new StringBuilder();
            for (int r = 0; r < n; r++) {
                line.setLength(0);
                for (int c = 0; c < COLUMNS; c++) {
                    line.append(c == 0 ? "" : ",").append(ROWS[r * COLUMNS + c]);
                }
                w.println(line);
            }
            if (schedUnreadable != null) {
                w.println("# scheduler statistics unreadable: " + schedUnreadable);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("writing the cycle trace to " + out, e);
        }
    }
}
