package io.ferrumdb.server;

import io.ferrumdb.FerrumDB;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Runs commands against the database: checks a request the way Redis's {@code processCommand} does (known
 * command, arity, authentication, MULTI queueing), runs its handler on a {@link Txn}, and commits the unit as one
 * engine batch.
 *
 * <p>Concurrency: one read-write lock over the whole keyspace. Commands that write hold it exclusively while
 * they read, compute and append their batch to the engine's log buffer (microseconds, all in memory); the
 * fsync is awaited after the lock is released, so concurrent connections share group commits. That makes every
 * read-modify-write command (INCR, APPEND, HINCRBY, MSETNX, RENAME, ...) and every EXEC atomic across
 * connections, and a reader never sees half of a batch.
 */
final class CommandExecutor {
    /** The outcome of one request: a reply (null: none), when it may be sent, and what follows it. */
    record Outcome(Reply reply, CompletableFuture<Void> durable, Call.Effect effect) {
        static Outcome now(Reply reply) {
            return new Outcome(reply, null, Call.Effect.NONE);
        }
    }

    final FerrumDB db;
    final CommandClock clock;
    final ServerConfig config;
    final Authenticator auth;
    final WatchRegistry watches = new WatchRegistry();
    final CursorTable cursors = new CursorTable();
    final ClientLimit clients;
    final Map<Long, Session> sessions = new ConcurrentHashMap<>();
    final long startedAt = System.currentTimeMillis();
    final AtomicLong nextClientId = new AtomicLong();
    final LongAdder commandsProcessed = new LongAdder();
    final LongAdder connectionsReceived = new LongAdder();
    final LongAdder keyspaceHits = new LongAdder();
    final LongAdder keyspaceMisses = new LongAdder();
    final LongAdder protocolErrors = new LongAdder();
    final LongAdder errorReplies = new LongAdder();
    /** When the log was last forced by SAVE or BGSAVE (epoch ms); the start time until then. */
    volatile long lastSave = System.currentTimeMillis();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, CommandSpec> table;
    /** Redis's hash encoding thresholds: reported and settable for compatibility, without effect (CONFIG SET). */
    final Map<String, String> encodingThresholds = new ConcurrentHashMap<>(Map.of(
            "hash-max-listpack-entries", "128", "hash-max-listpack-value", "64",
            "hash-max-ziplist-entries", "128", "hash-max-ziplist-value", "64"));
    /** Called by SHUTDOWN, once its connection is closed. */
    volatile Runnable shutdown = () -> { };
    /** Set by the server once it is bound. */
    volatile int port;

    CommandExecutor(FerrumDB db, CommandClock clock, ServerConfig config) {
        this.db = db;
        this.clock = clock;
        this.config = config;
        this.auth = new Authenticator(config.password());
        long descriptors = ClientLimit.descriptorLimit();
        long open = ClientLimit.openDescriptors();
        this.clients = new ClientLimit(ClientLimit.effective(config.maxClients(), descriptors, open));
        if (clients.max() < config.maxClients()) {
            config.warn("maxclients lowered from " + config.maxClients() + " to " + clients.max() + ": the process may "
                    + "open " + descriptors + " files (ulimit -n), " + open + " are open (the database's segments "
                    + "among them) and " + ClientLimit.RESERVED_DESCRIPTORS + " are kept for the files it opens later");
        }
        this.table = CommandTable.build();
    }

    /** CONFIG RESETSTAT: zeroes the counters of INFO stats. */
    void resetStats() {
        commandsProcessed.reset();
        connectionsReceived.reset();
        keyspaceHits.reset();
        keyspaceMisses.reset();
        protocolErrors.reset();
        errorReplies.reset();
        clients.resetStats();
    }

    Map<String, CommandSpec> table() {
        return table;
    }

    Session newSession(io.netty.channel.Channel channel) {
        Session s = new Session(nextClientId.incrementAndGet(), channel, !auth.required());
        sessions.put(s.id, s);
        connectionsReceived.increment();
        return s;
    }

    void endSession(Session s) {
        sessions.remove(s.id);
        withWriteLock(() -> watches.unwatchAll(s));
    }

    void withWriteLock(Runnable action) {
        lock.writeLock().lock();
        try {
            action.run();
        } finally {
            lock.writeLock().unlock();
        }
    }

    Outcome execute(Session session, RespRequest.Command command) {
        byte[][] args = command.args();
        String name = command.name().toLowerCase(Locale.ROOT);
        session.lastCommandAt = System.currentTimeMillis();
        if (name.equals("host:") || name.equals("post")) {
            // A browser or proxy speaking HTTP to us (cross-protocol scripting): drop it, as Redis does.
            return new Outcome(null, null, Call.Effect.CLOSE_CONNECTION);
        }
        CommandSpec spec = table.get(name);
        if (spec == null) {
            return reject(session, unknownCommand(args));
        }
        session.lastCommand = spec.name();
        if (!spec.arityOk(args.length)) {
            return reject(session, spec, CommandError.arity(spec.name()).reply());
        }
        if (!spec.subcommands().isEmpty() && args.length > 1) {
            // As Redis 7 looks a subcommand up in its own table: unknown or wrong arity is refused before MULTI
            // queues it (EXECABORT follows), with the subcommand's full name (client|setname).
            String sub = new String(args[1], StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
            Integer arity = spec.subcommands().get(sub);
            if (arity == null) {
                return reject(session, CommandError.unknownSubcommand(args[1], spec.name()).reply());
            }
            if (!CommandSpec.arityOk(arity, args.length)) {
                return reject(session, CommandError.arity(spec.name() + "|" + sub).reply());
            }
        }
        if (!session.authenticated && !spec.has(CommandSpec.Flag.NO_AUTH)) {
            return reject(session, spec, Reply.err("NOAUTH Authentication required."));
        }
        if (session.inMulti() && !spec.has(CommandSpec.Flag.TRANSACTION_CONTROL)) {
            if (spec.has(CommandSpec.Flag.NO_MULTI)) {
                return reject(session, "ERR Command not allowed inside a transaction");
            }
            session.multi.add(command);
            return Outcome.now(Reply.QUEUED);
        }
        return run(spec, session, args);
    }

    private static Outcome reject(Session session, String error) {
        return reject(session, Reply.err(error));
    }

    /**
     * Refuses a known command before it runs. A refused EXEC (wrong arity, not authenticated) discards the
     * transaction and the connection's WATCHes at once and says why, as Redis's rejectCommand does through
     * execCommandAbort ("EXECABORT Transaction discarded because of: NOAUTH Authentication required."), even
     * outside MULTI; any other command only marks a transaction being queued as failed.
     */
    private Outcome reject(Session session, CommandSpec spec, Reply error) {
        if (!spec.name().equals("exec")) {
            return reject(session, error);
        }
        withWriteLock(() -> {
            session.endMulti();
            watches.unwatchAll(session);
        });
        String why = new String(((Reply.Error) error).text(), StandardCharsets.UTF_8);
        // Redis's own texts carry no "ERR " (it is added on the wire), other codes (NOAUTH) stay.
        return Outcome.now(Reply.err("EXECABORT Transaction discarded because of: "
                + (why.startsWith("ERR ") ? why.substring(4) : why)));
    }

    private static Outcome reject(Session session, Reply error) {
        if (session.inMulti()) {
            session.multiRejected = true;
        }
        return Outcome.now(error);
    }

    /**
     * Redis's text, byte for byte (server.c {@code commandCheckExistence}): the name and then each argument up to
     * its first NUL, the arguments quoted until 128 bytes of them are shown.
     */
    private static Reply unknownCommand(byte[][] args) {
        java.io.ByteArrayOutputStream shown = new java.io.ByteArrayOutputStream();
        for (int j = 1; j < args.length && shown.size() < 128; j++) {
            shown.writeBytes(CommandError.concat("'", CommandError.cString(args[j], 128 - shown.size()), "' "));
        }
        return CommandError.quoting("ERR unknown command '", CommandError.cString(args[0], 128),
                "', with args beginning with: ", shown.toByteArray()).reply();
    }

    /** SAVE and BGSAVE: every write so far forced to disk. */
    void save() {
        db.sync();
        lastSave = System.currentTimeMillis();
    }

    /** Runs one command as its own unit of work and commits what it wrote. */
    private Outcome run(CommandSpec spec, Session session, byte[][] args) {
        boolean write = spec.has(CommandSpec.Flag.WRITE);
        Lock held = write ? lock.writeLock() : lock.readLock();
        long now = clock.freeze();
        held.lock();
        try {
            Txn txn = new Txn(db, now);
            Call call = new Call(this, session, args, txn);
            Reply reply = invoke(spec, call);
            commandsProcessed.increment();
            CompletableFuture<Void> durable = null; // nothing written: nothing to wait for
            if (!txn.isEmpty()) {
                if (!write) {
                    throw new IllegalStateException("read-only command " + spec.name() + " tried to write");
                }
                durable = commit(txn);
            }
            if (txn.saveAfterCommit) {
                save(); // a BGSAVE queued in the EXEC, after its batch is written
            }
            return new Outcome(reply, durable, call.effect);
        } finally {
            held.unlock();
            clock.unfreeze();
        }
    }

    /** Runs a handler; a {@link CommandError} becomes its error reply (it is thrown before anything is written). */
    Reply invoke(CommandSpec spec, Call call) {
        try {
            return spec.handler().run(call);
        } catch (CommandError e) {
            return e.reply();
        }
    }

    /**
     * Appends the unit's batch to the log (visible to readers at once) and tells the watchers of its keys.
     * REQUIRES: the write lock is held.
     */
    private CompletableFuture<Void> commit(Txn txn) {
        assert lock.isWriteLockedByCurrentThread() : "commit outside the write lock";
        CompletableFuture<Void> durable = db.writeAsync(txn.toBatch());
        watches.touched(txn.touched());
        return durable;
    }

    /**
     * EXEC: runs the queued commands of {@code call}'s session on the call's single unit of work (committed as one
     * batch by {@link #run}), unless a watched key changed or expired since WATCH.
     * REQUIRES: the write lock is held.
     */
    Reply exec(Call call) {
        Session s = call.session;
        if (!s.inMulti()) {
            return Reply.err("ERR EXEC without MULTI");
        }
        List<RespRequest.Command> queued = s.multi;
        boolean rejected = s.multiRejected;
        boolean watchFailed = watchFailed(s, call.txn);
        s.endMulti();
        watches.unwatchAll(s);
        if (rejected) {
            return Reply.err("EXECABORT Transaction discarded because of previous errors.");
        }
        if (watchFailed) {
            return Reply.NULL_ARRAY;
        }
        List<Reply> replies = new ArrayList<>(queued.size());
        List<Integer> protocols = new ArrayList<>(queued.size());
        for (RespRequest.Command c : queued) {
            CommandSpec spec = table.get(c.name().toLowerCase(Locale.ROOT));
            Call inner = new Call(this, s, c.args(), call.txn);
            inner.queued = true;
            replies.add(invoke(spec, inner));
            protocols.add(s.protocol);
            commandsProcessed.increment();
        }
        // A queued HELLO changes the protocol of the replies after it (and its own), not of those before it.
        for (int i = 0; i < replies.size(); i++) {
            if (protocols.get(i) != s.protocol) {
                replies.set(i, new Reply.InProtocol(protocols.get(i), replies.get(i)));
            }
        }
        return new Reply.Array(replies);
    }

    /** A watched key was written, or was live at WATCH and has expired since. */
    private boolean watchFailed(Session s, Txn txn) {
        if (s.dirty) {
            return true;
        }
        for (Map.Entry<KeyLayout.DbKey, Boolean> w : s.watched.entrySet()) {
            if (w.getValue() && !new Keyspace(txn, w.getKey().db()).exists(w.getKey().key())) {
                return true;
            }
        }
        return false;
    }
}
