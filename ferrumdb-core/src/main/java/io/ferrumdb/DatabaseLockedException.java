package io.ferrumdb;

import java.nio.file.Path;

/**
 * Another handle, in this process or another one, holds the directory's lock. The message says who, as far as it
 * is known: a handle in this process is described (what it is and which thread took it); of another process the
 * operating system does not tell the identity.
 */
public class DatabaseLockedException extends FerrumException {
    private static final long serialVersionUID = 1L;
    private final transient Path directory;
    private final String holder;

    public DatabaseLockedException(Path directory, Throwable cause) {
        this(directory, "another open handle or process", cause);
    }

    public DatabaseLockedException(Path directory, String holder, Throwable cause) {
        super("database directory " + directory + " is locked by " + holder, cause);
        this.directory = directory;
        this.holder = holder;
    }

    public Path directory() {
        return directory;
    }

    /** Who holds the lock, as far as this process can tell. */
    public String holder() {
        return holder;
    }
}
