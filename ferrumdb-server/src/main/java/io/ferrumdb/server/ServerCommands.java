package io.ferrumdb.server;

import static io.ferrumdb.server.CommandSpec.Flag.FAST;
import static io.ferrumdb.server.CommandSpec.Flag.NO_MULTI;
import static io.ferrumdb.server.CommandSpec.Flag.READONLY;
import static io.ferrumdb.server.CommandSpec.Flag.WRITE;

import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.KeyRange;
import io.ferrumdb.Stats;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Server commands: INFO, TIME, COMMAND, CONFIG GET, SAVE, BGSAVE, SHUTDOWN, LASTSAVE. */
final class ServerCommands {
    private static final List<String> INFO_SECTIONS =
            List.of("server", "clients", "memory", "persistence", "stats", "replication", "keyspace");

    private ServerCommands() {
    }

    static void register(CommandTable.Builder t) {
        t.add("info", -1, 0, 0, 0, ServerCommands::info);
        t.add("time", 1, 0, 0, 0, ServerCommands::time, FAST);
        t.addContainer("command", -1, Map.of("count", 2, "docs", -2, "info", -2, "list", -2),
                ServerCommands::command);
        t.addContainer("config", -2, Map.of("get", -3, "set", -4, "resetstat", 2), ServerCommands::config);
        t.add("save", 1, 0, 0, 0, ServerCommands::save, NO_MULTI);
        t.add("bgsave", -1, 0, 0, 0, ServerCommands::bgsave);
        t.add("lastsave", 1, 0, 0, 0, c -> Reply.integer(c.server.lastSave / 1000), FAST);
        t.add("shutdown", -1, 0, 0, 0, ServerCommands::shutdown, NO_MULTI);
        t.addContainer("function", -2, Map.of("flush", -2), ServerCommands::function);
    }

    private static Reply time(Call c) {
        long micros = System.currentTimeMillis() * 1000 + (System.nanoTime() / 1000) % 1000;
        return new Reply.Array(List.of(Reply.bulk(Long.toString(micros / 1_000_000)),
                Reply.bulk(Long.toString(micros % 1_000_000))));
    }

    private static Reply save(Call c) {
        c.server.save();
        return Reply.OK;
    }

    /**
     * FerrumDB has no snapshot to fork: BGSAVE forces the log to disk (as SAVE does) before it replies. Inside
     * EXEC it is allowed, as in Redis, and "scheduled": the log is forced once the transaction's batch is written.
     */
    private static Reply bgsave(Call c) {
        if (c.argc() > 2 || c.argc() == 2 && !c.option(1).equals("SCHEDULE")) {
            throw CommandError.syntax();
        }
        if (c.queued) {
            c.txn.saveAfterCommit = true;
            return new Reply.Simple("Background saving scheduled");
        }
        c.server.save();
        return new Reply.Simple("Background saving started");
    }

    /**
     * SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT], read whole before acting as Redis does: an unknown option,
     * ABORT with any other, or NOSAVE with SAVE is a syntax error, and the server goes on.
     */
    private static Reply shutdown(Call c) {
        Set<String> options = new HashSet<>();
        for (int i = 1; i < c.argc(); i++) {
            String opt = c.option(i);
            if (!Set.of("NOSAVE", "SAVE", "NOW", "FORCE", "ABORT").contains(opt)) {
                throw CommandError.syntax();
            }
            options.add(opt);
        }
        boolean abort = options.remove("ABORT");
        if (abort && !options.isEmpty() || options.contains("NOSAVE") && options.contains("SAVE")) {
            throw CommandError.syntax();
        }
        if (abort) {
            return Reply.err("ERR No shutdown in progress.");
        }
        c.effect = Call.Effect.SHUTDOWN_SERVER;
        return null;
    }

    /**
     * FerrumDB has no scripting, so it never holds functions: FUNCTION FLUSH (which client libraries and test
     * harnesses call to reset a server) succeeds with nothing to delete; it is FUNCTION's only subcommand here.
     */
    private static Reply function(Call c) {
        if (c.argc() > 3) {
            throw CommandError.quoting("ERR unknown subcommand or wrong number of arguments for '",
                    CommandError.cString(c.arg(1), 128), "'. Try FUNCTION HELP.");
        }
        if (c.argc() == 3 && !c.option(2).equals("ASYNC") && !c.option(2).equals("SYNC")) {
            throw new CommandError("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
        }
        return Reply.OK;
    }

    // ------------------------------------------------------------------ CONFIG

    /** The parameters CONFIG GET answers: those clients and tools probe, with FerrumDB's true values. */
    private static Map<String, String> configValues(CommandExecutor server) {
        Map<String, String> m = new LinkedHashMap<>();
        FsyncPolicy fsync = server.db.options().fsyncPolicy();
        m.put("appendonly", "yes");
        m.put("appendfsync", fsync.isAlways() ? "always" : fsync.isNever() ? "no" : "everysec");
        m.put("save", "");
        m.put("databases", Integer.toString(ServerConfig.DATABASES));
        m.put("maxmemory", "0");
        m.put("maxmemory-policy", "noeviction");
        m.put("proto-max-bulk-len", Long.toString(server.config.maxBulkLength()));
        m.put("client-query-buffer-limit", Long.toString(server.config.maxQueryBytes()));
        m.put("port", Integer.toString(server.port));
        m.put("bind", server.config.bindAddress());
        m.put("protected-mode", "yes");
        m.put("timeout", "0");
        m.put("maxclients", Integer.toString(server.clients.max()));
        m.put("dir", server.db.directory().toAbsolutePath().toString());
        m.putAll(server.encodingThresholds);
        return m;
    }

    private static Reply config(Call c) {
        String sub = c.option(1);
        if (sub.equals("GET")) {
            return configGet(c);
        }
        if (sub.equals("RESETSTAT")) {
            c.server.resetStats();
            return Reply.OK;
        }
        if (sub.equals("SET")) {
            return configSet(c);
        }
        throw CommandError.unknownSubcommand(c.arg(1), "config");
    }

    /**
     * CONFIG GET, as Redis 7.0's configGetCommand: a name without glob characters ({@code [*?}) is looked up
     * ignoring case and answered under the name as given; a pattern is matched against every parameter, ignoring
     * case. Each parameter is answered once (under the first name it was asked by).
     */
    private static Reply configGet(Call c) {
        Map<String, String> values = configValues(c.server);
        Map<String, String> matches = new LinkedHashMap<>();
        Set<String> answered = new java.util.HashSet<>();
        for (int i = 2; i < c.argc(); i++) {
            String name = c.text(i);
            if (name.chars().noneMatch(ch -> ch == '[' || ch == '*' || ch == '?')) {
                String canonical = name.toLowerCase(Locale.ROOT);
                if (values.containsKey(canonical) && answered.add(canonical)) {
                    matches.put(name, values.get(canonical));
                }
                continue;
            }
            for (Map.Entry<String, String> e : values.entrySet()) {
                if (Glob.matches(c.arg(i), e.getKey().getBytes(StandardCharsets.UTF_8), true)
                        && answered.add(e.getKey())) {
                    matches.put(e.getKey(), e.getValue());
                }
            }
        }
        List<Reply> kv = new ArrayList<>();
        matches.forEach((name, value) -> {
            kv.add(Reply.bulk(name));
            kv.add(Reply.bulk(value));
        });
        return new Reply.MapReply(kv);
    }

    /**
     * CONFIG SET accepts only Redis's small-hash encoding thresholds, which test suites and tuning scripts set:
     * FerrumDB stores every hash the same way, so they are kept for CONFIG GET and change nothing else. Every
     * other parameter is fixed at start and refused.
     */
    private static Reply configSet(Call c) {
        if (c.argc() % 2 != 0) {
            throw CommandError.syntax();
        }
        Map<String, String> updates = new LinkedHashMap<>();
        for (int i = 2; i < c.argc(); i += 2) {
            String name = c.text(i).toLowerCase(Locale.ROOT);
            if (!c.server.encodingThresholds.containsKey(name)) {
                return CommandError.quoting("ERR Unknown option or number of arguments for CONFIG SET - '",
                        c.arg(i), "' (FerrumDB's configuration is fixed at start)").reply();
            }
            Long value = Numbers.parseLong(c.arg(i + 1));
            if (value == null || value < 0) {
                return CommandError.quoting("ERR CONFIG SET failed (possibly related to argument '", c.arg(i),
                        "') - argument couldn't be parsed into an integer").reply();
            }
            updates.put(name, Long.toString(value));
        }
        c.server.encodingThresholds.putAll(updates);
        return Reply.OK;
    }

    // ------------------------------------------------------------------ COMMAND

    private static Reply command(Call c) {
        Map<String, CommandSpec> table = c.server.table();
        // COMMAND and COMMAND INFO without names describe every command (Redis 7.0).
        if (c.argc() == 1 || c.argc() == 2 && c.option(1).equals("INFO")) {
            List<Reply> all = new ArrayList<>();
            for (CommandSpec spec : table.values()) {
                all.add(commandInfo(spec));
            }
            return new Reply.Array(all);
        }
        String sub = c.option(1);
        switch (sub) {
            case "COUNT" -> {
                return Reply.integer(table.size());
            }
            case "LIST" -> {
                return commandList(c, table);
            }
            case "INFO" -> {
                List<Reply> out = new ArrayList<>();
                for (int i = 2; i < c.argc(); i++) {
                    CommandSpec spec = table.get(c.text(i).toLowerCase(Locale.ROOT));
                    out.add(spec == null ? Reply.NULL_BULK : commandInfo(spec)); // addReplyNull: $-1 in RESP2
                }
                return new Reply.Array(out);
            }
            case "DOCS" -> {
                List<Reply> kv = new ArrayList<>();
                List<CommandSpec> wanted = new ArrayList<>();
                if (c.argc() == 2) {
                    wanted.addAll(table.values());
                }
                for (int i = 2; i < c.argc(); i++) {
                    CommandSpec spec = table.get(c.text(i).toLowerCase(Locale.ROOT));
                    if (spec != null) {
                        wanted.add(spec);
                    }
                }
                for (CommandSpec spec : wanted) {
                    kv.add(Reply.bulk(spec.name()));
                    kv.add(new Reply.MapReply(List.of(Reply.bulk("summary"), Reply.bulk(""),
                            Reply.bulk("group"), Reply.bulk(group(spec)))));
                }
                return new Reply.MapReply(kv);
            }
            default -> {
                throw CommandError.unknownSubcommand(c.arg(1), "command");
            }
        }
    }

    /**
     * COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern], read as Redis 7.0 reads it. FerrumDB
     * has no modules and gives its commands no ACL categories (COMMAND INFO lists none), so those two filters list
     * nothing; a pattern matches, ignoring case, command names and {@code container|subcommand} names. Without a
     * filter every command is listed with its {@code container|subcommand} names, as Redis lists them (so that a
     * pattern of {@code *} lists what no filter lists).
     */
    private static Reply commandList(Call c, Map<String, CommandSpec> table) {
        byte[] pattern = null;
        if (c.argc() != 2) {
            if (c.argc() != 5 || !c.option(2).equals("FILTERBY")
                    || !Set.of("MODULE", "ACLCAT", "PATTERN").contains(c.option(3))) {
                throw CommandError.syntax();
            }
            if (!c.option(3).equals("PATTERN")) {
                return new Reply.Array(List.of());
            }
            pattern = c.arg(4);
        }
        List<Reply> names = new ArrayList<>();
        for (CommandSpec spec : table.values()) {
            addIfMatches(names, pattern, spec.name());
            for (String sub : spec.subcommands().keySet()) {
                addIfMatches(names, pattern, spec.name() + "|" + sub);
            }
        }
        return new Reply.Array(names);
    }

    /** Adds {@code name} when it matches {@code pattern}, or always when there is no pattern (null). */
    private static void addIfMatches(List<Reply> names, byte[] pattern, String name) {
        if (pattern == null || Glob.matches(pattern, name.getBytes(StandardCharsets.UTF_8), true)) {
            names.add(Reply.bulk(name));
        }
    }

    private static String group(CommandSpec spec) {
        String n = spec.name();
        if (n.startsWith("h") && !n.equals("hello")) {
            return "hash";
        }
        return spec.firstKey() > 0 ? "generic" : "server";
    }

    private static Reply commandInfo(CommandSpec spec) {
        List<Reply> flags = new ArrayList<>();
        for (CommandSpec.Flag f : spec.flags()) {
            switch (f) {
                case WRITE -> flags.add(new Reply.Simple("write"));
                case READONLY -> flags.add(new Reply.Simple("readonly"));
                case FAST -> flags.add(new Reply.Simple("fast"));
                case NO_AUTH -> flags.add(new Reply.Simple("no_auth"));
                case NO_MULTI -> flags.add(new Reply.Simple("no_multi"));
                case TRANSACTION_CONTROL -> {
                }
            }
        }
        // Flags, ACL categories, tips, key specs and subcommands are sets in RESP3, as Redis 7.0 sends them.
        Reply none = new Reply.SetReply(List.of());
        return new Reply.Array(List.of(Reply.bulk(spec.name()), Reply.integer(spec.arity()),
                new Reply.SetReply(flags), Reply.integer(spec.firstKey()), Reply.integer(spec.lastKey()),
                Reply.integer(spec.keyStep()), none, none, none, none));
    }

    // ------------------------------------------------------------------ INFO

    private static Reply info(Call c) {
        List<String> wanted = new ArrayList<>();
        for (int i = 1; i < c.argc(); i++) {
            String s = c.text(i).toLowerCase(Locale.ROOT);
            if (s.equals("all") || s.equals("everything") || s.equals("default")) {
                wanted.addAll(INFO_SECTIONS);
            } else {
                wanted.add(s);
            }
        }
        if (wanted.isEmpty()) {
            wanted.addAll(INFO_SECTIONS);
        }
        StringBuilder sb = new StringBuilder();
        for (String section : INFO_SECTIONS) {
            if (!wanted.contains(section)) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append("\r\n");
            }
            sb.append("# ").append(Character.toUpperCase(section.charAt(0))).append(section.substring(1))
                    .append("\r\n");
            section(c, section, sb);
        }
        return Reply.verbatim(sb.toString());
    }

    private static void section(Call c, String section, StringBuilder sb) {
        CommandExecutor s = c.server;
        switch (section) {
            case "server" -> {
                long uptime = (System.currentTimeMillis() - s.startedAt) / 1000;
                line(sb, "redis_version", ConnectionCommands.REDIS_COMPAT_VERSION);
                line(sb, "ferrumdb_version", RespServer.version());
                line(sb, "redis_mode", "standalone");
                line(sb, "os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"));
                line(sb, "arch_bits", "64");
                line(sb, "process_id", Long.toString(ProcessHandle.current().pid()));
                line(sb, "tcp_port", Integer.toString(s.port));
                line(sb, "uptime_in_seconds", Long.toString(uptime));
                line(sb, "uptime_in_days", Long.toString(uptime / 86400));
                line(sb, "java_version", System.getProperty("java.version"));
            }
            case "clients" -> {
                line(sb, "connected_clients", Integer.toString(s.sessions.size()));
                line(sb, "maxclients", Integer.toString(s.clients.max()));
                line(sb, "blocked_clients", "0");
            }
            case "memory" -> {
                Runtime rt = Runtime.getRuntime();
                long used = rt.totalMemory() - rt.freeMemory();
                line(sb, "used_memory", Long.toString(used));
                line(sb, "used_memory_human", String.format(Locale.ROOT, "%.2fM", used / 1048576.0));
                line(sb, "maxmemory", "0");
                line(sb, "maxmemory_policy", "noeviction");
                line(sb, "jvm_max_heap", Long.toString(rt.maxMemory()));
                // The key directory holds every key off the heap (README "Limits"): used_memory, the heap in use,
                // leaves most of it out, so it has its own line.
                line(sb, "used_memory_keydir", Long.toString(s.db.stats().keyDirectoryBytes()));
                line(sb, "mem_allocator", "jvm");
            }
            case "persistence" -> {
                Stats st = s.db.stats();
                FsyncPolicy p = s.db.options().fsyncPolicy();
                line(sb, "loading", "0");
                line(sb, "aof_enabled", "1");
                line(sb, "aof_rewrite_in_progress", "0");
                line(sb, "aof_last_write_status", st.readOnly() ? "err" : "ok");
                line(sb, "rdb_bgsave_in_progress", "0");
                line(sb, "rdb_last_save_time", Long.toString(s.lastSave / 1000));
                line(sb, "ferrumdb_fsync_policy", RespServer.asTyped(p));
                line(sb, "ferrumdb_fsyncs", Long.toString(st.fsyncs()));
                line(sb, "ferrumdb_records_per_fsync", String.format(Locale.ROOT, "%.2f", st.recordsPerFsync()));
                line(sb, "ferrumdb_disk_bytes", Long.toString(st.totalBytes()));
                line(sb, "ferrumdb_live_bytes", Long.toString(st.liveBytes()));
                line(sb, "ferrumdb_segments", Integer.toString(st.segments().size()));
            }
            case "stats" -> {
                line(sb, "total_connections_received", Long.toString(s.connectionsReceived.sum()));
                line(sb, "total_commands_processed", Long.toString(s.commandsProcessed.sum()));
                line(sb, "rejected_connections", Long.toString(s.clients.rejected()));
                line(sb, "ferrumdb_protocol_errors", Long.toString(s.protocolErrors.sum()));
                line(sb, "keyspace_hits", Long.toString(s.keyspaceHits.sum()));
                line(sb, "keyspace_misses", Long.toString(s.keyspaceMisses.sum()));
                line(sb, "total_error_replies", Long.toString(s.errorReplies.sum()));
                line(sb, "unexpected_error_replies", "0");
            }
            case "replication" -> {
                line(sb, "role", "master");
                line(sb, "connected_slaves", "0");
            }
            case "keyspace" -> {
                for (int db = 0; db < ServerConfig.DATABASES; db++) {
                    KeyRange range = KeyLayout.database(db);
                    long keys = 0;
                    long expires = 0;
                    double ttlSum = 0; // ms; a double, as TTLs near 2^63 ms (EXPIRE allows them) would overflow a long
                    for (byte[] k : c.txn.keys(range)) {
                        keys++;
                        long at = c.txn.expiresAt(k);
                        if (at > 0) {
                            expires++;
                            ttlSum += Math.max(0, at - c.txn.now());
                        }
                    }
                    if (keys > 0) {
                        // avg_ttl: the mean remaining TTL in ms of the keys that have one (Redis estimates it
                        // by sampling in its expiry cycle; counting every key here, it is exact).
                        line(sb, "db" + db, "keys=" + keys + ",expires=" + expires + ",avg_ttl="
                                + (expires == 0 ? 0 : (long) (ttlSum / expires)));
                    }
                }
            }
            default -> throw new AssertionError(section);
        }
    }

    private static void line(StringBuilder sb, String name, String value) {
        sb.append(name).append(':').append(value).append("\r\n");
    }
}
