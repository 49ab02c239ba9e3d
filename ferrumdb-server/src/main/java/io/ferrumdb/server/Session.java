package io.ferrumdb.server;

import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The state of one client connection: selected database, authentication, protocol version, name, and the
 * MULTI queue and WATCHed keys. Owned by the connection's event-loop thread; the watch flag {@link #dirty} is
 * also set by other connections' writers (under the server's write lock), hence volatile.
 */
final class Session {
    final long id;
    final Channel channel;
    final long createdAt = System.currentTimeMillis();
    volatile long lastCommandAt = createdAt;
    volatile String lastCommand = "NULL";
    volatile int db;
    volatile boolean authenticated;
    volatile int protocol = 2;
    volatile String name = "";
    /** CLIENT SETINFO lib-name / lib-ver. */
    final Map<String, String> libraryInfo = new java.util.concurrent.ConcurrentHashMap<>();

    /** Commands queued by MULTI; null outside a transaction. */
    List<RespRequest.Command> multi;
    /** A queued command was rejected (unknown, wrong arity, ...): EXEC replies EXECABORT. */
    boolean multiRejected;
    /** Keys this client WATCHes, with whether each was live when watched (for the expiry check at EXEC). */
    final Map<KeyLayout.DbKey, Boolean> watched = new HashMap<>();
    /** A watched key was written by someone since WATCH: EXEC must fail. */
    volatile boolean dirty;

    Session(long id, Channel channel, boolean authenticated) {
        this.id = id;
        this.channel = channel;
        this.authenticated = authenticated;
    }

    boolean inMulti() {
        return multi != null;
    }

    void beginMulti() {
        multi = new ArrayList<>();
        multiRejected = false;
    }

    void endMulti() {
        multi = null;
        multiRejected = false;
    }
}
