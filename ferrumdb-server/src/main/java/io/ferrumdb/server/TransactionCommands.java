package io.ferrumdb.server;

import static io.ferrumdb.server.CommandSpec.Flag.FAST;
import static io.ferrumdb.server.CommandSpec.Flag.TRANSACTION_CONTROL;
import static io.ferrumdb.server.CommandSpec.Flag.WRITE;

/** MULTI, EXEC, DISCARD, WATCH, UNWATCH (multi.c). EXEC itself lives in {@link CommandExecutor#exec}. */
final class TransactionCommands {
    private TransactionCommands() {
    }

    static void register(CommandTable.Builder t) {
        t.add("multi", 1, 0, 0, 0, TransactionCommands::multi, TRANSACTION_CONTROL, FAST);
        t.add("exec", 1, 0, 0, 0, c -> c.server.exec(c), TRANSACTION_CONTROL, WRITE);
        t.add("discard", 1, 0, 0, 0, TransactionCommands::discard, TRANSACTION_CONTROL, WRITE, FAST);
        t.add("watch", -2, 1, -1, 1, TransactionCommands::watch, TRANSACTION_CONTROL, WRITE, FAST);
        t.add("unwatch", 1, 0, 0, 0, TransactionCommands::unwatch, WRITE, FAST);
    }

    private static Reply multi(Call c) {
        if (c.session.inMulti()) {
            return Reply.err("ERR MULTI calls can not be nested");
        }
        c.session.beginMulti();
        return Reply.OK;
    }

    /** REQUIRES: the write lock (the watch registry is shared). */
    private static Reply discard(Call c) {
        if (!c.session.inMulti()) {
            return Reply.err("ERR DISCARD without MULTI");
        }
        c.session.endMulti();
        c.server.watches.unwatchAll(c.session);
        return Reply.OK;
    }

    private static Reply watch(Call c) {
        if (c.session.inMulti()) {
            return Reply.err("ERR WATCH inside MULTI is not allowed");
        }
        Keyspace ks = c.ks();
        for (int i = 1; i < c.argc(); i++) {
            byte[] key = c.arg(i);
            Keyspace.checkKey(key);
            c.server.watches.watch(c.session, new KeyLayout.DbKey(c.session.db, key), ks.exists(key));
        }
        return Reply.OK;
    }

    private static Reply unwatch(Call c) {
        c.server.watches.unwatchAll(c.session);
        return Reply.OK;
    }
}
