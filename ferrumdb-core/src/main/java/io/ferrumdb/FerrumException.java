package io.ferrumdb;

/** Base of every exception FerrumDB throws for a storage-level problem. Unchecked, like the JDK's I/O wrappers. */
public class FerrumException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FerrumException(String message) {
        super(message);
    }

    public FerrumException(String message, Throwable cause) {
        super(message, cause);
    }
}
