package io.ferrumdb;

import java.nio.file.Path;

/** Another handle, in this process or another one, holds the directory's lock. */
public class DatabaseLockedException extends FerrumException {
    private static final long serialVersionUID = 1L;
    private final transient Path directory;

    public DatabaseLockedException(Path directory, Throwable cause) {
        super("database directory " + directory + " is locked by another open handle or process", cause);
        this.directory = directory;
    }

    public Path directory() {
        return directory;
    }
}
