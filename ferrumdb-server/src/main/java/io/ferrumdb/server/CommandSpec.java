package io.ferrumdb.server;

import java.util.Map;
import java.util.Set;

/**
 * One command of the table: its name (lower case), Redis arity (positive: exactly that many arguments including
 * the name; negative: at least that many), flags, the positions of its keys (for COMMAND INFO), its handler, and
 * for a container command (CLIENT, CONFIG, ...) the arity of each subcommand by lower-case name (else empty).
 */
record CommandSpec(String name, int arity, Set<Flag> flags, int firstKey, int lastKey, int keyStep,
        Handler handler, Map<String, Integer> subcommands) {

    enum Flag {
        /** Changes data: runs under the write lock and may commit a batch. */
        WRITE,
        READONLY,
        /** Allowed before AUTH. */
        NO_AUTH,
        /** Rejected inside MULTI ("Command not allowed inside a transaction"). */
        NO_MULTI,
        /** Runs immediately inside MULTI instead of being queued (EXEC, DISCARD, MULTI, WATCH, QUIT, RESET). */
        TRANSACTION_CONTROL,
        FAST
    }

    @FunctionalInterface
    interface Handler {
        Reply run(Call call);
    }

    boolean has(Flag flag) {
        return flags.contains(flag);
    }

    boolean arityOk(int argc) {
        return arityOk(arity, argc);
    }

    static boolean arityOk(int arity, int argc) {
        return arity > 0 ? argc == arity : argc >= -arity;
    }
}
