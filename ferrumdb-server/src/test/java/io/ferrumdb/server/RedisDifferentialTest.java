package io.ferrumdb.server;

import io.ferrumdb.FsyncPolicy;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server against a real redis-server 7.0, command by command: seeded random sequences over issue 19's command
 * list ({@link CommandGenerator}) go to both over raw RESP on two connections each (one in ten as an inline command,
 * and now and then a run of them pipelined in one write), and every reply must be the same bytes. The server runs
 * with its default {@code fsync always}, so pipelined replies also wait for group commits in order.
 *
 * <p>Normalised, and only there, is what cannot be the same: the order of KEYS, SCAN, HSCAN, HKEYS, HVALS and
 * HGETALL (a hash table's order in Redis, byte order here), which fields HRANDFIELD and which key RANDOMKEY picks,
 * TTLs (compared within 5 s, the two sends being apart in time) and HELLO's client id.
 *
 * <p>Skipped, with a message saying so, when no {@code redis-server} is on the PATH. Each sequence prints its seed;
 * {@code -Dferrumdb.diff.seed=N} reruns one, {@code -Dferrumdb.diff.soak=N} runs N fresh ones, and
 * {@code -Dferrumdb.diff.trace=true} prints every step with redis-server's reply.
 */
class RedisDifferentialTest {
    private static final int STEPS = 300;
    private static final int DEFAULT_SEQUENCES = 3;
    /** Seconds (TTL, EXPIRETIME) or milliseconds (PTTL, PEXPIRETIME) two replies may differ by. */
    private static final long TTL_TOLERANCE_SECONDS = 5;

    /** Commands whose replies are compared after normalisation, not byte for byte. */
    private static final Set<String> NORMALISED = Set.of("randomkey", "hrandfield", "scan", "hscan", "keys", "hkeys",
            "hvals", "hgetall", "ttl", "pttl", "expiretime", "pexpiretime", "hello", "exec", "time", "lastsave", "info",
            "client", "command", "config");

    private static final Set<String> TTLS = Set.of("ttl", "pttl", "expiretime", "pexpiretime");

    /** {@code -Dferrumdb.diff.trace=true} prints every step with redis-server's reply. */
    private static final boolean TRACE = Boolean.getBoolean("ferrumdb.diff.trace");

    @TempDir
    Path dir;

    static boolean normalised(String command) {
        return NORMALISED.contains(command);
    }

    @Test
    void randomCommandSequencesGetTheSameRepliesAsRedisServer() throws Exception {
        compareWithRedis(null, seeds());
    }

    /**
     * Both servers with a password: every connection starts unauthenticated (NOAUTH for all but AUTH, HELLO, QUIT
     * and RESET) until one of the generator's AUTH commands gives the right one ("pw"); RESET forgets it again.
     * One sequence, or as many as the soak asks for.
     */
    @Test
    void withAPasswordUnauthenticatedConnectionsGetTheSameRepliesAsRedisServer() throws Exception {
        List<Long> seeds = seeds();
        compareWithRedis("pw", System.getProperty("ferrumdb.diff.soak") == null ? seeds.subList(0, 1) : seeds);
    }

    private void compareWithRedis(String password, List<Long> seeds) throws Exception {
        Optional<Path> redis = RedisPeer.find();
        Assumptions.assumeTrue(redis.isPresent(), "no Redis server binary (redis-server on the PATH, or Debian "
                + "redis-tools' /usr/bin/redis-check-rdb): the differential test against a real Redis is skipped");
        ServerConfig.Builder config = ServerConfig.builder().port(0);
        if (password != null) {
            config.password(password.getBytes(StandardCharsets.UTF_8));
        }
        try (RedisPeer peer = RedisPeer.start(redis.get(), dir.resolve("redis"), password);
                TestServer ferrum = new TestServer(dir.resolve("ferrumdb"), config.build(), FsyncPolicy.always())) {
            // Every sequence runs, from empty databases; a divergence ends its own sequence only, and the failure
            // lists one of each kind (by command), so that one soak run shows everything it found.
            java.util.Map<String, AssertionError> divergences = new java.util.TreeMap<>();
            for (long seed : seeds) {
                System.out.println("RedisDifferentialTest: seed " + seed + " (rerun: -Dferrumdb.diff.seed=" + seed
                        + ")");
                try {
                    new Sequence(seed, peer.port(), ferrum.port(), password).run();
                } catch (Divergence d) {
                    divergences.putIfAbsent(d.command, d);
                }
            }
            if (!divergences.isEmpty()) {
                StringBuilder sb = new StringBuilder(divergences.size() + " kind(s) of divergence from redis-server in "
                        + seeds.size() + " sequence(s):");
                for (AssertionError d : divergences.values()) {
                    sb.append("\n\n").append(d.getMessage());
                }
                throw new AssertionError(sb.toString());
            }
        }
    }

    /** A reply that differs from redis-server's, for {@code command}. */
    private static final class Divergence extends AssertionError {
        final String command;

        Divergence(String command, String message) {
            super(message);
            this.command = command;
        }
    }

    private static List<Long> seeds() {
        String one = System.getProperty("ferrumdb.diff.seed");
        if (one != null && !one.isBlank()) {
            return List.of(Long.parseLong(one.trim()));
        }
        int count = Integer.getInteger("ferrumdb.diff.soak", DEFAULT_SEQUENCES);
        long base = new java.security.SecureRandom().nextLong() & Long.MAX_VALUE;
        List<Long> seeds = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            seeds.add(base + i);
        }
        return seeds;
    }

    /** One seeded sequence against both servers, from empty databases. */
    private static final class Sequence {
        private final long seed;
        private final int redisPort;
        private final int ferrumPort;
        /** Per connection: the commands queued by MULTI (null outside one), to normalise EXEC's reply. */
        @SuppressWarnings("unchecked")
        private final List<String>[] queued = new List[2];
        /** Per connection: the commands queued with their arguments, parallel to {@link #queued}. */
        @SuppressWarnings("unchecked")
        private final List<List<byte[]>>[] queuedArgs = new List[2];
        private final Deque<String> recent = new ArrayDeque<>();

        /** The servers' password, or null. */
        private final String password;

        Sequence(long seed, int redisPort, int ferrumPort, String password) {
            this.seed = seed;
            this.redisPort = redisPort;
            this.ferrumPort = ferrumPort;
            this.password = password;
        }

        void run() throws IOException {
            CommandGenerator.Step flushAll =
                    new CommandGenerator.Step(0, List.of("FLUSHALL".getBytes(StandardCharsets.US_ASCII)), false);
            for (int port : new int[] {redisPort, ferrumPort}) {
                try (Connection c = new Connection(port)) {
                    if (password != null) {
                        c.send(List.of(new CommandGenerator.Step(0, List.of("AUTH".getBytes(StandardCharsets.US_ASCII),
                                password.getBytes(StandardCharsets.UTF_8)), false)));
                        c.read();
                    }
                    c.send(List.of(flushAll));
                    c.read();
                }
            }
            List<CommandGenerator.Step> steps =
                    new CommandGenerator(seed, System.currentTimeMillis() / 1000).sequence(STEPS);
            Connection[] redis = {new Connection(redisPort), new Connection(redisPort)};
            Connection[] ferrum = {new Connection(ferrumPort), new Connection(ferrumPort)};
            // Now and then a run of steps on one connection goes as one pipelined write, replies read after it.
            java.util.Random pipelining = new java.util.Random(seed);
            try {
                for (int i = 0; i < steps.size(); ) {
                    int connection = steps.get(i).connection();
                    int end = i + 1;
                    int batch = pipelining.nextInt(8) == 0 ? 2 + pipelining.nextInt(7) : 1;
                    while (end < steps.size() && end - i < batch && steps.get(end).connection() == connection) {
                        end++;
                    }
                    List<RespReply> expected = exchange(redis[connection], steps.subList(i, end));
                    List<RespReply> actual;
                    try {
                        actual = exchange(ferrum[connection], steps.subList(i, end));
                    } catch (IOException e) {
                        throw failure(i, steps.get(i), expected.get(0), null, e.toString());
                    }
                    for (int k = i; k < end; k++) {
                        compare(k, steps.get(k), expected.get(k - i), actual.get(k - i));
                        track(steps.get(k), expected.get(k - i));
                    }
                    i = end;
                }
            } finally {
                for (Connection c : List.of(redis[0], redis[1], ferrum[0], ferrum[1])) {
                    c.close();
                }
            }
        }

        /** Sends the steps in one write and reads their replies. */
        private static List<RespReply> exchange(Connection connection, List<CommandGenerator.Step> batch)
                throws IOException {
            connection.send(batch);
            List<RespReply> replies = new ArrayList<>();
            for (int k = 0; k < batch.size(); k++) {
                replies.add(connection.read());
            }
            return replies;
        }

        private void compare(int index, CommandGenerator.Step step, RespReply expected, RespReply actual) {
            String name = step.name();
            List<byte[]> args = step.args();
            if (name.equals("exec") && queued[step.connection()] != null) {
                List<String> names = queued[step.connection()];
                List<List<byte[]>> argLists = queuedArgs[step.connection()];
                if (!expected.isError() && !expected.isNull() && !actual.isError() && !actual.isNull()
                        && expected.items().size() == names.size() && actual.items().size() == names.size()) {
                    for (int j = 0; j < names.size(); j++) {
                        if (!agree(names.get(j), argLists.get(j), expected.items().get(j),
                                actual.items().get(j))) {
                            throw failure(index, step, expected, actual, "element " + j + " (" + names.get(j)
                                    + ") of EXEC's reply differs");
                        }
                    }
                    return;
                }
            }
            boolean same = name.equals("exec") ? exact(expected).equals(exact(actual))
                    : agree(name, args, expected, actual);
            if (!same) {
                throw failure(index, step, expected, actual, "replies differ");
            }
        }

        /** Follows MULTI / EXEC / DISCARD on each connection, as redis-server answered them. */
        private void track(CommandGenerator.Step step, RespReply redisReply) {
            int c = step.connection();
            String name = step.name();
            recent.addLast(step.show() + "  ->  " + redisReply.show());
            if (TRACE) {
                System.out.println("  " + step.show() + "  ->  " + redisReply.show());
            }
            if (recent.size() > 12) {
                recent.removeFirst();
            }
            if (queued[c] == null || name.equals("reset")) {
                queued[c] = null;
                queuedArgs[c] = null;
                if (name.equals("multi") && !redisReply.isError()) {
                    queued[c] = new ArrayList<>();
                    queuedArgs[c] = new ArrayList<>();
                }
                return;
            }
            if (name.equals("exec") || name.equals("discard")) {
                queued[c] = null;
                queuedArgs[c] = null;
            } else if ("QUEUED".equals(redisReply.string())) {
                queued[c].add(name);
                queuedArgs[c].add(step.args());
            }
        }

        private Divergence failure(int index, CommandGenerator.Step step, RespReply expected, RespReply actual,
                String what) {
            StringBuilder sb = new StringBuilder();
            sb.append("seed ").append(seed).append(", step ").append(index).append(": ").append(what)
                    .append("\n  command:     ").append(step.show())
                    .append("\n  redis-server: ").append(expected.show())
                    .append("\n  ferrumdb:     ").append(actual == null ? "(no reply)" : actual.show())
                    .append("\n  steps before it (with redis-server's replies):");
            for (String line : recent) {
                sb.append("\n    ").append(line);
            }
            sb.append("\n  rerun: -Dferrumdb.diff.seed=").append(seed);
            return new Divergence(step.name(), sb.toString());
        }
    }

    // ------------------------------------------------------------------ normalisation

    private static String exact(RespReply reply) {
        return new String(reply.raw(), StandardCharsets.ISO_8859_1);
    }

    /** Whether two replies to one command agree: equal {@link #canonical} forms, or TTLs within the tolerance. */
    static boolean agree(String name, List<byte[]> args, RespReply expected, RespReply actual) {
        if (TTLS.contains(name) && expected.type() == ':' && actual.type() == ':') {
            long want = Long.parseLong(expected.string());
            long got = Long.parseLong(actual.string());
            long tolerance = name.startsWith("p") ? TTL_TOLERANCE_SECONDS * 1000 : TTL_TOLERANCE_SECONDS;
            return want < 0 || got < 0 ? want == got : Math.abs(want - got) <= tolerance;
        }
        return canonical(name, args, expected).equals(canonical(name, args, actual));
    }

    /**
     * What must be equal between the two replies to {@code name}: the exact bytes, except for the commands of
     * {@link #NORMALISED}, whose errors are still compared exactly.
     */
    static String canonical(String name, List<byte[]> args, RespReply reply) {
        if (reply.isError() || !NORMALISED.contains(name)) {
            return reply.raw() != null ? exact(reply) : reply.describe();
        }
        return switch (name) {
            case "randomkey" -> reply.isNull() ? "null" : String.valueOf(reply.type());
            case "hrandfield" -> hrandfield(args, reply);
            case "scan", "hscan" -> reply.items() == null || reply.items().size() != 2 ? reply.describe()
                    : reply.items().get(0).describe() + " "
                            + RespReply.sortedGroups(reply.items().get(1).items(), name.equals("hscan") ? 2 : 1);
            case "keys", "hkeys", "hvals" -> reply.type() + RespReply.sortedGroups(reply.items(), 1).toString();
            case "hgetall" -> reply.type() + RespReply.sortedGroups(reply.items(), 2).toString();
            case "hello" -> withoutClientId(reply);
            case "config" -> reply.type() + RespReply.sortedGroups(reply.items(), 2).toString();
            // Their content is the server's own (clock, ids, addresses, counts): only the reply's shape must match.
            case "time", "lastsave", "info", "client" -> shape(reply);
            case "command" -> String.valueOf(reply.type()); // FerrumDB's command table is its own

            default -> reply.describe();
        };
    }

    /** Positive counts here exceed every hash (so every field is in the reply); a negative one fixes the size only. */
    private static String hrandfield(List<byte[]> args, RespReply reply) {
        if (args.size() == 2 || reply.isNull()) {
            return reply.isNull() ? "null" : String.valueOf(reply.type());
        }
        Long count = Numbers.parseLong(args.get(2));
        if (count == null || reply.items() == null) {
            return reply.describe();
        }
        boolean flatPairs = args.size() == 4 && !reply.items().isEmpty() && reply.items().get(0).type() != '*';
        if (count < 0) {
            return reply.type() + " of " + reply.items().size();
        }
        return reply.type() + RespReply.sortedGroups(reply.items(), flatPairs ? 2 : 1).toString();
    }

    /** The reply's types and sizes without its content: an aggregate's elements' types, a bulk's prefix of 4. */
    private static String shape(RespReply reply) {
        if (reply.items() == null || reply.text() != null) {
            return reply.type() + (reply.type() == '=' ? reply.string().substring(0, 4) : "");
        }
        List<String> parts = new ArrayList<>();
        for (RespReply item : reply.items()) {
            parts.add(String.valueOf(item.type()));
        }
        return reply.type() + parts.toString();
    }

    private static String withoutClientId(RespReply reply) {
        List<String> parts = new ArrayList<>();
        List<RespReply> items = reply.items() == null ? List.of() : reply.items();
        for (int i = 0; i < items.size(); i++) {
            boolean id = i > 0 && "id".equals(items.get(i - 1).string());
            parts.add(id ? "(id)" : items.get(i).describe());
        }
        return reply.type() + parts.toString();
    }

    /** One RESP connection: sends a command as a multibulk request or an inline line, reads one reply. */
    private static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final java.io.InputStream in;

        Connection(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(60_000); // a reply, not a duration: a busy machine may take seconds
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
            in = new java.io.BufferedInputStream(socket.getInputStream());
        }

        void send(List<CommandGenerator.Step> steps) throws IOException {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            for (CommandGenerator.Step step : steps) {
                encode(step, bytes);
            }
            out.write(bytes.toByteArray());
            out.flush();
        }

        private static void encode(CommandGenerator.Step step, java.io.ByteArrayOutputStream bytes) {
            if (step.inline()) {
                for (byte[] a : step.args()) {
                    bytes.write('"');
                    for (byte b : a) {
                        boolean plain = b >= 0x20 && b < 0x7f && b != '"' && b != '\\';
                        bytes.writeBytes((plain ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff))
                                .getBytes(StandardCharsets.US_ASCII));
                    }
                    bytes.writeBytes(new byte[] {'"', ' '});
                }
                bytes.writeBytes(new byte[] {'\r', '\n'});
            } else {
                bytes.writeBytes(("*" + step.args().size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
                for (byte[] a : step.args()) {
                    bytes.writeBytes(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    bytes.writeBytes(a);
                    bytes.writeBytes(new byte[] {'\r', '\n'});
                }
            }
        }

        RespReply read() throws IOException {
            return RespReply.read(in);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
