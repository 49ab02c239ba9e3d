package io.ferrumdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FaultFileIO;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * I/O errors and a full disk under the Redis protocol server, through the core's fault-injecting file system (its
 * test-jar), with fsync {@code always}: a client sends SET, MSET, MULTI/EXEC (strings and a hash field) and HSET,
 * one at a time and pipelined, until a write or an fsync fails or the disk fills up.
 *
 * <p>Every write that fails must reach the client as an error reply naming the failure (the injected I/O error or
 * "No space left on device"), never as +OK; the same connection and a new one must go on serving reads of what was
 * acknowledged; and after a restart on a healthy disk every acknowledged write is there, and of the writes that
 * failed a prefix (in the order they were sent) is there whole and the rest not at all: never half an MSET, EXEC or
 * HSET. A failed write may have landed (README, "After a write failure": a group is fsynced before the hint file of
 * a segment it filled is written); reading it back tells.
 */
class WriteFailureTest {
    private static final int STRING_KEYS = 30;
    private static final int HASH_KEYS = 4;
    private static final int HASH_FIELDS = 8;

    @TempDir
    Path tmp;

    /** What fails: the n-th later write or fsync, or the disk after some bytes. */
    private enum Fault { WRITE, FORCE, DISK_FULL }

    /** One write command and its changes, as flat names (a string key, or {@code hash#field}) to values. */
    private record Write(String command, Map<String, String> changes) {
    }

    @Test
    void aFailedWriteIsAnErrorReplyReadsGoOnAndAcknowledgedWritesSurviveARestart() throws Exception {
        long base = Long.getLong("ferrumdb.seed", System.nanoTime());
        int failures = 0;
        // A fault may strike a background compaction's output rather than a caller's write (that run then checks no
        // failed call): after the usual seeds, more run until enough runs have checked one, up to three times as many.
        for (int i = 0; i < 12 || failures <= 8 && i < 36; i++) {
            failures += runSeed(base + i, Fault.values()[i % Fault.values().length]) ? 1 : 0;
        }
        assertThat(failures).as("runs in which a write failed (and was then checked)").isGreaterThan(8);
    }

    /** Runs one seed; true when a write failed (a disk-full run may end before the disk fills). */
    private boolean runSeed(long seed, Fault fault) throws Exception {
        String where = fault + ", seed " + seed + " (-Dferrumdb.seed=" + seed + ")";
        Random r = new Random(seed);
        FaultFileIO io = new FaultFileIO(seed);
        Path dir = tmp.resolve("s" + seed);
        Options options = Options.builder().fsyncPolicy(FsyncPolicy.always()).segmentSize(4096).build();
        ServerConfig config = ServerConfig.builder().port(0).ioThreads(1).build();
        Map<String, String> acknowledged = new HashMap<>();
        List<Write> failed = new ArrayList<>();
        RespServer server = RespServer.start(dir, io.forOneOpen(options), config);
        try (Jedis jedis = new Jedis("127.0.0.1", server.port(), 30_000)) {
            switch (fault) {
                case WRITE -> io.failOn(FaultFileIO.Op.WRITE, 1 + r.nextInt(60), null);
                case FORCE -> io.failOn(FaultFileIO.Op.FORCE, 1 + r.nextInt(60), null);
                case DISK_FULL -> io.diskSpace(1 + r.nextInt(16_384));
            }
            for (int n = 0; n < 300 && failed.isEmpty(); n++) {
                if (r.nextInt(10) == 0) {
                    pipelinedSets(jedis, r, n, acknowledged, failed, where);
                } else {
                    Write w = randomWrite(r, n);
                    String error = send(jedis, w);
                    record(w, error, acknowledged, failed, where);
                }
            }
            io.disarm();
            io.diskSpace(Long.MAX_VALUE);
            if (!failed.isEmpty()) {
                Write refused = randomWrite(r, -1);
                String error = send(jedis, refused);
                assertThat(error).as("%s: a write after the failure is refused", where).isNotNull();
                record(refused, error, acknowledged, failed, where);
                assertServesReads(jedis, acknowledged, failed, where + ", same connection after the failure");
                try (Jedis another = new Jedis("127.0.0.1", server.port(), 30_000)) {
                    assertServesReads(another, acknowledged, failed, where + ", new connection after the failure");
                }
            }
        } finally {
            closeAfterFailure(server, !failed.isEmpty(), where);
        }
        try (RespServer restarted = RespServer.start(dir, options, config);
             Jedis jedis = new Jedis("127.0.0.1", restarted.port(), 30_000)) {
            assertHoldsAPrefixOfTheFailedWrites(read(jedis), acknowledged, failed, where + ", after a restart");
        }
        return !failed.isEmpty();
    }

    /**
     * A SET, MSET, MULTI/EXEC or HSET (fields of one hash) over a small key space, with values that name write
     * {@code n}.
     */
    private static Write randomWrite(Random r, int n) {
        Map<String, String> changes = new LinkedHashMap<>();
        String command = switch (r.nextInt(4)) {
            case 0 -> {
                changes.put(stringKey(r), "set" + n);
                yield "SET";
            }
            case 1 -> {
                for (int k = 0; k < 3; k++) {
                    changes.put(stringKey(r), "mset" + n + "." + k);
                }
                yield "MSET";
            }
            case 2 -> {
                changes.put(stringKey(r), "exec" + n + ".a");
                changes.put(hashField(r), "exec" + n + ".h");
                changes.put(stringKey(r), "exec" + n + ".b");
                yield "EXEC";
            }
            default -> {
                String hash = "h" + r.nextInt(HASH_KEYS);
                for (int k = 0; k < 3; k++) {
                    changes.put(hash + "#f" + r.nextInt(HASH_FIELDS), "hset" + n + "." + k);
                }
                yield "HSET";
            }
        };
        return new Write(command, changes);
    }

    private static String stringKey(Random r) {
        return "s" + r.nextInt(STRING_KEYS);
    }

    private static String hashField(Random r) {
        return "h" + r.nextInt(HASH_KEYS) + "#f" + r.nextInt(HASH_FIELDS);
    }

    /** Sends {@code w}; its error reply, or null when it was acknowledged. */
    private static String send(Jedis jedis, Write w) {
        try {
            switch (w.command()) {
                case "SET" -> {
                    Map.Entry<String, String> e = w.changes().entrySet().iterator().next();
                    assertThat(jedis.set(e.getKey(), e.getValue())).isEqualTo("OK");
                }
                case "MSET" -> {
                    List<String> keysValues = new ArrayList<>();
                    w.changes().forEach((k, v) -> {
                        keysValues.add(k);
                        keysValues.add(v);
                    });
                    assertThat(jedis.mset(keysValues.toArray(String[]::new))).isEqualTo("OK");
                }
                case "EXEC" -> {
                    Transaction t = jedis.multi();
                    w.changes().forEach((k, v) -> {
                        if (k.contains("#")) {
                            t.hset(hashOf(k), fieldOf(k), v);
                        } else {
                            t.set(k, v);
                        }
                    });
                    assertThat(t.exec()).hasSize(w.changes().size());
                }
                default -> {
                    Map<String, String> fields = new LinkedHashMap<>();
                    w.changes().forEach((k, v) -> fields.put(fieldOf(k), v));
                    jedis.hset(hashOf(w.changes().keySet().iterator().next()), fields);
                }
            }
            return null;
        } catch (JedisDataException e) {
            return e.getMessage();
        }
    }

    private static String hashOf(String name) {
        return name.substring(0, name.indexOf('#'));
    }

    private static String fieldOf(String name) {
        return name.substring(name.indexOf('#') + 1);
    }

    /** Ten SETs of fresh keys in one pipeline: each reply on its own is an acknowledgement or an error. */
    private static void pipelinedSets(Jedis jedis, Random r, int n, Map<String, String> acknowledged,
            List<Write> failed, String where) {
        Pipeline p = jedis.pipelined();
        List<Write> writes = new ArrayList<>();
        List<Response<String>> replies = new ArrayList<>();
        for (int j = 0; j < 10; j++) {
            Write w = new Write("SET", Map.of(stringKey(r), "pipe" + n + "." + j));
            Map.Entry<String, String> e = w.changes().entrySet().iterator().next();
            writes.add(w);
            replies.add(p.set(e.getKey(), e.getValue()));
        }
        p.sync();
        for (int j = 0; j < writes.size(); j++) {
            String error;
            try {
                assertThat(replies.get(j).get()).isEqualTo("OK");
                error = null;
            } catch (JedisDataException e) {
                error = e.getMessage();
            }
            record(writes.get(j), error, acknowledged, failed, where + ", pipelined SET " + j);
        }
    }

    /** Books a write as acknowledged, or checks its error reply names the failure and books it as failed. */
    private static void record(Write w, String error, Map<String, String> acknowledged, List<Write> failed,
            String where) {
        if (error == null) {
            assertThat(failed).as("%s: %s acknowledged after an earlier write failed", where, w).isEmpty();
            acknowledged.putAll(w.changes());
            return;
        }
        assertThat(error).as("%s: the error reply of %s", where, w)
                .startsWith("ERR ")
                .containsAnyOf("injected failure of", "No space left on device")
                .doesNotContain("Exception");
        failed.add(w);
    }

    /**
     * What the client reads on a server whose writes failed: every acknowledged value no failed write touched is
     * served; a Redis key a failed write touched (a hash: any of its fields, as its field count changed too) reads
     * as before, as that write, or as an error reply (a value whose write did not become durable is refused rather
     * than served, README "After a write failure").
     */
    private static void assertServesReads(Jedis jedis, Map<String, String> acknowledged, List<Write> failed,
            String where) {
        assertThat(jedis.ping()).as("%s: PING", where).isEqualTo("PONG");
        for (Map.Entry<String, String> e : acknowledged.entrySet()) {
            String redisKey = redisKeyOf(e.getKey());
            boolean touched = failed.stream().flatMap(w -> w.changes().keySet().stream())
                    .anyMatch(name -> redisKeyOf(name).equals(redisKey));
            String actual;
            try {
                actual = readOne(jedis, e.getKey());
            } catch (JedisDataException refused) {
                assertThat(touched).as("%s: %s refused: %s", where, e.getKey(), refused.getMessage()).isTrue();
                continue;
            }
            if (touched) {
                List<String> possible = new ArrayList<>(List.of(e.getValue()));
                failed.forEach(w -> possible.add(w.changes().get(e.getKey())));
                assertThat(actual).as("%s: %s", where, e.getKey()).isIn(possible);
            } else {
                assertThat(actual).as("%s: acknowledged %s", where, e.getKey()).isEqualTo(e.getValue());
            }
        }
    }

    /** The Redis key a flat name belongs to: a hash field's hash, or the string key itself. */
    private static String redisKeyOf(String name) {
        return name.contains("#") ? hashOf(name) : name;
    }

    private static String readOne(Jedis jedis, String name) {
        return name.contains("#") ? jedis.hget(hashOf(name), fieldOf(name)) : jedis.get(name);
    }

    /** Every string key and hash field of the key space, as flat names to values. */
    private static Map<String, String> read(Jedis jedis) {
        Map<String, String> actual = new HashMap<>();
        for (int k = 0; k < STRING_KEYS; k++) {
            String v = jedis.get("s" + k);
            if (v != null) {
                actual.put("s" + k, v);
            }
        }
        for (int h = 0; h < HASH_KEYS; h++) {
            String hash = "h" + h;
            jedis.hgetAll(hash).forEach((f, v) -> actual.put(hash + "#" + f, v));
        }
        return actual;
    }

    /** {@code actual} is the acknowledged writes followed by the first j failed writes, for some j. */
    private static void assertHoldsAPrefixOfTheFailedWrites(Map<String, String> actual,
            Map<String, String> acknowledged, List<Write> failed, String where) {
        List<Map<String, String>> candidates = new ArrayList<>();
        Map<String, String> state = new HashMap<>(acknowledged);
        candidates.add(new HashMap<>(state));
        for (Write w : failed) {
            state.putAll(w.changes());
            candidates.add(new HashMap<>(state));
        }
        assertThat(candidates).as("%s: the data equals the acknowledged writes plus a prefix of the failed ones %s",
                where, failed).contains(actual);
    }

    /** Closes the server; a database whose writer failed may report that failure again on close. */
    private static void closeAfterFailure(RespServer server, boolean writeFailed, String where) {
        try {
            server.close();
        } catch (RuntimeException e) {
            assertThat(writeFailed).as("%s: close failed without a failed write: %s", where, e).isTrue();
        }
    }
}
