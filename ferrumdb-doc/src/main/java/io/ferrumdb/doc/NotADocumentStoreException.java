package io.ferrumdb.doc;

import io.ferrumdb.FerrumException;
import java.nio.file.Path;

/**
 * The directory holds a FerrumDB database with plain keys but no document store in it (no format marker), so it
 * cannot be opened as one; open it with {@code FerrumDB.open} to read its keys. Nothing was written.
 */
public class NotADocumentStoreException extends FerrumException {
    private static final long serialVersionUID = 1L;

    private final transient Path directory;

    public NotADocumentStoreException(Path directory) {
        super("database " + directory + " holds keys but is not a document store (no format marker); open it with "
                + "FerrumDB.open instead");
        this.directory = directory;
    }

    /** The database directory. */
    public Path directory() {
        return directory;
    }
}
