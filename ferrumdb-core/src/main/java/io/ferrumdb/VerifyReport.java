package io.ferrumdb;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link FerrumDB#verify(Path, Options)} found.
 *
 * @param directory the database directory
 * @param segments  segment files examined
 * @param records   committed records whose checksum (and authentication tag) verified
 * @param bytes     bytes of segment files read (their sizes on disk)
 * @param logBytes  of those, the segments' headers and records up to each segment's last intact record: what the
 *                  database holds, and what {@link Stats#totalBytes()} counts once it is open. The rest lies past
 *                  that record: a torn write, or the zeros the writer filled ahead of its records under
 *                  {@code always()} (FORMAT.md, "Zero tail"), which the next writable open cuts, or damage at the
 *                  end of a segment
 * @param problems  every range found: file, offset, length, kind and what was wrong; a torn tail of the segment
 *                  that was being written is listed but is not damage
 */
public record VerifyReport(Path directory, int segments, long records, long bytes, long logBytes,
                           List<DroppedRange> problems) {
    public VerifyReport {
        problems = List.copyOf(problems);
    }

    /** Whether nothing written is damaged or missing (a torn tail, truncated at the next open, is not damage). */
    public boolean ok() {
        return damage().isEmpty();
    }

    /** The problems that are damage: data that was written and cannot be read. */
    public List<DroppedRange> damage() {
        return problems.stream().filter(p -> p.kind().isDamage()).toList();
    }
}
