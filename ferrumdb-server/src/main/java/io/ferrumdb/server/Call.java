package io.ferrumdb.server;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

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

    /** The argument upper-cased, for matching options such as EX, NX, MATCH. */
    String option(int i) {
        return text(i).toUpperCase(Locale.ROOT);
    }

    long longArg(int i) {
        Long v = Numbers.parseLong(args[i]);
        if (v == null) {
            throw new CommandError(CommandError.NOT_INTEGER);
        }
        return v;
    }

    double doubleArg(int i) {
        Double v = Numbers.parseDouble(args[i]);
        if (v == null) {
            throw new CommandError(CommandError.NOT_FLOAT);
        }
        return v;
    }

    long now() {
        return txn.now();
    }
}
