package io.ferrumdb.internal.directory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which other processes hold a lock on a file, as far as the operating system tells. On Linux,
 * {@code /proc/locks} lists every lock with its holder's pid and the locked file's device and inode, and
 * {@code /proc/PID/comm} names the holder's program. The holders are unknown elsewhere, when /proc is not readable,
 * for open-file-description locks (pid -1: no single process), and where the device {@code stat} reports differs
 * from the one /proc/locks shows (btrfs subvolumes).
 *
 * <p>Read only after a lock was refused, for the error: never on an open that succeeds.
 */
final class LockHolder {
    private static final Path PROC = Path.of("/proc");

    private LockHolder() {
    }

    /**
     * "process 1234 (java)" for the process that holds a lock on {@code file}, or such descriptions joined by
     * ", " when several do (read-only holders share the lock); empty when the operating system does not tell.
     */
    static Optional<String> of(Path file) {
        return of(file, PROC, ProcessHandle.current().pid());
    }

    /** {@link #of(Path)} with {@code proc} in place of /proc and {@code self} as this process's pid (for tests). */
    static Optional<String> of(Path file, Path proc, long self) {
        String device;
        List<String> lines;
        try {
            device = device(file);
            lines = Files.readAllLines(proc.resolve("locks"), StandardCharsets.US_ASCII);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
            // Not Linux (no unix:ino attribute, no /proc/locks), or the file vanished: the holder is unknown, and
            // the caller's error says so instead.
            return Optional.empty();
        }
        Set<Long> pids = new LinkedHashSet<>();
        for (String line : lines) {
            // This process's own locks never conflict with its requests (POSIX), so they are not why it was refused.
            holderPid(line, device).filter(pid -> pid != self).ifPresent(pids::add);
        }
        if (pids.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(pids.stream().map(pid -> describe(pid, proc)).collect(Collectors.joining(", ")));
    }

    /** The file's "major:minor:inode" as {@code /proc/locks} writes it (two hex digits at least, then decimal). */
    static String device(Path file) throws IOException {
        long inode = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
        long dev = ((Number) Files.getAttribute(file, "unix:dev")).longValue();
        return String.format("%02x:%02x:%s", major(dev), minor(dev), Long.toUnsignedString(inode));
    }

    /**
     * The pid of a {@code /proc/locks} line such as {@code "1: POSIX  ADVISORY  WRITE 4242 08:01:1234 0 EOF"}
     * when it locks {@code device} ("major:minor:inode"); blocked waiters ("->" lines) are not holders, and an
     * open-file-description lock (pid -1) has no single process to name.
     */
    static Optional<Long> holderPid(String line, String device) {
        List<String> fields = List.of(line.trim().split("\\s+"));
        if (fields.size() < 6 || fields.contains("->")) {
            return Optional.empty();
        }
        int at = fields.indexOf(device);
        if (at < 1) {
            return Optional.empty();
        }
        try {
            long pid = Long.parseLong(fields.get(at - 1));
            return pid > 0 ? Optional.of(pid) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * "process PID (NAME)": the program's name only ({@code /proc/PID/comm}), never its arguments, which may hold
     * secrets and would be shown to whoever sees the error. Any process may set its name to any 15 bytes, so
     * control characters become '?': the name reaches terminals inside error messages.
     */
    private static String describe(long pid, Path proc) {
        String name;
        try {
            name = new String(Files.readAllBytes(proc.resolve(Long.toString(pid)).resolve("comm")),
                    StandardCharsets.UTF_8).strip();
        } catch (IOException | SecurityException e) {
            name = "";  // the process has exited meanwhile, or /proc hides it: its pid is all there is to say
        }
        StringBuilder shown = new StringBuilder(name.length());
        name.codePoints().forEach(c -> shown.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return "process " + pid + (shown.length() == 0 ? "" : " (" + shown + ")");
    }

    // The encoding of glibc's major()/minor() for a 64-bit dev_t.
    private static long major(long dev) {
        return ((dev >>> 8) & 0xfffL) | ((dev >>> 32) & ~0xfffL);
    }

    private static long minor(long dev) {
        return (dev & 0xffL) | ((dev >>> 12) & ~0xffL);
    }
}
