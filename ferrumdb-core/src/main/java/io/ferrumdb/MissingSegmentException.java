package io.ferrumdb;

import java.nio.file.Path;
import java.util.List;

/**
 * Segments the database's MANIFEST lists are gone: their records (values, and tombstones that hid older values)
 * are lost. The database does not open; {@code ferrumdb repair --allow-missing-segments} makes it open without
 * them, after which keys deleted or overwritten in them may show older values.
 */
public class MissingSegmentException extends CorruptionException {
    private static final long serialVersionUID = 1L;
    private final transient List<Path> missing;

    public MissingSegmentException(Path manifest, List<Path> missing) {
        super(manifest, 0, missing.size() + " segment file(s) listed in the MANIFEST are missing: " + missing
                + "; run 'ferrumdb repair --allow-missing-segments' to open the database without them (keys deleted"
                + " or overwritten in them may then show older values)");
        this.missing = List.copyOf(missing);
    }

    /** The segment files that should exist. */
    public List<Path> missing() {
        return missing;
    }
}
