package io.ferrumdb.internal.directory;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.DatabaseNotFoundException;
import io.ferrumdb.FerrumException;
import io.ferrumdb.NotADatabaseException;
import io.ferrumdb.FormatVersionException;
import io.ferrumdb.internal.format.BackupMarker;
import io.ferrumdb.internal.format.CompactionJournal;
import io.ferrumdb.internal.format.ManifestFile;
import io.ferrumdb.internal.format.MetaFile;
import io.ferrumdb.internal.format.SegmentHeader;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/**
 * One database directory held by this process: its lock (through the process-wide {@link LockRegistry}), its
 * {@code META}, the paths of its files ({@link FileNames}), listing, temporary-file cleanup and directory fsync.
 * Every way into a directory (open, read-only open, verify, repair, passphrase change) starts with {@link #lock}; closing
 * gives the lock back.
 *
 * <p>Creation rules: a read-only access never creates anything and needs {@code META} (and {@code LOCK}, which it
 * cannot create); a writing access creates a missing directory and database only when asked, and never turns a
 * non-empty directory without {@code META} into a database.
 */
public final class DatabaseDirectory implements AutoCloseable {
    /** How a caller uses the directory. */
    public enum Access {
        /** Shared lock; nothing is created or changed. */
        READ,
        /**
         * As {@link #READ}, for verify: a damaged META, or one missing beside segment files, does not refuse the
         * access; {@link #meta()} is then taken from the segments' headers, as for {@link #REPAIR}, and
         * {@link #metaDamage()} says what was wrong, for verify to report it and check the rest.
         */
        VERIFY,
        /** Exclusive lock; files may be written. */
        WRITE,
        /**
         * As {@link #WRITE}, for repair: a damaged META, or one missing beside segment files, does not refuse the
         * access; {@link #meta()} is then taken from the segments' headers and {@link #metaDamage()} says what was
         * wrong, for repair to rewrite META. Nothing is created.
         */
        REPAIR
    }

    private final FileIO io;
    private final Path path;
    private final LockRegistry.Lease lease;
    private final MetaFile meta;
    /** What was wrong with META when {@link #meta} was taken from the segments' headers (VERIFY, REPAIR), else null. */
    private final CorruptionException metaDamage;

    private DatabaseDirectory(FileIO io, Path path, LockRegistry.Lease lease, MetaFile meta,
                              CorruptionException metaDamage) {
        this.io = io;
        this.path = path;
        this.lease = lease;
        this.meta = meta;
        this.metaDamage = metaDamage;
    }

    /**
     * Locks the database in {@code directory} and reads (or, for a writing access with {@code createIfMissing},
     * creates) its {@code META}. A failure leaves the directory as it found it and holds no lock.
     *
     * @param encryptedIfCreated whether a database created here is encrypted
     * @param purpose            what the caller does, for the lock error another acquirer gets
     * @throws DatabaseNotFoundException when there is no database and none may be created
     * @throws NotADatabaseException     when a writing access finds a non-empty directory without META
     * @throws io.ferrumdb.DatabaseLockedException when another handle holds a conflicting lock
     */
    public static DatabaseDirectory lock(FileIO io, Path directory, Access access, boolean createIfMissing,
                                         boolean encryptedIfCreated, String purpose) throws IOException {
        Path dir = directory.toAbsolutePath().normalize();
        boolean write = access == Access.WRITE || access == Access.REPAIR;
        boolean create = write && createIfMissing;
        boolean metaMayBeDamaged = access == Access.REPAIR || access == Access.VERIFY;
        Path metaPath = dir.resolve(FileNames.META);
        CorruptionException metaMissing = io.exists(metaPath) ? null : segmentsWithoutMeta(io, dir);
        if (metaMissing != null && !metaMayBeDamaged) {
            throw withMetaAdvice(metaMissing);
        }
        if (!io.exists(metaPath) && metaMissing == null) {
            if (!create) {
                throw new DatabaseNotFoundException(dir);
            }
            refuseForeignContents(io, dir);
        }
        if (!write && !io.exists(dir.resolve(FileNames.LOCK))) {
            throw new FerrumException("database " + dir + " has no LOCK file, and a read-only open creates nothing:"
                    + " open it once for writing, or create an empty file named LOCK in it");
        }
        boolean createdDirectory = false;
        if (!io.exists(dir)) {
            io.createDirectories(dir);
            createdDirectory = true;
        }
        LockRegistry.Lease lease = LockRegistry.process().acquire(io, dir, !write, write, purpose);
        try {
            CorruptionException metaDamage = metaMissing;
            MetaFile meta = null;
            if (metaDamage == null) {
                try {
                    meta = io.exists(metaPath) ? readMeta(io, metaPath) : createMeta(io, dir, encryptedIfCreated);
                } catch (CorruptionException e) {
                    if (!metaMayBeDamaged) {
                        throw withMetaAdvice(e);
                    }
                    metaDamage = e;
                }
            }
            if (metaDamage != null) {
                meta = metaFromSegments(io, dir, metaDamage);
            }
            checkBackupMarker(io, dir, meta, write);
            return new DatabaseDirectory(io, dir, lease, meta, metaDamage);
        } catch (IOException | RuntimeException e) {
            try {
                lease.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            if (createdDirectory) {
                removeCreatedDirectory(io, dir, e);
            }
            throw e;
        }
    }

    /**
     * For repair, before it locks: the {@code LOCK} path of the database in {@code directory} when a directory stands
     * there, which may then be set aside like any file of the wrong kind; null when there is none (or no database).
     * No lock can be taken through a directory, so every open, verify and repair stops at it.
     *
     * <p>Why moving it aside is safe: a writer never holds the database through a directory (it cannot open one for
     * writing), and this release takes no lock through one at all ({@link LockRegistry} refuses it); a directory
     * stands there only after the LOCK file was removed, which every writing open would re-create anyway. What could
     * still hold the database is refused here: a handle of this process that opened it before the file was replaced
     * (its lock lives on in the registry), and another process holding a lock on the directory itself (an older
     * release's read-only handle, whose shared lock Linux grants on a directory opened for reading, or any other
     * program): the operating system's lock table names it. A process elsewhere that opened the database before the
     * file was replaced holds its lock on the removed file, which no path leads to: no check can find it, exactly
     * as after a deleted LOCK, so the directory adds no exposure of its own.
     *
     * @throws io.ferrumdb.DatabaseLockedException when a handle of this process or another process may hold it
     */
    public static Path directoryInPlaceOfLock(FileIO io, Path directory) throws IOException {
        Path dir = directory.toAbsolutePath().normalize();
        Path lock = dir.resolve(FileNames.LOCK);
        if (!java.nio.file.Files.isDirectory(lock, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                || (!io.exists(dir.resolve(FileNames.META)) && segmentIds(io, dir).isEmpty())) {
            return null;
        }
        if (LockRegistry.process().isHeld(dir)) {
            throw new io.ferrumdb.DatabaseLockedException(dir, "a handle in this process (pid "
                    + ProcessHandle.current().pid() + "), which opened it before LOCK was replaced by a directory",
                    null);
        }
        java.util.Optional<String> holder = LockHolder.of(lock);
        if (holder.isPresent()) {
            throw new io.ferrumdb.DatabaseLockedException(dir, holder.get() + ", through the directory " + lock,
                    null);
        }
        return lock;
    }

    public FileIO io() {
        return io;
    }

    public Path path() {
        return path;
    }

    public MetaFile meta() {
        return meta;
    }

    /** Why META was rebuilt from the segments' headers (VERIFY and REPAIR access only), or null when it was read. */
    public CorruptionException metaDamage() {
        return metaDamage;
    }

    public Path file(String name) {
        return path.resolve(name);
    }

    public Path segmentPath(long id) {
        return path.resolve(FileNames.segment(id));
    }

    public Path hintPath(long id) {
        return path.resolve(FileNames.hint(id));
    }

    /** The ids of the segment files present, ascending. */
    public List<Integer> segmentIds() throws IOException {
        return segmentIds(io, path);
    }

    /** Deletes files left under temporary names by an interrupted write (only with the exclusive lock). */
    public void deleteTemporaryFiles() throws IOException {
        requireExclusive();
        boolean any = false;
        for (Path p : io.list(path)) {
            if (FileNames.isTemporary(p.getFileName().toString())) {
                io.delete(p);
                any = true;
            }
        }
        if (any) {
            sync();
        }
    }

    /** Makes creations, renames and deletions in the directory durable. */
    public void sync() throws IOException {
        io.syncDirectory(path);
    }

    /** Writes {@code bytes} as file {@code name} atomically: temporary file, fsync, rename, directory fsync. */
    public void writeDurably(String name, byte[] bytes) throws IOException {
        requireExclusive();
        writeDurably(io, path, name, bytes);
    }

    /** Reads a whole small file of the directory, refusing one larger than {@code limit} before allocating. */
    public byte[] readAll(String name, long limit) throws IOException {
        return readAll(io, path.resolve(name), limit);
    }

    /**
     * The segment ids the {@code COMPACTION} journal lists (an interrupted compaction's inputs, superseded by its
     * published outputs), or null when there is no journal.
     *
     * @throws CorruptionException    when the journal is damaged or belongs to another database
     * @throws FormatVersionException when it has a version this database does not read
     */
    public Set<Integer> compactionJournalOrNull() throws IOException {
        Path journal = path.resolve(FileNames.COMPACTION);
        if (!io.exists(journal)) {
            return null;
        }
        return new HashSet<>(CompactionJournal.decode(readAll(FileNames.COMPACTION, 1 << 24), journal,
                meta.databaseId(), meta.version()));
    }

    /** Gives the lock back. The directory must not be used afterwards. */
    @Override
    public void close() throws IOException {
        lease.close();
    }

    private void requireExclusive() {
        if (lease.shared()) {
            throw new IllegalStateException("writing to " + path + " needs the exclusive lock");
        }
    }

    // ------------------------------------------------------------- helpers shared with the segment layer

    /** The ids of the segment files in {@code dir}, ascending. */
    public static List<Integer> segmentIds(FileIO io, Path dir) throws IOException {
        List<Integer> ids = new ArrayList<>();
        for (Path p : io.list(dir)) {
            long id = FileNames.segmentId(p.getFileName().toString());
            if (id > 0 && id <= Integer.MAX_VALUE) {
                ids.add((int) id);
            }
        }
        Collections.sort(ids);
        return ids;
    }

    /**
     * Writes {@code bytes} to {@code dir/name} atomically: temporary file, fsync, rename, directory fsync. A
     * failure removes the temporary file (a full disk must not be left fuller).
     */
    public static void writeDurably(FileIO io, Path dir, String name, byte[] bytes) throws IOException {
        writeDurably(io, dir, name, new WholeBytes(bytes));
    }

    /**
     * {@code bytes} as a file's contents. A class, not a lambda: the first write of a session rewrites the MANIFEST
     * (ARCHITECTURE.md, "Start-up cost").
     */
    private static final class WholeBytes implements Contents {
        private final byte[] bytes;

        WholeBytes(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public void writeTo(StorageFile file) throws IOException {
            file.write(0, ByteBuffer.wrap(bytes));
        }
    }

    /** What {@link #writeDurably(FileIO, Path, String, Contents)} writes into the new file. */
    public interface Contents {
        void writeTo(StorageFile file) throws IOException;
    }

    /** {@link #writeDurably(FileIO, Path, String, byte[])} of contents written piece by piece. */
    public static void writeDurably(FileIO io, Path dir, String name, Contents contents) throws IOException {
        replace(io, dir, name, contents, true);
        io.syncDirectory(dir);
    }

    /**
     * Replaces {@code dir/name} by {@code contents} as {@link #writeDurably(FileIO, Path, String, Contents)} does,
     * but fsyncs neither the file nor the directory. Only for a cache that a reader checks whole and can do without
     * (the key directory image: FORMAT.md, "KEYDIR"): after a power loss the name may hold the previous file, none,
     * or the new one cut, zero-filled or torn, and a reader must refuse every one of those that does not describe
     * the database as it is. A reader in the same boot sees the new file whole (the page cache). The rename still
     * matters: an open may have the previous file mapped, which must not change under it.
     */
    public static void replaceUnsynced(FileIO io, Path dir, String name, Contents contents) throws IOException {
        replace(io, dir, name, contents, false);
    }

    /** Writes {@code contents} to a temporary file, fsynced when {@code force}, and renames it over {@code name}. */
    private static void replace(FileIO io, Path dir, String name, Contents contents, boolean force)
            throws IOException {
        Path tmp = dir.resolve(FileNames.temporary(name));
        io.delete(tmp);
        try {
            try (StorageFile f = io.create(tmp)) {
                contents.writeTo(f);
                if (force) {
                    f.force();
                }
            }
            io.rename(tmp, dir.resolve(name));
        } catch (IOException | RuntimeException e) {
            deleteAfterFailure(io, tmp, e);
            throw e;
        }
    }

    /** Largest single read of {@link #readAll} (see there). */
    private static final int READ_PIECE = 256 << 10;

    /** Reads a whole small file, refusing one larger than {@code limit} before allocating for it. */
    public static byte[] readAll(FileIO io, Path path, long limit) throws IOException {
        return readAll(io, path, limit, byte[]::new).buffer();
    }

    /**
     * A whole file read into the first {@code length} bytes of {@code buffer}, which may be longer (an array kept
     * from run to run); the bytes after them are as they were.
     */
    public record FileBytes(byte[] buffer, int length) {
    }

    /**
     * As {@link #readAll(FileIO, Path, long)}, into the array {@code buffer} returns for the file's size {@code n}
     * (at least {@code n} bytes long; compaction passes arrays it keeps from run to run).
     */
    public static FileBytes readAll(FileIO io, Path path, long limit, IntFunction<byte[]> buffer)
            throws IOException {
        try {
            return readWhole(io, path, limit, buffer);
        } catch (CorruptionException e) {
            // A directory larger than the limit fails the size check before any read.
            throw java.nio.file.Files.isDirectory(path) ? directoryInPlace(path, e) : e;
        } catch (IOException e) {
            // A directory under a file's name opens, then fails its read with a bare "Is a directory": a file of the
            // wrong kind, named; other read failures are named too (the JDK's message names no file).
            if (java.nio.file.Files.isDirectory(path)) {
                throw directoryInPlace(path, e);
            }
            throw e.getMessage() != null && e.getMessage().contains(path.toString()) ? e
                    : new IOException("could not read " + path + ": " + e.getMessage(), e);
        }
    }

    private static CorruptionException directoryInPlace(Path path, Exception cause) {
        return new CorruptionException(path, 0, "is a directory, not a file", cause);
    }

    private static FileBytes readWhole(FileIO io, Path path, long limit, IntFunction<byte[]> buffer)
            throws IOException {
        try (StorageFile f = io.open(path, false)) {
            long size = f.size();
            if (size > limit) {
                throw new CorruptionException(path, 0, "file of " + size + " bytes exceeds the plausible " + limit);
            }
            if (size > Integer.MAX_VALUE - 8) {
                throw new CorruptionException(path, 0, "file of " + size + " bytes is too large to read whole");
            }
            byte[] b = buffer.apply((int) size);
            if (b.length < size) {
                throw new IllegalStateException("a buffer of " + b.length + " bytes for " + path + " of " + size);
            }
            // In pieces: the JDK reads a heap buffer through a temporary direct buffer of the same size, which it
            // then caches per thread, so one read of a 20 MB hint would leave 20 MB of native memory behind.
            for (int at = 0; at < size; ) {
                int want = (int) Math.min(READ_PIECE, size - at);
                int n = f.read(at, ByteBuffer.wrap(b, at, want));
                if (n != want) {
                    throw new IOException("short read of " + path + ": " + (at + n) + " of " + size + " bytes");
                }
                at += n;
            }
            return new FileBytes(b, (int) size);
        }
    }

    /** Deletes a file a failed operation left behind, recording a failure to do so on {@code cause}. */
    public static void deleteAfterFailure(FileIO io, Path file, Throwable cause) {
        try {
            io.delete(file);
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private static MetaFile readMeta(FileIO io, Path metaPath) throws IOException {
        return MetaFile.decode(readAll(io, metaPath, MetaFile.SIZE), metaPath);
    }

    /** A damaged or missing META, with what to do about it. */
    private static CorruptionException withMetaAdvice(CorruptionException e) {
        return new CorruptionException(e.file(), e.offset(), e.problem() + "; 'ferrumdb repair' rebuilds META from the"
                + " segments' headers", e);
    }

    /**
     * The META a database whose META is damaged or missing had, for repair: its id and encryption from the headers
     * of its segment files (which all name them), its format version from whether a MANIFEST is there, and the time
     * of the rebuild as its creation time (which nothing reads). Refuses, extending {@code damage}, when no segment
     * header can be read or the headers name more than one database or disagree on encryption.
     */
    private static MetaFile metaFromSegments(FileIO io, Path dir, CorruptionException damage) throws IOException {
        SegmentHeader first = null;
        String firstName = null;
        for (String name : sortedNames(io, dir, n -> FileNames.segmentId(n) >= 0)) {
            SegmentHeader header;
            try (StorageFile f = io.open(dir.resolve(name), false)) {
                byte[] b = new byte[(int) Math.min(f.size(), SegmentHeader.SIZE)];
                f.read(0, ByteBuffer.wrap(b));
                header = SegmentHeader.decode(b, dir.resolve(name));
            } catch (CorruptionException | FormatVersionException unreadable) {
                continue; // repair reports the segment itself
            }
            if (first == null) {
                first = header;
                firstName = name;
            } else if (!Arrays.equals(first.databaseId(), header.databaseId())
                    || first.encrypted() != header.encrypted()) {
                throw new CorruptionException(damage.file(), damage.offset(), damage.problem() + "; META cannot be"
                        + " rebuilt: the headers of " + firstName + " and " + name + " name different databases"
                        + " (move the foreign segment away first)", damage);
            }
        }
        if (first == null) {
            throw new CorruptionException(damage.file(), damage.offset(), damage.problem() + "; META cannot be"
                    + " rebuilt: no segment header is readable", damage);
        }
        int version = io.exists(dir.resolve(FileNames.MANIFEST)) ? MetaFile.MANIFEST_VERSION : 1;
        return new MetaFile(version, first.databaseId(), first.encrypted(), System.currentTimeMillis());
    }

    /** Creates META. REQUIRES: the caller holds the exclusive lock and checked the directory's contents. */
    private static MetaFile createMeta(FileIO io, Path dir, boolean encrypted) throws IOException {
        assert LockRegistry.process().isHeldExclusively(dir) : "creating META of " + dir + " without its lock";
        byte[] id = new byte[16];
        new SecureRandom().nextBytes(id);
        MetaFile meta = new MetaFile(id, encrypted, System.currentTimeMillis());
        // The (empty) MANIFEST first: a META of format 2 promises one.
        writeDurably(io, dir, FileNames.MANIFEST, ManifestFile.encode(id, List.of()));
        writeDurably(io, dir, FileNames.META, meta.encode());
        return meta;
    }

    /**
     * A directory whose segments outlived its META held a database: saying "no database" there would invite
     * creating a new one over the old data, and creating one would give the old records a foreign identity. The
     * problem, or null when no segment file is there.
     */
    private static CorruptionException segmentsWithoutMeta(FileIO io, Path dir) throws IOException {
        List<String> segments = sortedNames(io, dir, name -> FileNames.segmentId(name) >= 0);
        return segments.isEmpty() ? null : new CorruptionException(dir.resolve(FileNames.META), 0, "META is missing,"
                + " but the directory holds the database files " + FileNames.listing(segments));
    }

    /**
     * A directory without META may become a database only if it holds nothing but what an interrupted creation
     * leaves (LOCK, the MANIFEST written just before META, temporary files); anything else is someone else's data.
     */
    private static void refuseForeignContents(FileIO io, Path dir) throws IOException {
        List<String> foreign = sortedNames(io, dir, name -> !name.equals(FileNames.LOCK)
                && !name.equals(FileNames.MANIFEST) && !FileNames.isTemporary(name));
        if (!foreign.isEmpty()) {
            throw new NotADatabaseException(dir, foreign);
        }
    }

    /** The names in {@code dir} that {@code wanted} accepts, sorted; none when {@code dir} does not exist. */
    private static List<String> sortedNames(FileIO io, Path dir, Predicate<String> wanted) throws IOException {
        List<String> names = new ArrayList<>();
        if (io.exists(dir)) {
            for (Path p : io.list(dir)) {
                String name = p.getFileName().toString();
                if (wanted.test(name)) {
                    names.add(name);
                }
            }
        }
        Collections.sort(names);
        return names;
    }

    /**
     * A directory written by a backup opens only when the backup completed and every segment it lists is there
     * with its length. A writable open then removes the marker: the copy becomes a database of its own, whose
     * segments change.
     */
    /** What to do about a backup whose files are not as it wrote them (repair, like open, stops at its marker). */
    private static final String BACKUP_DAMAGE_ADVICE = "; take the backup again, or to keep what is left delete its"
            + " BACKUP file and run 'ferrumdb repair'";

    private static void checkBackupMarker(FileIO io, Path dir, MetaFile meta, boolean write) throws IOException {
        Path path = dir.resolve(FileNames.BACKUP);
        if (!io.exists(path)) {
            return;
        }
        BackupMarker marker = BackupWriter.readMarker(io, path);
        if (!marker.complete()) {
            throw new CorruptionException(path, 10, "incomplete backup: the backup that wrote " + dir
                    + " failed or was interrupted; delete it, or back up into it again");
        }
        if (!Arrays.equals(marker.databaseId(), meta.databaseId())) {
            throw new CorruptionException(path, 16, "backup marker belongs to another database");
        }
        for (BackupMarker.Segment s : marker.segments()) {
            Path segment = dir.resolve(FileNames.segment(s.id()));
            long size = io.exists(segment) ? sizeOf(io, segment) : -1;
            if (size < 0) {
                throw new CorruptionException(segment, 0, "backup is not complete: segment " + s.id() + " should"
                        + " have " + s.length() + " bytes but is missing" + BACKUP_DAMAGE_ADVICE);
            }
            if (size != s.length()) {
                // The offset is where the copy and the backup's record of it part: the cut, or the first byte added.
                throw new CorruptionException(segment, Math.min(size, s.length()), "segment " + s.id() + " of this"
                        + " backup " + (size < s.length() ? "was cut short: it ends here, the backup wrote "
                        : "has bytes added after the backup wrote ") + s.length() + " bytes" + BACKUP_DAMAGE_ADVICE);
            }
        }
        if (write) {
            io.delete(path);
            io.syncDirectory(dir);
        }
    }

    private static long sizeOf(FileIO io, Path file) throws IOException {
        try (StorageFile f = io.open(file, false)) {
            return f.size();
        }
    }

    private static void removeCreatedDirectory(FileIO io, Path dir, Throwable cause) {
        try {
            for (Path p : io.list(dir)) {
                io.delete(p);
            }
            io.delete(dir);
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}
