package io.ferrumdb;

import io.ferrumdb.internal.directory.FileNames;
import java.nio.file.Path;
import java.util.List;

/**
 * A writing open refused to turn a non-empty directory that holds no database (no {@code META} file) into one:
 * the path was probably mistyped. The message names the files found; nothing was created.
 */
public class NotADatabaseException extends FerrumException {
    private static final long serialVersionUID = 1L;
    private final transient Path directory;
    private final List<String> files;

    public NotADatabaseException(Path directory, List<String> files) {
        super("refusing to create a FerrumDB database in " + directory + ": the directory is not empty and holds no"
                + " database (found " + FileNames.listing(files) + ")");
        this.directory = directory;
        this.files = List.copyOf(files);
    }

    public Path directory() {
        return directory;
    }

    /** The names of the files found in the directory. */
    public List<String> files() {
        return files;
    }
}
