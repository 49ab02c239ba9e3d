package io.ferrumdb.server;

/** The server could not start: the port is taken, or the database is not one it may serve. */
public final class ServerStartException extends RuntimeException {
    public ServerStartException(String message) {
        super(message);
    }

    public ServerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
