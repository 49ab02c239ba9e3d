package io.ferrumdb;

import java.nio.file.Path;

/**
 * The {@code KEY} file of an encrypted database opens none of its segments: every segment holding records is
 * encrypted under a data key that file does not hold (each one's first record has an intact checksum but fails
 * authentication, and none authenticates). The data is not damaged; the {@code KEY} file does not go with it, as
 * when a copy from before a data-key rotation is put back. {@code repair} refuses with this rather than set every
 * segment aside: restoring the {@code KEY} file that goes with the segments opens them again.
 */
public class KeyMismatchException extends FerrumException {
    private static final long serialVersionUID = 1L;
    private final transient Path keyFile;
    private final int segments;

    public KeyMismatchException(Path keyFile, int segments, String message) {
        super(message);
        this.keyFile = keyFile;
        this.segments = segments;
    }

    /** The KEY file that does not go with the segments. */
    public Path keyFile() {
        return keyFile;
    }

    /** How many segments holding records it failed to open (all of them). */
    public int segments() {
        return segments;
    }
}
