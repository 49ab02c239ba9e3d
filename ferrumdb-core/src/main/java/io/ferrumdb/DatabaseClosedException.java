package io.ferrumdb;

/** An operation was attempted on a closed handle. */
public class DatabaseClosedException extends FerrumException {
    private static final long serialVersionUID = 1L;

    public DatabaseClosedException(String what) {
        super(what + " is closed");
    }
}
