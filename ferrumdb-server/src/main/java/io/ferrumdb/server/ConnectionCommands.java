package io.ferrumdb.server;

import static io.ferrumdb.server.CommandSpec.Flag.FAST;
import static io.ferrumdb.server.CommandSpec.Flag.NO_AUTH;
import static io.ferrumdb.server.CommandSpec.Flag.TRANSACTION_CONTROL;
import static io.ferrumdb.server.CommandSpec.Flag.WRITE;

import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Connection commands: PING ECHO QUIT HELLO AUTH SELECT RESET CLIENT. */
final class ConnectionCommands {
    /** Redis's client type names (CLIENT LIST TYPE, upper-cased as {@link Call#option} gives them). */
    private static final Set<String> CLIENT_TYPES = Set.of("NORMAL", "SLAVE", "REPLICA", "PUBSUB", "MASTER");

    /** The Redis version whose behaviour the server follows (HELLO, INFO); clients use it for feature checks. */
    static final String REDIS_COMPAT_VERSION = "7.0.15";

    private ConnectionCommands() {
    }

    static void register(CommandTable.Builder t) {
        t.add("ping", -1, 0, 0, 0, ConnectionCommands::ping, FAST);
        t.add("echo", 2, 0, 0, 0, c -> new Reply.Bulk(c.arg(1)), FAST);
        t.add("quit", -1, 0, 0, 0, ConnectionCommands::quit, NO_AUTH, TRANSACTION_CONTROL, FAST);
        t.add("hello", -1, 0, 0, 0, ConnectionCommands::hello, NO_AUTH, FAST);
        t.add("auth", -2, 0, 0, 0, ConnectionCommands::auth, NO_AUTH, FAST);
        t.add("select", 2, 0, 0, 0, ConnectionCommands::select, FAST);
        t.add("reset", 1, 0, 0, 0, ConnectionCommands::reset, NO_AUTH, TRANSACTION_CONTROL, WRITE, FAST);
        t.addContainer("client", -2, Map.of("id", 2, "getname", 2, "setname", 3, "setinfo", 4, "info", 2, "list", -2,
                "kill", -3), ConnectionCommands::client);
    }

    private static Reply ping(Call c) {
        if (c.argc() > 2) {
            throw CommandError.arity("ping");
        }
        if (c.argc() == 2) {
            return new Reply.Bulk(c.arg(1));
        }
        return Reply.PONG;
    }

    private static Reply quit(Call c) {
        c.effect = Call.Effect.CLOSE_CONNECTION;
        return Reply.OK;
    }

    private static Reply auth(Call c) {
        if (c.argc() > 3) {
            throw CommandError.syntax();
        }
        byte[] user = c.argc() == 3 ? c.arg(1) : null;
        byte[] password = c.arg(c.argc() - 1);
        if (!c.server.auth.required()) {
            if (user == null) {
                return Reply.err("ERR AUTH <password> called without any password configured for the default "
                        + "user. Are you sure your configuration is correct?");
            }
            if (!c.text(1).equals(Authenticator.DEFAULT_USER)) {
                return Reply.err("WRONGPASS invalid username-password pair or user is disabled.");
            }
            c.session.authenticated = true;
            return Reply.OK;
        }
        if (!c.server.auth.check(user, password)) {
            return Reply.err("WRONGPASS invalid username-password pair or user is disabled.");
        }
        c.session.authenticated = true;
        return Reply.OK;
    }

    /** HELLO [protover [AUTH username password] [SETNAME clientname]]. */
    private static Reply hello(Call c) {
        int version = c.session.protocol;
        if (c.argc() >= 2) {
            Long v = Numbers.parseLong(c.arg(1));
            if (v == null) {
                return Reply.err("ERR Protocol version is not an integer or out of range");
            }
            if (v < 2 || v > 3) {
                return Reply.err("NOPROTO unsupported protocol version");
            }
            version = (int) (long) v;
        }
        // Each option takes effect as it is read, as in Redis (networking.c helloCommand): a SETNAME before a
        // failing option has set the name, an AUTH before it has authenticated.
        for (int j = 2; j < c.argc(); j++) {
            int more = c.argc() - 1 - j;
            String opt = c.option(j);
            if (opt.equals("AUTH") && more >= 2) {
                byte[] user = c.arg(j + 1);
                boolean ok = c.server.auth.required() ? c.server.auth.check(user, c.arg(j + 2))
                        : new String(user, java.nio.charset.StandardCharsets.UTF_8).equals(Authenticator.DEFAULT_USER);
                if (!ok) {
                    return Reply.err("WRONGPASS invalid username-password pair or user is disabled.");
                }
                c.session.authenticated = true;
                j += 2;
            } else if (opt.equals("SETNAME") && more >= 1) {
                String name = c.text(j + 1);
                checkClientName(name);
                c.session.name = name;
                j++;
            } else {
                return CommandError.quoting("ERR Syntax error in HELLO option '", c.arg(j), "'").reply();
            }
        }
        if (!c.session.authenticated) {
            return Reply.err("NOAUTH HELLO must be called with the client already authenticated, otherwise the "
                    + "HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP "
                    + "protocol version at the same time");
        }
        c.session.protocol = version;
        return new Reply.MapReply(List.of(
                Reply.bulk("server"), Reply.bulk("redis"),
                Reply.bulk("version"), Reply.bulk(REDIS_COMPAT_VERSION),
                Reply.bulk("proto"), Reply.integer(version),
                Reply.bulk("id"), Reply.integer(c.session.id),
                Reply.bulk("mode"), Reply.bulk("standalone"),
                Reply.bulk("role"), Reply.bulk("master"),
                Reply.bulk("modules"), Reply.EMPTY_ARRAY));
    }

    private static Reply select(Call c) {
        c.session.db = KeyCommands.dbIndex(c, 1);
        return Reply.OK;
    }

    /** RESET: back to a fresh connection's state. REQUIRES: the write lock (it unwatches). */
    private static Reply reset(Call c) {
        Session s = c.session;
        s.endMulti();
        c.server.watches.unwatchAll(s);
        s.db = 0;
        s.protocol = 2;
        s.name = "";
        s.authenticated = !c.server.auth.required();
        return new Reply.Simple("RESET");
    }

    private static void checkClientName(String name) {
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (ch < '!' || ch > '~') {
                throw new CommandError("ERR Client names cannot contain spaces, newlines or special characters.");
            }
        }
    }

    private static Reply client(Call c) {
        String sub = c.option(1);
        switch (sub) {
            case "ID" -> {
                return Reply.integer(c.session.id);
            }
            case "GETNAME" -> {
                return c.session.name.isEmpty() ? Reply.NULL_BULK : Reply.bulk(c.session.name);
            }
            case "SETNAME" -> {
                String name = c.text(2);
                checkClientName(name);
                c.session.name = name;
                return Reply.OK;
            }
            case "SETINFO" -> {
                String attr = c.option(2);
                if (!attr.equals("LIB-NAME") && !attr.equals("LIB-VER")) {
                    return CommandError.quoting("ERR Unrecognized option '", c.arg(2), "'").reply();
                }
                checkClientName(c.text(3));
                c.session.libraryInfo.put(attr.toLowerCase(java.util.Locale.ROOT), c.text(3));
                return Reply.OK;
            }
            case "INFO" -> {
                return Reply.verbatim(describe(c.session) + "\n");
            }
            case "LIST" -> {
                StringBuilder sb = new StringBuilder();
                for (Session s : listed(c)) {
                    sb.append(describe(s)).append('\n');
                }
                return Reply.verbatim(sb.toString());
            }
            case "KILL" -> {
                return kill(c);
            }
            default -> {
                throw CommandError.unknownSubcommand(c.arg(1), "client");
            }
        }
    }


    /**
     * The sessions {@code CLIENT LIST [TYPE type | ID id [id ...]]} names, its arguments read as Redis 7.0 reads
     * them: TYPE exactly one of Redis's client types (every FerrumDB client is {@code normal}: the others list none),
     * ID one or more integers (unknown ids list nothing), anything else a syntax error.
     */
    private static List<Session> listed(Call c) {
        if (c.argc() == 4 && c.option(2).equals("TYPE")) {
            return isNormalClientType(c, 3) ? List.copyOf(c.server.sessions.values()) : List.of();
        }
        if (c.argc() > 3 && c.option(2).equals("ID")) {
            List<Session> sessions = new ArrayList<>();
            for (int i = 3; i < c.argc(); i++) {
                Long id = Numbers.parseLong(c.arg(i));
                if (id == null) {
                    throw new CommandError("ERR Invalid client ID");
                }
                Session s = c.server.sessions.get(id);
                if (s != null) {
                    sessions.add(s);
                }
            }
            return sessions;
        }
        if (c.argc() != 2) {
            throw CommandError.syntax();
        }
        return List.copyOf(c.server.sessions.values());
    }

    /** Whether argument {@code i}, one of Redis's client types, is {@code normal} (every client here); else an error. */
    private static boolean isNormalClientType(Call c, int i) {
        String type = c.option(i);
        if (!CLIENT_TYPES.contains(type)) {
            throw CommandError.quoting("ERR Unknown client type '", c.arg(i), "'");
        }
        return type.equals("NORMAL");
    }

    /**
     * CLIENT KILL addr:port, or CLIENT KILL [ID id] [TYPE type] [USER name] [ADDR addr:port] [LADDR addr:port]
     * [SKIPME yes|no]. Every client here is of type {@code normal} and user {@code default}, the only user.
     */
    private static Reply kill(Call c) {
        if (c.argc() == 3) {
            String addr = c.text(2);
            for (Session s : c.server.sessions.values()) {
                if (address(s.channel.remoteAddress()).equals(addr)) {
                    if (s == c.session) {
                        c.effect = Call.Effect.CLOSE_CONNECTION;
                    } else {
                        closeLater(s);
                    }
                    return Reply.OK;
                }
            }
            return Reply.err("ERR No such client");
        }
        Long id = null;
        String addr = null;
        String laddr = null;
        boolean skipMe = true;
        boolean anyType = true;
        if (c.argc() % 2 != 0) {
            throw CommandError.syntax();
        }
        for (int i = 2; i < c.argc(); i += 2) {
            String value = c.text(i + 1);
            switch (c.option(i)) {
                case "ID" -> {
                    Long parsed = Numbers.parseLong(c.arg(i + 1));
                    if (parsed == null || parsed <= 0) {
                        return Reply.err("ERR client-id should be greater than 0");
                    }
                    id = parsed;
                }
                case "TYPE" -> anyType &= isNormalClientType(c, i + 1);
                case "USER" -> {
                    if (!value.equals(Authenticator.DEFAULT_USER)) {
                        throw CommandError.quoting("ERR No such user '", c.arg(i + 1), "'");
                    }
                }
                case "ADDR" -> addr = value;
                case "LADDR" -> laddr = value;
                case "SKIPME" -> {
                    if (value.equalsIgnoreCase("yes")) {
                        skipMe = true;
                    } else if (value.equalsIgnoreCase("no")) {
                        skipMe = false;
                    } else {
                        throw CommandError.syntax();
                    }
                }
                default -> throw CommandError.syntax();
            }
        }
        List<Session> victims = new ArrayList<>();
        for (Session s : c.server.sessions.values()) {
            if (!anyType || id != null && s.id != id || addr != null && !address(s.channel.remoteAddress()).equals(addr)
                    || laddr != null && !address(s.channel.localAddress()).equals(laddr)
                    || skipMe && s == c.session) {
                continue;
            }
            victims.add(s);
        }
        for (Session s : victims) {
            if (s == c.session) {
                c.effect = Call.Effect.CLOSE_CONNECTION;
            } else {
                closeLater(s);
            }
        }
        return Reply.integer(victims.size());
    }

    /**
     * Closes another client's connection from its own event loop, never inline: closing inline could run its
     * cleanup (which takes the write lock) on this thread while this command holds the read lock.
     */
    private static void closeLater(Session s) {
        s.channel.eventLoop().execute(() -> s.channel.close());
    }

    /**
     * An address as Redis writes it ({@code anetFormatAddr}): {@code 127.0.0.1:6379}, and an IPv6 one compressed
     * and in brackets, {@code [::1]:6379} (the JDK writes {@code 0:0:0:0:0:0:0:1}), so that CLIENT KILL ADDR
     * finds what CLIENT LIST showed.
     */
    static String address(SocketAddress a) {
        if (a instanceof InetSocketAddress inet) {
            return inet.getAddress() == null ? inet.getHostString() + ":" + inet.getPort()
                    : NetUtil.toSocketAddressString(inet);
        }
        return String.valueOf(a);
    }

    /** One line of CLIENT LIST, with Redis's field names (values FerrumDB does not track are 0). */
    static String describe(Session s) {
        long now = System.currentTimeMillis();
        return "id=" + s.id + " addr=" + address(s.channel.remoteAddress()) + " laddr="
                + address(s.channel.localAddress()) + " fd=-1 name=" + s.name + " age=" + (now - s.createdAt) / 1000
                + " idle=" + (now - s.lastCommandAt) / 1000 + " flags=" + (s.inMulti() ? "x" : "N") + " db=" + s.db
                + " sub=0 psub=0 ssub=0 multi=" + (s.inMulti() ? s.multi.size() : -1)
                + " qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd="
                + s.lastCommand + " user=default redir=-1 resp=" + s.protocol
                + " lib-name=" + s.libraryInfo.getOrDefault("lib-name", "")
                + " lib-ver=" + s.libraryInfo.getOrDefault("lib-ver", "");
    }
}
