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
 * @param problems  every damaged range: file, offset, length and what was wrong; empty when the database is sound
 */
public record VerifyReport(Path directory, int segments, long records, long bytes, List<DroppedRange> problems) {
    public VerifyReport {
        problems = List.copyOf(problems);
    }

    public boolean ok() {
        return problems.isEmpty();
    }
}
