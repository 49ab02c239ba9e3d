package io.ferrumdb;

import java.nio.file.Path;

/**
 * There is no database where one was expected: a read-only open, or an open with
 * {@link Options#createIfMissing()} false, of a directory that is missing or holds no {@code META} file. Nothing
 * was created.
 */
public class DatabaseNotFoundException extends FerrumException {
    private static final long serialVersionUID = 1L;
    private final transient Path directory;

    public DatabaseNotFoundException(Path directory) {
        super("no FerrumDB database at " + directory);
        this.directory = directory;
    }

    public Path directory() {
        return directory;
    }
}
