package io.ferrumdb.server;

import static io.ferrumdb.server.CommandSpec.Flag.FAST;
import static io.ferrumdb.server.CommandSpec.Flag.READONLY;
import static io.ferrumdb.server.CommandSpec.Flag.WRITE;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** String commands (t_string.c): GET, SET and its options, the INCR family, APPEND, ranges, multi-key forms. */
final class StringCommands {
    private StringCommands() {
    }

    static void register(CommandTable.Builder t) {
        t.add("get", 2, 1, 1, 1, StringCommands::get, READONLY, FAST);
        t.add("set", -3, 1, 1, 1, StringCommands::set, WRITE);
        t.add("setnx", 3, 1, 1, 1, StringCommands::setnx, WRITE, FAST);
        t.add("setex", 4, 1, 1, 1, c -> setWithTtlArg(c, Expiry.Unit.SECONDS, "setex"), WRITE);
        t.add("psetex", 4, 1, 1, 1, c -> setWithTtlArg(c, Expiry.Unit.MILLISECONDS, "psetex"), WRITE);
        t.add("mget", -2, 1, -1, 1, StringCommands::mget, READONLY, FAST);
        t.add("mset", -3, 1, -1, 2, StringCommands::mset, WRITE);
        t.add("msetnx", -3, 1, -1, 2, StringCommands::msetnx, WRITE);
        t.add("getset", 3, 1, 1, 1, StringCommands::getset, WRITE, FAST);
        t.add("getdel", 2, 1, 1, 1, StringCommands::getdel, WRITE, FAST);
        t.add("getex", -2, 1, 1, 1, StringCommands::getex, WRITE, FAST);
        t.add("append", 3, 1, 1, 1, StringCommands::append, WRITE, FAST);
        t.add("strlen", 2, 1, 1, 1, StringCommands::strlen, READONLY, FAST);
        t.add("setrange", 4, 1, 1, 1, StringCommands::setrange, WRITE);
        t.add("getrange", 4, 1, 1, 1, StringCommands::getrange, READONLY);
        t.add("substr", 4, 1, 1, 1, StringCommands::getrange, READONLY);
        t.add("incr", 2, 1, 1, 1, c -> incrBy(c, 1), WRITE, FAST);
        t.add("decr", 2, 1, 1, 1, c -> incrBy(c, -1), WRITE, FAST);
        t.add("incrby", 3, 1, 1, 1, c -> incrBy(c, c.longArg(2)), WRITE, FAST);
        t.add("decrby", 3, 1, 1, 1, StringCommands::decrby, WRITE, FAST);
        t.add("incrbyfloat", 3, 1, 1, 1, StringCommands::incrbyfloat, WRITE, FAST);
    }

    private static Reply get(Call c) {
        byte[] v = c.ks().getString(c.arg(1));
        (v == null ? c.server.keyspaceMisses : c.server.keyspaceHits).increment();
        return Reply.bulkOrNull(v);
    }

    /**
     * The options of SET (NX XX GET KEEPTTL and one expiry) and GETEX (PERSIST and one expiry), parsed as Redis does
     * (t_string.c {@code parseExtendedStringArgumentsOrReply}), quirks included: an expiry option takes the next
     * argument whatever it is, and may be repeated (the last one counts), but not mixed with another expiry option;
     * NX, GET, KEEPTTL and PERSIST may be repeated. {@code expiryArg} is the index of the expiry's value, or -1.
     */
    private record ExtendedOptions(boolean nx, boolean xx, boolean get, boolean keepTtl, boolean persist,
            int expiryArg) {
        static ExtendedOptions parse(Call c, boolean set) {
            boolean nx = false;
            boolean xx = false;
            boolean get = false;
            boolean keepTtl = false;
            boolean persist = false;
            String expiry = null;
            int expiryArg = -1;
            for (int j = set ? 3 : 2; j < c.argc(); j++) {
                String opt = c.option(j);
                boolean hasNext = j + 1 < c.argc();
                if (set && opt.equals("NX") && !xx) {
                    nx = true;
                } else if (set && opt.equals("XX") && !nx) {
                    xx = true;
                } else if (set && opt.equals("GET")) {
                    get = true;
                } else if (set && opt.equals("KEEPTTL") && expiry == null) {
                    keepTtl = true;
                } else if (!set && opt.equals("PERSIST") && expiry == null) {
                    persist = true;
                } else if ((opt.equals("EX") || opt.equals("PX") || opt.equals("EXAT") || opt.equals("PXAT"))
                        && !keepTtl && !persist && (expiry == null || expiry.equals(opt)) && hasNext) {
                    expiry = opt;
                    expiryArg = ++j;
                } else {
                    throw CommandError.syntax();
                }
            }
            return new ExtendedOptions(nx, xx, get, keepTtl, persist, expiryArg);
        }
    }

    /** SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ms-ts|KEEPTTL]. */
    private static Reply set(Call c) {
        ExtendedOptions o = ExtendedOptions.parse(c, true);
        long expiresAt = o.expiryArg() > 0 ? Expiry.parseOption(c, o.expiryArg(), "set") : 0;
        Keyspace ks = c.ks();
        byte[] key = c.arg(1);
        Reply previous = null;
        if (o.get()) {
            previous = Reply.bulkOrNull(ks.getString(key));
        }
        // Only the key directory is consulted: a plain SET never reads the value it replaces.
        long oldExpiry = o.nx() || o.xx() || o.keepTtl() ? ks.expiresAt(key) : -1;
        if (o.nx() && oldExpiry >= 0 || o.xx() && oldExpiry < 0) {
            return o.get() ? previous : Reply.NULL_BULK;
        }
        ks.setString(key, c.arg(2), o.keepTtl() && oldExpiry > 0 ? oldExpiry : expiresAt);
        return o.get() ? previous : Reply.OK;
    }

    private static Reply setnx(Call c) {
        Keyspace ks = c.ks();
        if (ks.exists(c.arg(1))) {
            return Reply.ZERO;
        }
        ks.setString(c.arg(1), c.arg(2), 0);
        return Reply.ONE;
    }

    private static Reply setWithTtlArg(Call c, Expiry.Unit unit, String command) {
        long expiresAt = Expiry.parseSetExpiry(c, 2, unit, true, command);
        c.ks().setString(c.arg(1), c.arg(3), expiresAt);
        return Reply.OK;
    }

    private static Reply mget(Call c) {
        Keyspace ks = c.ks();
        List<Reply> out = new ArrayList<>(c.argc() - 1);
        for (int i = 1; i < c.argc(); i++) {
            Keyspace.Entry e = ks.lookup(c.arg(i));
            out.add(e instanceof Keyspace.StringEntry s ? new Reply.Bulk(s.value()) : Reply.NULL_BULK);
        }
        return new Reply.Array(out);
    }

    private static Reply mset(Call c) {
        if (c.argc() % 2 == 0) {
            throw CommandError.arity("mset");
        }
        Keyspace ks = c.ks();
        for (int i = 1; i < c.argc(); i += 2) {
            ks.setString(c.arg(i), c.arg(i + 1), 0);
        }
        return Reply.OK;
    }

    private static Reply msetnx(Call c) {
        if (c.argc() % 2 == 0) {
            throw CommandError.arity("msetnx");
        }
        Keyspace ks = c.ks();
        for (int i = 1; i < c.argc(); i += 2) {
            if (ks.exists(c.arg(i))) {
                return Reply.ZERO;
            }
        }
        for (int i = 1; i < c.argc(); i += 2) {
            ks.setString(c.arg(i), c.arg(i + 1), 0);
        }
        return Reply.ONE;
    }

    private static Reply getset(Call c) {
        Keyspace ks = c.ks();
        byte[] old = ks.getString(c.arg(1));
        ks.setString(c.arg(1), c.arg(2), 0);
        return Reply.bulkOrNull(old);
    }

    private static Reply getdel(Call c) {
        Keyspace ks = c.ks();
        byte[] old = ks.getString(c.arg(1));
        if (old != null) {
            ks.delete(c.arg(1));
        }
        return Reply.bulkOrNull(old);
    }

    /** GETEX key [EX s|PX ms|EXAT ts|PXAT ms-ts|PERSIST]; a missing key or a hash is answered before the expiry. */
    private static Reply getex(Call c) {
        ExtendedOptions o = ExtendedOptions.parse(c, false);
        Keyspace ks = c.ks();
        Keyspace.Entry e = ks.lookup(c.arg(1));
        if (e == null) {
            return Reply.NULL_BULK;
        }
        if (!(e instanceof Keyspace.StringEntry s)) {
            throw CommandError.wrongType();
        }
        if (o.expiryArg() > 0) {
            ks.setExpiry(c.arg(1), Expiry.parseOption(c, o.expiryArg(), "getex"));
        } else if (o.persist() && e.expiresAt() != 0) {
            ks.setExpiry(c.arg(1), 0);
        }
        return new Reply.Bulk(s.value());
    }

    private static Reply append(Call c) {
        Keyspace ks = c.ks();
        Keyspace.Entry e = ks.lookup(c.arg(1));
        byte[] old = stringOrNull(e);
        byte[] add = c.arg(2);
        if (old == null) {
            checkSize(c, 0, add.length);
            ks.setString(c.arg(1), add, 0);
            return Reply.integer(add.length);
        }
        checkSize(c, old.length, add.length);
        byte[] joined = Arrays.copyOf(old, old.length + add.length);
        System.arraycopy(add, 0, joined, old.length, add.length);
        ks.setString(c.arg(1), joined, e.expiresAt());
        return Reply.integer(joined.length);
    }

    private static byte[] stringOrNull(Keyspace.Entry e) {
        if (e == null) {
            return null;
        }
        if (e instanceof Keyspace.StringEntry s) {
            return s.value();
        }
        throw CommandError.wrongType();
    }

    /**
     * Redis's checkStringLength: a string may not grow beyond proto-max-bulk-len, nor here beyond the engine's value
     * limit, checked before the grown string is allocated (SETRANGE at offset 512 MB allocated 512 MB first).
     */
    private static void checkSize(Call c, long offset, long length) {
        if (offset > c.server.config.maxBulkLength() - length) {
            throw new CommandError("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
        }
        Keyspace.checkValueLength(offset + length);
    }

    private static Reply strlen(Call c) {
        byte[] v = c.ks().getString(c.arg(1));
        return Reply.integer(v == null ? 0 : v.length);
    }

    private static Reply setrange(Call c) {
        long offset = c.longArg(2);
        if (offset < 0) {
            throw new CommandError("ERR offset is out of range");
        }
        byte[] value = c.arg(3);
        Keyspace ks = c.ks();
        Keyspace.Entry e = ks.lookup(c.arg(1));
        byte[] old = stringOrNull(e);
        if (old == null) {
            if (value.length == 0) {
                return Reply.ZERO;
            }
            checkSize(c, offset, value.length);
            byte[] created = new byte[(int) (offset + value.length)];
            System.arraycopy(value, 0, created, (int) offset, value.length);
            ks.setString(c.arg(1), created, 0);
            return Reply.integer(created.length);
        }
        if (value.length == 0) {
            return Reply.integer(old.length);
        }
        checkSize(c, offset, value.length);
        byte[] updated = Arrays.copyOf(old, (int) Math.max(old.length, offset + value.length));
        System.arraycopy(value, 0, updated, (int) offset, value.length);
        ks.setString(c.arg(1), updated, e.expiresAt());
        return Reply.integer(updated.length);
    }

    private static Reply getrange(Call c) {
        long start = c.longArg(2);
        long end = c.longArg(3);
        byte[] v = c.ks().getString(c.arg(1));
        if (v == null) {
            return new Reply.Bulk(new byte[0]);
        }
        long len = v.length;
        if (start < 0 && end < 0 && start > end) {
            return new Reply.Bulk(new byte[0]);
        }
        if (start < 0) {
            start = len + start;
        }
        if (end < 0) {
            end = len + end;
        }
        if (start < 0) {
            start = 0;
        }
        if (end < 0) {
            end = 0;
        }
        if (end >= len) {
            end = len - 1;
        }
        if (len == 0 || start > end) {
            return new Reply.Bulk(new byte[0]);
        }
        return new Reply.Bulk(Arrays.copyOfRange(v, (int) start, (int) end + 1));
    }

    private static Reply decrby(Call c) {
        long by = c.longArg(2);
        if (by == Long.MIN_VALUE) {
            throw new CommandError("ERR decrement would overflow");
        }
        return incrBy(c, -by);
    }

    private static Reply incrBy(Call c, long by) {
        Keyspace ks = c.ks();
        Keyspace.Entry e = ks.lookup(c.arg(1));
        long result = Numbers.increment(stringOrNull(e), by, CommandError.NOT_INTEGER);
        ks.setString(c.arg(1), Numbers.ascii(result), e == null ? 0 : e.expiresAt());
        return Reply.integer(result);
    }

    private static Reply incrbyfloat(Call c) {
        Keyspace ks = c.ks();
        Keyspace.Entry e = ks.lookup(c.arg(1));
        byte[] old = stringOrNull(e);
        byte[] text = Numbers.incrementFloat(old, c.floatArg(2), CommandError.NOT_FLOAT);
        ks.setString(c.arg(1), text, e == null ? 0 : e.expiresAt());
        return new Reply.Bulk(text);
    }
}
