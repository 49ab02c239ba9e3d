package io.ferrumdb.studio.jsonlines;

import java.io.IOException;

/**
 * An import stopped by a failure that is not the input's fault: reading the input failed (an I/O error, a dropped
 * connection) or writing to the database did (a full disk, an I/O error). The records of the batches written before
 * it are in the database; the batch being written when the database failed landed whole or not at all (read it
 * back to know). Importing the same input again once the cause is fixed puts the same records again.
 */
public final class JsonLinesImportStoppedException extends IOException {
    private static final long serialVersionUID = 1L;
    private final long line;
    private final long imported;

    JsonLinesImportStoppedException(long line, long imported, long pending, Throwable cause) {
        super("import stopped at line " + line + " after " + imported + " record(s) were imported"
                + (pending > 0 ? " (the batch of " + pending + " being written landed whole or not at all)" : "")
                + "; importing the same input again puts the same records: " + cause, cause);
        this.line = line;
        this.imported = imported;
    }

    /** The line the import had reached. */
    public long line() {
        return line;
    }

    /** Records of the batches written before the failure: these are in the database. */
    public long imported() {
        return imported;
    }
}
