package io.ferrumdb.bench;

/** A failure of an engine or of the harness, carrying the engine's own exception as cause. */
public final class BenchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BenchException(String message, Throwable cause) {
        super(message, cause);
    }

    public BenchException(String message) {
        super(message);
    }
}
