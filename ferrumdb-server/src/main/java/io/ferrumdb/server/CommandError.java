package io.ferrumdb.server;

/**
 * A command failed with a Redis error reply; {@link #reply()} is the exact text after {@code -} (it starts with
 * the error code). Thrown before a command writes anything, so a failing command leaves no partial change.
 */
final class CommandError extends RuntimeException {
    static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
    static final String SYNTAX = "ERR syntax error";
    static final String NOT_INTEGER = "ERR value is not an integer or out of range";
    static final String NOT_FLOAT = "ERR value is not a valid float";

    CommandError(String reply) {
        super(reply, null, false, false);
    }

    String reply() {
        return getMessage();
    }

    static CommandError wrongType() {
        return new CommandError(WRONGTYPE);
    }

    static CommandError syntax() {
        return new CommandError(SYNTAX);
    }

    static CommandError arity(String command) {
        return new CommandError("ERR wrong number of arguments for '" + command + "' command");
    }
}
