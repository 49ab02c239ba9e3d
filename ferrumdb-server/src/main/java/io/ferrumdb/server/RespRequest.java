package io.ferrumdb.server;

import java.nio.charset.StandardCharsets;

/** What {@link RespDecoder} reads from a connection: a command, or a protocol error that ends the connection. */
sealed interface RespRequest {
    /** A command and its arguments; {@code args[0]} is the command name as the client sent it. */
    record Command(byte[][] args) implements RespRequest {
        public Command {
            if (args.length == 0) {
                throw new IllegalArgumentException("a command has at least its name");
            }
        }

        String name() {
            return new String(args[0], StandardCharsets.UTF_8);
        }
    }

    /** The stream cannot be resynchronised: the server replies {@code -ERR Protocol error: ...} and closes. */
    record ProtocolError(String message) implements RespRequest {
    }
}
