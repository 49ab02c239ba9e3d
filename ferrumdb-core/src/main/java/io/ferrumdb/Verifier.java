package io.ferrumdb;

import io.ferrumdb.DroppedRange.Kind;
import io.ferrumdb.internal.directory.DatabaseDirectory;
import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.format.ManifestFile;
import io.ferrumdb.internal.format.MetaFile;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.StorageFile;
import io.ferrumdb.internal.keydir.KeyDirImage;
import io.ferrumdb.internal.log.Segment;
import io.ferrumdb.internal.log.SegmentCut;
import io.ferrumdb.internal.log.SegmentFiles;
import io.ferrumdb.internal.log.SegmentInventory;
import io.ferrumdb.internal.log.SegmentManifest;
import io.ferrumdb.internal.log.SegmentScanner;
import io.ferrumdb.internal.log.TailRule;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads every record of every segment of a closed database and reports each damaged range, writing nothing.
 * It holds the directory's shared lock (through the process-wide registry, see {@link ClosedDatabase}), like a
 * read-only open, so that no writer appends while it reads (which would look like a torn tail).
 *
 * <p>It reads what open would read: the segments the MANIFEST lists, minus those a compaction journal superseded,
 * and reports listed files that are gone and segment files nobody listed. A damaged or missing META is reported,
 * and the rest checked with the identity the segments' headers name (what repair would rebuild META from). The
 * segment that was being written when the process stopped may end in a torn tail, reported as such (not damage:
 * open truncates it and no acknowledged write is in it); any other invalid record is damage, reported with its own
 * offset and length, and the scan resynchronises on the next valid record.
 */
final class Verifier {
    private Verifier() {
    }

    static VerifyReport verify(Path directory, Options options, Consumer<MaintenanceProgress> progress)
            throws IOException {
        return ClosedDatabase.run(directory, options, false, "verify",
                (locked, files) -> verifySegments(locked, files, progress));
    }

    private static VerifyReport verifySegments(DatabaseDirectory directory, SegmentFiles files,
            Consumer<MaintenanceProgress> progress) throws IOException {
        MetaFile meta = directory.meta();
        Path dir = files.dir();
        FileIO io = files.io();
        List<DroppedRange> problems = new ArrayList<>();
        CorruptionException metaDamage = directory.metaDamage();
        if (metaDamage != null) {
            problems.add(new DroppedRange(metaDamage.file(), metaDamage.offset(), 0, Kind.DAMAGED_META,
                    metaDamage.problem() + "; the rest is checked as the segments' headers name the database"));
        }
        Set<Integer> superseded = supersededSegments(directory, problems);
        Map<Path, SegmentCut> imageCuts = checkImage(directory, files, problems);
        NavigableMap<Integer, ManifestFile.Listed> listed = null;
        if (meta.hasManifest()) {
            try {
                listed = SegmentManifest.read(files);
            } catch (CorruptionException e) {
                problems.add(new DroppedRange(e.file(), e.offset(), 0, Kind.DAMAGED_MANIFEST, e.problem()));
            }
        }
        SegmentInventory inventory = SegmentInventory.take(files, listed, superseded);
        for (int id : inventory.missing()) {
            problems.add(new DroppedRange(files.dataPath(id), 0, 0, Kind.MISSING_SEGMENT,
                    "segment listed in the MANIFEST is missing: its records are lost"));
        }
        for (int id : inventory.unlisted()) {
            problems.add(new DroppedRange(files.dataPath(id), 0, files.size(files.dataPath(id)), Kind.UNLISTED_SEGMENT,
                    "segment file is not listed in the MANIFEST: it is not part of this database"));
        }
        KeyMismatch key = new KeyMismatch(directory.file(FileNames.KEY), files.ciphers().encrypted());
        int segments = 0;
        long records = 0;
        long bytes = 0;
        long logBytes = 0;
        List<Integer> live = inventory.live();
        TailRule rule = inventory.tailRule(files);
        SegmentProgress progressed = new SegmentProgress(files, live, progress);
        for (int id : live) {
            segments++;
            Segment seg;
            boolean hinted = io.exists(files.hintPath(id));
            try {
                seg = files.open(id, false);
            } catch (CorruptionException | FormatVersionException e) {
                String problem = e instanceof CorruptionException c ? c.problem() : e.getMessage();
                long size = files.size(files.dataPath(id));
                problems.add(e instanceof CorruptionException && rule.mayHaveTornHeader(id, size, hinted)
                        ? new DroppedRange(files.dataPath(id), 0, size, Kind.TORN_TAIL,
                                TailRule.TORN_HEADER + ": " + problem + "; the next writable open deletes it")
                        : new DroppedRange(files.dataPath(id), 0, size, Kind.DAMAGED_SEGMENT, problem));
                progressed.checked(id);
                continue;
            }
            try {
                CutWitnesses cut = new CutWitnesses(seg.path(), seg.writtenLength());
                cut.offer(imageCuts.remove(seg.path()));
                DroppedRange changed = inventory.changedSinceSealed(seg);
                if (changed != null && !cut.offer(inventory.cutSinceSealed(seg))) {
                    problems.add(changed);
                }
                SegmentFiles.Checked checked = files.check(seg, hinted, rule);
                if (checked.cut() != null && !cut.offer(checked.cut())) {
                    problems.add(checked.cut().range());
                }
                if (checked.hintDamage() != null) {
                    problems.add(checked.hintDamage());
                }
                SegmentScanner.Result r = checked.scan();
                key.scanned(seg.path(), files.hintPath(id), r);
                problems.addAll(cut.merge(r.dropped(), ""));
                records += r.records().size();
                bytes += seg.writtenLength();
                logBytes += r.validLength();
            } finally {
                seg.close();
            }
            progressed.checked(id);
        }
        imageCuts.values().forEach(c -> problems.add(c.range())); // of segments whose header could not be read
        progressed.complete();
        return new VerifyReport(dir, segments, records, bytes, logBytes, key.opensNone() ? key.merge(problems)
                : problems);
    }

    /**
     * A damaged key directory image: open ignores it with a warning and loads the hints, so nothing read is wrong,
     * but the damage is the disk's and verify reports it (verify never reported it, and said "OK"). An image of
     * another version, or of another state of the database, is not damage. An intact image that describes a
     * segment as longer than it is names a segment cut short, as open does ({@link DirectoryImage#cutShort}):
     * returned by segment file, for the segment's scan to report with the other witnesses of the cut.
     */
    private static Map<Path, SegmentCut> checkImage(DatabaseDirectory directory, SegmentFiles files,
            List<DroppedRange> problems) throws IOException {
        FileIO io = files.io();
        Path path = directory.file(FileNames.KEYDIR);
        Map<Path, SegmentCut> cuts = new LinkedHashMap<>();
        if (!io.exists(path)) {
            return cuts;
        }
        try (StorageFile f = io.open(path, false)) {
            try {
                KeyDirImage.Header header = KeyDirImage.Header.read(f, path);
                for (SegmentCut cut : DirectoryImage.cutShort(header, io, files)) {
                    cuts.put(cut.segment(), cut);
                }
                header.checkBody(f);
            } catch (KeyDirImage.Invalid e) {
                if (e.damaged()) {
                    problems.add(new DroppedRange(path, 0, f.size(), Kind.DAMAGED_IMAGE, e.getMessage()));
                }
            }
        }
        return cuts;
    }

    /** The segments an interrupted compaction superseded (open deletes them); a bad journal is a problem. */
    private static Set<Integer> supersededSegments(DatabaseDirectory directory, List<DroppedRange> problems)
            throws IOException {
        try {
            Set<Integer> superseded = directory.compactionJournalOrNull();
            return superseded == null ? Set.of() : superseded;
        } catch (CorruptionException | FormatVersionException e) {
            String problem = e instanceof CorruptionException c ? c.problem() : e.getMessage();
            problems.add(new DroppedRange(directory.file(FileNames.COMPACTION), 0, 0, Kind.DAMAGED_JOURNAL, problem));
            return Set.of();
        }
    }
}
