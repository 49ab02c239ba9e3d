package io.ferrumdb.server;

import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;

/** Every supported command, by lower-case name. Commands not in the table get "ERR unknown command". */
final class CommandTable {
    private CommandTable() {
    }

    static Map<String, CommandSpec> build() {
        Builder t = new Builder();
        ConnectionCommands.register(t);
        StringCommands.register(t);
        KeyCommands.register(t);
        HashCommands.register(t);
        TransactionCommands.register(t);
        ServerCommands.register(t);
        return Collections.unmodifiableMap(t.specs);
    }

    static final class Builder {
        private final Map<String, CommandSpec> specs = new LinkedHashMap<>();

        void add(String name, int arity, int firstKey, int lastKey, int step, CommandSpec.Handler handler,
                CommandSpec.Flag... flags) {
            EnumSet<CommandSpec.Flag> set = EnumSet.noneOf(CommandSpec.Flag.class);
            Collections.addAll(set, flags);
            if (specs.put(name, new CommandSpec(name, arity, set, firstKey, lastKey, step, handler)) != null) {
                throw new IllegalStateException("command " + name + " registered twice");
            }
        }
    }
}
