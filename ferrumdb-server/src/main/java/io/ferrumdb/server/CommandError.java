package io.ferrumdb.server;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A command failed with a Redis error reply; {@link #reply()} is that reply (its text starts with the error code).
 * Thrown before a command writes anything, so a failing command leaves no partial change.
 */
final class CommandError extends RuntimeException {
    static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
    static final String SYNTAX = "ERR syntax error";
    static final String NOT_INTEGER = "ERR value is not an integer or out of range";
    static final String NOT_FLOAT = "ERR value is not a valid float";

    private final byte[] text;

    CommandError(String reply) {
        this(reply.getBytes(StandardCharsets.UTF_8));
    }

    private CommandError(byte[] reply) {
        super(new String(reply, StandardCharsets.UTF_8), null, false, false);
        this.text = reply;
    }

    /**
     * An error quoting a client's arguments as Redis's {@code printf("%.Ns")} does: {@code String} parts are text,
     * {@code byte[]} parts are arguments, each up to its first NUL byte (a C string ends there).
     */
    static CommandError quoting(Object... parts) {
        return new CommandError(concat(parts));
    }

    /** The bytes of {@code parts}, as in {@link #quoting}. */
    static byte[] concat(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            out.writeBytes(part instanceof byte[] arg ? cString(arg, Integer.MAX_VALUE)
                    : ((String) part).getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    /** {@code arg} as {@code %.maxs} prints it: up to its first NUL byte, at most {@code max} bytes. */
    static byte[] cString(byte[] arg, int max) {
        int n = 0;
        while (n < arg.length && n < max && arg[n] != 0) {
            n++;
        }
        return java.util.Arrays.copyOf(arg, n);
    }

    /** Redis's reply to an unknown subcommand of a container command (CLIENT, CONFIG, COMMAND, FUNCTION). */
    static CommandError unknownSubcommand(byte[] subcommand, String container) {
        return quoting("ERR unknown subcommand '", cString(subcommand, 128), "'. Try "
                + container.toUpperCase(java.util.Locale.ROOT) + " HELP.");
    }

    Reply reply() {
        return Reply.err(text);
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
