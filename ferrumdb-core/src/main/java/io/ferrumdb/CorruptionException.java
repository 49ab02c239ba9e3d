package io.ferrumdb;

import java.nio.file.Path;

/** Stored bytes failed a checksum, authentication or structural check. Names the file and byte offset. */
public class CorruptionException extends FerrumException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;
    private final long offset;
    private final String problem;

    public CorruptionException(Path file, long offset, String problem) {
        this(file, offset, problem, null);
    }

    public CorruptionException(Path file, long offset, String problem, Throwable cause) {
        super("corruption in " + file + " at offset " + offset + ": " + problem, cause);
        this.file = file;
        this.offset = offset;
        this.problem = problem;
    }

    /** What is wrong, without the file and offset. */
    public String problem() {
        return problem;
    }

    public Path file() {
        return file;
    }

    public long offset() {
        return offset;
    }
}
