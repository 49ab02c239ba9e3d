package io.ferrumdb;

import io.ferrumdb.DroppedRange.Kind;
import io.ferrumdb.internal.directory.DatabaseDirectory;
import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.format.CipherSuite;
import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.format.ManifestFile.Listed;
import io.ferrumdb.internal.format.MetaFile;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.format.SegmentHeader;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.StorageFile;
import io.ferrumdb.internal.keydir.KeyDirImage;
import io.ferrumdb.internal.log.RecordCheck;
import io.ferrumdb.internal.log.RecordReader;
import io.ferrumdb.internal.log.Segment;
import io.ferrumdb.internal.log.SegmentCut;
import io.ferrumdb.internal.log.SegmentFiles;
import io.ferrumdb.internal.log.SegmentInventory;
import io.ferrumdb.internal.log.SegmentManifest;
import io.ferrumdb.internal.log.SegmentOutput;
import io.ferrumdb.internal.log.SegmentScanner;
import io.ferrumdb.internal.log.TailRule;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Makes a damaged, closed database openable again, keeping every intact record (LevelDB's RepairDB, SQLite's
 * .recover). It reads what verify reads, then:
 * <ol>
 *   <li>refuses (changing nothing) when segments the MANIFEST lists are gone, unless told to accept that;</li>
 *   <li>copies every committed, valid record of each damaged segment (resynchronising after each damaged range)
 *   into new segments, tombstones included, so that no deleted key comes back; records keep their sequence
 *   numbers, so the newest record of a key still wins;</li>
 *   <li>makes the new segments durable under their final names, then writes the MANIFEST that lists them instead
 *   of the damaged ones (the commit point: a crash before it leaves the originals in charge and the outputs as
 *   unpublished files that open deletes), rewrites stale or damaged hints;</li>
 *   <li>moves the damaged originals, files the MANIFEST does not list and a foreign compaction journal to a
 *   {@code damaged-<timestamp>} folder beside the database (or deletes them when told to discard).</li>
 * </ol>
 * The torn tail of the segment that was being written is left for open to truncate: it holds nothing
 * acknowledged.
 */
final class Repairer {

    private final Path dir;
    private final FileIO io;
    private final Options options;
    private final List<DroppedRange> problems = new ArrayList<>();
    private final List<Path> rewritten = new ArrayList<>();
    private final List<Path> written = new ArrayList<>();
    private final List<Path> toSetAside = new ArrayList<>();
    private final List<byte[]> keysAffected = new ArrayList<>();
    private long recordsKept;
    /** Where set-aside files go; null until the first is moved (and always when they are discarded). */
    private Path folder;
    /** Files of {@link #toSetAside} moved (or deleted) already. */
    private final List<Path> movedAlready = new ArrayList<>();
    private long bytesDropped;
    /** The segments of the database and what the MANIFEST recorded of them. */
    private SegmentInventory inventory;
    /**
     * Segments the key directory image showed were cut short (rewritten as damaged), before it was deleted, with
     * that finding; reported with the segment's other witnesses of the cut ({@link CutWitnesses}).
     */
    private Map<Path, SegmentCut> cutShortByImage = Map.of();
    /** Told of each segment checked (and copied, when damaged). */
    private final Consumer<MaintenanceProgress> progress;

    private Repairer(Path dir, Options options, Consumer<MaintenanceProgress> progress) {
        this.dir = dir;
        this.io = options.fileIO();
        this.options = options;
        this.progress = progress;
    }

    static RepairReport repair(Path directory, Options options, Consumer<MaintenanceProgress> progress)
            throws IOException {
        Repairer repairer = new Repairer(directory.toAbsolutePath().normalize(), options, progress);
        repairer.setAsideDirectoryInPlaceOfLock();
        return ClosedDatabase.run(directory, options, true, "repair", repairer::run);
    }

    /**
     * Moves a directory standing where {@code LOCK} should be into the damaged folder (or deletes it, when told to
     * discard and it is empty; one holding files then stops the repair, naming it), before the lock is taken on a
     * new LOCK file; refused while anything may hold the database ({@link DatabaseDirectory#directoryInPlaceOfLock}).
     */
    private void setAsideDirectoryInPlaceOfLock() throws IOException {
        Path lock = DatabaseDirectory.directoryInPlaceOfLock(io, dir);
        if (lock == null) {
            return;
        }
        problems.add(new DroppedRange(lock, 0, 0, Kind.DAMAGED_LOCK, "a directory stands where the LOCK file should"
                + " be, so no lock could be taken; set aside, and a new LOCK file made"));
        toSetAside.add(lock);
        moveAside(List.of(lock));
    }

    private RepairReport run(DatabaseDirectory directory, SegmentFiles files) throws IOException {
        MetaFile meta = directory.meta();
        CipherSuite ciphers = files.ciphers();
        if (directory.metaDamage() != null) {
            CorruptionException e = directory.metaDamage();
            problems.add(new DroppedRange(e.file(), e.offset(), 0, Kind.DAMAGED_META, e.problem()
                    + "; rebuilt from the segments' headers"));
        }
        directory.deleteTemporaryFiles();
        cutShortByImage = segmentsCutShort(directory.file(FileNames.KEYDIR), files);
        // Repair may rewrite segments in place: a key directory image must not survive it (durable with the
        // directory fsyncs of the repair's own changes; an image meeting a changed segment is refused anyway).
        directory.io().delete(directory.file(FileNames.KEYDIR));
        Path journal = directory.file(FileNames.COMPACTION);
        Set<Integer> superseded = readJournal(directory, journal);
        NavigableMap<Integer, Listed> listed = readManifest(files, meta);
        inventory = SegmentInventory.take(files, listed, superseded);
        List<Path> missing = new ArrayList<>();
        for (int id : inventory.missing()) {
            missing.add(files.dataPath(id));
            problems.add(new DroppedRange(files.dataPath(id), 0, 0, Kind.MISSING_SEGMENT,
                    "segment listed in the MANIFEST is missing: keys deleted or overwritten in it may show older"
                            + " values"));
        }
        if (!missing.isEmpty() && !options.repairAllowsMissingSegments()) {
            throw new MissingSegmentException(SegmentManifest.path(dir), missing);
        }
        for (int id : inventory.unlisted()) {
            problems.add(new DroppedRange(files.dataPath(id), 0, files.size(files.dataPath(id)),
                    Kind.UNLISTED_SEGMENT, "segment file is not listed in the MANIFEST: set aside, not merged"));
            setAside(files.dataPath(id), files.hintPath(id));
        }

        int nextId = nextFreeId(files, listed, superseded);
        // What the new MANIFEST lists: the sound segments as the old one did (sealed, or the segment being written,
        // whose torn tail open truncates), the new ones as sealed.
        List<Listed> kept = new ArrayList<>();
        List<SegmentOutput> outputs = new ArrayList<>();
        SegmentOutput out = null;
        TailRule rule = inventory.tailRule(files);
        KeyMismatch key = new KeyMismatch(directory.file(FileNames.KEY), ciphers.encrypted());
        List<Integer> tornWhileCreated = new ArrayList<>();
        SegmentProgress progressed = new SegmentProgress(files, inventory.live(), progress);
        try {
            for (int id : inventory.live()) {
                if (tornWhileCreated(files, rule, id)) {
                    tornWhileCreated.add(id);
                    progressed.checked(id);
                    continue;
                }
                Segment seg = openLeniently(files, ciphers, id);
                if (seg == null) {
                    setAside(files.dataPath(id), files.hintPath(id));
                    progressed.checked(id);
                    continue;
                }
                try {
                    SegmentScanner.Result scan = scanAndCheckHint(files, seg, rule, key);
                    if (scan == null) {
                        kept.add(inventory.listed().getOrDefault(id, Listed.unsealed(id)));
                        continue;
                    }
                    rewritten.add(files.dataPath(id));
                    setAside(files.dataPath(id), files.hintPath(id));
                    for (SegmentScanner.Scanned rec : scan.records()) {
                        RecordCheck.Valid v = RecordReader.open(seg, rec.offset(), seg.read(rec.offset(), rec.size()));
                        if (out == null || out.full(v.keyLength() + v.valueLength())) {
                            out = new SegmentOutput(files, nextId++, options.segmentSize());
                            outputs.add(out);
                        }
                        out.append(v);
                        recordsKept++;
                    }
                } finally {
                    seg.close();
                    progressed.checked(id);
                }
            }
            if (key.opensNone()) {
                // Every segment would be set aside (nothing is moved yet): the data is fine, the KEY file is not its.
                throw key.refusal();
            }
            for (SegmentOutput o : outputs) {
                o.finishUnderTemporaryName();
                o.segment().close();
            }
            for (SegmentOutput o : outputs) {
                io.rename(o.tmpPath(), files.dataPath(o.segment().id()));
                written.add(files.dataPath(o.segment().id()));
                kept.add(SegmentManifest.sealed(o.segment()));
            }
            io.syncDirectory(dir);
        } catch (IOException | RuntimeException e) {
            for (SegmentOutput o : outputs) {
                o.abandon(e);
            }
            throw e;
        }
        if (listed == null && meta.hasManifest() && io.exists(SegmentManifest.path(dir))) {
            // The damaged MANIFEST is kept for inspection like every damaged original (and must make way: a
            // directory under its name would refuse the rename below).
            toSetAside.add(SegmentManifest.path(dir));
            moveAside(List.of(SegmentManifest.path(dir)));
        }
        // The commit point: from here on the MANIFEST names the repaired set.
        SegmentManifest.write(files, kept);
        if (directory.metaDamage() != null) {
            // Its id and encryption came from the segments' headers (checked against KEY when encrypted).
            Path metaPath = directory.file(FileNames.META);
            if (io.exists(metaPath)) {
                toSetAside.add(metaPath);
                moveAside(List.of(metaPath));
            }
        }
        if (!meta.hasManifest() || directory.metaDamage() != null) {
            directory.writeDurably(FileNames.META, meta.upgraded().encode());
        }
        for (List<Integer> nothingAcknowledged : List.of(inventory.unpublished(), tornWhileCreated)) {
            for (int id : nothingAcknowledged) {
                files.delete(id);
            }
        }
        for (int id : superseded) {
            files.delete(id);
        }
        if (!toSetAside.contains(journal)) {
            io.delete(journal);
        }
        List<Path> originals = new ArrayList<>(toSetAside);
        originals.removeAll(movedAlready);
        moveAside(originals);
        io.syncDirectory(dir);
        cutShortByImage.values().forEach(c -> problems.add(c.range())); // of segments not scanned (reported too)
        progressed.complete();
        return new RepairReport(dir, problems, rewritten, written, toSetAside, Optional.ofNullable(folder), missing,
                recordsKept, bytesDropped, keysAffected);
    }

    /**
     * The segments an intact key directory image describes as longer than they are ({@link DirectoryImage#cutShort}),
     * each reported, and a damaged image reported as verify reports it; the image itself is deleted by the caller.
     */
    private Map<Path, SegmentCut> segmentsCutShort(Path image, SegmentFiles files) throws IOException {
        Map<Path, SegmentCut> cut = new java.util.LinkedHashMap<>();
        if (!io.exists(image)) {
            return cut;
        }
        try (StorageFile f = io.open(image, false)) {
            KeyDirImage.Header header = KeyDirImage.Header.read(f, image);
            for (SegmentCut c : DirectoryImage.cutShort(header, io, files)) {
                cut.put(c.segment(), c);
            }
            header.checkBody(f);
        } catch (KeyDirImage.Invalid e) {
            // A damaged image says nothing about the segments; it is deleted either way, and reported as verify
            // reports it (an image of another version or state is no damage).
            if (e.damaged()) {
                problems.add(new DroppedRange(image, 0, 0, Kind.DAMAGED_IMAGE, e.getMessage() + "; deleted"));
            }
        } catch (RuntimeException unusable) {
            // A damaged image says nothing about the segments (verify reports it; it is deleted either way).
        }
        return cut;
    }

    /** The segments a valid journal superseded; a damaged or foreign journal is set aside and supersedes nothing. */
    private Set<Integer> readJournal(DatabaseDirectory directory, Path journal) throws IOException {
        try {
            Set<Integer> superseded = directory.compactionJournalOrNull();
            return superseded == null ? Set.of() : superseded;
        } catch (CorruptionException | FormatVersionException e) {
            problems.add(new DroppedRange(journal, 0, 0, Kind.DAMAGED_JOURNAL, message(e)));
            setAside(journal);
            return Set.of();
        }
    }

    /** The listed segments, or null (every segment file present counts) when there is no usable MANIFEST. */
    private NavigableMap<Integer, Listed> readManifest(SegmentFiles files, MetaFile meta) throws IOException {
        if (!meta.hasManifest()) {
            return null;
        }
        try {
            return SegmentManifest.read(files);
        } catch (CorruptionException | FormatVersionException e) {
            problems.add(new DroppedRange(SegmentManifest.path(dir), 0, 0, Kind.DAMAGED_MANIFEST,
                    message(e) + "; rebuilt from the segment files present"));
            return null;
        }
    }

    private static int nextFreeId(SegmentFiles files, NavigableMap<Integer, Listed> listed,
                                  Set<Integer> superseded) throws IOException {
        int max = 0;
        for (int id : files.listSegmentIds()) {
            max = Math.max(max, id);
        }
        if (listed != null && !listed.isEmpty()) {
            max = Math.max(max, listed.lastKey());
        }
        for (int id : superseded) {
            max = Math.max(max, id);
        }
        return max + 1;
    }

    /**
     * Whether segment {@code id} is one whose header was torn while it was created ({@link TailRule}): it holds
     * nothing, is reported as a torn tail, and is deleted with the unpublished files once the MANIFEST is written.
     */
    private boolean tornWhileCreated(SegmentFiles files, TailRule rule, int id) throws IOException {
        Path path = files.dataPath(id);
        long size = files.size(path);
        if (!rule.mayHaveTornHeader(id, size, io.exists(files.hintPath(id)))) {
            return false;
        }
        try {
            files.open(id, false).close();
            return false;
        } catch (CorruptionException e) {
            problems.add(new DroppedRange(path, 0, size, Kind.TORN_TAIL, TailRule.TORN_HEADER + ": " + e.problem()
                    + "; deleted"));
            return true;
        }
    }

    /**
     * Opens segment {@code id}; one whose header names another segment of this database (files swapped or
     * renamed) is opened under the header's number, which its encryption is bound to, so that its records can
     * still be copied. Null, with the problem recorded, when the header cannot be used at all.
     */
    private Segment openLeniently(SegmentFiles files, CipherSuite ciphers, int id) throws IOException {
        try {
            return files.open(id, false);
        } catch (CorruptionException | FormatVersionException e) {
            Path path = files.dataPath(id);
            long size = files.size(path);
            StorageFile file = io.open(path, false);
            try {
                byte[] b = new byte[(int) Math.min(size, SegmentHeader.SIZE)];
                file.read(0, ByteBuffer.wrap(b));
                SegmentHeader header = SegmentHeader.decode(b, path);
                if (Arrays.equals(header.databaseId(), files.databaseId())
                        && header.encrypted() == ciphers.encrypted() && header.segmentId() <= Integer.MAX_VALUE) {
                    problems.add(new DroppedRange(path, 16, 0, Kind.DAMAGED_SEGMENT, message(e)
                            + "; its records are copied into a new segment"));
                    return new Segment((int) header.segmentId(), path, file, header, ciphers.segmentCipher(header),
                            size);
                }
            } catch (CorruptionException | FormatVersionException unusable) {
                e.addSuppressed(unusable);
            }
            file.close();
            problems.add(new DroppedRange(path, 0, size, Kind.DAMAGED_SEGMENT, message(e)));
            bytesDropped += size;
            return null;
        }
    }

    /**
     * Reads every record of {@code seg} and checks its hint. Returns null when the segment is sound (a damaged or
     * stale hint is rewritten on the spot), else the scan whose records are to be copied.
     */
    private SegmentScanner.Result scanAndCheckHint(SegmentFiles files, Segment seg, TailRule rule, KeyMismatch key)
            throws IOException {
        Path hint = files.hintPath(seg.id());
        boolean hinted = io.exists(hint) && seg.path().equals(files.dataPath(seg.id()));
        SegmentFiles.Checked checked = files.check(seg, hinted, rule);
        boolean cutShort = checked.cut() != null;
        CutWitnesses cut = new CutWitnesses(seg.path(), seg.writtenLength());
        boolean imageSawCut = cut.offer(cutShortByImage.remove(seg.path()));
        DroppedRange changed = inventory.changedSinceSealed(seg);
        if (changed != null) {
            SegmentCut byManifest = inventory.cutSinceSealed(seg);
            if (!cut.offer(byManifest)) {
                problems.add(new DroppedRange(changed.file(), changed.offset(), changed.length(), changed.kind(),
                        changed.reason() + "; its intact records are kept"));
            }
            if (byManifest != null) {
                // Bytes the file no longer holds (a cut); bytes added to it are counted where the scan drops them.
                bytesDropped += byManifest.recorded() - byManifest.length();
            }
            cutShort = true;
        }
        boolean hintUsable = checked.hintUsable();
        if (checked.cut() != null && !cut.offer(checked.cut())) {
            problems.add(checked.cut().range());
        }
        if (checked.hintDamage() != null) {
            problems.add(checked.hintDamage());
        }
        SegmentScanner.Result scan = checked.scan();
        key.scanned(seg.path(), hint, scan);
        boolean damaged = cutShort || imageSawCut || !seg.path().equals(files.dataPath(seg.id()));
        problems.addAll(cut.merge(scan.dropped(), "; its intact records are kept"));
        Map<Long, HintFile.Entry> hintEntries = null;
        for (DroppedRange d : scan.dropped()) {
            if (d.kind().isDamage()) {
                damaged = true;
                bytesDropped += d.length();
                if (hintEntries == null) {
                    hintEntries = hintUsable ? entriesByOffset(files.readHint(seg)) : Map.of();
                }
                keysAffected.addAll(readableKeys(seg, d, hintEntries));
            }
        }
        if (damaged) {
            return scan;
        }
        if (hinted && !hintUsable) {
            // The records are sound; only the hint is not: set the old one aside and write a true one.
            // A hint is not listed anywhere: it can go aside now, before the MANIFEST changes.
            moveAside(List.of(hint));
            toSetAside.add(hint);
            files.writeHint(seg, SegmentFiles.entries(scan.records()));
        }
        return null;
    }

    /** The entries of an intact hint by record offset (none when {@code entries} is null). */
    private static Map<Long, HintFile.Entry> entriesByOffset(List<HintFile.Entry> entries) {
        Map<Long, HintFile.Entry> byOffset = new HashMap<>();
        if (entries != null) {
            for (HintFile.Entry e : entries) {
                byOffset.put(e.offset(), e);
            }
        }
        return byOffset;
    }

    /**
     * The keys of the records of a dropped range, in order: a range can hold intact records dropped with the damaged
     * one (the earlier records of its atomic batch), and each of those keys loses its record too. Where the segment's
     * intact hint ({@code hinted}) describes a record, its key comes from there: a damaged record's own key bytes
     * may be the damage (a flipped byte in the key named a key that was never written). Else, in a plaintext
     * segment, from the record while its header is sane; the walk stops at the first that is not, since its lengths
     * say nothing.
     */
    private List<byte[]> readableKeys(Segment seg, DroppedRange dropped, Map<Long, HintFile.Entry> hinted)
            throws IOException {
        List<byte[]> keys = new ArrayList<>();
        long end = Math.min(dropped.offset() + dropped.length(), seg.writtenLength());
        long offset = dropped.offset();
        while (offset < end) {
            HintFile.Entry known = hinted.get(offset);
            if (known != null) {
                keys.add(known.key());
                offset += known.recordSize();
                continue;
            }
            if (!seg.cipher().isPlaintext() || end - offset < RecordFormat.HEADER_SIZE) {
                break;
            }
            byte[] header = seg.read(offset, RecordFormat.HEADER_SIZE);
            if (RecordFormat.headerProblem(header, 0) != null) {
                break;
            }
            int keyLength = RecordFormat.keyLength(header, 0);
            if (offset + RecordFormat.HEADER_SIZE + keyLength > end) {
                break;
            }
            keys.add(seg.read(offset + RecordFormat.HEADER_SIZE, keyLength));
            offset += RecordFormat.recordSize(header, 0, seg.cipher());
        }
        return keys;
    }

    private void setAside(Path... paths) {
        for (Path p : paths) {
            if (io.exists(p)) {
                toSetAside.add(p);
            }
        }
    }

    /**
     * Moves {@code paths} (or deletes them, when told to discard) to the damaged folder beside the database, made on
     * first use and kept for the rest of this repair.
     */
    private void moveAside(List<Path> paths) throws IOException {
        if (paths.isEmpty()) {
            return;
        }
        Path parent = dir.getParent() == null ? dir : dir.getParent();
        if (folder == null && !options.repairDiscardsDamaged()) {
            Path candidate = parent.resolve(FileNames.damagedFolder(Instant.now(), 1));
            for (int n = 2; io.exists(candidate); n++) {
                candidate = parent.resolve(FileNames.damagedFolder(Instant.now(), n));
            }
            io.createDirectories(candidate);
            io.syncDirectory(parent);
            folder = candidate;
        }
        for (Path p : paths) {
            if (folder == null) {
                io.delete(p);
            } else {
                io.rename(p, folder.resolve(p.getFileName()));
            }
            movedAlready.add(p);
        }
        if (folder != null) {
            io.syncDirectory(folder);
        }
        io.syncDirectory(dir);
    }

    private static String message(RuntimeException e) {
        return e instanceof CorruptionException c ? c.problem() : e.getMessage();
    }
}
