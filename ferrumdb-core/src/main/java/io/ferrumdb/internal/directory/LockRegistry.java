package io.ferrumdb.internal.directory;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.DatabaseLockedException;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The process-wide table of locked database directories (canonical path to holder), through which every path that
 * takes a directory's {@code LOCK} goes.
 *
 * <p>Why it exists: the OS lock is a POSIX record lock, which belongs to the process, not to the channel. Closing
 * <em>any</em> channel on {@code LOCK} drops every lock this process holds on it, so a second open in the same JVM
 * that opened its own channel, found the file locked and closed that channel, silently unlocked the first handle's
 * directory for every other process. Here a second open in this JVM is refused from the table, without touching
 * the file; only the entry's owner ever closes the channel. LevelDB ({@code PosixLockTable}) and RocksDB do the
 * same. A directory is found by its canonical path, and else by the identity of its {@code LOCK} file (device and
 * inode), since some second paths to one directory have another canonical path: the directory moved while open,
 * or one volume mounted at two places. Missing that, the second open would open its own channel again.
 *
 * <p>Shared (read-only) holders of one directory share one OS lock and one channel, counted; the last one to
 * leave releases it. An exclusive holder excludes everyone.
 *
 * <p>Invariant: for every entry, {@code holders >= 1} and the entry's lock is the only lock this process holds on
 * that {@code LOCK} file. An entry whose lock became invalid (its channel was closed under it, as a simulated
 * power loss in the tests does) no longer protects anything and is replaced by the next acquirer.
 */
public final class LockRegistry {
    private static final LockRegistry PROCESS = new LockRegistry();
    /**
     * What to do when another process holds the directory, in the engine's message so that every tool (the CLI,
     * the server, Studio, the MCP server, the bindings) says the same. A handle in this process gets no advice:
     * its description (purpose, thread, time) already points at the code to fix. A holder that is itself a server,
     * by its {@link ServingRecord}, gets that server's address instead.
     */
    private static final String ANOTHER_PROCESS_ADVICE = "only one process at a time may open a database unless all of"
            + " them open it read-only (to share it, serve it with `ferrumdb serve`, or to AI agents with `ferrumdb"
            + " mcp --http`)";

    private static final class Entry {
        final Path directory;
        /** The LOCK file's {@link BasicFileAttributes#fileKey()} (device and inode), null where the OS has none. */
        final Object lockFileKey;
        final StorageFile file;
        final FileLock lock;
        final boolean shared;
        final String purpose;
        final String thread;
        /** When the first holder took the lock; formatted only for an error (java.time formatting is slow to load). */
        final long takenAtMillis;
        int holders = 1;

        Entry(Path directory, Object lockFileKey, StorageFile file, FileLock lock, boolean shared, String purpose) {
            this.directory = directory;
            this.lockFileKey = lockFileKey;
            this.file = file;
            this.lock = lock;
            this.shared = shared;
            this.purpose = purpose;
            this.thread = Thread.currentThread().getName();
            this.takenAtMillis = System.currentTimeMillis();
        }

        /** The first holder, for the error another acquirer gets. */
        String firstHolder() {
            return (shared ? "a shared " : "an exclusive ") + purpose + " handle in this process (pid "
                    + ProcessHandle.current().pid() + "), taken by thread '" + thread + "' at "
                    + Instant.ofEpochMilli(takenAtMillis);
        }
    }

    /** One holder's claim on a directory; {@link #close()} gives it back (once; later calls do nothing). */
    public final class Lease implements AutoCloseable {
        private final Entry entry;
        private boolean released;

        private Lease(Entry entry) {
            this.entry = entry;
        }

        public boolean shared() {
            return entry.shared;
        }

        @Override
        public void close() throws IOException {
            release(this);
        }
    }

    private final Map<Path, Entry> held = new HashMap<>();

    LockRegistry() {
    }

    /** The one registry of this process. */
    public static LockRegistry process() {
        return PROCESS;
    }

    /**
     * Locks {@code directory} (which must exist) through its {@code LOCK} file, shared or exclusive.
     *
     * @param createLockFile whether a missing {@code LOCK} file may be created (never for a read-only open)
     * @param purpose        what the holder does ("read-write open", "verify", ...), for the error another
     *                       acquirer in this process gets
     * @throws DatabaseLockedException naming the holder when this process or another holds a conflicting lock
     */
    public synchronized Lease acquire(FileIO io, Path directory, boolean shared, boolean createLockFile,
                                      String purpose) throws IOException {
        Path key = RealPaths.resolved(directory);
        Entry existing = find(key, lockFileKey(directory));
        if (existing != null && !existing.lock.isValid()) {
            held.remove(existing.directory);
            existing = null;
        }
        if (existing != null) {
            if (shared && existing.shared) {
                existing.holders++;
                return new Lease(existing);
            }
            throw new DatabaseLockedException(directory, existing.firstHolder()
                    + (existing.holders > 1 ? " (and " + (existing.holders - 1) + " more read-only handles)" : ""),
                    null);
        }
        StorageFile file = openLockFile(io, directory.resolve(FileNames.LOCK), createLockFile);
        FileLock lock;
        try {
            lock = file.tryLock(shared);
        } catch (OverlappingFileLockException e) {
            // Only code that bypasses this registry can hold a lock on the file in this process.
            file.close();
            throw new DatabaseLockedException(directory, "code in this process that does not go through"
                    + " FerrumDB's lock registry", e);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
        if (lock == null) {
            file.close();
            Path lockFile = directory.resolve(FileNames.LOCK);
            String holder = LockHolder.of(lockFile).orElseGet(() -> "another process (the operating system does"
                    + " not say which; 'fuser " + lockFile + "' lists it)");
            String advice = ServingRecord.holding(directory, holder).map(ServingRecord::advice)
                    .orElse(ANOTHER_PROCESS_ADVICE);
            throw new DatabaseLockedException(directory, holder, advice, null);
        }
        Entry entry = new Entry(key, lockFileKey(directory), file, lock, shared, purpose);
        held.put(key, entry);
        return new Lease(entry);
    }

    private synchronized void release(Lease lease) throws IOException {
        if (lease.released) {
            return;
        }
        lease.released = true;
        Entry e = lease.entry;
        if (--e.holders > 0) {
            return;
        }
        if (held.get(e.directory) == e) {
            held.remove(e.directory);
        }
        try {
            if (e.lock.isValid()) {
                e.lock.release();
            }
        } finally {
            e.file.close();
        }
    }

    /**
     * Whether this process holds {@code directory} exclusively through the registry: what callers that write the
     * directory's small files assert ("REQUIRES: the exclusive lock").
     */
    public synchronized boolean isHeldExclusively(Path directory) {
        Entry e = held.get(RealPaths.resolved(directory));
        return e != null && !e.shared && e.lock.isValid();
    }

    /** Whether this process holds {@code directory} through the registry (for tests and diagnostics). */
    public synchronized boolean isHeld(Path directory) {
        Entry e = held.get(RealPaths.resolved(directory));
        return e != null && e.lock.isValid();
    }

    /**
     * Opens (or creates) the LOCK file. A directory in its place is refused, named, with the way out, for readers too:
     * Linux lets a directory opened for reading take a shared lock, which a writer could never conflict with (it
     * cannot open the directory), so a lock is only ever taken on a regular file.
     */
    private static StorageFile openLockFile(FileIO io, Path path, boolean create) throws IOException {
        if (java.nio.file.Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            // A file of the wrong kind, named as the others are (DatabaseDirectory.readAll).
            throw new CorruptionException(path, 0, "is a directory, not a file, so no lock can be taken through it;"
                    + " 'ferrumdb repair' sets it aside and makes a new LOCK file");
        }
        if (!create) {
            return io.open(path, false);
        }
        try {
            return io.create(path);
        } catch (FileAlreadyExistsException e) {
            return io.open(path, true);
        }
    }

    /** The entry of the directory at {@code key}, else of the one whose LOCK file is the file {@code lockFileKey}. */
    private Entry find(Path key, Object lockFileKey) {
        Entry byPath = held.get(key);
        if (byPath != null || lockFileKey == null) {
            return byPath;
        }
        for (Entry e : held.values()) {
            if (lockFileKey.equals(e.lockFileKey)) {
                return e;
            }
        }
        return null;
    }

    /** The identity of the directory's LOCK file, null when it has none or there is no such file yet. */
    private static Object lockFileKey(Path directory) {
        try {
            return Files.readAttributes(directory.resolve(FileNames.LOCK), BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null; // no LOCK file: no one can hold it; opening it reports what is wrong
        }
    }
}
