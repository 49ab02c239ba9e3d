package io.ferrumdb.cli;

import io.ferrumdb.MaintenanceProgress;
import java.io.PrintStream;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar with rate and ETA on standard error, redrawn at most five times a second whenever
 * standard error is a terminal (whatever stdin and stdout are: {@code export > dump.jsonl} shows it); silent
 * otherwise, so scripts and logs stay clean. The first frame waits {@value #DEFAULT_DELAY_MILLIS} ms, so work that
 * ends sooner draws nothing; {@code FERRUMDB_PROGRESS_DELAY_MS} changes that wait, as {@code GIT_PROGRESS_DELAY}
 * does for git (0: from the first record on). A bar that a failure stops is not cleared: its last line stays,
 * saying how far the work came and that it stopped, above the error.
 */
final class Progress {
    static final String DELAY_ENV = "FERRUMDB_PROGRESS_DELAY_MS";
    static final long DEFAULT_DELAY_MILLIS = 200;
    private static final long REDRAW_NANOS = 200_000_000L;
    private static final int WIDTH = 30;

    private final PrintStream err;
    private final boolean enabled;
    private final String unit;
    private long total;
    private final LongSupplier nanoTime;
    private final long start;
    private long lastDraw;
    private long done;
    private boolean drawn;

    /** @param total the amount of work in {@code unit}s, or -1 when unknown (no bar and no ETA then) */
    Progress(Io io, String unit, long total) {
        this(io.statusErr(), io.terminals().err(), unit, total, System::nanoTime, delayMillis(io));
    }

    Progress(PrintStream err, boolean enabled, String unit, long total, LongSupplier nanoTime) {
        this(err, enabled, unit, total, nanoTime, DEFAULT_DELAY_MILLIS);
    }

    private Progress(PrintStream err, boolean enabled, String unit, long total, LongSupplier nanoTime,
            long delayMillis) {
        this.err = err;
        this.enabled = enabled;
        this.unit = unit;
        this.total = total;
        this.nanoTime = nanoTime;
        this.start = nanoTime.getAsLong();
        // The first frame is due delayMillis after the start; later ones every REDRAW_NANOS.
        this.lastDraw = start - REDRAW_NANOS + delayMillis * 1_000_000L;
    }

    private static long delayMillis(Io io) {
        String text = io.env().get(DELAY_ENV);
        if (text == null || text.isBlank()) {
            return DEFAULT_DELAY_MILLIS;
        }
        long millis = text.trim().matches("\\d{1,9}") ? Long.parseLong(text.trim()) : -1;
        if (millis < 0) {
            throw CliException.usage(DELAY_ENV + " must be a whole number of milliseconds (0 to 999999999), got '"
                    + text + "'");
        }
        return millis;
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

    /** Records that the work has reached {@code amount} of {@code total} units (a total known only once begun). */
    void at(long amount, long total) {
        this.total = total;
        at(amount);
    }

    /** Clears the bar. */
    void finish() {
        if (drawn) {
            err.print("\r\u001b[K");
            err.flush();
        }
    }

    /**
     * Ends a bar that a failure stopped: its last line is redrawn where the work stopped, without rate or ETA, and
     * kept, so that the error printed next follows a line that says how far it came, not one still running.
     */
    void stopped() {
        if (drawn) {
            err.print("\r" + amounts() + ": stopped\u001b[K\n");
            err.flush();
        }
    }

    /**
     * Runs a compaction, backup, verify or repair, {@code job}, with this bar following the progress the engine reports to the
     * listener it is given: cleared once the job returns, {@link #stopped()} when it throws.
     */
    <T> T follow(Function<Consumer<MaintenanceProgress>, T> job) {
        T result;
        try {
            result = job.apply(p -> at(p.doneBytes(), p.plannedBytes()));
        } catch (RuntimeException | Error e) {
            stopped();
            throw e;
        }
        finish();
        return result;
    }

    String line(long now) {
        double seconds = Math.max(1e-9, (now - start) / 1e9);
        double rate = done / seconds;
        StringBuilder sb = new StringBuilder(amounts());
        sb.append(", ").append(human((long) rate)).append(' ').append(unit).append("/s");
        if (total > 0 && rate > 0) {
            long eta = (long) Math.ceil((total - done) / rate);
            sb.append(", ETA ").append(clock(Math.max(0, eta)));
        }
        return sb.toString();
    }

    /** The bar, percentage and amounts, or only the amount done when the total is unknown. */
    private String amounts() {
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
