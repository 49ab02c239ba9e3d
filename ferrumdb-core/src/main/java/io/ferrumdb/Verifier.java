package io.ferrumdb;

import io.ferrumdb.internal.crypto.Keyring;
import io.ferrumdb.internal.crypto.Secret;
import io.ferrumdb.internal.format.CipherSuite;
import io.ferrumdb.internal.format.MetaFile;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.StorageFile;
import io.ferrumdb.internal.log.Segment;
import io.ferrumdb.internal.log.SegmentFiles;
import io.ferrumdb.internal.log.SegmentScanner;
import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads every record of every segment of a closed database and reports each damaged range, writing nothing.
 * It holds the directory's shared lock, like a read-only open, so that no writer appends while it reads (which
 * would look like a torn tail).
 */
final class Verifier {
    private Verifier() {
    }

    static VerifyReport verify(Path directory, Options options) throws IOException {
        Path dir = directory.toAbsolutePath().normalize();
        FileIO io = options.fileIO();
        Path lockPath = dir.resolve("LOCK");
        Path metaPath = dir.resolve(MetaFile.NAME);
        if (!io.exists(lockPath) || !io.exists(metaPath)) {
            throw new FerrumException("no database at " + dir + " (no LOCK or META file)");
        }
        try (StorageFile lockFile = io.open(lockPath, false)) {
            FileLock lock;
            try {
                lock = lockFile.tryLock(true);
            } catch (OverlappingFileLockException e) {
                throw new DatabaseLockedException(dir, e);
            }
            if (lock == null) {
                throw new DatabaseLockedException(dir, null);
            }
            try {
                return verifySegments(dir, io, options);
            } finally {
                lock.release();
            }
        }
    }

    private static VerifyReport verifySegments(Path dir, FileIO io, Options options) throws IOException {
        SegmentFiles reader = new SegmentFiles(io, dir, new byte[16], CipherSuite.PLAINTEXT);
        MetaFile meta = MetaFile.decode(reader.readAll(dir.resolve(MetaFile.NAME), MetaFile.SIZE), dir);
        CipherSuite ciphers;
        try (Secret secret = options.secret()) {
            ciphers = Keyring.open(io, dir, meta, secret, false);
        }
        SegmentFiles files = new SegmentFiles(io, dir, meta.databaseId(), ciphers);
        List<DroppedRange> problems = new ArrayList<>();
        int segments = 0;
        long records = 0;
        long bytes = 0;
        List<Long> ids = new ArrayList<>();
        for (Path p : io.list(dir)) {
            long id = Segment.parseId(p.getFileName().toString());
            if (id > 0 && id <= Integer.MAX_VALUE) {
                ids.add(id);
            }
        }
        ids.sort(null);
        for (long id : ids) {
            segments++;
            Segment seg;
            try {
                seg = files.open((int) id, false);
            } catch (CorruptionException e) {
                problems.add(new DroppedRange(e.file(), e.offset(), 0, e.getMessage()));
                continue;
            } catch (FormatVersionException e) {
                problems.add(new DroppedRange(files.dataPath(id), 8, 2, e.getMessage()));
                continue;
            }
            try {
                SegmentScanner.Result r = SegmentScanner.scan(seg.file(), seg.writtenLength(), seg.cipher(),
                        SegmentScanner.Mode.SALVAGE);
                problems.addAll(r.dropped());
                records += r.records().size();
                bytes += seg.writtenLength();
                try {
                    files.readHint(seg);
                } catch (CorruptionException e) {
                    problems.add(new DroppedRange(e.file(), e.offset(), 0, e.getMessage()));
                }
            } finally {
                seg.close();
            }
        }
        return new VerifyReport(dir, segments, records, bytes, problems);
    }
}
