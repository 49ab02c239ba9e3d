package io.ferrumdb.cli;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.KeyRange;
import io.ferrumdb.WriteBatch;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/** Executes REPL command lines against one open database; shared by the terminal and the piped REPL. */
final class ReplSession {
    /** Command names and one-line help, in the order HELP lists them; also the completion candidates. */
    static final Map<String, String> COMMANDS = orderedHelp(
            "SET", "SET key value [EX seconds | PX millis]   set a value (a value starting with { or [ is the "
                    + "rest of the input, and may span lines)",
            "GET", "GET key                                   the value, or (nil)",
            "DEL", "DEL key [key ...]                         delete keys; prints how many existed",
            "KEYS", "KEYS [--all] [prefix|pattern]             live keys in key order: those starting with prefix, or "
                    + "matching a pattern with * ? [...] as Redis's KEYS (--all: with a document store's internal "
                    + "keys)",
            "COUNT", "COUNT [--all] [prefix]                    number of live keys, those KEYS lists (--all: with a"
                    + " document store's internal keys)",
            "TTL", "TTL key                                   seconds left; -1 without TTL, -2 when absent",
            "EXPIRE", "EXPIRE key seconds                        set a TTL on a key (0 or less deletes it, as Redis); "
                    + "prints 1, or 0 when absent",
            "PERSIST", "PERSIST key                               remove a key's TTL; prints 1, or 0",
            "MULTI", "MULTI                                     start a batch: SET and DEL are queued",
            "EXEC", "EXEC                                      apply the queued batch atomically (one WriteBatch); "
                    + "discards it if a SET or DEL in it failed",
            "DISCARD", "DISCARD                                   drop the queued batch",
            "DOC", "DOC PUT|GET|DEL|FIND|COUNT|INDEX|EXPLAIN|COLLECTIONS ...  documents (HELP DOC for the syntax)",
            "INFO", "INFO                                      database information",
            "HELP", "HELP [command]                            this help",
            "EXIT", "EXIT | QUIT                               leave (Ctrl-D too)");

    static final String DOC_HELP = """
            DOC PUT coll id json          store a JSON document (it may span lines)
            DOC GET coll id               the document, or (nil) when absent
            DOC DEL coll id               delete a document
            DOC FIND coll [filter]        matching documents as id<TAB>json (all without a filter)
            DOC COUNT coll [filter]       number of matching documents
            DOC INDEX coll path [UNIQUE]  create an index, e.g. DOC INDEX users address.city
            DOC EXPLAIN coll filter       which index a filter uses, or a scan
            DOC COLLECTIONS               collections and their indexes
            A filter is JSON: {"city": "London", "age": {"$gte": 30}}; operators $eq $ne $gt $gte $lt $lte $in
            $between $startsWith $exists, and $and / $or (arrays of filters) and $not. A collection is created
            by its first document; reading one that does not exist is an error naming those that do.""";

    /** The DOC subcommands, in the order DOC_HELP lists them; also the completion candidates after DOC. */
    static final List<String> DOC_COMMANDS = List.of("PUT", "GET", "DEL", "FIND", "COUNT", "INDEX", "EXPLAIN",
            "COLLECTIONS");

    /** Commands whose first argument is a key, for completion. */
    static final List<String> KEY_COMMANDS = List.of("GET", "SET", "DEL", "TTL", "EXPIRE", "PERSIST");

    private final ReplHandles handles;
    private final Codec codec;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean verbose;
    private final ReplInterrupt interrupt;
    private WriteBatch batch;
    private int queued;
    /** A SET or DEL of the open batch failed: EXEC discards the batch (Redis's EXECABORT), applying none of it. */
    private String queueingFailure;
    private boolean exit;

    /** @param interrupt Ctrl-C on a terminal; piped input has one that is never requested */
    ReplSession(ReplHandles handles, Codec codec, PrintStream out, PrintStream err, boolean verbose,
                ReplInterrupt interrupt) {
        this.handles = handles;
        this.codec = codec;
        this.out = out;
        this.err = err;
        this.verbose = verbose;
        this.interrupt = interrupt;
    }

    boolean exitRequested() {
        return exit;
    }

    boolean inBatch() {
        return batch != null;
    }

    ReplHandles handles() {
        return handles;
    }

    private FerrumDB db() {
        return handles.kv();
    }

    Codec codec() {
        return codec;
    }

    /** Runs one (possibly multi-line) input; returns 0, or the exit code of its failure, which it reports. */
    int execute(String input) {
        interrupt.clear();
        int code = ExitCode.OK;
        try {
            run(input);
        } catch (StandardOutput.ReaderGone e) {
            throw e; // nobody reads the answers any more: the session ends, as the command would
        } catch (ReplInterrupt.Interrupted e) {
            interrupt.clear();
            err.println("(interrupted)");
            code = Main.exitCode(e);
        } catch (RuntimeException e) {
            interrupt.clear();
            err.println("(error) " + Main.message(e));
            if (verbose) {
                e.printStackTrace(err);
            }
            code = Main.exitCode(e);
        }
        if (interrupt.requested()) {
            interrupt.clear();
            err.println("(interrupted, but the command had run to its end: part of its output was not shown)");
        }
        out.flush();
        return code;
    }

    /** Ends the session: an unfinished batch is dropped, and said so. */
    void close() {
        if (batch != null) {
            err.println("(warning) MULTI without EXEC: " + queued + " queued operation(s) discarded");
            batch = null;
        }
    }

    private void run(String input) {
        ReplSyntax.Words w = ReplSyntax.split(input);
        if (w.size() == 0) {
            return;
        }
        String cmd = w.get(0).toUpperCase(Locale.ROOT);
        if (batch != null && !List.of("SET", "DEL", "EXEC", "DISCARD", "MULTI", "HELP").contains(cmd)) {
            throw CliException.usage(cmd + " cannot be queued: only SET and DEL; EXEC or DISCARD the batch first");
        }
        if (batch != null && (cmd.equals("SET") || cmd.equals("DEL"))) {
            queueInBatch(cmd, w);
            return;
        }
        switch (cmd) {
            case "SET" -> set(w);
            case "GET" -> {
                arity(w, 2, 2);
                byte[] v = db().get(key(w.get(1)));
                out.println(v == null ? "(nil)" : codec.encode(v));
            }
            case "DEL" -> del(w);
            case "KEYS" -> keys(w);
            case "COUNT" -> {
                boolean all = w.size() >= 2 && w.get(1).equals("--all");
                int first = all ? 2 : 1;
                arity(w, first, first + 1);
                out.println(Cli.shownCount(db(), w.size() == first ? null : DataCommands.range(codec, w.get(first)),
                        all));
            }
            case "TTL" -> ttl(w);
            case "EXPIRE" -> expire(w);
            case "PERSIST" -> {
                arity(w, 2, 2);
                out.println(rewrite(key(w.get(1)), null) ? 1 : 0);
            }
            case "MULTI" -> {
                arity(w, 1, 1);
                if (batch != null) {
                    throw CliException.usage("MULTI inside MULTI: EXEC or DISCARD first");
                }
                batch = new WriteBatch();
                queued = 0;
                queueingFailure = null;
                out.println("OK");
            }
            case "EXEC" -> exec(w);
            case "DISCARD" -> {
                arity(w, 1, 1);
                requireBatch("DISCARD");
                batch = null;
                out.println("OK (" + queued + " operation(s) discarded)");
            }
            case "INFO" -> {
                arity(w, 1, 1);
                InfoCommand.describe(db(), out);
            }
            case "DOC" -> doc(w);
            case "HELP" -> help(w);
            case "EXIT", "QUIT" -> exit = true;
            // The one-shot command line says `ferrumdb put` / `delete`; the REPL speaks Redis's SET and DEL.
            case "PUT" -> throw CliException.usage("unknown command '" + w.get(0) + "': in the REPL it is "
                    + usage("SET") + " (HELP lists the commands)");
            case "DELETE" -> throw CliException.usage("unknown command '" + w.get(0) + "': in the REPL it is "
                    + usage("DEL") + " (HELP lists the commands)");
            default -> throw CliException.usage("unknown command '" + w.get(0) + "'"
                    + Closest.suggestion(cmd, COMMANDS.keySet()) + " (HELP lists the commands)");
        }
    }

    private void set(ReplSyntax.Words w) {
        if (w.size() < 3) {
            throw CliException.usage("usage: " + usage("SET"));
        }
        byte[] k = key(w.get(1));
        String rest = w.restAfter(2);
        byte[] value;
        Duration ttl = null;
        if (rest.startsWith("{") || rest.startsWith("[")) {
            value = codec.decode(rest, "value");
        } else {
            value = codec.decode(w.get(2), "value");
            if (w.size() == 5) {
                String unit = w.get(3).toUpperCase(Locale.ROOT);
                long n = seconds(w.get(4));
                ttl = Durations.withinTtlLimit(switch (unit) {
                    case "EX" -> Duration.ofSeconds(n);
                    case "PX" -> Duration.ofMillis(n);
                    default -> throw CliException.usage("usage: " + usage("SET"));
                }, unit + " " + w.get(4));
            } else if (w.size() != 3) {
                throw CliException.usage("usage: " + usage("SET") + " (quote a value that contains blanks)");
            }
        }
        if (batch != null) {
            if (ttl == null) {
                batch.put(k, value);
            } else {
                batch.put(k, value, ttl);
            }
            queue();
        } else {
            if (ttl == null) {
                db().put(k, value);
            } else {
                db().put(k, value, ttl);
            }
            out.println("OK");
        }
    }

    private void del(ReplSyntax.Words w) {
        if (w.size() < 2) {
            throw CliException.usage("usage: " + usage("DEL"));
        }
        if (batch != null) {
            for (int i = 1; i < w.size(); i++) {
                batch.delete(key(w.get(i)));
                queue();
            }
            return;
        }
        int n = 0;
        for (int i = 1; i < w.size(); i++) {
            n += db().delete(key(w.get(i))) ? 1 : 0;
        }
        out.println(n);
    }

    private void keys(ReplSyntax.Words w) {
        boolean all = w.size() >= 2 && w.get(1).equals("--all");
        int first = all ? 2 : 1;
        arity(w, first, first + 1);
        KeySelection selection = KeySelection.of(codec, w.size() == first + 1 ? w.get(first) : null);
        try (Stream<byte[]> keys = Cli.shownKeys(db(), selection.range(), all)) {
            Iterator<byte[]> it = keys.iterator();
            while (it.hasNext()) {
                interrupt.check();
                byte[] key = it.next();
                if (selection.shows(key)) {
                    out.println(codec.encode(key));
                }
            }
        }
    }

    private void ttl(ReplSyntax.Words w) {
        arity(w, 2, 2);
        long at = db().expiresAt(key(w.get(1)));
        if (at <= 0) {
            out.println(at == 0 ? -1 : -2);
        } else {
            long left = at - db().options().clock().millis();
            out.println((left + 999) / 1000);
        }
    }

    /**
     * {@code EXPIRE key seconds}: 1 when the key exists, else 0. Zero or fewer seconds delete the key, as Redis's
     * EXPIRE does (the key expires at once), rather than being refused.
     */
    private void expire(ReplSyntax.Words w) {
        arity(w, 3, 3);
        byte[] key = key(w.get(1));
        long seconds;
        try {
            seconds = Long.parseLong(w.get(2));
        } catch (NumberFormatException e) {
            throw CliException.usage("expected a number of seconds, got '" + w.get(2) + "'");
        }
        boolean existed = seconds <= 0 ? db().delete(key)
                : rewrite(key, Durations.withinTtlLimit(Duration.ofSeconds(seconds), w.get(2) + " seconds"));
        out.println(existed ? 1 : 0);
    }

    /** Puts the current value again with a new TTL (or none); false when the key is absent. */
    private boolean rewrite(byte[] key, Duration ttl) {
        byte[] value = db().get(key);
        if (value == null) {
            return false;
        }
        if (ttl == null) {
            db().put(key, value);
        } else {
            db().put(key, value, ttl);
        }
        return true;
    }

    /**
     * Queues a SET or DEL into the open batch. One that fails (a bad key, an over-long value, wrong arguments) marks
     * the batch: applying the others would write part of what the batch was meant to do as one.
     */
    private void queueInBatch(String cmd, ReplSyntax.Words w) {
        try {
            if (cmd.equals("SET")) {
                set(w);
            } else {
                del(w);
            }
        } catch (RuntimeException e) {
            if (queueingFailure == null) {
                queueingFailure = cmd + " (" + Main.message(e) + ")";
            }
            throw e;
        }
    }

    private void exec(ReplSyntax.Words w) {
        arity(w, 1, 1);
        requireBatch("EXEC");
        WriteBatch b = batch;
        batch = null;
        if (queueingFailure != null) {
            throw CliException.usage("EXECABORT batch discarded, nothing applied: a command queued in it failed: "
                    + queueingFailure);
        }
        db().write(b);
        out.println("OK (" + queued + " operation(s) applied atomically)");
    }

    private void doc(ReplSyntax.Words w) {
        if (w.size() < 2) {
            throw CliException.usage("DOC needs a command: DOC " + String.join("|", DOC_COMMANDS)
                    + " ... (HELP DOC shows their syntax)");
        }
        String sub = w.get(1).toUpperCase(Locale.ROOT);
        switch (sub) {
            case "PUT" -> {
                docArity(w, 5, Integer.MAX_VALUE);
                Docs.put(handles.docs(), w.get(2), w.get(3), w.restAfter(4));
                out.println("OK");
            }
            case "GET" -> {
                docArity(w, 4, 4);
                String json = Docs.get(handles.docs(), w.get(2), w.get(3));
                out.println(json == null ? "(nil)" : json);   // as GET: an absent document is no error here
            }
            case "DEL" -> {
                docArity(w, 4, 4);
                Docs.delete(handles.docs(), w.get(2), w.get(3));
                out.println("OK");
            }
            case "FIND" -> {
                docArity(w, 3, Integer.MAX_VALUE);
                Docs.find(handles.docs(), w.get(2), w.restAfter(3), Integer.MAX_VALUE, out);
            }
            case "COUNT" -> {
                docArity(w, 3, Integer.MAX_VALUE);
                Docs.count(handles.docs(), w.get(2), w.restAfter(3), out);
            }
            case "INDEX" -> {
                docArity(w, 4, 5);
                boolean unique = w.size() == 5;
                if (unique && !w.get(4).equalsIgnoreCase("UNIQUE")) {
                    throw CliException.usage("usage: DOC INDEX coll path [UNIQUE]");
                }
                Docs.createIndex(handles.docs(), w.get(2), w.get(3), unique);
                out.println("OK");
            }
            case "EXPLAIN" -> {
                docArity(w, 4, Integer.MAX_VALUE);
                Docs.explain(handles.docs(), w.get(2), w.restAfter(3), out);
            }
            case "COLLECTIONS" -> {
                docArity(w, 2, 2);
                Docs.collections(handles.docs(), out);
            }
            default -> throw CliException.usage("unknown DOC command '" + w.get(1) + "'"
                    + Closest.suggestion(sub, DOC_COMMANDS) + " (HELP DOC lists them)");
        }
    }

    private static void docArity(ReplSyntax.Words w, int min, int max) {
        if (w.size() < min || w.size() > max) {
            String sub = "DOC " + w.get(1).toUpperCase(Locale.ROOT) + " ";
            String usage = DOC_HELP.lines().filter(l -> l.startsWith(sub)).findFirst().orElseThrow();
            throw CliException.usage("usage: " + usage.substring(0, usage.indexOf("  ")));
        }
    }

    private void help(ReplSyntax.Words w) {
        arity(w, 1, 2);
        if (w.size() == 2) {
            String c = w.get(1).toUpperCase(Locale.ROOT);
            if (!COMMANDS.containsKey(c)) {
                throw CliException.usage("no command '" + w.get(1) + "'" + Closest.suggestion(c, COMMANDS.keySet())
                        + " (HELP lists the commands)");
            }
            out.println(c.equals("DOC") ? DOC_HELP : COMMANDS.get(c));
            return;
        }
        out.println("Commands (case-insensitive; quote words with blanks in \"...\" (which reads \\xHH, \\n and \\t)"
                + " or '...'):");
        COMMANDS.values().forEach(h -> out.println("  " + h));
        if (codec != Codec.TEXT) {
            out.println("Keys and values are written in " + codec.name().toLowerCase(Locale.ROOT) + ".");
        }
    }

    private void queue() {
        queued++;
        out.println("QUEUED");
    }

    private void requireBatch(String cmd) {
        if (batch == null) {
            throw CliException.usage(cmd + " without MULTI");
        }
    }

    private byte[] key(String text) {
        return codec.decode(text, "key");
    }

    private static long seconds(String text) {
        try {
            long n = Long.parseLong(text);
            if (n <= 0) {
                throw CliException.usage("expected a positive number, got " + text);
            }
            return n;
        } catch (NumberFormatException e) {
            throw CliException.usage("expected a positive number, got '" + text + "'");
        }
    }

    private static void arity(ReplSyntax.Words w, int min, int max) {
        if (w.size() < min || w.size() > max) {
            throw CliException.usage("usage: " + usage(w.get(0).toUpperCase(Locale.ROOT)));
        }
    }

    private static String usage(String cmd) {
        String h = COMMANDS.get(cmd);
        int gap = h.indexOf("   ");
        return gap < 0 ? h : h.substring(0, gap);
    }

    private static Map<String, String> orderedHelp(String... pairs) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }
}
