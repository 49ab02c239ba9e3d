package io.ferrumdb;

/**
 * A write was refused: the database was opened read-only, or an earlier write or fsync failed and the database
 * stopped accepting writes (the cause is that original failure). Reads keep working.
 */
public class ReadOnlyDatabaseException extends FerrumException {
    private static final long serialVersionUID = 1L;

    public ReadOnlyDatabaseException(String message, Throwable cause) {
        super(message, cause);
    }
}
