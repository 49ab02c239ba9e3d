package io.ferrumdb.internal.directory;

import io.ferrumdb.internal.concurrent.ProgressMeter;
import io.ferrumdb.internal.format.BackupMarker;
import io.ferrumdb.internal.format.ManifestFile;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.NamingFileIO;
import io.ferrumdb.internal.io.StorageFile;
import io.ferrumdb.internal.log.Segment;
import io.ferrumdb.internal.log.SegmentManifest;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a backup: a directory that opens as a copy of the database, complete only when its {@code BACKUP}
 * marker says so ({@link BackupMarker}). The steps: the marker in state IN_PROGRESS, then LOCK, META, KEY and the
 * sealed segments with their hints (hard links where possible), a MANIFEST listing exactly those segments, then
 * the marker in state COMPLETE listing the
 * segments. A failure removes what was written; if even that fails, the IN_PROGRESS marker stays, so that the copy
 * cannot be opened by mistake and a retry into the same target clears it.
 */
public final class BackupWriter {
    private BackupWriter() {
    }

    /**
     * Copies the sealed segments {@code sealed} (immutable while the caller holds its maintenance lock) and the
     * database's META and KEY from {@code source} into {@code target}, a new or empty directory or the leftovers
     * of a failed backup. {@code listener} hears the segments' bytes linked or copied, out of all of theirs
     * ({@link ProgressMeter}); the total once the COMPLETE marker is durable.
     */
    public static void write(DatabaseDirectory source, List<Segment> sealed, Path target, long nowMillis,
                             ProgressMeter.Listener listener) throws IOException {
        FileIO io = source.io();
        prepareTarget(io, target);
        long planned = 0;
        for (Segment s : sealed) {
            planned += s.writtenLength();
        }
        ProgressMeter progress = new ProgressMeter(planned, listener);
        byte[] databaseId = source.meta().databaseId();
        List<Path> written = new ArrayList<>();
        // The file being written, for the error: a FileChannel's "No space left on device" names none.
        Path step = target.resolve(FileNames.BACKUP);
        try {
            DatabaseDirectory.writeDurably(io, target, FileNames.BACKUP,
                    new BackupMarker(false, databaseId, nowMillis, List.of()).encode());
            // An empty LOCK file makes the copy openable read-only too (a read-only open creates nothing).
            step = target.resolve(FileNames.LOCK);
            written.add(step);
            io.create(step).close();
            for (String name : List.of(FileNames.META, FileNames.KEY)) {
                if (io.exists(source.file(name))) {
                    step = target.resolve(name);
                    copy(io, source.file(name), step, written);
                }
            }
            List<BackupMarker.Segment> listed = new ArrayList<>();
            for (Segment s : sealed) {
                step = target.resolve(FileNames.segment(s.id()));
                copySegment(io, s, step, written);
                Path hint = source.hintPath(s.id());
                if (io.exists(hint)) {
                    step = target.resolve(FileNames.hint(s.id()));
                    copy(io, hint, step, written);
                }
                listed.add(new BackupMarker.Segment(s.id(), s.writtenLength()));
                progress.add(s.writtenLength());
            }
            // The copy is a database of its own segments: its MANIFEST lists exactly those, each sealed as it is.
            List<ManifestFile.Listed> copied = new ArrayList<>();
            for (Segment s : sealed) {
                copied.add(SegmentManifest.sealed(s));
            }
            step = target.resolve(FileNames.MANIFEST);
            written.add(step);
            DatabaseDirectory.writeDurably(io, target, FileNames.MANIFEST, ManifestFile.encode(databaseId, copied));
            step = target;
            io.syncDirectory(target);
            step = target.resolve(FileNames.BACKUP);
            DatabaseDirectory.writeDurably(io, target, FileNames.BACKUP,
                    new BackupMarker(true, databaseId, nowMillis, listed).encode());
            progress.complete();
        } catch (IOException e) {
            removeAfterFailure(io, target, written, e);
            throw NamingFileIO.naming(step, null, e);
        } catch (RuntimeException e) {
            removeAfterFailure(io, target, written, e);
            throw e;
        }
    }

    private static void removeAfterFailure(FileIO io, Path target, List<Path> written, Exception e) {
        for (Path p : written) {
            DatabaseDirectory.deleteAfterFailure(io, p, e);
        }
        // The marker goes last: as long as any copied file may remain, it says the backup is incomplete.
        DatabaseDirectory.deleteAfterFailure(io, target.resolve(FileNames.BACKUP), e);
    }

    private static void copy(FileIO io, Path from, Path to, List<Path> written) throws IOException {
        written.add(to);
        io.linkOrCopy(from, to);
    }

    /**
     * Copies segment {@code s}'s records: by {@link #copy} when its file holds exactly them, else its first
     * {@link Segment#writtenLength()} bytes. A read-only open (the command line's {@code backup}) leaves the segment
     * a crash interrupted as it found it, with a zero tail or torn bytes after its last record (FORMAT.md, "Zero
     * tail"); a link would carry them into the copy, whose marker lists the records' length, and the copy would
     * never open.
     */
    private static void copySegment(FileIO io, Segment s, Path to, List<Path> written) throws IOException {
        long length = s.writtenLength();
        try (StorageFile from = io.open(s.path(), false)) {
            if (from.size() != length) {
                written.add(to);
                copyPrefix(from, io.create(to), length);
                return;
            }
        }
        copy(io, s.path(), to, written);
    }

    /** Copies the first {@code length} bytes of {@code from} into {@code to}, fsyncs and closes it. */
    private static void copyPrefix(StorageFile from, StorageFile to, long length) throws IOException {
        try (to) {
            ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(length, 1 << 20));
            for (long at = 0; at < length; ) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), length - at));
                if (from.read(at, chunk) < chunk.limit()) {
                    throw new EOFException(from.path() + " ends before the " + length + " bytes of its records");
                }
                to.write(at, chunk.flip());
                at += chunk.limit();
            }
            to.force();
        }
    }

    /** Creates the target, or clears the leftovers of a failed backup; refuses any other non-empty directory. */
    private static void prepareTarget(FileIO io, Path target) throws IOException {
        if (!io.exists(target)) {
            io.createDirectories(target);
            return;
        }
        List<Path> present;
        try {
            present = io.list(target);
        } catch (NotDirectoryException file) {
            // A mistaken argument, as a non-empty directory is: not a failure of the database.
            throw new IllegalArgumentException("backup target " + target + " is a file, not a directory: name a new or"
                    + " empty directory", file);
        }
        if (present.isEmpty()) {
            return;
        }
        Path marker = target.resolve(FileNames.BACKUP);
        // A backup killed while it wrote its first marker leaves only the marker's temporary file.
        boolean markerBeingWritten = present.equals(List.of(target.resolve(FileNames.temporary(FileNames.BACKUP))));
        if (!markerBeingWritten && (!io.exists(marker) || readMarker(io, marker).complete())) {
            throw new IllegalArgumentException("backup target " + target + " is not empty");
        }
        for (Path p : present) {
            if (!p.equals(marker)) {
                io.delete(p);
            }
        }
        io.delete(marker); // a no-op when absent
        io.syncDirectory(target);
    }

    static BackupMarker readMarker(FileIO io, Path marker) throws IOException {
        return BackupMarker.decode(DatabaseDirectory.readAll(io, marker, 1 << 24), marker);
    }
}
