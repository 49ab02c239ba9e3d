package io.ferrumdb.server;

import static io.ferrumdb.server.CommandSpec.Flag.FAST;
import static io.ferrumdb.server.CommandSpec.Flag.READONLY;
import static io.ferrumdb.server.CommandSpec.Flag.WRITE;

import io.ferrumdb.KeyRange;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Generic key commands and expiry (db.c, expire.c). */
final class KeyCommands {
    private KeyCommands() {
    }

    static void register(CommandTable.Builder t) {
        t.add("del", -2, 1, -1, 1, KeyCommands::del, WRITE);
        t.add("unlink", -2, 1, -1, 1, KeyCommands::del, WRITE, FAST);
        t.add("exists", -2, 1, -1, 1, KeyCommands::exists, READONLY, FAST);
        t.add("touch", -2, 1, -1, 1, KeyCommands::exists, READONLY, FAST);
        t.add("type", 2, 1, 1, 1, KeyCommands::type, READONLY, FAST);
        t.add("keys", 2, 0, 0, 0, KeyCommands::keys, READONLY);
        t.add("scan", -2, 0, 0, 0, KeyCommands::scan, READONLY);
        t.add("rename", 3, 1, 2, 1, c -> rename(c, false), WRITE);
        t.add("renamenx", 3, 1, 2, 1, c -> rename(c, true), WRITE, FAST);
        t.add("copy", -3, 1, 2, 1, KeyCommands::copy, WRITE);
        t.add("move", 3, 1, 1, 1, KeyCommands::move, WRITE, FAST);
        t.add("randomkey", 1, 0, 0, 0, KeyCommands::randomkey, READONLY);
        t.add("dbsize", 1, 0, 0, 0, c -> Reply.integer(c.txn.count(KeyLayout.database(c.session.db))),
                READONLY, FAST);
        t.add("flushdb", -1, 0, 0, 0, KeyCommands::flushdb, WRITE);
        t.add("flushall", -1, 0, 0, 0, KeyCommands::flushall, WRITE);
        t.add("expire", -3, 1, 1, 1, c -> expire(c, Expiry.Unit.SECONDS, true), WRITE, FAST);
        t.add("pexpire", -3, 1, 1, 1, c -> expire(c, Expiry.Unit.MILLISECONDS, true), WRITE, FAST);
        t.add("expireat", -3, 1, 1, 1, c -> expire(c, Expiry.Unit.SECONDS, false), WRITE, FAST);
        t.add("pexpireat", -3, 1, 1, 1, c -> expire(c, Expiry.Unit.MILLISECONDS, false), WRITE, FAST);
        t.add("ttl", 2, 1, 1, 1, c -> ttl(c, false, false), READONLY, FAST);
        t.add("pttl", 2, 1, 1, 1, c -> ttl(c, true, false), READONLY, FAST);
        t.add("expiretime", 2, 1, 1, 1, c -> ttl(c, false, true), READONLY, FAST);
        t.add("pexpiretime", 2, 1, 1, 1, c -> ttl(c, true, true), READONLY, FAST);
        t.add("persist", 2, 1, 1, 1, KeyCommands::persist, WRITE, FAST);
    }

    private static Reply del(Call c) {
        Keyspace ks = c.ks();
        long n = 0;
        for (int i = 1; i < c.argc(); i++) {
            if (ks.delete(c.arg(i))) {
                n++;
            }
        }
        return Reply.integer(n);
    }

    private static Reply exists(Call c) {
        Keyspace ks = c.ks();
        long n = 0;
        for (int i = 1; i < c.argc(); i++) {
            if (ks.exists(c.arg(i))) {
                n++;
            }
        }
        return Reply.integer(n);
    }

    static String typeName(Keyspace.Entry e) {
        if (e == null) {
            return "none";
        }
        return e instanceof Keyspace.StringEntry ? "string" : "hash";
    }

    private static Reply type(Call c) {
        return new Reply.Simple(typeName(c.ks().lookup(c.arg(1))));
    }

    private static Reply keys(Call c) {
        byte[] pattern = c.arg(1);
        int db = c.session.db;
        byte[] literal = Glob.literalPrefix(pattern);
        KeyRange range = KeyRange.prefix(KeyLayout.keyspaceKey(db, literal));
        boolean all = pattern.length == 1 && pattern[0] == '*';
        List<Reply> out = new ArrayList<>();
        for (byte[] k : c.txn.keys(range)) {
            byte[] key = KeyLayout.redisKey(k);
            if (all || Glob.matches(pattern, key, false)) {
                out.add(new Reply.Bulk(key));
            }
        }
        return new Reply.Array(out);
    }

    /** Options shared by SCAN and HSCAN. */
    record ScanOptions(long count, byte[] pattern, String type) {
        static ScanOptions parse(Call c, int from, boolean allowType) {
            long count = 10;
            byte[] pattern = null;
            String type = null;
            for (int i = from; i < c.argc(); i++) {
                String opt = c.option(i);
                boolean hasValue = i + 1 < c.argc();
                if (opt.equals("COUNT") && hasValue) {
                    count = c.longArg(++i);
                    if (count < 1) {
                        throw CommandError.syntax();
                    }
                } else if (opt.equals("MATCH") && hasValue) {
                    pattern = c.arg(++i);
                    if (pattern.length == 1 && pattern[0] == '*') {
                        pattern = null;
                    }
                } else if (opt.equals("TYPE") && allowType && hasValue) {
                    type = c.text(++i).toLowerCase(java.util.Locale.ROOT);
                } else {
                    throw CommandError.syntax();
                }
            }
            return new ScanOptions(count, pattern, type);
        }

        boolean matches(byte[] element) {
            return pattern == null || Glob.matches(pattern, element, false);
        }
    }

    /**
     * A cursor read as Redis reads it (db.c {@code parseScanCursorOrReply}, C's {@code strtoul}): decimal digits
     * after an optional sign, no leading space, at most 64 bits; an empty cursor is 0, and a minus sign negates
     * modulo 2^64 (so {@code -0} is 0).
     */
    static long parseCursor(Call c, int index) {
        byte[] text = c.arg(index);
        int p = 0;
        boolean negative = false;
        if (p < text.length && (text[p] == '+' || text[p] == '-')) {
            negative = text[p] == '-';
            p++;
        }
        if (p == text.length && text.length > 0) {
            throw new CommandError("ERR invalid cursor");
        }
        long value = 0;
        for (; p < text.length; p++) {
            int digit = text[p] - '0';
            if (digit < 0 || digit > 9 || Long.compareUnsigned(value, Long.divideUnsigned(-1L - digit, 10)) > 0) {
                throw new CommandError("ERR invalid cursor");
            }
            value = value * 10 + digit;
        }
        return negative ? -value : value;
    }

    private static Reply scan(Call c) {
        long cursor = parseCursor(c, 1);
        ScanOptions opts = ScanOptions.parse(c, 2, true);
        byte[] after = c.server.cursors.resume(cursor);
        Keyspace ks = c.ks();
        int batch = (int) Math.min(opts.count(), 100_000);
        List<byte[]> examined = ks.keysFrom(after, batch);
        List<Reply> out = new ArrayList<>();
        for (byte[] key : examined) {
            if (!opts.matches(key)) {
                continue;
            }
            if (opts.type() != null && !typeName(ks.lookup(key)).equals(opts.type())) {
                continue;
            }
            out.add(new Reply.Bulk(key));
        }
        long next = examined.size() < batch ? 0 : c.server.cursors.issue(examined.get(examined.size() - 1));
        return new Reply.Array(List.of(Reply.bulk(Long.toUnsignedString(next)), new Reply.Array(out)));
    }

    private static Reply rename(Call c, boolean nx) {
        Keyspace ks = c.ks();
        byte[] from = c.arg(1);
        byte[] to = c.arg(2);
        Keyspace.Entry e = ks.lookup(from);
        if (e == null) {
            throw new CommandError("ERR no such key");
        }
        if (java.util.Arrays.equals(from, to)) {
            return nx ? Reply.ZERO : Reply.OK;
        }
        if (nx && ks.exists(to)) {
            return Reply.ZERO;
        }
        Keyspace.checkKey(to);
        ks.copy(from, e, ks, to, e.expiresAt());
        ks.delete(from);
        return nx ? Reply.ONE : Reply.OK;
    }

    static int dbIndex(Call c, int index) {
        int db = c.intArg(index);
        if (db < 0 || db >= ServerConfig.DATABASES) {
            throw new CommandError("ERR DB index is out of range");
        }
        return db;
    }

    private static Reply copy(Call c) {
        Keyspace ks = c.ks();
        int targetDb = c.session.db;
        boolean replace = false;
        for (int i = 3; i < c.argc(); i++) {
            String opt = c.option(i);
            if (opt.equals("REPLACE")) {
                replace = true;
            } else if (opt.equals("DB") && i + 1 < c.argc()) {
                targetDb = dbIndex(c, ++i);
            } else {
                throw CommandError.syntax();
            }
        }
        byte[] from = c.arg(1);
        byte[] to = c.arg(2);
        if (targetDb == c.session.db && java.util.Arrays.equals(from, to)) {
            throw new CommandError("ERR source and destination objects are the same");
        }
        Keyspace.Entry e = ks.lookup(from);
        if (e == null) {
            return Reply.ZERO;
        }
        Keyspace target = ks.in(targetDb);
        if (target.exists(to) && !replace) {
            return Reply.ZERO;
        }
        Keyspace.checkKey(to);
        ks.copy(from, e, target, to, e.expiresAt());
        return Reply.ONE;
    }

    private static Reply move(Call c) {
        Keyspace ks = c.ks();
        int targetDb = dbIndex(c, 2);
        if (targetDb == c.session.db) {
            throw new CommandError("ERR source and destination objects are the same");
        }
        byte[] key = c.arg(1);
        Keyspace.Entry e = ks.lookup(key);
        if (e == null) {
            return Reply.ZERO;
        }
        Keyspace target = ks.in(targetDb);
        if (target.exists(key)) {
            return Reply.ZERO;
        }
        ks.copy(key, e, target, key, e.expiresAt());
        ks.delete(key);
        return Reply.ONE;
    }

    private static Reply randomkey(Call c) {
        // Through the unit of work, so that inside EXEC it sees the keys the transaction wrote before it.
        KeyRange range = KeyLayout.database(c.session.db);
        long n = c.txn.count(range);
        if (n == 0) {
            return Reply.NULL_BULK;
        }
        int pick = (int) Math.min(ThreadLocalRandom.current().nextLong(n), Integer.MAX_VALUE - 1);
        List<byte[]> upTo = c.txn.keys(range, pick + 1);
        return upTo.isEmpty() ? Reply.NULL_BULK : new Reply.Bulk(KeyLayout.redisKey(upTo.get(upTo.size() - 1)));
    }

    private static void checkFlushOption(Call c) {
        if (c.argc() > 2 || c.argc() == 2 && !c.option(1).equals("ASYNC") && !c.option(1).equals("SYNC")) {
            throw CommandError.syntax();
        }
    }

    private static Reply flushdb(Call c) {
        checkFlushOption(c);
        flush(c.txn, c.session.db);
        return Reply.OK;
    }

    private static Reply flushall(Call c) {
        checkFlushOption(c);
        for (int db = 0; db < ServerConfig.DATABASES; db++) {
            flush(c.txn, db);
        }
        return Reply.OK;
    }

    /** Deletes every record of logical database {@code db}: keys, hash fields, and leftovers of expired hashes. */
    private static void flush(Txn txn, int db) {
        for (byte prefix : new byte[] {KeyLayout.KEYSPACE, KeyLayout.FIELD}) {
            for (byte[] k : txn.keys(KeyRange.prefix(new byte[] {prefix, (byte) db}))) {
                txn.delete(k);
            }
        }
    }

    private static Reply expire(Call c, Expiry.Unit unit, boolean relative) {
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        for (int i = 3; i < c.argc(); i++) {
            switch (c.option(i)) {
                case "NX" -> nx = true;
                case "XX" -> xx = true;
                case "GT" -> gt = true;
                case "LT" -> lt = true;
                default -> throw CommandError.quoting("ERR Unsupported option ", c.arg(i));
            }
        }
        if (nx && (xx || gt || lt)) {
            throw new CommandError("ERR NX and XX, GT or LT options at the same time are not compatible");
        }
        if (gt && lt) {
            throw new CommandError("ERR GT and LT options at the same time are not compatible");
        }
        String command = c.text(0).toLowerCase(java.util.Locale.ROOT);
        long when = c.longArg(2);
        if (unit == Expiry.Unit.SECONDS) {
            if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) {
                throw Expiry.invalid(command);
            }
            when *= 1000;
        }
        long base = relative ? c.now() : 0;
        if (when > Long.MAX_VALUE - base) {
            throw Expiry.invalid(command);
        }
        when += base;
        Keyspace ks = c.ks();
        Keyspace.Entry e = ks.lookup(c.arg(1));
        if (e == null) {
            return Reply.ZERO;
        }
        long current = e.expiresAt() == 0 ? -1 : e.expiresAt();
        if (nx && current != -1 || xx && current == -1 || gt && (when <= current || current == -1)
                || lt && current != -1 && when >= current) {
            return Reply.ZERO;
        }
        if (when <= c.now()) {
            ks.delete(c.arg(1));
        } else {
            ks.setExpiry(c.arg(1), when);
        }
        return Reply.ONE;
    }

    private static Reply ttl(Call c, boolean ms, boolean absolute) {
        Keyspace.Entry e = c.ks().lookup(c.arg(1));
        if (e == null) {
            return Reply.integer(-2);
        }
        if (e.expiresAt() == 0) {
            return Reply.integer(-1);
        }
        long ttl = absolute ? e.expiresAt() : e.expiresAt() - c.now();
        if (ttl < 0) {
            ttl = 0;
        }
        // Redis's (ttl + 500) / 1000, without overflowing for an expiry near 2^63 ms (Redis prints 9223372036854776).
        return Reply.integer(ms ? ttl : ttl / 1000 + (ttl % 1000 + 500) / 1000);
    }

    private static Reply persist(Call c) {
        Keyspace ks = c.ks();
        Keyspace.Entry e = ks.lookup(c.arg(1));
        if (e == null || e.expiresAt() == 0) {
            return Reply.ZERO;
        }
        ks.setExpiry(c.arg(1), 0);
        return Reply.ONE;
    }
}
