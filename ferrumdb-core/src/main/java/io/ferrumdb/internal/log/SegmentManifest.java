package io.ferrumdb.internal.log;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.internal.directory.DatabaseDirectory;
import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.format.ManifestFile;
import io.ferrumdb.internal.format.ManifestFile.Listed;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.NavigableMap;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The one owner of the database's MANIFEST: the set of segments that make up the database, and the length and
 * header of each sealed one, rewritten durably on every change. Invariants that keep a crash from ever listing a
 * file that does not exist:
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
    /** The list in memory, as the MANIFEST on disk holds it (see {@link #commit}). */
    private final TreeMap<Integer, Listed> listed = new TreeMap<>();

    /** The manifest of {@code files}' directory as it is now listing {@code segments}; nothing is written yet. */
    public SegmentManifest(SegmentFiles files, Collection<Listed> segments) {
        this.files = files;
        listed.putAll(byId(segments));
    }

    public static Path path(Path dir) {
        return dir.resolve(FileNames.MANIFEST);
    }

    /** The segments a format-2 database's MANIFEST lists, by number; its absence is corruption. */
    public static NavigableMap<Integer, Listed> read(SegmentFiles files) throws IOException {
        Path path = path(files.dir());
        if (!files.io().exists(path)) {
            throw new CorruptionException(path, 0, "MANIFEST is missing, so the database cannot tell whether a "
                    + "segment file is gone; run 'ferrumdb repair' to rebuild it from the segment files present");
        }
        return ManifestFile.decode(files.readAll(path, 1 << 26), path, files.databaseId());
    }

    /** Writes a MANIFEST listing {@code segments} into {@code files}' directory, durably. */
    public static void write(SegmentFiles files, Collection<Listed> segments) throws IOException {
        DatabaseDirectory.writeDurably(files.io(), files.dir(), FileNames.MANIFEST,
                ManifestFile.encode(files.databaseId(), segments));
    }

    /**
     * What a MANIFEST records of {@code segment} once it is sealed: complete, fsynced, and never to change (the
     * writer never appends to a segment it rolled, or to one of an earlier open; compaction and repair write new
     * segments).
     */
    public static Listed sealed(Segment segment) {
        return new Listed(segment.id(), segment.writtenLength(), segment.header().checksum());
    }

    /** Lists {@code id}, whose file must already be durable, as not sealed yet (the writer's new segment). */
    public synchronized void add(int id) throws IOException {
        if (!listed.containsKey(id)) {
            TreeMap<Integer, Listed> next = new TreeMap<>(listed);
            next.put(id, Listed.unsealed(id));
            commit(next);
        }
    }

    /** Lists {@code added}, sealed segments whose files must already be durable (compaction outputs). */
    public synchronized void addAll(Collection<Listed> added) throws IOException {
        TreeMap<Integer, Listed> next = new TreeMap<>(listed);
        for (Listed s : added) {
            next.put(s.id(), s);
        }
        if (!next.equals(listed)) {
            commit(next);
        }
    }

    /**
     * Records that {@code segment}, listed, is sealed: its length and header are final, and its hint is written.
     * From then on an open, verify and repair refuse a file of another length or header under its name (a cut
     * between two records included, which no scan can tell from a shorter complete segment once the hint is gone).
     */
    public synchronized void seal(Segment segment) throws IOException {
        Listed now = sealed(segment);
        if (!listed.containsKey(segment.id())) {
            throw new IllegalStateException("segment " + segment.id() + " was sealed but is not listed");
        }
        if (!now.equals(listed.get(segment.id()))) {
            TreeMap<Integer, Listed> next = new TreeMap<>(listed);
            next.put(segment.id(), now);
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
        SortedMap<Integer, Listed> onDisk = read(files);
        for (int id : ids) {
            if (onDisk.containsKey(id)) {
                commit(new TreeMap<>(listed));
                return;
            }
        }
    }

    /** Unlists {@code removed}; call before deleting their files. */
    public synchronized void removeAll(Collection<Integer> removed) throws IOException {
        TreeMap<Integer, Listed> next = new TreeMap<>(listed);
        next.keySet().removeAll(removed);
        if (next.size() != listed.size()) {
            commit(next);
        }
    }

    /** Lists exactly {@code current} (at the end of open, and when a format-1 database gains its MANIFEST). */
    public synchronized void replace(Collection<Listed> current) throws IOException {
        commit(byId(current));
    }

    /** Whether the MANIFEST lists exactly {@code current}, as {@link #replace} would write it. */
    public synchronized boolean lists(Collection<Listed> current) {
        return listed.equals(byId(current));
    }

    private static TreeMap<Integer, Listed> byId(Collection<Listed> segments) {
        TreeMap<Integer, Listed> m = new TreeMap<>();
        for (Listed s : segments) {
            m.put(s.id(), s);
        }
        return m;
    }

    /**
     * Writes {@code next}, then makes it the list in memory. A failed write leaves the list as it was: every later
     * MANIFEST is written from this list, so a change that failed must not reach it (a compaction's outputs whose
     * publish failed would be listed by the writer's next roll, and after the next compaction dropped the
     * tombstones they hid, deleted keys came back at reopen).
     */
    private void commit(TreeMap<Integer, Listed> next) throws IOException {
        write(files, next.values());
        listed.clear();
        listed.putAll(next);
    }

    public synchronized SortedSet<Integer> ids() {
        return new TreeSet<>(listed.keySet());
    }
}
