package io.ferrumdb.server;

import static io.ferrumdb.server.CommandSpec.Flag.FAST;
import static io.ferrumdb.server.CommandSpec.Flag.READONLY;
import static io.ferrumdb.server.CommandSpec.Flag.WRITE;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Hash commands (t_hash.c), on the composite field records of {@link KeyLayout}. */
final class HashCommands {
    private HashCommands() {
    }

    static void register(CommandTable.Builder t) {
        t.add("hset", -4, 1, 1, 1, c -> hset(c, false), WRITE, FAST);
        t.add("hmset", -4, 1, 1, 1, c -> hset(c, true), WRITE, FAST);
        t.add("hsetnx", 4, 1, 1, 1, HashCommands::hsetnx, WRITE, FAST);
        t.add("hget", 3, 1, 1, 1, c -> Reply.bulkOrNull(c.ks().hget(c.arg(1), c.arg(2))), READONLY, FAST);
        t.add("hmget", -3, 1, 1, 1, HashCommands::hmget, READONLY, FAST);
        t.add("hdel", -3, 1, 1, 1, HashCommands::hdel, WRITE, FAST);
        t.add("hexists", 3, 1, 1, 1, c -> Reply.bool(c.ks().hget(c.arg(1), c.arg(2)) != null), READONLY, FAST);
        t.add("hgetall", 2, 1, 1, 1, HashCommands::hgetall, READONLY);
        t.add("hkeys", 2, 1, 1, 1, HashCommands::hkeys, READONLY);
        t.add("hvals", 2, 1, 1, 1, HashCommands::hvals, READONLY);
        t.add("hlen", 2, 1, 1, 1, HashCommands::hlen, READONLY, FAST);
        t.add("hstrlen", 3, 1, 1, 1, HashCommands::hstrlen, READONLY, FAST);
        t.add("hincrby", 4, 1, 1, 1, HashCommands::hincrby, WRITE, FAST);
        t.add("hincrbyfloat", 4, 1, 1, 1, HashCommands::hincrbyfloat, WRITE, FAST);
        t.add("hrandfield", -2, 1, 1, 1, HashCommands::hrandfield, READONLY);
        t.add("hscan", -3, 1, 1, 1, HashCommands::hscan, READONLY);
    }

    private static Reply hset(Call c, boolean legacyOk) {
        if (c.argc() % 2 != 0) {
            throw CommandError.arity(legacyOk ? "hmset" : "hset");
        }
        List<byte[][]> pairs = new ArrayList<>();
        for (int i = 2; i < c.argc(); i += 2) {
            pairs.add(new byte[][] {c.arg(i), c.arg(i + 1)});
        }
        long added = c.ks().hset(c.arg(1), pairs);
        return legacyOk ? Reply.OK : Reply.integer(added);
    }

    private static Reply hsetnx(Call c) {
        Keyspace ks = c.ks();
        if (ks.hget(c.arg(1), c.arg(2)) != null) {
            return Reply.ZERO;
        }
        setField(ks, c.arg(1), c.arg(2), c.arg(3));
        return Reply.ONE;
    }

    private static Reply hmget(Call c) {
        Keyspace ks = c.ks();
        boolean exists = ks.getHash(c.arg(1)) != null;
        List<Reply> out = new ArrayList<>();
        for (int i = 2; i < c.argc(); i++) {
            out.add(exists ? Reply.bulkOrNull(ks.hget(c.arg(1), c.arg(i))) : Reply.NULL_BULK);
        }
        return new Reply.Array(out);
    }

    private static Reply hdel(Call c) {
        List<byte[]> fields = new ArrayList<>();
        for (int i = 2; i < c.argc(); i++) {
            fields.add(c.arg(i));
        }
        return Reply.integer(c.ks().hdel(c.arg(1), fields));
    }

    private static Reply hgetall(Call c) {
        List<Reply> kv = new ArrayList<>();
        for (byte[][] fv : c.ks().hgetAll(c.arg(1))) {
            kv.add(new Reply.Bulk(fv[0]));
            kv.add(new Reply.Bulk(fv[1]));
        }
        return new Reply.MapReply(kv);
    }

    private static Reply hkeys(Call c) {
        List<Reply> out = new ArrayList<>();
        for (byte[] f : c.ks().hkeys(c.arg(1))) {
            out.add(new Reply.Bulk(f));
        }
        return new Reply.Array(out);
    }

    private static Reply hvals(Call c) {
        List<Reply> out = new ArrayList<>();
        for (byte[][] fv : c.ks().hgetAll(c.arg(1))) {
            out.add(new Reply.Bulk(fv[1]));
        }
        return new Reply.Array(out);
    }

    private static Reply hlen(Call c) {
        Keyspace.HashEntry h = c.ks().getHash(c.arg(1));
        return Reply.integer(h == null ? 0 : h.fieldCount());
    }

    private static Reply hstrlen(Call c) {
        byte[] v = c.ks().hget(c.arg(1), c.arg(2));
        return Reply.integer(v == null ? 0 : v.length);
    }

    private static Reply hincrby(Call c) {
        long by = c.longArg(3);
        Keyspace ks = c.ks();
        long result = Numbers.increment(ks.hget(c.arg(1), c.arg(2)), by, "ERR hash value is not an integer");
        setField(ks, c.arg(1), c.arg(2), Numbers.ascii(result));
        return Reply.integer(result);
    }

    private static Reply hincrbyfloat(Call c) {
        LongDouble by = c.floatArg(3);
        if (by.infinite()) {
            throw new CommandError("ERR value is NaN or Infinity");
        }
        Keyspace ks = c.ks();
        byte[] text = Numbers.incrementFloat(ks.hget(c.arg(1), c.arg(2)), by, "ERR hash value is not a float");
        setField(ks, c.arg(1), c.arg(2), text);
        return new Reply.Bulk(text);
    }

    private static void setField(Keyspace ks, byte[] key, byte[] field, byte[] value) {
        List<byte[][]> one = new ArrayList<>();
        one.add(new byte[][] {field, value});
        ks.hset(key, one);
    }

    /** HRANDFIELD key [count [WITHVALUES]]: distinct fields for a positive count, repeats for a negative one. */
    private static Reply hrandfield(Call c) {
        Keyspace ks = c.ks();
        if (c.argc() == 2) {
            List<byte[]> fields = ks.hkeys(c.arg(1));
            if (fields.isEmpty()) {
                return Reply.NULL_BULK;
            }
            return new Reply.Bulk(fields.get(ThreadLocalRandom.current().nextInt(fields.size())));
        }
        long l = c.longArg(2);
        if (l == Long.MIN_VALUE) {
            throw new CommandError("ERR value is out of range, value must between -9223372036854775807 and "
                    + "9223372036854775807");
        }
        boolean withValues = false;
        if (c.argc() > 4 || c.argc() == 4 && !c.option(3).equals("WITHVALUES")) {
            throw CommandError.syntax();
        } else if (c.argc() == 4) {
            withValues = true;
            if (l < -Long.MAX_VALUE / 2 || l > Long.MAX_VALUE / 2) {
                throw new CommandError("ERR value is out of range");
            }
        }
        List<byte[][]> all = ks.hgetAll(c.arg(1));
        if (all.isEmpty() || l == 0) {
            return Reply.EMPTY_ARRAY;
        }
        List<byte[][]> picked = new ArrayList<>();
        if (l < 0) {
            checkReplySize(c, -l, all, withValues);
            ThreadLocalRandom random = ThreadLocalRandom.current();
            for (long i = 0; i < -l; i++) {
                picked.add(all.get(random.nextInt(all.size())));
            }
        } else {
            List<byte[][]> shuffled = new ArrayList<>(all);
            Collections.shuffle(shuffled, ThreadLocalRandom.current());
            picked = shuffled.subList(0, (int) Math.min(l, shuffled.size()));
        }
        List<Reply> out = new ArrayList<>();
        for (byte[][] fv : picked) {
            if (!withValues) {
                out.add(new Reply.Bulk(fv[0]));
            } else if (c.session.protocol >= 3) {
                out.add(new Reply.Array(List.of(new Reply.Bulk(fv[0]), new Reply.Bulk(fv[1]))));
            } else {
                out.add(new Reply.Bulk(fv[0]));
                out.add(new Reply.Bulk(fv[1]));
            }
        }
        return new Reply.Array(out);
    }

    /**
     * A negative count repeats fields, so its reply has {@code count} entries whatever the hash's size: one that could
     * not be sent within the client output buffer limit (which would disconnect the client) is refused before it is
     * built, not built in memory first (HRANDFIELD h -2000000000 stalled every client for about 40 s, grew the
     * server to 3.7 GB and ended in a dropped connection without a reply).
     */
    private static void checkReplySize(Call c, long count, List<byte[][]> fields, boolean withValues) {
        long smallest = Long.MAX_VALUE;
        for (byte[][] fv : fields) {
            smallest = Math.min(smallest, bulkSize(fv[0]) + (withValues ? bulkSize(fv[1]) : 0));
        }
        long limit = c.server.config.outputBufferLimit();
        if (count > limit / smallest) {
            throw new CommandError("ERR value is out of range: a reply of " + count + " fields would exceed the client"
                    + " output buffer limit (" + limit + " bytes)");
        }
    }

    /** The bytes of {@code b} as a RESP bulk string: {@code $LEN\r\n} then the bytes and {@code \r\n}. */
    private static long bulkSize(byte[] b) {
        return 1 + Integer.toString(b.length).length() + 2 + b.length + 2;
    }

    private static Reply hscan(Call c) {
        long cursor = KeyCommands.parseCursor(c, 2);
        // As in Redis: a missing key is an empty scan and a string is WRONGTYPE, before the options are read.
        if (c.ks().getHash(c.arg(1)) == null) {
            return new Reply.Array(List.of(Reply.bulk("0"), Reply.EMPTY_ARRAY));
        }
        KeyCommands.ScanOptions opts = KeyCommands.ScanOptions.parse(c, 3, false);
        byte[] after = c.server.cursors.resume(cursor);
        int batch = (int) Math.min(opts.count(), 100_000);
        List<byte[][]> fields = c.ks().hfieldsFrom(c.arg(1), after, batch);
        List<Reply> out = new ArrayList<>();
        for (byte[][] fv : fields) {
            if (opts.matches(fv[0])) {
                out.add(new Reply.Bulk(fv[0]));
                out.add(new Reply.Bulk(fv[1]));
            }
        }
        long next = fields.size() < batch ? 0 : c.server.cursors.issue(fields.get(fields.size() - 1)[0]);
        return new Reply.Array(List.of(Reply.bulk(Long.toUnsignedString(next)), new Reply.Array(out)));
    }
}
