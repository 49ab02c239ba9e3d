package io.ferrumdb;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link FerrumDB#verify(Path, Options)} found.
 *
 * @param directory the database directory
 * @param segments  segment files examined
 * @param records   committed records whose checksum (and authentication tag) verified
 * @param bytes     bytes of segment files read
 * @param problems  every range found: file, offset, length, kind and what was wrong; a torn tail of the segment
 *                  that was being written is listed but is not damage
 */
public record VerifyReport(Path directory, int segments, long records, long bytes, List<DroppedRange> problems) {
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
