package io.ferrumdb.cli;

import java.io.PrintStream;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar with rate and ETA on standard error, redrawn at most five times a second whenever
 * standard error is a terminal (whatever stdin and stdout are: {@code export > dump.jsonl} shows it); silent
 * otherwise, so scripts and logs stay clean.
 */
final class Progress {
    private static final long REDRAW_NANOS = 200_000_000L;
    private static final int WIDTH = 30;

    private final PrintStream err;
    private final boolean enabled;
    private final String unit;
    private final long total;
    private final LongSupplier nanoTime;
    private final long start;
    private long lastDraw;
    private long done;
    private boolean drawn;

    /** @param total the amount of work in {@code unit}s, or -1 when unknown (no bar and no ETA then) */
    Progress(Io io, String unit, long total) {
        this(io.statusErr(), io.terminals().err(), unit, total, System::nanoTime);
    }

    Progress(PrintStream err, boolean enabled, String unit, long total, LongSupplier nanoTime) {
        this.err = err;
        this.enabled = enabled;
        this.unit = unit;
        this.total = total;
        this.nanoTime = nanoTime;
        this.start = nanoTime.getAsLong();
        this.lastDraw = start;
    }

    /** Records that the work has reached {@code amount} units. */
    void at(long amount) {
        done = amount;
        if (!enabled) {
            return;
        }
        long now = nanoTime.getAsLong();
        if (now - lastDraw >= REDRAW_NANOS) {
            lastDraw = now;
            err.print("\r" + line(now) + "\u001b[K");
            err.flush();
            drawn = true;
        }
    }

    /** Clears the bar. */
    void finish() {
        if (drawn) {
            err.print("\r\u001b[K");
            err.flush();
        }
    }

    String line(long now) {
        double seconds = Math.max(1e-9, (now - start) / 1e9);
        double rate = done / seconds;
        StringBuilder sb = new StringBuilder();
        if (total > 0) {
            double fraction = Math.min(1.0, (double) done / total);
            int filled = (int) (fraction * WIDTH);
            sb.append('[').append("=".repeat(filled)).append(" ".repeat(WIDTH - filled)).append("] ");
            sb.append(String.format("%3d%% ", (int) (fraction * 100)));
            sb.append(human(done)).append('/').append(human(total)).append(' ').append(unit);
        } else {
            sb.append(human(done)).append(' ').append(unit);
        }
        sb.append(", ").append(human((long) rate)).append(' ').append(unit).append("/s");
        if (total > 0 && rate > 0) {
            long eta = (long) Math.ceil((total - done) / rate);
            sb.append(", ETA ").append(clock(Math.max(0, eta)));
        }
        return sb.toString();
    }

    private static String human(long n) {
        if (n < 10_000) {
            return Long.toString(n);
        }
        if (n < 10_000_000) {
            return (n / 1000) + "k";
        }
        return (n / 1_000_000) + "M";
    }

    private static String clock(long seconds) {
        return seconds >= 3600 ? String.format("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format("%d:%02d", seconds / 60, seconds % 60);
    }
}
