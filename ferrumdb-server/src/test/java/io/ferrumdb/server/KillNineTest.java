package io.ferrumdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;

/**
 * The server runs in a child JVM with fsync {@code always} (the default of {@code ferrumdb serve}) while clients
 * write strings, hash fields, counters and MULTI/EXEC pairs, and one pipelines SETs, counting each reply as it
 * arrives; the child is killed with SIGKILL at a random moment. After a restart on the same
 * directory, every write whose reply a client received must be there (a reply means "on disk").
 */
class KillNineTest {
    private static final Pattern LISTENING = Pattern.compile("on 127\\.0\\.0\\.1:(\\d+)");
    private static final int ROUNDS = Boolean.getBoolean("ferrumdb.soak") ? 10 : 2;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedWriteSurvivesKill9() throws Exception {
        Path db = dir.resolve("db");
        Map<String, String> acked = new ConcurrentHashMap<>();
        Map<String, Long> counters = new ConcurrentHashMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            Process child = startChild(db);
            int port = portOf(child);
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int writer = w;
                int r = round;
                Thread t = new Thread(() -> write(port, "r" + r + "w" + writer, acked, counters, stop));
                t.start();
                writers.add(t);
            }
            int r = round;
            Thread pipeliner = new Thread(() -> pipeline(port, "r" + r + "pipe", acked, stop));
            pipeliner.start();
            writers.add(pipeliner);
            // Kill at a random moment once writes are flowing (the machine may be slow to start the child).
            int before = acked.size();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (acked.size() < before + 50 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(ThreadLocalRandom.current().nextInt(500));
            child.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no flush
            // The restart below needs the directory's lock, which the kernel releases when the child is gone.
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("the killed server exited").isTrue();
            stop.set(true);
            for (Thread t : writers) {
                t.join();
            }
            assertThat(acked.size()).as("writes acknowledged before the kill").isGreaterThan(before);
            verify(db, acked, counters);
        }
    }

    private static void write(int port, String prefix, Map<String, String> acked, Map<String, Long> counters,
            AtomicBoolean stop) {
        try (Jedis jedis = new Jedis("127.0.0.1", port, 30_000)) {
            for (int i = 0; !stop.get(); i++) {
                String key = prefix + ":" + i;
                switch (i % 4) {
                    case 0 -> {
                        jedis.set(key, "v" + i);
                        acked.put("s/" + key, "v" + i);
                    }
                    case 1 -> {
                        jedis.hset(prefix + ":hash", "f" + i, "v" + i);
                        acked.put("h/" + prefix + ":hash/f" + i, "v" + i);
                    }
                    case 2 -> {
                        long n = jedis.incr(prefix + ":counter");
                        counters.merge(prefix + ":counter", n, Math::max);
                    }
                    default -> {
                        Transaction t = jedis.multi();
                        t.set(key + "a", "x");
                        t.set(key + "b", "y");
                        t.exec();
                        acked.put("s/" + key + "a", "x");
                        acked.put("s/" + key + "b", "y");
                    }
                }
                if (i % 50 == 49) {
                    Pipeline p = jedis.pipelined();
                    List<Response<String>> replies = new ArrayList<>();
                    for (int j = 0; j < 20; j++) {
                        replies.add(p.set(key + "p" + j, "p"));
                    }
                    p.sync();
                    for (int j = 0; j < 20; j++) {
                        if ("OK".equals(replies.get(j).get())) {
                            acked.put("s/" + key + "p" + j, "p");
                        }
                    }
                }
            }
        } catch (redis.clients.jedis.exceptions.JedisConnectionException killed) {
            // The server was killed: the write in flight got no reply, so it is not counted as acknowledged.
            if (!stop.get() && acked.isEmpty()) {
                System.err.println("writer " + prefix + " lost its connection before any write: " + killed);
            }
        }
    }

    /**
     * SETs sent in pipelines of 50 on a raw socket, each counted as acknowledged the moment its +OK arrives: the kill
     * lands mid-pipeline, with part of a pipeline's replies received (Jedis's pipeline gives all or none of them).
     */
    private static void pipeline(int port, String prefix, Map<String, String> acked, AtomicBoolean stop) {
        try (RawClient client = new RawClient(port)) {
            for (int i = 0; !stop.get(); i += 50) {
                StringBuilder batch = new StringBuilder();
                for (int j = i; j < i + 50; j++) {
                    String key = prefix + ":" + j;
                    batch.append(command("SET", key, "v" + j));
                }
                client.send(batch.toString());
                for (int j = i; j < i + 50; j++) {
                    String reply = client.readUntil("\r\n");
                    if (!reply.endsWith("\r\n")) {
                        return; // the server was killed: the rest of this pipeline got no reply
                    }
                    assertThat(reply).as("reply to SET %s:%d", prefix, j).isEqualTo("+OK\r\n");
                    acked.put("s/" + prefix + ":" + j, "v" + j);
                }
            }
        } catch (java.io.IOException killed) {
            // A reset connection: the server was killed; what was counted had its reply.
        }
    }

    /** A command as a RESP array of bulk strings (ASCII arguments). */
    private static String command(String... args) {
        StringBuilder resp = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            resp.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
        }
        return resp.toString();
    }

    private static void verify(Path db, Map<String, String> acked, Map<String, Long> counters) throws Exception {
        Process child = startChild(db);
        try (Jedis jedis = new Jedis("127.0.0.1", portOf(child), 60_000)) {
            for (Map.Entry<String, String> e : acked.entrySet()) {
                String[] parts = e.getKey().split("/");
                String actual = parts[0].equals("s") ? jedis.get(parts[1]) : jedis.hget(parts[1], parts[2]);
                assertThat(actual).as("acknowledged write %s", e.getKey()).isEqualTo(e.getValue());
            }
            for (Map.Entry<String, Long> e : counters.entrySet()) {
                assertThat(Long.parseLong(jedis.get(e.getKey()))).as("counter %s", e.getKey())
                        .isGreaterThanOrEqualTo(e.getValue());
            }
            jedis.shutdown();
        } catch (redis.clients.jedis.exceptions.JedisConnectionException closedByShutdown) {
            // SHUTDOWN closes the connection without a reply, as in Redis.
        }
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("server exits after SHUTDOWN").isTrue();
    }

    static Process startChild(Path db) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                ServerMain.class.getName(), db.toString(), "0", "always")
                .redirectErrorStream(true).start();
        return p;
    }

    static int portOf(Process child) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line;
        StringBuilder seen = new StringBuilder();
        while ((line = out.readLine()) != null) {
            seen.append(line).append('\n');
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> {
                    try {
                        while (out.readLine() != null) {
                            // keep the child's pipe from filling up
                        }
                    } catch (java.io.IOException ignored) {
                        // the child exited
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("the server printed no address:\n" + seen);
    }
}
