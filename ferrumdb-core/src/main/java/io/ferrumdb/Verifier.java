package io.ferrumdb;

import io.ferrumdb.internal.crypto.Keyring;
import io.ferrumdb.internal.crypto.Secret;
import io.ferrumdb.internal.directory.DatabaseDirectory;
import io.ferrumdb.internal.format.CipherSuite;
import io.ferrumdb.internal.format.MetaFile;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.log.Segment;
import io.ferrumdb.internal.log.SegmentFiles;
import io.ferrumdb.internal.log.SegmentScanner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads every record of every segment of a closed database and reports each damaged range, writing nothing.
 * It holds the directory's shared lock (through the process-wide registry), like a read-only open, so that no
 * writer appends while it reads (which would look like a torn tail).
 */
final class Verifier {
    private Verifier() {
    }

    static VerifyReport verify(Path directory, Options options) throws IOException {
        try (DatabaseDirectory dir = DatabaseDirectory.lock(options.fileIO(), directory,
                DatabaseDirectory.Access.READ, false, false, "verify")) {
            return verifySegments(dir, options);
        }
    }

    private static VerifyReport verifySegments(DatabaseDirectory directory, Options options) throws IOException {
        Path dir = directory.path();
        FileIO io = directory.io();
        MetaFile meta = directory.meta();
        CipherSuite ciphers;
        try (Secret secret = options.secret()) {
            ciphers = Keyring.open(io, dir, meta, secret, false);
        }
        SegmentFiles files = new SegmentFiles(io, dir, meta.databaseId(), ciphers);
        List<DroppedRange> problems = new ArrayList<>();
        int segments = 0;
        long records = 0;
        long bytes = 0;
        for (int id : directory.segmentIds()) {
            segments++;
            Segment seg;
            try {
                seg = files.open(id, false);
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
