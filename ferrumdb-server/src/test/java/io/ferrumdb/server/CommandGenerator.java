package io.ferrumdb.server;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded random sequences of Redis commands over the server's command list (issue 19), for the differential test
 * against a real redis-server. Keys, fields and values come from small pools, so that commands meet each other's
 * keys (WRONGTYPE, NX/XX, RENAME onto a hash); numbers include the edges (64-bit limits, non-integers, floats
 * that only a long double holds).
 *
 * <p>Every reply must be deterministic up to what {@link RedisDifferentialTest} normalises, so the generator
 * avoids what would race the clock or depend on a hash table's layout:
 * <ul>
 *   <li>every relative expiry is at least a day, and each is 10 s apart from every other one, so that GT and LT
 *       compare the same way on both servers however the two sends interleave;</li>
 *   <li>absolute expiries are far in the future or in the past, except SET's, always in the future: redis-server
 *       keeps a key SET with a past EXAT in its table until its expiry cycle finds it, and DBSIZE counts it
 *       meanwhile (a count that depends on timing); EXPIREAT and GETEX delete it at once, as FerrumDB does;</li>
 *   <li>SCAN and HSCAN ask for a count larger than any database or hash here, so one call returns everything;
 *       HRANDFIELD's positive counts exceed every hash;</li>
 *   <li>SETRANGE offsets are small or beyond 512 MB: a string between FerrumDB's 64 MiB value limit and Redis's
 *       512 MB is a documented difference, and would make redis-server allocate hundreds of megabytes.</li>
 * </ul>
 */
final class CommandGenerator {
    /**
     * One command, the connection (0 or 1) that sends it, and whether it goes as an inline command (every argument
     * double-quoted, with {@code \xHH} for bytes that are not printable) rather than a multibulk request.
     */
    record Step(int connection, List<byte[]> args, boolean inline) {
        String name() {
            return new String(args.get(0), StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT);
        }

        String show() {
            StringBuilder sb = new StringBuilder("[").append(connection).append(inline ? " inline]" : "]");
            for (byte[] a : args) {
                sb.append(' ').append(quote(a));
            }
            return sb.toString();
        }

        private static String quote(byte[] arg) {
            StringBuilder sb = new StringBuilder("\"");
            for (byte b : arg) {
                if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\') {
                    sb.append((char) b);
                } else {
                    sb.append(String.format("\\x%02x", b & 0xff));
                }
            }
            return sb.append('"').toString();
        }
    }

    private static final String[] KEYS = {"a", "b", "c", "h", "g", "n", "", "{x}y", "bin\r\n\u0000"};
    private static final String[] FIELDS = {"f", "g", "x", "", "n", "field-with-a-longer-name", "\u0000\r\n"};
    private static final String[] VALUES = {"", "v", "0", "1", "-1", "7", "10", "-0", "01", "+5", " 3", "3 ", "abc",
        "9223372036854775807", "-9223372036854775808", "9223372036854775806", "-9223372036854775807", "1.5",
        "-2.25", "0.1", "0.2", "3e2", "1e308", "1e400", "1e-400", "inf", "-inf", "nan", "0x1A", ".5", "5.", "1e",
        "\u0000", "hello world", "1.0000000000000000001", "17179869184", "5.0e3", "-.5", "1E+2", "  "};
    private static final String[] INTEGERS = {"-1", "0", "1", "2", "3", "5", "100", "-100", "9223372036854775807",
        "-9223372036854775808", "9223372036854775806", "2147483648", "-2147483649", "abc", "1.5", "", "+1", "01",
        "4294967296", " 1"};
    private static final String[] FLOATS = {"1", "0.1", "-0.1", "1.5", "2.5e3", "1e400", "-1e400", "inf", "nan",
        "abc", "0", "-0", "1e-400", ".1", "3.0", "0x10", "1e308", "10.50", "9223372036854775807", " 1"};
    private static final String[] PATTERNS = {"*", "a*", "?", "h?", "[ab]", "[^a]*", "[a-c]", "*x*", "\\*", "",
        "*[", "bin*", "{*"};
    private static final String[] DB_INDEXES = {"0", "1", "2", "15", "16", "-1", "abc", "1.5", "9999999999"};

    private final Random random;
    /** Epoch seconds when the sequence was generated: absolute expiries are set from it. */
    private final long epochSeconds;
    /** Counts relative expiries so that no two are closer than 10 s (see the class comment). */
    private int expiries;

    CommandGenerator(long seed, long epochSeconds) {
        this.random = new Random(seed);
        this.epochSeconds = epochSeconds;
    }

    /** A sequence of {@code length} steps on two connections, starting with a protocol choice. */
    List<Step> sequence(int length) {
        List<Step> steps = new ArrayList<>();
        for (int connection = 0; connection < 2; connection++) {
            if (random.nextInt(3) == 0) {
                steps.add(new Step(connection, args("HELLO", "3"), false));
            }
        }
        while (steps.size() < length) {
            int connection = random.nextInt(5) == 0 ? 1 : 0;
            List<byte[]> args = command();
            if (random.nextInt(25) == 0 && byteComparable(args)) {
                args = wrongArity(args);
            }
            steps.add(new Step(connection, args, random.nextInt(10) == 0));
        }
        return steps;
    }

    /** Commands whose reply is compared byte for byte may lose or gain an argument; the others keep their shape. */
    private static boolean byteComparable(List<byte[]> args) {
        String name = new String(args.get(0), StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT);
        return !RedisDifferentialTest.normalised(name);
    }

    private List<byte[]> wrongArity(List<byte[]> args) {
        List<byte[]> changed = new ArrayList<>(args);
        if (changed.size() > 1 && random.nextBoolean()) {
            return changed.subList(0, 1 + random.nextInt(changed.size() - 1));
        }
        changed.add(pick(VALUES));
        return changed;
    }

    private List<byte[]> command() {
        int group = random.nextInt(100);
        if (group < 40) {
            return stringCommand();
        }
        if (group < 62) {
            return keyCommand();
        }
        if (group < 84) {
            return hashCommand();
        }
        if (group < 93) {
            return transactionCommand();
        }
        return connectionCommand();
    }

    private List<byte[]> stringCommand() {
        return switch (random.nextInt(22)) {
            case 0, 1 -> args("GET", key());
            case 2, 3, 4 -> set();
            case 5 -> args("SETNX", key(), value());
            case 6 -> args(random.nextBoolean() ? "SETEX" : "PSETEX", key(), expiryAmount(), value());
            case 7 -> with(args("MGET"), keys(1 + random.nextInt(4)));
            case 8 -> random.nextInt(4) == 0 ? with(args("MSET"), keys(3)) : with(args("MSET"), pairs());
            case 9 -> with(args("MSETNX"), pairs());
            case 10 -> args("GETSET", key(), value());
            case 11 -> args("GETDEL", key());
            case 12 -> getex();
            case 13 -> args("APPEND", key(), value());
            case 14 -> args("STRLEN", key());
            case 15 -> args("SETRANGE", key(), offset(), value());
            case 16 -> args(random.nextInt(4) == 0 ? "SUBSTR" : "GETRANGE", key(), rangeIndex(), rangeIndex());
            case 17 -> args(random.nextBoolean() ? "INCR" : "DECR", key());
            case 18 -> args(random.nextBoolean() ? "INCRBY" : "DECRBY", key(), pick(INTEGERS));
            case 19, 20 -> args("INCRBYFLOAT", key(), pick(FLOATS));
            default -> args("SET", key(), pick(INTEGERS));
        };
    }

    private List<byte[]> set() {
        List<byte[]> a = args("SET", key(), value());
        int options = random.nextInt(4);
        for (int i = 0; i < options; i++) {
            switch (random.nextInt(12)) {
                case 0 -> a.add(bytes("NX"));
                case 1 -> a.add(bytes("XX"));
                case 2 -> a.add(bytes("GET"));
                case 3 -> a.add(bytes("KEEPTTL"));
                case 4, 5 -> {
                    a.add(bytes(random.nextBoolean() ? "EX" : "PX"));
                    a.add(expiryAmount());
                }
                case 6, 7 -> {
                    a.add(bytes(random.nextBoolean() ? "EXAT" : "PXAT"));
                    a.add(futureExpiry(a.get(a.size() - 1)[0] == 'P'));
                }
                case 8 -> a.add(bytes("get"));
                case 9 -> a.add(bytes("EX"));
                case 10 -> a.add(bytes("FOO"));
                default -> a.add(bytes("nx"));
            }
        }
        return a;
    }

    private List<byte[]> getex() {
        List<byte[]> a = args("GETEX", key());
        switch (random.nextInt(7)) {
            case 0 -> { }
            case 1 -> a.add(bytes("PERSIST"));
            case 2, 3 -> {
                a.add(bytes(random.nextBoolean() ? "EX" : "PX"));
                a.add(expiryAmount());
            }
            case 4 -> {
                a.add(bytes(random.nextBoolean() ? "EXAT" : "PXAT"));
                a.add(absoluteExpiry(a.get(a.size() - 1)[0] == 'P'));
            }
            case 5 -> {
                a.add(bytes("PERSIST"));
                a.add(bytes("EX"));
                a.add(expiryAmount());
            }
            default -> a.add(bytes("BOGUS"));
        }
        return a;
    }

    private List<byte[]> keyCommand() {
        return switch (random.nextInt(24)) {
            case 0 -> with(args(random.nextBoolean() ? "DEL" : "UNLINK"), keys(1 + random.nextInt(3)));
            case 1 -> with(args("EXISTS"), keys(1 + random.nextInt(3)));
            case 2 -> with(args("TOUCH"), keys(1 + random.nextInt(2)));
            case 3 -> args("TYPE", key());
            case 4 -> args("KEYS", pick(PATTERNS));
            case 5 -> scan();
            case 6 -> args(random.nextBoolean() ? "RENAME" : "RENAMENX", key(), key());
            case 7 -> copy();
            case 8 -> args("MOVE", key(), pick(DB_INDEXES));
            case 9 -> args("RANDOMKEY");
            case 10 -> args("DBSIZE");
            case 11 -> random.nextInt(8) == 0 ? args(random.nextBoolean() ? "FLUSHDB" : "FLUSHALL")
                    : args("SELECT", pick(DB_INDEXES));
            case 12, 13, 14 -> expire();
            case 15, 16 -> args(pick(new String[] {"TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"}), key());
            case 17 -> args("PERSIST", key());
            case 18 -> args("SELECT", pick(new String[] {"0", "1"}));
            default -> random.nextBoolean() ? set() : hashCommand();
        };
    }

    private List<byte[]> scan() {
        List<byte[]> a = args("SCAN", cursor());
        if (random.nextBoolean()) {
            a.add(bytes("MATCH"));
            a.add(pick(PATTERNS));
        }
        if (random.nextInt(3) == 0) {
            a.add(bytes("TYPE"));
            a.add(pick(new String[] {"string", "hash", "list", "HASH", "none"}));
        }
        a.add(bytes("COUNT"));
        a.add(random.nextInt(15) == 0 ? pick(new String[] {"0", "-1", "abc"}) : bytes("1000"));
        if (random.nextInt(20) == 0) {
            a.add(bytes("MATCH"));
        }
        return a;
    }

    private List<byte[]> copy() {
        List<byte[]> a = args("COPY", key(), key());
        if (random.nextBoolean()) {
            a.add(bytes("DB"));
            a.add(pick(DB_INDEXES));
        }
        if (random.nextBoolean()) {
            a.add(bytes("REPLACE"));
        }
        if (random.nextInt(15) == 0) {
            a.add(bytes("BOGUS"));
        }
        return a;
    }

    private List<byte[]> expire() {
        String command = new String[] {"EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"}[random.nextInt(4)];
        boolean ms = command.startsWith("P");
        byte[] when;
        int kind = random.nextInt(10);
        if (kind < 2) {
            when = pick(new String[] {"0", "-1", "-100", "abc", "9223372036854775807",
                "-9223372036854775808", "9223372036854775", "1.5"});
        } else if (command.endsWith("AT")) {
            when = absoluteExpiry(ms);
        } else {
            when = relativeExpiry(ms);
        }
        List<byte[]> a = args(command, key(), when);
        int options = random.nextInt(5) == 0 ? 2 : random.nextInt(2);
        for (int i = 0; i < options; i++) {
            a.add(pick(new String[] {"NX", "XX", "GT", "LT", "gt", "BOGUS"}));
        }
        return a;
    }

    private List<byte[]> hashCommand() {
        byte[] key = key();
        return switch (random.nextInt(24)) {
            case 0, 1, 2 -> with(args(random.nextInt(4) == 0 ? "HMSET" : "HSET", key), fieldValues());
            case 3 -> args("HSETNX", key, field(), value());
            case 4, 5 -> args("HGET", key, field());
            case 6 -> with(args("HMGET", key), fields(1 + random.nextInt(3)));
            case 7 -> with(args("HDEL", key), fields(1 + random.nextInt(3)));
            case 8 -> args("HEXISTS", key, field());
            case 9 -> args("HGETALL", key);
            case 10 -> args("HKEYS", key);
            case 11 -> args("HVALS", key);
            case 12 -> args("HLEN", key);
            case 13 -> args("HSTRLEN", key, field());
            case 14, 15 -> args("HINCRBY", key, field(), pick(INTEGERS));
            case 16, 17 -> args("HINCRBYFLOAT", key, field(), pick(FLOATS));
            case 18, 19 -> hrandfield(key);
            case 20 -> hscan(key);
            case 21 -> args("HSET", key, field());
            default -> args("HSET", key, field(), pick(INTEGERS));
        };
    }

    private List<byte[]> hrandfield(byte[] key) {
        return switch (random.nextInt(8)) {
            case 0 -> args("HRANDFIELD", key);
            case 1, 2 -> args("HRANDFIELD", key, pick(new String[] {"20", "50", "0"}));
            case 3 -> args("HRANDFIELD", key, pick(new String[] {"20", "0"}), bytes("WITHVALUES"));
            case 4, 5 -> args("HRANDFIELD", key, pick(new String[] {"-1", "-5", "-30"}),
                    bytes(random.nextBoolean() ? "WITHVALUES" : "withvalues"));
            case 6 -> args("HRANDFIELD", key, pick(new String[] {"-3", "7"}));
            default -> args("HRANDFIELD", key, pick(new String[] {"abc", "-9223372036854775808",
                "9223372036854775807", "5"}), pick(new String[] {"WITHVALUES", "junk"}));
        };
    }

    private List<byte[]> hscan(byte[] key) {
        List<byte[]> a = args("HSCAN", key, cursor());
        if (random.nextBoolean()) {
            a.add(bytes("MATCH"));
            a.add(pick(PATTERNS));
        }
        if (random.nextBoolean()) {
            a.add(bytes("COUNT"));
            a.add(random.nextInt(10) == 0 ? pick(new String[] {"0", "abc"}) : bytes("1000"));
        }
        if (random.nextInt(20) == 0) {
            a.add(bytes("TYPE"));
            a.add(bytes("hash"));
        }
        return a;
    }

    private List<byte[]> transactionCommand() {
        return switch (random.nextInt(9)) {
            case 0, 1 -> args("MULTI");
            case 2, 3 -> args("EXEC");
            case 4 -> args("DISCARD");
            case 5, 6 -> with(args("WATCH"), keys(1 + random.nextInt(2)));
            case 7 -> args("UNWATCH");
            default -> random.nextInt(3) == 0 ? args("EXEC", value()) : args("NOSUCHCOMMAND", key(), value());
        };
    }

    private List<byte[]> connectionCommand() {
        return switch (random.nextInt(13)) {
            case 11 -> args("CONFIG", "GET", pick(new String[] {"maxmemory", "databases", "maxmemory-policy",
                "databa?es", "nosuch", "DATABASES"}));
            case 12 -> random.nextBoolean() ? args(pick(new String[] {"TIME", "LASTSAVE", "INFO"}))
                    : args(random.nextBoolean() ? "CLIENT" : "COMMAND", pick(new String[] {"ID", "INFO", "LIST",
                        "COUNT"}));
            case 8 -> random.nextInt(4) == 0 ? args("RESET") : args("AUTH", pick(new String[] {"pw", "default"}),
                    pick(new String[] {"pw", "x"}));
            case 9 -> args("AUTH", pick(new String[] {"pw", ""}));
            case 10 -> args("HELLO", pick(new String[] {"2", "3"}), pick(new String[] {"SETNAME", "AUTH", "FOO"}),
                    pick(new String[] {"worker-2", "default", "bad name"}), pick(new String[] {"pw", "SETNAME"}));
            case 0 -> args("PING");
            case 1 -> args("PING", value());
            case 2 -> args("ECHO", value());
            case 3 -> args("HELLO", pick(new String[] {"2", "3", "4", "abc"}));
            case 4 -> args("CLIENT", "SETNAME", pick(new String[] {"worker-1", "with space", ""}));
            case 5 -> args("CLIENT", "GETNAME");
            case 6 -> args("SELECT", pick(DB_INDEXES));
            default -> args(pick(new String[] {"get", "Set", "hGeT"}), key());
        };
    }

    // ------------------------------------------------------------------ arguments

    private byte[] key() {
        return pick(KEYS);
    }

    private byte[] field() {
        return pick(FIELDS);
    }

    private byte[] value() {
        if (random.nextInt(8) == 0) {
            byte[] noise = new byte[random.nextInt(40)];
            random.nextBytes(noise);
            return noise;
        }
        return pick(VALUES);
    }

    private List<byte[]> keys(int n) {
        return several(n, this::key);
    }

    private List<byte[]> fields(int n) {
        return several(n, this::field);
    }

    /** MSET's keys and values. */
    private List<byte[]> pairs() {
        return flat(several(1 + random.nextInt(3), () -> List.of(key(), value())));
    }

    /** HSET's fields and values. */
    private List<byte[]> fieldValues() {
        return flat(several(1 + random.nextInt(3), () -> List.of(field(), value())));
    }

    private static List<byte[]> flat(List<List<byte[]>> pairs) {
        return pairs.stream().flatMap(List::stream).toList();
    }

    private static <T> List<T> several(int n, java.util.function.Supplier<T> one) {
        List<T> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(one.get());
        }
        return out;
    }

    /** SETEX/PSETEX and SET EX/PX amounts: mostly a valid relative expiry, sometimes an invalid one. */
    private byte[] expiryAmount() {
        if (random.nextInt(6) == 0) {
            return pick(new String[] {"0", "-1", "abc", "9223372036854775807", "9223372036854776",
                "1.5", ""});
        }
        return relativeExpiry(false);
    }

    /** A relative expiry of at least a day, 10 s away from every other one of the sequence. */
    private byte[] relativeExpiry(boolean ms) {
        long seconds = 86_400 + 10L * ++expiries;
        return bytes(Long.toString(ms ? seconds * 1000 + random.nextInt(1000) : seconds));
    }

    /** An absolute expiry: mostly a day or more ahead (10 s from every other one), sometimes in the past. */
    private byte[] absoluteExpiry(boolean ms) {
        if (random.nextInt(5) == 0) {
            return pick(new String[] {"1", "100", Long.toString(epochSeconds - 3600)});
        }
        return futureExpiry(ms);
    }

    /** An absolute expiry a day or more ahead, 10 s from every other one. */
    private byte[] futureExpiry(boolean ms) {
        long at = epochSeconds + 86_400 + 10L * ++expiries + 5;
        return bytes(Long.toString(ms ? at * 1000 + random.nextInt(1000) : at));
    }

    /** Mostly the first cursor; sometimes a malformed one, or another spelling of zero (any other is random). */
    private byte[] cursor() {
        return random.nextInt(12) == 0 ? pick(new String[] {"abc", "", "1.5", " 0", "0 ", "00", "+0", "-0"})
                : bytes("0");
    }

    private byte[] offset() {
        return pick(new String[] {"0", "1", "3", "10", "25", "-1", "536870912", "abc",
            "9223372036854775807", "4294967296"});
    }

    private byte[] rangeIndex() {
        return pick(new String[] {"0", "1", "2", "5", "-1", "-2", "-5", "-100", "100",
            "9223372036854775807", "-9223372036854775808", "abc"});
    }

    private byte[] pick(String[] pool) {
        return bytes(pool[random.nextInt(pool.length)]);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<byte[]> args(Object... parts) {
        List<byte[]> out = new ArrayList<>();
        for (Object p : parts) {
            out.add(p instanceof byte[] b ? b : bytes((String) p));
        }
        return out;
    }

    private static List<byte[]> with(List<byte[]> head, List<byte[]> tail) {
        head.addAll(tail);
        return head;
    }
}
