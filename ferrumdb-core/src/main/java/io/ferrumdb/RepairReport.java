package io.ferrumdb;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What {@link FerrumDB#repair(Path, Options)} did.
 *
 * @param directory        the database directory
 * @param problems         every damaged range, file and missing segment found, with its kind
 * @param rewritten        damaged segment files whose intact records were copied into new segments
 * @param written          the new segment files holding those records
 * @param setAside         original files moved to {@link #damagedFolder()} (or deleted, when told to discard)
 * @param damagedFolder    where the originals went; empty when nothing was moved
 * @param missingSegments  segments the MANIFEST listed that were gone: keys deleted or overwritten in them may show
 *                         older values now
 * @param recordsKept      intact records copied out of damaged segments
 * @param bytesDropped     bytes of damaged ranges whose records could not be kept
 * @param keysAffected     keys of dropped records (a damaged one and the intact records of its batch dropped with
 *                         it): from the segment's intact hint where it has one, else as far as the records' headers
 *                         and keys could still be read (plaintext only: an encrypted key cannot be read without a
 *                         valid tag; a key read from a damaged record may itself be damaged)
 */
public record RepairReport(Path directory, List<DroppedRange> problems, List<Path> rewritten, List<Path> written,
                           List<Path> setAside, Optional<Path> damagedFolder, List<Path> missingSegments,
                           long recordsKept, long bytesDropped, List<byte[]> keysAffected) {
    public RepairReport {
        problems = List.copyOf(problems);
        rewritten = List.copyOf(rewritten);
        written = List.copyOf(written);
        setAside = List.copyOf(setAside);
        missingSegments = List.copyOf(missingSegments);
        keysAffected = List.copyOf(keysAffected);
    }

    /** Whether the database needed no repair at all. */
    public boolean wasClean() {
        return problems.stream().noneMatch(p -> p.kind().isDamage());
    }
}
