package io.ferrumdb.server;

import java.nio.charset.StandardCharsets;

/** One invocation of a command: its arguments, the calling session, and the unit of work it reads and writes. */
final class Call {
    /** What the connection does once the reply is written. */
    enum Effect {
        NONE,
        CLOSE_CONNECTION,
        /** SHUTDOWN: no reply; the server stops and closes the database. */
        SHUTDOWN_SERVER
    }

    final CommandExecutor server;
    final Session session;
    final byte[][] args;
    final Txn txn;
    Effect effect = Effect.NONE;
    /** Run by EXEC from a MULTI queue (BGSAVE then only schedules its save for after the transaction's batch). */
    boolean queued;

    Call(CommandExecutor server, Session session, byte[][] args, Txn txn) {
        this.server = server;
        this.session = session;
        this.args = args;
        this.txn = txn;
    }

    Keyspace ks() {
        return new Keyspace(txn, session.db);
    }

    int argc() {
        return args.length;
    }

    byte[] arg(int i) {
        return args[i];
    }

    String text(int i) {
        return new String(args[i], StandardCharsets.UTF_8);
    }

    /**
     * The argument with ASCII letters upper-cased, for matching options such as EX, NX, MATCH as Redis's
     * {@code strcasecmp} does: a byte outside ASCII never matches (Java's {@code toUpperCase} would turn the UTF-8
     * of U+017F into an S).
     */
    String option(int i) {
        byte[] upper = args[i].clone();
        for (int j = 0; j < upper.length; j++) {
            if (upper[j] >= 'a' && upper[j] <= 'z') {
                upper[j] -= 'a' - 'A';
            }
        }
        return new String(upper, StandardCharsets.ISO_8859_1);
    }

    long longArg(int i) {
        Long v = Numbers.parseLong(args[i]);
        if (v == null) {
            throw new CommandError(CommandError.NOT_INTEGER);
        }
        return v;
    }

    /** An argument that must fit a C int (object.c {@code getIntFromObjectOrReply}), with Redis's range error. */
    int intArg(int i) {
        long v = longArg(i);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new CommandError("ERR value is out of range, value must between " + Integer.MIN_VALUE + " and "
                    + Integer.MAX_VALUE);
        }
        return (int) v;
    }

    LongDouble floatArg(int i) {
        LongDouble v = LongDouble.parse(args[i]);
        if (v == null) {
            throw new CommandError(CommandError.NOT_FLOAT);
        }
        return v;
    }

    long now() {
        return txn.now();
    }
}
