package io.ferrumdb;

import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link FileIO} for tests that injects I/O errors and simulates power loss, over the real NIO file layer.
 *
 * <p><b>Errors.</b> {@link #failOn} makes the n-th later call of one operation (write, force, rename, create,
 * directory sync), optionally only on files whose name ends with a suffix, throw an IOException. A failing write
 * first writes a random prefix of its bytes (a short write, as a full disk or EIO can leave); a failing force
 * makes nothing durable, like Linux after a failed fsync (the dirty pages may be dropped: "fsyncgate").
 * {@link #failWithError} throws an Error (an OutOfMemoryError, say) instead. {@link #diskSpace} models a disk
 * that fills up after a number of written bytes.
 *
 * <p><b>Power loss.</b> For every file it keeps the image of its content as of its last successful
 * {@link StorageFile#force()}, and for every directory the namespace (name to file) as of its last
 * {@link FileIO#syncDirectory}. {@link #crash()} closes every channel this layer opened (which releases the
 * directory lock) and puts the directories back into that durable state: a file whose creation was not made
 * durable disappears, a rename or delete that was not made durable is undone (the file comes back under its old
 * name with its durable content), and every file gets exactly its last fsynced content. With {@link Tail#ZEROS}
 * or {@link Tail#GARBAGE} a random-length part of each file's unsynced tail is replaced by zeros or random bytes
 * instead of being cut, as when the OS had written back some pages or a sector was torn. With those two options an
 * unsynced overwrite below the synced length (the log writer's records in a segment it zero-filled ahead, FORMAT.md
 * "Zero tail") also keeps a random-length prefix of its new bytes, the rest keeping their synced content, and with
 * {@link Tail#GARBAGE} up to a sector at the end of that prefix is random: a torn write inside the zeroed region.
 *
 * <p>What it does not model: the OS writing back unsynced data of one file while losing another's (beyond the
 * tail options), writing back a later page of an unsynced overwrite while losing an earlier one, and
 * persisted-but-unsynced directory entries.
 * Files present when this layer first sees a directory are taken as durable.
 *
 * <p>Durability is what this model says, not what the disk did: force and directory sync are recorded, not passed
 * on to the real file system (which keeps the tests fast on a loaded machine and changes nothing they check).
 *
 * <p>Each open of a database gets its own {@link #session()}. After a crash every call through an older session
 * or a channel it opened throws {@link ClosedChannelException}, as the process that used it is gone; without
 * this, threads of the crashed instance would go on changing the files under the next one.
 */
public final class FaultFileIO {
    public enum Op { WRITE, FORCE, RENAME, CREATE, SYNC_DIR }

    public enum Tail { CUT, ZEROS, GARBAGE }

    /** The exception an injected failure throws, so tests can find it in a cause chain. */
    static final class InjectedIOException extends IOException {
        private static final long serialVersionUID = 1L;

        InjectedIOException(String message) {
            super(message);
        }
    }

    private static final class Inode {
        byte[] image = new byte[0];
        long dirtyFrom = Long.MAX_VALUE;
    }

    /** An armed fault; {@code error}, when set, is thrown instead of an InjectedIOException. */
    private record Trigger(Op op, String suffix, int nth, boolean crash, Error error) {
    }

    private final FileIO nio = FileIO.nio();
    private final Random random;
    private final Map<Path, Inode> live = new HashMap<>();
    private final Map<Path, Inode> durable = new HashMap<>();
    private final Set<Path> adoptedDirs = new HashSet<>();
    private final Set<Handle> open = new HashSet<>();
    private final Map<Op, Integer> counted = new EnumMap<>(Op.class);
    private final AtomicInteger crashes = new AtomicInteger();
    private Trigger trigger;
    /** Bytes writes may still add before the disk is full (every written byte counts; deletes free nothing). */
    private long spaceLeft = Long.MAX_VALUE;
    /** Whether {@link FileIO#linkOrCopy} copies (and so takes disk space), as across file systems. */
    private boolean copyOnLink;
    private Tail tail = Tail.CUT;
    private int epoch;
    /** Whether injected errors leave out the file, as the JDK's FileChannel errors do ("No space left on device"). */
    private boolean pathless;
    /** Deletes of files whose name ends with this fail (a read-only mount, EACCES); null: deletes work. */
    private String failingDeletes;

    public FaultFileIO(long seed) {
        this.random = new Random(seed);
    }

    /** How {@link #crash()} treats the unsynced tail of each file. */
    public synchronized FaultFileIO tail(Tail mode) {
        this.tail = mode;
        return this;
    }

    /** The {@code nth} later call of {@code op} (on a file whose name ends with {@code suffix}, if not null) fails. */
    public synchronized void failOn(Op op, int nth, String suffix) {
        arm(new Trigger(op, suffix, nth, false, null));
    }

    /**
     * The {@code nth} later call of {@code op} throws {@code error} (an OutOfMemoryError, say) instead of doing
     * anything: for the paths that must survive more than IOExceptions.
     */
    public synchronized void failWithError(Op op, int nth, Error error) {
        arm(new Trigger(op, null, nth, false, error));
    }

    /** Power is lost just before the {@code nth} later call of {@code op} takes effect; that call then fails. */
    public synchronized void crashOn(Op op, int nth) {
        arm(new Trigger(op, null, nth, true, null));
    }

    /**
     * The disk fills up after {@code bytes} more written bytes: the write that crosses the limit writes what fits
     * and fails with "No space left on device", as do all later writes, until this is called again with more room
     * ({@code Long.MAX_VALUE}: space was freed).
     */
    public synchronized void diskSpace(long bytes) {
        this.spaceLeft = bytes;
    }

    /**
     * Injected failures of writes and creates say only what the OS says, without the file: "No space left on
     * device", "Input/output error", as a real FileChannel's do; for tests that check the code above names the file.
     */
    public synchronized FaultFileIO pathlessErrors(boolean on) {
        this.pathless = on;
        return this;
    }

    /**
     * Every later delete of a file whose name ends with {@code suffix} fails, until this is called with null: for
     * the paths that must say what they could not delete.
     */
    public synchronized void failDeletes(String suffix) {
        this.failingDeletes = suffix;
    }

    /** Makes linkOrCopy behave as a copy that takes disk space (a backup to another file system). */
    public synchronized void copyOnLink(boolean copy) {
        this.copyOnLink = copy;
    }

    public synchronized void disarm() {
        trigger = null;
    }

    /** Whether an armed failure or crash has not fired yet. */
    public synchronized boolean armed() {
        return trigger != null;
    }

    public int crashes() {
        return crashes.get();
    }

    private void arm(Trigger t) {
        if (t.nth < 1) {
            throw new IllegalArgumentException("nth must be at least 1, got " + t.nth);
        }
        counted.put(t.op, 0);
        trigger = t;
    }

    private void maybeFail(Op op, Path path) throws IOException {
        Trigger t = trigger;
        if (t == null || t.op != op || (t.suffix != null && !path.getFileName().toString().endsWith(t.suffix))) {
            return;
        }
        int n = counted.merge(op, 1, Integer::sum);
        if (n < t.nth) {
            return;
        }
        trigger = null;
        if (t.error != null) {
            throw t.error;
        }
        if (t.crash) {
            crash();
            throw new InjectedIOException("simulated power loss at " + op + " #" + n + " on " + path);
        }
        throw new InjectedIOException(pathless ? "Input/output error" : "injected failure of " + op + " #" + n + " on "
                + path);
    }

    /** Simulates power loss: see the class comment. */
    public synchronized void crash() {
        epoch++;
        crashes.incrementAndGet();
        List<IOException> problems = new ArrayList<>();
        Map<Inode, Long> sizeBefore = new HashMap<>();
        // The new bytes of unsynced overwrites below the synced length, from where they start.
        Map<Inode, byte[]> overwritten = new HashMap<>();
        for (Map.Entry<Path, Inode> e : live.entrySet()) {
            try {
                long size = Files.size(e.getKey());
                sizeBefore.merge(e.getValue(), size, Math::max);
                Inode inode = e.getValue();
                long below = Math.min(size, inode.image.length);
                if (tail != Tail.CUT && inode.dirtyFrom < below) {
                    byte[] now = new byte[(int) (below - inode.dirtyFrom)];
                    try (FileChannel ch = FileChannel.open(e.getKey())) {
                        ch.read(ByteBuffer.wrap(now), inode.dirtyFrom);
                    }
                    overwritten.put(inode, now);
                }
            } catch (IOException ex) {
                problems.add(ex);
            }
        }
        closeAll(problems);
        try {
            for (Path dir : adoptedDirs) {
                for (Path p : nio.list(dir)) {
                    if (!durable.containsKey(p)) {
                        Files.delete(p);
                    }
                }
            }
            for (Map.Entry<Path, Inode> e : durable.entrySet()) {
                Inode inode = e.getValue();
                long unsynced = sizeBefore.getOrDefault(inode, 0L) - inode.image.length;
                byte[] extra = new byte[tail == Tail.CUT || unsynced <= 0 ? 0 : 1 + random.nextInt((int) unsynced)];
                if (tail == Tail.GARBAGE) {
                    random.nextBytes(extra);
                }
                byte[] content = new byte[inode.image.length + extra.length];
                System.arraycopy(inode.image, 0, content, 0, inode.image.length);
                System.arraycopy(extra, 0, content, inode.image.length, extra.length);
                byte[] now = overwritten.get(inode);
                int kept = now == null ? 0 : random.nextInt(now.length + 1);
                if (kept > 0) {
                    int at = (int) inode.dirtyFrom;
                    System.arraycopy(now, 0, content, at, kept);
                    if (tail == Tail.GARBAGE) {
                        int torn = 1 + random.nextInt(Math.min(kept, 512));
                        byte[] junk = new byte[torn];
                        random.nextBytes(junk);
                        System.arraycopy(junk, 0, content, at + kept - torn, torn);
                    }
                }
                restore(e.getKey(), content);
                if (extra.length > 0 || kept > 0) {
                    // What survived is now on disk for good (the next power loss keeps it too).
                    inode.image = content;
                }
                inode.dirtyFrom = Long.MAX_VALUE;
            }
        } catch (IOException ex) {
            problems.add(ex);
        }
        live.clear();
        live.putAll(durable);
        throwIfAny(problems, "crash simulation failed");
    }

    /**
     * Simulates the process being killed (kill -9) while the machine runs on: every session and channel of this
     * layer is dead from now on, as after {@link #crash()}, but the files keep every byte written and every name
     * (the OS's page cache outlives the process and reaches the disk), which this model then takes as durable. A
     * write runs under this object's monitor, so the kill falls between two calls, never inside one.
     */
    public synchronized void kill() {
        epoch++;
        List<IOException> problems = new ArrayList<>();
        closeAll(problems);
        durable.clear();
        for (Map.Entry<Path, Inode> e : live.entrySet()) {
            try {
                e.getValue().image = Files.readAllBytes(e.getKey());
                e.getValue().dirtyFrom = Long.MAX_VALUE;
                durable.put(e.getKey(), e.getValue());
            } catch (IOException ex) {
                problems.add(ex);
            }
        }
        throwIfAny(problems, "kill simulation failed");
    }

    /** Closes every channel this layer opened (the dead process's), adding each failure to {@code problems}. */
    private void closeAll(List<IOException> problems) {
        for (Handle h : open) {
            try {
                h.delegate.close();
            } catch (IOException ex) {
                problems.add(ex);
            }
        }
        open.clear();
    }

    private static void throwIfAny(List<IOException> problems, String what) {
        if (!problems.isEmpty()) {
            UncheckedIOException failure = new UncheckedIOException(what, problems.get(0));
            problems.stream().skip(1).forEach(failure::addSuppressed);
            throw failure;
        }
    }

    /**
     * Gives {@code file} its content after the power loss, written over the old bytes and then cut to length, never
     * emptied first (as Files.write does): threads of the crashed instance may still read a mapping of a synced
     * file (a compaction's other parts read their input segments so), and a file that shrank under a mapping, even
     * for a moment, makes those reads fault (SIGBUS: an InternalError in compiled code) where power loss would have
     * stopped them. The synced files keep their size, so their mappings never see an end before their pages.
     */
    private static void restore(Path file, byte[] content) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ByteBuffer remaining = ByteBuffer.wrap(content);
            while (remaining.hasRemaining()) {
                ch.write(remaining, remaining.position());
            }
            ch.truncate(content.length);
        }
    }

    /**
     * {@code options} with a new session of this layer as their file system, for one open of a database: the way
     * tests of other modules (documents, the Kafka store) use it, since the file-system seam itself is internal.
     * Call it for every open: a power loss ends the session of every handle opened before it.
     */
    public Options forOneOpen(Options options) {
        return options.toBuilder().fileIO(session()).build();
    }

    /** A file layer for one open of a database (or one part's test): dead after the next crash. */
    public FileIO session() {
        synchronized (this) {
            return new Session(epoch);
        }
    }

    private final class Session implements FileIO {
        private final int sessionEpoch;

        Session(int epoch) {
            this.sessionEpoch = epoch;
        }

        private void checkAlive() throws ClosedChannelException {
            if (sessionEpoch != epoch) {
                throw new ClosedChannelException();
            }
        }

        @Override
        public StorageFile open(Path file, boolean writable) throws IOException {
            synchronized (FaultFileIO.this) {
                checkAlive();
                adopt(file.getParent());
                Inode inode = live.get(file);
                StorageFile f = nio.open(file, writable);
                if (inode == null) {
                    // Not a regular file this layer tracks (the caller sees the same error or file as without it).
                    inode = new Inode();
                }
                return register(new Handle(f, inode, sessionEpoch));
            }
        }

        @Override
        public StorageFile create(Path file) throws IOException {
            synchronized (FaultFileIO.this) {
                checkAlive();
                adopt(file.getParent());
                maybeFail(Op.CREATE, file);
                StorageFile f = nio.create(file);
                Inode inode = new Inode();
                live.put(file, inode);
                return register(new Handle(f, inode, sessionEpoch));
            }
        }

        @Override
        public void rename(Path source, Path target) throws IOException {
            synchronized (FaultFileIO.this) {
                checkAlive();
                adopt(source.getParent());
                adopt(target.getParent());
                maybeFail(Op.RENAME, source);
                nio.rename(source, target);
                Inode inode = live.remove(source);
                if (inode != null) {
                    live.put(target, inode);
                }
            }
        }

        @Override
        public void delete(Path file) throws IOException {
            synchronized (FaultFileIO.this) {
                checkAlive();
                adopt(file.getParent());
                if (failingDeletes != null && file.getFileName().toString().endsWith(failingDeletes)) {
                    throw new InjectedIOException("injected delete failure: " + file);
                }
                nio.delete(file);
                live.remove(file);
            }
        }

        @Override
        public void syncDirectory(Path directory) throws IOException {
            synchronized (FaultFileIO.this) {
                checkAlive();
                adopt(directory);
                maybeFail(Op.SYNC_DIR, directory);
                durable.keySet().removeIf(p -> directory.equals(p.getParent()));
                live.forEach((p, inode) -> {
                    if (directory.equals(p.getParent())) {
                        durable.put(p, inode);
                    }
                });
            }
        }

        @Override
        public List<Path> list(Path directory) throws IOException {
            synchronized (FaultFileIO.this) {
                checkAlive();
                adopt(directory);
                return nio.list(directory);
            }
        }

        @Override
        public void createDirectories(Path directory) throws IOException {
            synchronized (FaultFileIO.this) {
                checkAlive();
                nio.createDirectories(directory);
            }
        }

        @Override
        public boolean exists(Path path) {
            return nio.exists(path);
        }

        /** Backups link immutable, fsynced files: the content is durable, the name once its directory is synced. */
        @Override
        public void linkOrCopy(Path existing, Path link) throws IOException {
            synchronized (FaultFileIO.this) {
                checkAlive();
                adopt(link.getParent());
                if (copyOnLink) {
                    // A copy to another file system: its bytes take space.
                    byte[] content = Files.readAllBytes(existing);
                    if (content.length > spaceLeft) {
                        Files.write(link, Arrays.copyOf(content, (int) spaceLeft));
                        spaceLeft = 0;
                        throw new InjectedIOException("No space left on device (copying to " + link + ")");
                    }
                    spaceLeft -= content.length;
                }
                nio.linkOrCopy(existing, link);
                Inode inode = new Inode();
                inode.image = Files.readAllBytes(link);
                live.put(link, inode);
            }
        }
    }

    /** Files already in a directory when this layer first sees it are taken as durable with their content. */
    private void adopt(Path dir) throws IOException {
        if (dir == null || !adoptedDirs.add(dir) || !Files.isDirectory(dir)) {
            return;
        }
        for (Path p : nio.list(dir)) {
            Inode inode = new Inode();
            inode.image = Files.readAllBytes(p);
            live.put(p, inode);
            durable.put(p, inode);
        }
    }

    private Handle register(Handle h) {
        open.add(h);
        return h;
    }

    private final class Handle implements StorageFile {
        final StorageFile delegate;
        final Inode inode;
        final int handleEpoch;

        Handle(StorageFile delegate, Inode inode, int epoch) {
            this.delegate = delegate;
            this.inode = inode;
            this.handleEpoch = epoch;
        }

        private void checkAlive() throws ClosedChannelException {
            if (handleEpoch != epoch) {
                throw new ClosedChannelException();
            }
        }

        @Override
        public Path path() {
            return delegate.path();
        }

        @Override
        public int read(long position, ByteBuffer dst) throws IOException {
            synchronized (FaultFileIO.this) {
                checkAlive();
            }
            return delegate.read(position, dst);
        }

        @Override
        public void write(long position, ByteBuffer src) throws IOException {
            synchronized (FaultFileIO.this) {
                checkAlive();
                inode.dirtyFrom = Math.min(inode.dirtyFrom, position);
                try {
                    maybeFail(Op.WRITE, path());
                } catch (InjectedIOException e) {
                    if (handleEpoch == epoch && src.remaining() > 0) {
                        ByteBuffer part = src.duplicate();
                        part.limit(part.position() + random.nextInt(src.remaining()));
                        delegate.write(position, part);
                    }
                    throw e;
                }
                if (src.remaining() > spaceLeft) {
                    ByteBuffer part = src.duplicate();
                    part.limit(part.position() + (int) spaceLeft);
                    delegate.write(position, part);
                    spaceLeft = 0;
                    throw new InjectedIOException("No space left on device"
                            + (pathless ? "" : " (writing " + path() + ")"));
                }
                spaceLeft -= src.remaining();
                delegate.write(position, src);
            }
        }

        @Override
        public void force() throws IOException {
            synchronized (FaultFileIO.this) {
                checkAlive();
                maybeFail(Op.FORCE, path());
                long size = delegate.size();
                int from = (int) Math.min(Math.min(inode.dirtyFrom, inode.image.length), size);
                byte[] image = java.util.Arrays.copyOf(inode.image, (int) size);
                delegate.read(from, ByteBuffer.wrap(image, from, (int) size - from));
                inode.image = image;
                inode.dirtyFrom = Long.MAX_VALUE;
            }
        }

        @Override
        public long size() throws IOException {
            synchronized (FaultFileIO.this) {
                checkAlive();
            }
            return delegate.size();
        }

        @Override
        public void truncate(long size) throws IOException {
            synchronized (FaultFileIO.this) {
                checkAlive();
                inode.dirtyFrom = Math.min(inode.dirtyFrom, size);
                delegate.truncate(size);
            }
        }

        // mapPrivate is the interface's copy into fresh memory, not the real file's mapping: crash() rewrites files
        // in place (restore), which a mapping held by the crashed instance would see change. map() is the real
        // mapping (segments read so): restore never shrinks a synced file under it.

        @Override
        public ByteBuffer map(long size) throws IOException {
            synchronized (FaultFileIO.this) {
                checkAlive();
            }
            return delegate.map(size);
        }

        @Override
        public ByteBuffer map(long position, long size) throws IOException {
            synchronized (FaultFileIO.this) {
                checkAlive();
            }
            return delegate.map(position, size);
        }

        @Override
        public FileLock tryLock(boolean shared) throws IOException {
            synchronized (FaultFileIO.this) {
                checkAlive();
            }
            return delegate.tryLock(shared);
        }

        @Override
        public void close() throws IOException {
            synchronized (FaultFileIO.this) {
                open.remove(this);
                if (handleEpoch == epoch) {
                    delegate.close();
                }
            }
        }
    }
}
