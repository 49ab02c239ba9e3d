package io.ferrumdb;

import io.ferrumdb.internal.directory.DatabaseDirectory;
import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.StorageFile;
import io.ferrumdb.internal.keydir.KeyDir;
import io.ferrumdb.internal.keydir.KeyDirImage;
import io.ferrumdb.internal.log.Segment;
import io.ferrumdb.internal.log.SegmentCut;
import io.ferrumdb.internal.log.SegmentFiles;
import io.ferrumdb.internal.log.SegmentSet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The key directory's image at the database level (FORMAT.md, "KEYDIR"; ARCHITECTURE.md, "Open and recovery"):
 * written by a clean close, used by the next open in place of the hint files when it describes every segment as it
 * is. Every change after an open goes to segments the image does not name (the log writer starts a new segment for
 * its first append, compaction writes new segments and deletes old ones), so once the database changed, no image
 * on disk describes it, and the next open refuses it; a close rewrites it then. An open that uses the image keeps
 * it, and a close that finds the segments as that image names them keeps it as it is (a session that only read
 * writes nothing at close), unless the ordered index was sorted meanwhile. An open that cannot use it deletes it.
 * Encrypted databases have none: the image of an arena holds the keys, and hint files encrypt theirs (SECURITY.md,
 * "Hint encryption"); their opens load the hints. An image that cannot be used (damaged, of another version, of
 * another state of the database) is reported on the {@code io.ferrumdb.DirectoryImage} logger and ignored: the
 * hints say the same.
 *
 * <p>An open may map the image's areas copy-on-write ({@link KeyDirImage}): so this class never truncates or
 * rewrites the file in place, it writes a new one and renames it over ({@link DatabaseDirectory#replaceUnsynced}), or
 * deletes it; either leaves a mapped file intact where images are mapped (not on Windows).
 */
final class DirectoryImage {
    private static final System.Logger LOG = System.getLogger(DirectoryImage.class.getName());

    private DirectoryImage() {
    }

    /**
     * Writes the image of {@code keyDir} at the end of a clean close: the writer has stopped, every segment is sealed
     * with its hint and fsynced. Temporary file and rename, neither fsynced (see below). Not written (and nothing else
     * happens) for an encrypted database, one without segments, one whose segments are not all sealed with a hint, or
     * one whose arena holds many removed keys ({@link KeyDirImage#worthWriting}); kept as it is when the open used an
     * image ({@link Recovery.Opened#image}) that still names every segment at its length. A failure to write it loses
     * nothing (the hints describe every segment): it is logged, the temporary file removed, and the close goes on.
     */
    static void writeAtClose(FileIO io, Path dir, Recovery.Opened database) {
        SegmentSet segments = database.segments();
        KeyDir keyDir = database.keyDir();
        List<KeyDirImage.SegmentState> opened = database.image();
        SegmentFiles files = segments.files();
        try {
            if (database.directory().meta().encrypted() || segments.ids().isEmpty() || !KeyDirImage.worthWriting(keyDir)) {
                return;
            }
            List<KeyDirImage.SegmentState> states = new ArrayList<>();
            for (int id : segments.ids()) {
                Segment s = segments.get(id);
                if (!s.isSealed() || !io.exists(files.hintPath(id))) {
                    return;
                }
                states.add(new KeyDirImage.SegmentState(id, files.size(files.dataPath(id)), s.minSequence(),
                        s.maxSequence(), s.liveBytes()));
            }
            if (opened != null && sameFiles(opened, states) && !keyDir.sortedSinceRestore()
                    && io.exists(dir.resolve(FileNames.KEYDIR))) {
                return;
            }
            byte[] databaseId = files.databaseId();
            // Not fsynced (the file nor the directory): 50 ms of a 1M-key close's 200-300 ms went to the image's
            // fsync. What a power loss can leave of it is refused by the next open (another segment set, a
            // checksum that fails) and the hints are loaded instead; nothing acknowledged depends on it.
            DatabaseDirectory.replaceUnsynced(io, dir, FileNames.KEYDIR,
                    f -> KeyDirImage.write(keyDir, f, databaseId, states));
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "key directory image of " + dir + " not written (the next open loads"
                    + " the hint files): " + e, e);
        }
    }

    /** True when {@code a} and {@code b} name the same segments at the same lengths. */
    private static boolean sameFiles(List<KeyDirImage.SegmentState> a, List<KeyDirImage.SegmentState> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i).id() != b.get(i).id() || a.get(i).length() != b.get(i).length()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The image of the database being opened, checked against it, with the key directory read from it; null when
     * there is none or it cannot be used (logged; a writable open then deletes it). A used image stays: it goes
     * on describing the database until the first change, which adds a segment it does not name. An image that
     * shows a segment was cut short ({@link #cutShort}) is kept, and the open fails with that damage.
     *
     * @param ids the segments the open found to make up the database, in increasing order
     */
    static Loaded readAtOpen(FileIO io, Path dir, SegmentFiles files, Options options, boolean encrypted,
                             List<Integer> ids) throws IOException {
        Path path = dir.resolve(FileNames.KEYDIR);
        if (!io.exists(path)) {
            return null;
        }
        boolean used = false;
        CorruptionException cut = null;
        try {
            if (encrypted || options.salvage()) {
                log(path, encrypted ? "the database is encrypted" : "a salvaging open reads every segment", false);
                return null;
            }
            // Mapped copy-on-write where it can be (KeyDirImage.MAPS), which needs a descriptor open for writing:
            // a read-only open reads the image into fresh memory instead.
            boolean map = KeyDirImage.MAPS && !options.readOnly();
            try (StorageFile f = io.open(path, map)) {
                KeyDirImage.Header header = KeyDirImage.Header.read(f, path);
                List<SegmentCut> cuts = cutShort(header, io, files);
                if (!cuts.isEmpty()) {
                    cut = cuts.get(0).exception();
                    throw cut;
                }
                String mismatch = mismatch(header, io, files, options, ids);
                if (mismatch != null) {
                    log(path, mismatch, false);
                    return null;
                }
                Loaded loaded = new Loaded(load(header, f, map, path), header.segments(), header.maxSequence());
                used = true;
                return loaded;
            } catch (KeyDirImage.Invalid e) {
                log(path, e.getMessage(), e.damaged());
                return null;
            } catch (IOException | RuntimeException e) {
                if (e == cut) {
                    throw cut;
                }
                // Reading a cache failed: the hints are read next, and report a real problem of the disk.
                LOG.log(System.Logger.Level.WARNING, "key directory image " + path + " not read: " + e, e);
                return null;
            }
        } finally {
            if (!used && cut == null && !options.readOnly()) {
                io.delete(path);
            }
        }
    }

    /**
     * Each segment an image with an intact header describes as longer than its file now is, as damage at the
     * offset where the file ends. Sealed segments never shrink (a writer appends only
     * to a segment it never sealed, a zero tail is cut before the seal, repair deletes the image first), and every
     * segment an image describes was sealed by the clean close that wrote it: such a file lost bytes at rest, even
     * when the cut falls between two records and its hint file is gone too (FORMAT.md, "KEYDIR"). Shared by open,
     * verify and repair.
     */
    static List<SegmentCut> cutShort(KeyDirImage.Header header, FileIO io, SegmentFiles files)
            throws IOException {
        List<SegmentCut> cuts = new ArrayList<>();
        if (!Arrays.equals(header.databaseId(), files.databaseId())) {
            return cuts;
        }
        for (KeyDirImage.SegmentState s : header.segments()) {
            Path data = files.dataPath(s.id());
            if (!io.exists(data)) {
                continue; // compacted away since (or missing: the MANIFEST check names it)
            }
            long length = files.size(data);
            if (length < s.length()) {
                cuts.add(new SegmentCut(data, length, SegmentCut.Recorder.IMAGE, s.length()));
            }
        }
        return cuts;
    }

    /**
     * {@code header}'s body as a key directory, mapped when {@code map}; when the mapping fails (a file system that
     * cannot map, say), logged and read into fresh memory instead, so that such a database still opens from its
     * image (a failed mapping would otherwise delete the image at every open and load the hints).
     */
    private static KeyDir load(KeyDirImage.Header header, StorageFile f, boolean map, Path path)
            throws IOException, KeyDirImage.Invalid {
        if (map) {
            try {
                return header.load(f, true);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "key directory image " + path + " not mapped, read instead: "
                        + e, e);
            }
        }
        return header.load(f, false);
    }

    /** What an image gave the open: the key directory and the state of each segment it describes. */
    record Loaded(KeyDir keyDir, List<KeyDirImage.SegmentState> segments, long maxSequence) {
    }

    /** Why {@code header} does not describe this database as it is now, or null when it does. */
    private static String mismatch(KeyDirImage.Header header, FileIO io, SegmentFiles files, Options options,
                                   List<Integer> ids) throws IOException {
        if (!Arrays.equals(header.databaseId(), files.databaseId())) {
            return "written for another database";
        }
        String incompatible = header.incompatibility(options.orderedKeys(), options.keyHashBits());
        if (incompatible != null) {
            return incompatible;
        }
        List<KeyDirImage.SegmentState> described = header.segments();
        if (described.size() != ids.size()) {
            return "describes " + described.size() + " segments, the database has " + ids.size();
        }
        for (int i = 0; i < ids.size(); i++) {
            KeyDirImage.SegmentState s = described.get(i);
            int id = ids.get(i);
            if (s.id() != id) {
                return "describes segment " + s.id() + " where the database has segment " + id;
            }
            if (!io.exists(files.hintPath(id))) {
                return "segment " + id + " has no hint file";
            }
            long length = files.size(files.dataPath(id));
            if (length != s.length()) {
                return "describes segment " + id + " as " + s.length() + " bytes, it is " + length;
            }
        }
        return null;
    }

    /**
     * A damaged image is a WARNING. An image that no longer describes the database is DEBUG: it is what every crash
     * after writes leaves (and a read-only open, which deletes nothing, meets it at each open until a writer), so at
     * INFO the JDK's default console handler printed two lines of log on every {@code ferrumdb get} after a crash.
     */
    private static void log(Path path, String why, boolean damaged) {
        LOG.log(damaged ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                "key directory image " + path + " not used (the hint files are loaded): " + why);
    }
}
