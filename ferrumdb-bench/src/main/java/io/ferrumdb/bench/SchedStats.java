package io.ferrumdb.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where threads spent their wall time, from Linux's per-thread scheduler statistics ({@code /proc/.../schedstat}:
 * nanoseconds on a CPU, nanoseconds runnable but waiting for a CPU). Wall time minus both is time blocked (in an
 * fsync, parked, asleep). On a loaded machine JFR cannot show the second figure, and it is the one that separates
 * "the disk is slow" from "the thread waited for a CPU after the disk answered". Empty where the files do not
 * exist (not Linux, or schedstats off).
 */
final class SchedStats {
    private static final Path SELF = Path.of("/proc/thread-self/schedstat");
    private static final Path STATUS = Path.of("/proc/thread-self/status");
    private static final Path TASKS = Path.of("/proc/self/task");

    private SchedStats() {
    }

    /** {on-CPU ns, waiting-for-a-CPU ns} of the calling thread, or null when not available. */
    static long[] self() {
        return read(SELF);
    }

    /**
     * {voluntary, involuntary} context switches of the calling thread ({@code /proc/thread-self/status}), or null
     * when not available. A blocking writer switches out voluntarily once a put at the least (its park); the
     * involuntary ones are preemptions, e.g. by a thread it woke.
     */
    static long[] switches() {
        String status;
        try {
            status = Files.readString(STATUS);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + STATUS, e);
        }
        long[] out = new long[2];
        int found = 0;
        for (String line : status.split("\n")) {
            if (line.startsWith("voluntary_ctxt_switches:")) {
                out[0] = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                found++;
            } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                out[1] = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                found++;
            }
        }
        return found == 2 ? out : null;
    }

    /**
     * Sums {on-CPU ns, waiting ns} per thread name of this process, for names starting with {@code prefix}
     * (Linux keeps the first 15 characters of a thread's name).
     */
    static Map<String, long[]> threads(String prefix) {
        Map<String, long[]> out = new TreeMap<>();
        if (!Files.isDirectory(TASKS)) {
            return out;
        }
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            for (Path task : tasks) {
                String name;
                long[] s;
                try {
                    name = Files.readString(task.resolve("comm")).trim();
                    s = parse(task.resolve("schedstat"), Files.readString(task.resolve("schedstat")));
                } catch (IOException e) {
                    // A thread that ended after the listing: its files vanish (NoSuchFileException) or answer
                    // ESRCH ("No such process") while the directory is being torn down.
                    if (e instanceof NoSuchFileException || "No such process".equals(e.getMessage())
                            || !Files.exists(task)) {
                        continue;
                    }
                    throw new UncheckedIOException("reading " + task, e);
                }
                if (s != null && name.startsWith(prefix)) {
                    out.merge(name, s, (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + TASKS, e);
        }
        return out;
    }

    /** {@code after - before} of one name, or null when either lacks it. */
    static long[] delta(Map<String, long[]> before, Map<String, long[]> after, String name) {
        long[] a = after.get(name);
        long[] b = before.get(name);
        return a == null || b == null ? null : new long[] {a[0] - b[0], a[1] - b[1]};
    }

    private static long[] read(Path file) {
        try {
            return parse(file, Files.readString(file));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }

    private static long[] parse(Path file, String text) {
        String[] f = text.trim().split(" ");
        if (f.length < 2) {
            throw new IllegalStateException(file + " has " + f.length + " fields, expected 3: " + text);
        }
        return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
    }
}
