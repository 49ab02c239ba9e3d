package io.ferrumdb.server;

import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
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
            put(new CommandSpec(name, arity, flagSet(flags), firstKey, lastKey, step, handler, Map.of()));
        }

        /** A container command: its subcommands (lower case) with their Redis arities, checked before it runs. */
        /** A command with subcommands, each with its arity; {@code <NAME> HELP} is added ({@link SubcommandHelp}). */
        void addContainer(String name, int arity, Map<String, Integer> subcommands, CommandSpec.Handler handler,
                CommandSpec.Flag... flags) {
            if (!SubcommandHelp.covers(name)) {
                throw new IllegalStateException("no HELP text for the container command " + name);
            }
            Map<String, Integer> withHelp = new HashMap<>(subcommands);
            withHelp.put("help", 2);
            CommandSpec.Handler helpFirst = c -> c.argc() == 2 && c.option(1).equals("HELP")
                    ? SubcommandHelp.reply(name) : handler.run(c);
            put(new CommandSpec(name, arity, flagSet(flags), 0, 0, 0, helpFirst, Map.copyOf(withHelp)));
        }

        private static EnumSet<CommandSpec.Flag> flagSet(CommandSpec.Flag... flags) {
            EnumSet<CommandSpec.Flag> set = EnumSet.noneOf(CommandSpec.Flag.class);
            Collections.addAll(set, flags);
            return set;
        }

        private void put(CommandSpec spec) {
            if (specs.put(spec.name(), spec) != null) {
                throw new IllegalStateException("command " + spec.name() + " registered twice");
            }
        }
    }
}
