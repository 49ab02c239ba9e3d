package io.ferrumdb;

import io.ferrumdb.internal.concurrent.Uninterruptibly;
import io.ferrumdb.internal.crypto.Keyring;
import io.ferrumdb.internal.crypto.Secret;
import io.ferrumdb.internal.directory.DatabaseDirectory;
import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.format.CipherSuite;
import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.format.ManifestFile;
import io.ferrumdb.internal.format.MetaFile;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.keydir.HashOrderedHint;
import io.ferrumdb.internal.keydir.KeyDir;
import io.ferrumdb.internal.keydir.KeyDirImage;
import io.ferrumdb.internal.keydir.KeyDirLoader;
import io.ferrumdb.internal.log.RecordKeyReader;
import io.ferrumdb.internal.log.RecordKeysAtOpen;
import io.ferrumdb.internal.log.Segment;
import io.ferrumdb.internal.log.SegmentFiles;
import io.ferrumdb.internal.log.SegmentInventory;
import io.ferrumdb.internal.log.SegmentManifest;
import io.ferrumdb.internal.log.SegmentScanner;
import io.ferrumdb.internal.log.SegmentSet;
import io.ferrumdb.internal.log.TailRule;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Opening a database, as one sequence (ARCHITECTURE.md, "Open and recovery"):
 * <ol>
 *   <li>lock the directory and read (or create) META; check the key or passphrase;</li>
 *   <li>finish an interrupted compaction from its journal; delete temporary files;</li>
 *   <li>take the segment inventory against the MANIFEST; delete unpublished segments and orphan hints;</li>
 *   <li>take the key directory from the image a clean close wrote, if it describes every segment as it is
 *   ({@link DirectoryImage}); else load every segment into the key directory, oldest first: from a trusted hint,
 *   else by scanning it; truncate a torn tail; write missing hints;</li>
 *   <li>count live bytes, purge expired entries, start the ordered index build; bring the MANIFEST up to date.</li>
 * </ol>
 * A read-only open writes nothing. On failure everything opened so far is closed and the lock released.
 */
final class Recovery {
    /**
     * What an open produced: the parts the database is wired from, and the segments of the key directory image it
     * was loaded from (null when it loaded the hints), which the image on disk still describes.
     */
    record Opened(DatabaseDirectory directory, SegmentSet segments, KeyDir keyDir, long maxSequence,
                  List<DroppedRange> report, List<KeyDirImage.SegmentState> image) {
        SegmentFiles files() {
            return segments.files();
        }

        /**
         * Closes every segment and releases the lock (what open took, in reverse); returns {@code problem}, else
         * the first failure, else null. First, when {@code cleanWriter} (a writer stopped without failure) and
         * {@code problem} is null, writes the key directory image the next open may start from
         * ({@link DirectoryImage#writeAtClose}): every segment is sealed, fsynced and hinted by then.
         */
        Throwable closeFiles(Throwable problem, boolean cleanWriter) {
            if (problem == null && cleanWriter) {
                DirectoryImage.writeAtClose(directory.io(), directory.path(), this);
            }
            try {
                segments.closeAll();
            } catch (IOException e) {
                problem = problem == null ? e : problem;
            }
            try {
                directory.close();
            } catch (IOException e) {
                problem = problem == null ? e : problem;
            }
            return problem;
        }
    }

    private final Path dir;
    private final Options options;
    private final FileIO io;
    private final DatabaseDirectory directory;
    private final List<DroppedRange> report = new ArrayList<>();
    private SegmentFiles files;
    private SegmentManifest manifest;
    /** The segments of the database and what the MANIFEST recorded of them. */
    private SegmentInventory inventory;
    private SegmentSet segments;
    private KeyDir keyDir;
    /** Loads records into {@link #keyDir}, tombstones included (kept in the key directory while loading). */
    private KeyDirLoader loader;
    /** The highest sequence number loaded so far. */
    private long maxSequence;

    private Recovery(Path dir, Options options, DatabaseDirectory directory) {
        this.dir = dir;
        this.options = options;
        this.io = options.fileIO();
        this.directory = directory;
    }

    /** Opens the database in {@code dir} (absolute and normalized) under {@code options}. */
    static Opened open(Path dir, Options options) throws IOException {
        DatabaseDirectory directory = DatabaseDirectory.lock(options.fileIO(), dir,
                options.readOnly() ? DatabaseDirectory.Access.READ : DatabaseDirectory.Access.WRITE,
                options.createIfMissing(), options.encrypted(), options.readOnly() ? "read-only open" : "open");
        Recovery r = new Recovery(dir, options, directory);
        try {
            return r.run();
        } catch (CorruptionException e) {
            r.closeAfterFailure(e);
            throw withWayOut(e);
        } catch (IOException | RuntimeException e) {
            r.closeAfterFailure(e);
            throw e;
        }
    }

    /** Damage found at open, with what the operator can do about it. */
    private static CorruptionException withWayOut(CorruptionException e) {
        if (e instanceof MissingSegmentException || e.problem().contains("ferrumdb repair")) {
            return e;
        }
        String beyondRepair = ProblemWording.beyondRepair(e);
        if (beyondRepair != null) {
            return new CorruptionException(e.file(), e.offset(), e.problem() + "; " + beyondRepair, e);
        }
        return new CorruptionException(e.file(), e.offset(), e.problem() + "; 'ferrumdb repair' rewrites the"
                + " damaged files keeping every intact record ('ferrumdb verify' lists the damage)", e);
    }

    private Opened run() throws IOException {
        MetaFile meta = directory.meta();
        files = new SegmentFiles(io, dir, meta.databaseId(), openCiphers(meta));
        NavigableMap<Integer, ManifestFile.Listed> listed = meta.hasManifest() ? SegmentManifest.read(files) : null;
        manifest = new SegmentManifest(files, listed == null ? List.of() : listed.values());
        segments = new SegmentSet(files, manifest);
        Set<Integer> superseded = finishInterruptedCompaction(meta);
        if (writable()) {
            directory.deleteTemporaryFiles();
        }
        inventory = SegmentInventory.take(files, listed, superseded);
        inventory.requireWhole(files);
        List<Integer> ids = new ArrayList<>(inventory.live());
        if (writable()) {
            deleteUnpublishedSegments(inventory.unpublished());
            deleteOrphanHints(ids);
        }
        DirectoryImage.Loaded image = DirectoryImage.readAtOpen(io, dir, files, options, meta.encrypted(), ids);
        long maxSequence = image != null ? loadImage(image)
                : load(ids, inventory.tailRule(files), expectedKeys(ids), meta.encrypted());
        segments.endRecovery();
        // Ids of files deleted above are not used again: a later crash must not confuse an old file with a new one.
        for (List<Integer> used : List.of(ids, new ArrayList<>(superseded), inventory.unpublished())) {
            for (int id : used) {
                segments.reserveThrough(id);
            }
        }
        // Every segment is sealed now (the writer appends only to segments it creates), so each is recorded with its
        // length: a database of MANIFEST version 2, or one opened after a crash, gains the seals it lacks.
        List<ManifestFile.Listed> sealed = new ArrayList<>();
        for (Segment seg : segments.all()) {
            sealed.add(SegmentManifest.sealed(seg));
        }
        if (writable() && (!meta.hasManifest() || !manifest.lists(sealed))) {
            // Only when it changed: an open that finds nothing to fix writes no file (a full disk opens).
            manifest.replace(sealed);
            if (!meta.hasManifest()) {
                // A format-1 database gains its MANIFEST first, then the META that says it has one.
                directory.writeDurably(FileNames.META, meta.upgraded().encode());
            }
        }
        return new Opened(directory, segments, keyDir, maxSequence, Collections.unmodifiableList(report),
                image == null ? null : image.segments());
    }

    private boolean writable() {
        return !options.readOnly();
    }

    private void closeAfterFailure(Throwable cause) {
        if (segments != null) {
            try {
                segments.closeAll();
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
        }
        try {
            directory.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * Checks the key or passphrase against META and KEY and returns the database's ciphers; runs before anything
     * is written or any record read, so a wrong, missing or superfluous key fails the open at once.
     */
    private CipherSuite openCiphers(MetaFile meta) throws IOException {
        try (Secret secret = options.secret()) {
            return Keyring.open(io, dir, meta, secret, writable() && directory.segmentIds().isEmpty());
        }
    }

    // ---------------------------------------------------------------- before loading

    /** Completes the deletions of a compaction that crashed after publishing its outputs; returns their ids. */
    private Set<Integer> finishInterruptedCompaction(MetaFile meta) throws IOException {
        Set<Integer> ids = directory.compactionJournalOrNull();
        if (ids == null) {
            return Set.of();
        }
        if (writable()) {
            if (meta.hasManifest()) {
                manifest.removeAll(ids);
            }
            for (int id : ids) {
                files.delete(id);
            }
            directory.sync();
            io.delete(directory.file(FileNames.COMPACTION));
            directory.sync();
        }
        return ids;
    }

    /** Deletes files that hold nothing acknowledged and were never listed (see {@link SegmentInventory}). */
    private void deleteUnpublishedSegments(List<Integer> unpublished) throws IOException {
        for (int id : unpublished) {
            files.delete(id);
        }
        if (!unpublished.isEmpty()) {
            directory.sync();
        }
    }

    /** Deletes hint files whose segment is gone (left by a crash during compaction). */
    private void deleteOrphanHints(List<Integer> segmentIds) throws IOException {
        Set<String> wanted = new HashSet<>();
        for (int id : segmentIds) {
            wanted.add(FileNames.hint(id));
        }
        boolean any = false;
        for (Path p : io.list(dir)) {
            String name = p.getFileName().toString();
            if (FileNames.isHint(name) && !wanted.contains(name)) {
                io.delete(p);
                any = true;
            }
        }
        if (any) {
            directory.sync();
        }
    }

    /**
     * A size for the key directory, so that loading never grows it (growth rehashes every key and leaves the old
     * table's direct buffer to the garbage collector): the sum of the hints' entry counts (every record, deletes
     * and overwritten ones included, so an upper bound on keys plus tombstones), plus an estimate for a segment
     * without a hint (the one written last; it is scanned, and growth stays possible there).
     */
    private int expectedKeys(List<Integer> ids) throws IOException {
        long entries = 0;
        for (int id : ids) {
            long hinted = files.claimedHintEntries(id);
            if (hinted == 0 && !io.exists(files.hintPath(id)) && io.exists(files.dataPath(id))) {
                hinted = files.size(files.dataPath(id)) / UNHINTED_BYTES_PER_RECORD;
            }
            entries += hinted;
        }
        return (int) Math.min(1 << 28, Math.max(1024, entries));
    }

    /** Bytes per record assumed in a segment without a hint when sizing the key directory (a 100-byte value). */
    private static final int UNHINTED_BYTES_PER_RECORD = 160;

    // ---------------------------------------------------------------- loading

    /** A segment read record by record at open, because no trusted hint described it. */
    private record Scanned(Segment segment, boolean hadHint, SegmentScanner.Result result) {
        boolean torn() {
            return result.validLength() < segment.writtenLength();
        }
    }

    /**
     * Loads every segment into the key directory, oldest first: from its hint file when one describes the
     * segment as it is, else by scanning it (and then writing the hint). Only a segment {@code rule} lets end torn
     * may end in a torn write or a zero tail, which is truncated. Creates the key directory, sized for
     * {@code expectedKeys}. Returns the highest sequence number seen.
     */
    private long load(List<Integer> ids, TailRule rule, int expectedKeys, boolean encrypted) throws IOException {
        List<Scanned> scanned = new ArrayList<>();
        // Hints are read, checked and put in hash order one segment ahead on a second thread while this one loads
        // the segment before (at 10M keys reading and checking the hints was 10-20% of the open, ordering their
        // entries about 30% of what was left on this thread); segments are still opened, and loaded, in order on
        // this thread.
        ExecutorService reader = options.salvage() ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ferrumdb-hint-reader");
            t.setDaemon(true);
            return t;
        });
        HashOrderedHint.Orderer orderer = new HashOrderedHint.Orderer(expectedKeys);
        // Set once the loop below has waited for every read it submitted.
        boolean everyReadTaken = false;
        try {
            Opening next = openNext(ids, 0, rule, reader, orderer);
            // The key directory's table (over 400 MB at 10M keys, zeroed as it is allocated) is made while the
            // reader thread reads and orders the first hint.
            keyDir = newKeyDir(expectedKeys, encrypted);
            // A hash-only directory compares a loaded key whose header matches a slot's with that slot's record,
            // in a segment loaded before (sealed before it is loaded, so read through its memory map).
            keyDir.keysInRecords(new RecordKeysAtOpen(segments));
            loader = new KeyDirLoader(keyDir);
            while (next != null) {
                Opening current = next;
                next = openNext(ids, current.index() + 1, rule, reader, orderer);
                Segment seg = current.segment();
                HashOrderedHint hint = current.hint() == null ? null : hintOrNull(seg, current.hint());
                if (hint != null) {
                    seg.seal();
                    loader.load(seg.id(), hint);
                    noteLoaded(seg);
                    continue;
                }
                scanned.add(new Scanned(seg, current.hadHint(), scan(seg, current.hadHint(), rule)));
            }
            everyReadTaken = true;
        } finally {
            if (reader != null) {
                reader.shutdown();
                if (!everyReadTaken) {
                    // No read may outlive a failed open (it releases the directory): wait for one in flight. After
                    // a successful loop none is: the idle thread ends by itself, and waiting for it to be scheduled
                    // only to end took milliseconds of a loaded machine's open.
                    Uninterruptibly.await(() -> reader.awaitTermination(1, TimeUnit.MINUTES));
                }
            }
        }
        for (Scanned sc : scanned) {
            List<HintFile.Entry> entries = SegmentFiles.entries(sc.result().records());
            report.addAll(sc.result().dropped());
            if (keepScannedSegment(sc, entries)) {
                sc.segment().seal();
                loader.load(sc.segment().id(), entries);
                noteLoaded(sc.segment());
            }
        }
        loader.finish();
        countLiveBytes();
        purgeExpired();
        keyDir.buildOrderedIndex();
        // From now on keys are compared with records as GETs compare them (FerrumDB gives the key directory the
        // writer's chunks too once there is a writer).
        keyDir.keysInRecords(new RecordKeyReader(segments, null));
        return maxSequence;
    }

    /**
     * Opens the segments a valid image described (exactly the database's, at their lengths: {@link DirectoryImage})
     * and takes the key directory, each segment's sequence range and live bytes from it, as loading their hints
     * would have produced them; purges expired entries. Returns the highest sequence number.
     */
    private long loadImage(DirectoryImage.Loaded image) throws IOException {
        keyDir = image.keyDir();
        for (KeyDirImage.SegmentState s : image.segments()) {
            Segment seg = asSealed(files.open(s.id(), writable()));
            segments.addRecovered(seg);
            seg.seal();
            if (s.maxSequence() > 0) {
                seg.noteSequences(s.minSequence(), s.maxSequence());
            }
            if (s.liveBytes() != 0) {
                segments.addLiveBytes(s.id(), s.liveBytes());
            }
        }
        purgeExpired();
        keyDir.keysInRecords(new RecordKeyReader(segments, null));
        return image.maxSequence();
    }

    /** Purges entries expired by now; nothing else sees the key directory yet, so no lock is needed. */
    private void purgeExpired() {
        long now = options.clock().millis();
        if (keyDir.mayHaveExpired(now)) {
            keyDir.purgeExpired(now, segments::release);
        }
    }

    /**
     * The key directory open loads into, sized for {@code expectedKeys}. Hash-only plaintext databases keep no key
     * bytes in memory: keys are compared with their records. Encrypted ones keep them in the arena (a compare would
     * decrypt a record), as ordered ones do (the index sorts them).
     */
    private KeyDir newKeyDir(int expectedKeys, boolean encrypted) {
        return options.orderedKeys() || encrypted ? new KeyDir(options.orderedKeys(), expectedKeys)
                : KeyDir.keysInLog(expectedKeys, options.keyHashBits());
    }

    /**
     * Opens a segment; one whose header {@code rule} says was torn while it was being created is discarded, one
     * that is not as the MANIFEST recorded it when it was sealed refused.
     */
    private Segment openForRecovery(int id, TailRule rule) throws IOException {
        Segment seg;
        try {
            seg = files.open(id, writable());
        } catch (CorruptionException e) {
            long size = files.size(files.dataPath(id));
            if (rule.mayHaveTornHeader(id, size, io.exists(files.hintPath(id)))) {
                report.add(new DroppedRange(files.dataPath(id), 0, size, DroppedRange.Kind.TORN_TAIL,
                        TailRule.TORN_HEADER + (writable() ? "; file deleted" : "")));
                if (writable()) {
                    segments.discard(id);
                }
                return null;
            }
            throw e;
        }
        return asSealed(seg);
    }

    /**
     * {@code seg}, unless it is not the file the MANIFEST recorded when it was sealed (another length, another
     * header): then it is closed and the open fails, naming it and both lengths.
     */
    private Segment asSealed(Segment seg) throws IOException {
        DroppedRange changed = inventory.changedSinceSealed(seg);
        if (changed != null) {
            seg.close();
            throw new CorruptionException(changed.file(), changed.offset(), changed.reason());
        }
        return seg;
    }

    /**
     * A segment opened for loading, {@code ids[index]}, and the read of its hint under way (null in salvage): read,
     * checked and ordered for the loader (null when there is none, or one describing another state of the file).
     */
    private record Opening(int index, Segment segment, boolean hadHint, Future<HashOrderedHint> hint) {
    }

    /**
     * Opens the first segment of {@code ids} from {@code from} on that is kept (see {@link #openForRecovery}) and
     * starts reading its hint on {@code reader} and ordering it with {@code orderer}; null when none is left.
     */
    private Opening openNext(List<Integer> ids, int from, TailRule rule, ExecutorService reader,
                             HashOrderedHint.Orderer orderer) throws IOException {
        for (int i = from; i < ids.size(); i++) {
            Segment seg = openForRecovery(ids.get(i), rule);
            if (seg == null) {
                continue;
            }
            segments.addRecovered(seg);
            boolean hadHint = io.exists(files.hintPath(seg.id()));
            return new Opening(i, seg, hadHint, reader == null ? null : reader.submit(() -> {
                // The orderer walks (checks) every entry before anything is loaded.
                HintFile.Cursor hint = files.openHintCursor(seg, false);
                return hint == null ? null : orderer.order(hint);
            }));
        }
        return null;
    }

    /**
     * The checked hint the reader thread read for {@code seg}, or null when it has none or a damaged one. Waits
     * through interrupts (the flag is restored): an open does not stop half-way.
     */
    private HashOrderedHint hintOrNull(Segment seg, Future<HashOrderedHint> read) throws IOException {
        try {
            // concat, not +: see FileNames (this runs on every open).
            return Uninterruptibly.get(read, "reading the hint of segment ".concat(Integer.toString(seg.id())));
        } catch (CorruptionException c) {
            return damagedHint(seg, c);
        }
    }

    /** A damaged hint is never trusted: the segment is scanned and the hint rewritten (null); other damage throws. */
    private HashOrderedHint damagedHint(Segment seg, CorruptionException e) {
        if (!e.file().equals(files.hintPath(seg.id()))) {
            throw e;
        }
        report.add(new DroppedRange(files.hintPath(seg.id()), e.offset(), 0, DroppedRange.Kind.DAMAGED_HINT,
                "damaged hint file rebuilt from its segment: " + e.getMessage()));
        return null;
    }

    /**
     * Scans {@code seg}, which no trusted hint described: in salvage mode, else strictly unless {@code rule} lets it
     * end in a torn write or a zero tail (then the tail is truncated). Damage where no torn tail can be says why.
     */
    private SegmentScanner.Result scan(Segment seg, boolean hadHint, TailRule rule) throws IOException {
        boolean mayEndTorn = rule.mayEndTorn(seg, hadHint);
        SegmentScanner.Mode mode = options.salvage() ? SegmentScanner.Mode.SALVAGE
                : mayEndTorn ? SegmentScanner.Mode.TAIL : SegmentScanner.Mode.STRICT;
        try {
            return SegmentScanner.scan(seg.file(), seg.writtenLength(), seg.cipher(), mode,
                    rule.mayEndInZeros(seg, hadHint));
        } catch (CorruptionException e) {
            if (mayEndTorn || !e.file().equals(seg.path())) {
                throw e;
            }
            throw new CorruptionException(e.file(), e.offset(), e.problem() + "; not a torn tail: "
                    + rule.whyNotTorn(seg, hadHint), e);
        }
    }

    /**
     * Makes a scanned segment's state durable: truncates a torn tail or a zero tail (fsynced), deletes a segment that
     * holds no records, writes the missing hint. Returns false when the segment was deleted. A read-only open writes
     * nothing and only hides the tail.
     */
    private boolean keepScannedSegment(Scanned sc, List<HintFile.Entry> entries) throws IOException {
        Segment seg = sc.segment();
        if (sc.torn() && writable()) {
            seg.file().truncate(sc.result().validLength());
            seg.file().force();
        }
        if (sc.torn()) {
            seg.truncatedTo(sc.result().validLength());
        }
        if (!writable()) {
            return true;
        }
        if (entries.isEmpty() && !sc.hadHint() && !seg.header().compacted()) {
            segments.discard(seg.id());
            return false;
        }
        files.writeHint(seg, entries);
        return true;
    }

    /**
     * Gives every segment the bytes of its records the key directory points at (compaction's input), as the
     * loader counted them while it applied records (no pass over the table).
     */
    private void countLiveBytes() {
        for (int id : segments.ids()) {
            long live = loader.liveBytes(id);
            if (live != 0) {
                segments.addLiveBytes(id, live);
            }
        }
    }

    /** Records the sequence range of the segment {@link #loader} has just loaded. */
    private void noteLoaded(Segment seg) {
        if (loader.minSequence() != Long.MAX_VALUE) {
            seg.noteSequences(loader.minSequence(), loader.maxSequence());
            maxSequence = Math.max(maxSequence, loader.maxSequence());
        }
    }
}
