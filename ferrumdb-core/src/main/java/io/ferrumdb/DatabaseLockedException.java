package io.ferrumdb;

import java.nio.file.Path;

/**
 * Another handle, in this process or another one, holds the directory's lock. The message says who, as far as it
 * is known: a handle in this process is described (what it is and which thread took it); another process is named
 * by its pid and program name where the operating system tells (Linux), else "another process".
 */
public class DatabaseLockedException extends FerrumException {
    private static final long serialVersionUID = 1L;
    private final transient Path directory;
    private final String holder;

    public DatabaseLockedException(Path directory, Throwable cause) {
        this(directory, "another open handle or process", cause);
    }

    public DatabaseLockedException(Path directory, String holder, Throwable cause) {
        this(directory, holder, null, cause);
    }

    /**
     * @param holder who holds the lock, e.g. "process 1234 (java)"
     * @param advice what the user can do about it, appended to the message; null for none
     */
    public DatabaseLockedException(Path directory, String holder, String advice, Throwable cause) {
        super("database directory " + directory + " is locked by " + holder + (advice == null ? "" : "; " + advice),
                cause);
        this.directory = directory;
        this.holder = holder;
    }

    public Path directory() {
        return directory;
    }

    /** Who holds the lock, as far as this process can tell: "process 1234 (java)", a handle in this process, .... */
    public String holder() {
        return holder;
    }
}
