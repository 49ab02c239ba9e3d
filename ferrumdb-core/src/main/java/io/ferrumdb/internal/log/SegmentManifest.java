package io.ferrumdb.internal.log;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.internal.directory.DatabaseDirectory;
import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.format.ManifestFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The one owner of the database's MANIFEST: the set of segments that make up the database, rewritten durably on
 * every change. Invariants that keep a crash from ever listing a file that does not exist:
 * <ul>
 *   <li>a segment is listed only after its file (header included) is durable under its final name;</li>
 *   <li>a segment is unlisted before its file is deleted.</li>
 * </ul>
 * So a file that exists but is not listed is either a segment created (or a compaction output renamed) just
 * before a crash, which holds nothing acknowledged, or a stranger; a listed file that is gone was lost.
 * Thread-safe: the flusher adds segments as it rolls while the compactor adds and removes its own.
 */
public final class SegmentManifest {
    private final SegmentFiles files;
    private final TreeSet<Integer> ids;

    /** The manifest of {@code files}' directory as it is now listing {@code ids}; nothing is written yet. */
    public SegmentManifest(SegmentFiles files, Collection<Integer> ids) {
        this.files = files;
        this.ids = new TreeSet<>(ids);
    }

    public static Path path(Path dir) {
        return dir.resolve(FileNames.MANIFEST);
    }

    /** The segments a format-2 database's MANIFEST lists; its absence is corruption. */
    public static SortedSet<Integer> read(SegmentFiles files) throws IOException {
        Path path = path(files.dir());
        if (!files.io().exists(path)) {
            throw new CorruptionException(path, 0, "MANIFEST is missing, so the database cannot tell whether a "
                    + "segment file is gone; run 'ferrumdb repair' to rebuild it from the segment files present");
        }
        return ManifestFile.decode(files.readAll(path, 1 << 26), path, files.databaseId());
    }

    /** Writes a MANIFEST listing {@code ids} into {@code files}' directory, durably. */
    public static void write(SegmentFiles files, SortedSet<Integer> ids) throws IOException {
        DatabaseDirectory.writeDurably(files.io(), files.dir(), FileNames.MANIFEST,
                ManifestFile.encode(files.databaseId(), ids));
    }

    /** Lists {@code id}, whose file must already be durable. */
    public synchronized void add(int id) throws IOException {
        TreeSet<Integer> next = new TreeSet<>(ids);
        if (next.add(id)) {
            commit(next);
        }
    }

    /** Lists {@code added}, whose files must already be durable. */
    public synchronized void addAll(Collection<Integer> added) throws IOException {
        TreeSet<Integer> next = new TreeSet<>(ids);
        if (next.addAll(added)) {
            commit(next);
        }
    }

    /**
     * After {@link #addAll} of {@code ids} failed: makes sure the MANIFEST on disk lists none of them, so that their
     * files may be deleted. A write that failed before its rename left the previous MANIFEST, which is only read
     * (no space needed: a full disk's case); one that failed after it (the directory's fsync) left the new one in
     * place, which is rewritten from the list in memory. Throws when the MANIFEST cannot be read or rewritten: the
     * files must then stay (the next open deletes them as unpublished).
     */
    public synchronized void unlistAfterFailedAdd(Collection<Integer> ids) throws IOException {
        SortedSet<Integer> onDisk = read(files);
        for (int id : ids) {
            if (onDisk.contains(id)) {
                commit(new TreeSet<>(this.ids));
                return;
            }
        }
    }

    /** Unlists {@code removed}; call before deleting their files. */
    public synchronized void removeAll(Collection<Integer> removed) throws IOException {
        TreeSet<Integer> next = new TreeSet<>(ids);
        if (next.removeAll(removed)) {
            commit(next);
        }
    }

    /** Lists exactly {@code current} (at the end of open, and when a format-1 database gains its MANIFEST). */
    public synchronized void replace(Collection<Integer> current) throws IOException {
        commit(new TreeSet<>(current));
    }

    /**
     * Writes {@code next}, then makes it the list in memory. A failed write leaves the list as it was: every later
     * MANIFEST is written from this list, so a change that failed must not reach it (a compaction's outputs whose
     * publish failed would be listed by the writer's next roll, and after the next compaction dropped the
     * tombstones they hid, deleted keys came back at reopen).
     */
    private void commit(TreeSet<Integer> next) throws IOException {
        write(files, next);
        ids.clear();
        ids.addAll(next);
    }

    public synchronized SortedSet<Integer> ids() {
        return new TreeSet<>(ids);
    }
}
