package io.ferrumdb.server;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which sessions WATCH which keys (Redis's {@code watched_keys}): a committed write of a watched key marks its
 * watchers dirty, so their EXEC fails. Exact, not striped: a write of another key never fails an EXEC.
 *
 * <p>REQUIRES: every method runs under the server's write lock (mutations and EXEC are serialised by it).
 */
final class WatchRegistry {
    private final Map<KeyLayout.DbKey, Set<Session>> watchers = new HashMap<>();

    void watch(Session session, KeyLayout.DbKey key, boolean live) {
        watchers.computeIfAbsent(key, k -> new HashSet<>()).add(session);
        session.watched.putIfAbsent(key, live);
    }

    void unwatchAll(Session session) {
        for (KeyLayout.DbKey key : session.watched.keySet()) {
            Set<Session> set = watchers.get(key);
            if (set != null) {
                set.remove(session);
                if (set.isEmpty()) {
                    watchers.remove(key);
                }
            }
        }
        session.watched.clear();
        session.dirty = false;
    }

    void touched(Iterable<KeyLayout.DbKey> keys) {
        if (watchers.isEmpty()) {
            return;
        }
        for (KeyLayout.DbKey key : keys) {
            Set<Session> set = watchers.get(key);
            if (set != null) {
                for (Session s : set) {
                    s.dirty = true;
                }
            }
        }
    }

    boolean isEmpty() {
        return watchers.isEmpty();
    }
}
