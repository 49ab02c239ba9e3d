package io.ferrumdb.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code CLIENT HELP}, {@code CONFIG HELP}, {@code COMMAND HELP} and {@code FUNCTION HELP}: the subcommands this
 * server runs, in Redis's words and reply shape (an array of simple strings). The error for an unknown subcommand
 * says "Try CLIENT HELP.", as Redis's does, so HELP itself must answer.
 */
final class SubcommandHelp {
    private static final Map<String, List<String>> LINES = Map.of(
            "client", List.of(
                    "GETNAME",
                    "    Return the name of the current connection.",
                    "ID",
                    "    Return the ID of the current connection.",
                    "INFO",
                    "    Return information about the current client connection.",
                    "KILL <ip:port>",
                    "    Kill connection made from <ip:port>.",
                    "KILL <option> <value> [<option> <value> [...]]",
                    "    Kill connections. Options are:",
                    "    * ADDR <ip:port>",
                    "      Kill connections made from the specified address",
                    "    * LADDR <ip:port>",
                    "      Kill connections made to specified local address",
                    "    * ID <client-id>",
                    "      Kill the connection with this ID.",
                    "    * TYPE NORMAL",
                    "      Kill connections by type (FerrumDB has normal clients only).",
                    "    * USER <username>",
                    "      Kill connections authenticated by <username>.",
                    "    * SKIPME (YES|NO)",
                    "      Skip killing current connection (default: yes).",
                    "LIST [options ...]",
                    "    Return information about client connections. Options:",
                    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                    "      Return clients of specified type.",
                    "    * ID <client-id> [<client-id> ...]",
                    "      Return clients of specified IDs only.",
                    "SETINFO (LIB-NAME|LIB-VER) <value>",
                    "    Set the client library's name or version, shown by CLIENT LIST.",
                    "SETNAME <name>",
                    "    Assign the name <name> to the current connection."),
            "config", List.of(
                    "GET <pattern> [<pattern> ...]",
                    "    Return parameters matching the glob-like <pattern> and their values.",
                    "SET <directive> <value>",
                    "    Set the hash encoding thresholds, which change nothing in FerrumDB; the rest of its",
                    "    configuration is fixed when the server starts.",
                    "RESETSTAT",
                    "    Reset statistics reported by the INFO command."),
            "command", List.of(
                    "(no subcommand)",
                    "    Return details about all FerrumDB commands.",
                    "COUNT",
                    "    Return the total number of commands in this server.",
                    "LIST [FILTERBY (MODULE <module-name>|ACLCAT <category>|PATTERN <pattern>)]",
                    "    Return a list of all commands in this server.",
                    "INFO [<command-name> ...]",
                    "    Return details about multiple commands.",
                    "    If no command names are given, documentation details for all",
                    "    commands are returned.",
                    "DOCS [<command-name> ...]",
                    "    Return documentation details about multiple commands.",
                    "    If no command names are given, documentation details for all",
                    "    commands are returned."),
            "function", List.of(
                    "FLUSH [ASYNC|SYNC]",
                    "    Delete all the libraries (FerrumDB runs no scripts, so there are none)."));

    private SubcommandHelp() {
    }

    /** True when {@code container} has a help text; every container command must (checked when it is added). */
    static boolean covers(String container) {
        return LINES.containsKey(container);
    }

    /** The reply of {@code <CONTAINER> HELP}. */
    static Reply reply(String container) {
        String upper = container.toUpperCase(Locale.ROOT);
        List<Reply> lines = new ArrayList<>();
        lines.add(new Reply.Simple(upper + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"));
        for (String line : LINES.get(container)) {
            lines.add(new Reply.Simple(line));
        }
        lines.add(new Reply.Simple("HELP"));
        lines.add(new Reply.Simple("    Prints this help."));
        return new Reply.Array(lines);
    }
}
