package io.ferrumdb.bindings;

import io.ferrumdb.DatabaseLockedException;
import java.io.IOException;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Who holds a database directory's lock, as far as the operating system tells: on Linux, {@code /proc/locks}
 * lists each POSIX lock with the holder's process id and the locked file's device and inode, and
 * {@code /proc/PID/comm} names the program. Elsewhere (or when /proc is not readable) the holder is unknown and
 * the engine's message stands alone.
 */
final class LockHolder {
    private static final Path PROC_LOCKS = Path.of("/proc/locks");
    /** The engine's lock file inside a database directory (FORMAT.md, "Directory layout"). */
    private static final String LOCK_FILE = "LOCK";
    private static final String THIS_PROCESS = "this process (another handle opened here and not closed)";

    private LockHolder() {
    }

    /** {@code locked} with the holder added to its message when the operating system can tell. */
    static DatabaseLockedException describe(DatabaseLockedException locked) {
        // The JDK refuses a second lock of a file by the same JVM before asking the operating system.
        Optional<String> holder = locked.getCause() instanceof OverlappingFileLockException
                ? Optional.of(THIS_PROCESS)
                : find(locked.directory().resolve(LOCK_FILE));
        return holder.<DatabaseLockedException>map(h -> new HeldBy(locked, h)).orElse(locked);
    }

    /** "process 1234 (python3)" or "this process (another open handle)", when known. */
    static Optional<String> find(Path lockFile) {
        try {
            long inode = ((Number) Files.getAttribute(lockFile, "unix:ino")).longValue();
            long dev = ((Number) Files.getAttribute(lockFile, "unix:dev")).longValue();
            String device = String.format("%02x:%02x:%d", major(dev), minor(dev), inode);
            for (String line : Files.readAllLines(PROC_LOCKS, StandardCharsets.US_ASCII)) {
                Optional<Long> pid = holderPid(line, device);
                if (pid.isPresent()) {
                    return Optional.of(describePid(pid.get()));
                }
            }
            return Optional.empty();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
            // Not Linux, no /proc, or the file vanished: the holder is simply unknown.
            return Optional.empty();
        }
    }

    /**
     * The pid of a {@code /proc/locks} line such as {@code "1: POSIX  ADVISORY  WRITE 4242 08:01:1234 0 EOF"}
     * when it locks {@code device} ("major:minor:inode"); blocked waiters ("->" lines) are not holders.
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
            // An open-file-description lock shows -1: no single process to name.
            return pid > 0 ? Optional.of(pid) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * "process PID (NAME)": the program's name only ({@code /proc/PID/comm}), never its arguments, which may
     * hold secrets and would be shown to whoever sees the error.
     */
    private static String describePid(long pid) {
        if (pid == ProcessHandle.current().pid()) {
            return THIS_PROCESS;
        }
        String name;
        try {
            name = Files.readString(Path.of("/proc", Long.toString(pid), "comm"), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            name = "";  // the process has exited meanwhile, or /proc hides it
        }
        return "process " + pid + (name.isEmpty() ? "" : " (" + name + ")");
    }

    // The encoding of glibc's major()/minor() for a 64-bit dev_t.
    private static long major(long dev) {
        return ((dev >>> 8) & 0xfffL) | ((dev >>> 32) & ~0xfffL);
    }

    private static long minor(long dev) {
        return (dev & 0xffL) | ((dev >>> 12) & ~0xffL);
    }

    /** The engine's exception with the holder in its message; still a DatabaseLockedException. */
    static final class HeldBy extends DatabaseLockedException {
        private static final long serialVersionUID = 1L;
        private final String holder;

        HeldBy(DatabaseLockedException locked, String holder) {
            super(locked.directory(), locked.getCause());
            this.holder = holder;
        }

        /** Who holds the lock, e.g. "process 1234 (python3)". */
        String holder() {
            return holder;
        }

        @Override
        public String getMessage() {
            return super.getMessage() + ": held by " + holder + "; one process may open a database for writing"
                    + " at a time (share it through `ferrumdb serve`, or open the others read-only)";
        }
    }
}
