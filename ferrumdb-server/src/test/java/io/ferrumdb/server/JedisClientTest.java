package io.ferrumdb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.SetParams;

/** Jedis (Maven Central's most used Java client) against the server: every family of commands in scope. */
class JedisClientTest {
    @TempDir
    Path dir;
    TestServer server;
    Jedis jedis;

    @BeforeEach
    void start() {
        server = new TestServer(dir.resolve("db"));
        jedis = new Jedis("127.0.0.1", server.port(), 60_000);
    }

    @AfterEach
    void stop() {
        jedis.close();
        server.close();
    }

    @Test
    void strings() {
        assertThat(jedis.set("k", "v")).isEqualTo("OK");
        assertThat(jedis.get("k")).isEqualTo("v");
        assertThat(jedis.set("k", "w", SetParams.setParams().nx())).isNull();
        assertThat(jedis.setGet("k", "x")).isEqualTo("v");
        assertThat(jedis.append("k", "yz")).isEqualTo(3);
        assertThat(jedis.strlen("k")).isEqualTo(3);
        assertThat(jedis.getrange("k", 1, -1)).isEqualTo("yz");
        assertThat(jedis.setrange("k", 5, "!")).isEqualTo(6);
        assertThat(jedis.get("k")).isEqualTo("xyz\0\0!");
        assertThat(jedis.incr("n")).isEqualTo(1);
        assertThat(jedis.incrBy("n", 41)).isEqualTo(42);
        assertThat(jedis.decrBy("n", 2)).isEqualTo(40);
        assertThat(jedis.incrByFloat("n", 0.5)).isEqualTo(40.5);
        assertThat(jedis.mset("a", "1", "b", "2")).isEqualTo("OK");
        assertThat(jedis.mget("a", "b", "nope")).containsExactly("1", "2", null);
        assertThat(jedis.msetnx("b", "3", "c", "4")).isZero();
        assertThat(jedis.exists("c")).isFalse();
        assertThat(jedis.getDel("a")).isEqualTo("1");
        assertThat(jedis.exists("a")).isFalse();
        assertThatThrownBy(() -> jedis.incr("k")).hasMessage("ERR value is not an integer or out of range");
        jedis.set("big", String.valueOf(Long.MAX_VALUE));
        assertThatThrownBy(() -> jedis.incr("big")).hasMessage("ERR increment or decrement would overflow");
    }

    @Test
    void hashesAndWrongType() {
        assertThat(jedis.hset("h", Map.of("f1", "v1", "f2", "v2"))).isEqualTo(2);
        assertThat(jedis.hset("h", "f1", "v1b")).isZero();
        assertThat(jedis.hget("h", "f1")).isEqualTo("v1b");
        assertThat(jedis.hgetAll("h")).isEqualTo(Map.of("f1", "v1b", "f2", "v2"));
        assertThat(jedis.hlen("h")).isEqualTo(2);
        assertThat(jedis.hkeys("h")).containsExactlyInAnyOrder("f1", "f2");
        assertThat(jedis.hincrBy("h", "n", 5)).isEqualTo(5);
        assertThat(jedis.hincrByFloat("h", "n", 1.5)).isEqualTo(6.5);
        assertThat(jedis.hsetnx("h", "n", "x")).isZero();
        assertThat(jedis.hmget("h", "f2", "zz")).containsExactly("v2", null);
        assertThat(jedis.hdel("h", "f1", "f2", "n")).isEqualTo(3);
        assertThat(jedis.exists("h")).isFalse();
        jedis.set("s", "x");
        jedis.hset("h2", "f", "v");
        assertThatThrownBy(() -> jedis.hget("s", "f")).isInstanceOf(JedisDataException.class)
                .hasMessage("WRONGTYPE Operation against a key holding the wrong kind of value");
        assertThatThrownBy(() -> jedis.get("h2")).hasMessageStartingWith("WRONGTYPE");
        assertThat(jedis.type("h2")).isEqualTo("hash");
        assertThat(jedis.type("s")).isEqualTo("string");
        // SET replaces a hash entirely: its fields must not come back with a new hash of the same name.
        jedis.set("h2", "now a string");
        jedis.hset("h2x", "f", "v");
        jedis.del("h2");
        jedis.hset("h2", "g", "w");
        assertThat(jedis.hgetAll("h2")).isEqualTo(Map.of("g", "w"));
    }

    @Test
    void expiry() throws InterruptedException {
        // PTTL and TTL count down by no more than the time that passed (fixed bounds failed on a stalled machine:
        // a 150 ms key had expired before its PTTL was read).
        Elapsed sincePut = Elapsed.start();
        jedis.set("p", "v", SetParams.setParams().px(100_000));
        assertThat(jedis.pttl("p")).isBetween(100_000L - sincePut.millis(), 100_000L);
        jedis.set("k", "v", SetParams.setParams().px(150));
        jedis.hset("h", "f", "v");
        assertThat(jedis.pexpire("h", 150)).isEqualTo(1);
        Elapsed sinceKeep = Elapsed.start();
        jedis.set("keep", "v", SetParams.setParams().ex(100));
        jedis.set("keep", "w", SetParams.setParams().keepTtl());
        assertThat(jedis.ttl("keep")).isBetween(100L - sinceKeep.seconds(), 100L);
        long at = System.currentTimeMillis() + 100_000;
        jedis.pexpireAt("keep", at);
        assertThat(jedis.pexpireTime("keep")).isEqualTo(at);
        assertThat(jedis.persist("keep")).isEqualTo(1);
        assertThat(jedis.ttl("keep")).isEqualTo(-1);
        assertThat(jedis.ttl("missing")).isEqualTo(-2);
        Thread.sleep(300);
        assertThat(jedis.get("k")).isNull();
        assertThat(jedis.exists("h")).isFalse();
        assertThat(jedis.hgetAll("h")).isEmpty();
        // The expired hash's fields never leak into a new hash of the same name.
        jedis.hset("h", "other", "x");
        assertThat(jedis.hgetAll("h")).isEqualTo(Map.of("other", "x"));
        assertThat(jedis.hlen("h")).isEqualTo(1);
        assertThat(jedis.expire("keep", -1)).isEqualTo(1);
        assertThat(jedis.exists("keep")).isFalse();
    }

    @Test
    void transactionsAreOneBatchAndWatchAborts() {
        Transaction t = jedis.multi();
        t.set("a", "1");
        t.incr("a");
        t.hset("h", "f", "v");
        List<Object> results = t.exec();
        assertThat(results).containsExactly("OK", 2L, 1L);
        jedis.watch("a");
        try (Jedis other = new Jedis("127.0.0.1", server.port(), 60_000)) {
            other.set("a", "changed");
        }
        Transaction t2 = jedis.multi();
        t2.set("a", "mine");
        assertThat(t2.exec()).isNull();
        assertThat(jedis.get("a")).isEqualTo("changed");
        // A watch on an untouched key lets EXEC through.
        jedis.watch("a");
        Transaction t3 = jedis.multi();
        t3.set("a", "mine");
        assertThat(t3.exec()).containsExactly("OK");
    }

    @Test
    void execAbortsOnQueueingErrors() {
        jedis.sendCommand(() -> "MULTI".getBytes());
        assertThatThrownBy(() -> jedis.sendCommand(() -> "NOSUCH".getBytes()))
                .hasMessageStartingWith("ERR unknown command 'NOSUCH'");
        jedis.sendCommand(() -> "SET".getBytes(), "x", "1");
        assertThatThrownBy(() -> jedis.sendCommand(() -> "EXEC".getBytes()))
                .hasMessage("EXECABORT Transaction discarded because of previous errors.");
        assertThat(jedis.exists("x")).isFalse();
    }

    @Test
    void pipelinedRepliesComeBackInOrder() {
        Pipeline p = jedis.pipelined();
        int n = 2000;
        java.util.List<Response<Long>> incrs = new java.util.ArrayList<>();
        java.util.List<Response<String>> gets = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            p.set("p" + i, "v" + i);
            incrs.add(p.incr("counter"));
            gets.add(p.get("p" + i));
        }
        p.sync();
        for (int i = 0; i < n; i++) {
            assertThat(incrs.get(i).get()).isEqualTo(i + 1);
            assertThat(gets.get(i).get()).isEqualTo("v" + i);
        }
    }

    @Test
    void databasesKeysAndScan() {
        jedis.set("k0", "zero");
        jedis.select(3);
        assertThat(jedis.get("k0")).isNull();
        for (int i = 0; i < 25; i++) {
            jedis.set("key:" + i, "v");
        }
        jedis.hset("hash:1", "f", "v");
        assertThat(jedis.dbSize()).isEqualTo(26);
        assertThat(jedis.keys("key:1*")).hasSize(11);
        java.util.Set<String> seen = new java.util.HashSet<>();
        String cursor = "0";
        do {
            var page = jedis.scan(cursor, new redis.clients.jedis.params.ScanParams().count(7).match("key:*"));
            seen.addAll(page.getResult());
            cursor = page.getCursor();
        } while (!cursor.equals("0"));
        assertThat(seen).hasSize(25);
        assertThat(jedis.move("key:1", 0)).isEqualTo(1);
        assertThat(jedis.copy("hash:1", "hash:2", false)).isTrue();
        assertThat(jedis.hgetAll("hash:2")).isEqualTo(Map.of("f", "v"));
        assertThat(jedis.rename("hash:2", "hash:3")).isEqualTo("OK");
        assertThat(jedis.exists("hash:2")).isFalse();
        assertThat(jedis.hget("hash:3", "f")).isEqualTo("v");
        jedis.flushDB();
        assertThat(jedis.dbSize()).isZero();
        jedis.select(0);
        assertThat(jedis.dbSize()).isEqualTo(2);
        assertThatThrownBy(() -> jedis.select(16)).hasMessage("ERR DB index is out of range");
    }

    @Test
    void dataSurvivesRestart() {
        jedis.set("durable", "yes");
        jedis.hset("hd", "f", "v");
        jedis.select(5);
        jedis.set("in5", "x");
        jedis.close();
        server.close();
        server = new TestServer(dir.resolve("db"));
        jedis = new Jedis("127.0.0.1", server.port(), 60_000);
        assertThat(jedis.get("durable")).isEqualTo("yes");
        assertThat(jedis.hgetAll("hd")).isEqualTo(Map.of("f", "v"));
        jedis.select(5);
        assertThat(jedis.get("in5")).isEqualTo("x");
    }

    @Test
    void resp3HelloAndMaps() {
        var hello = jedis.sendCommand(() -> "HELLO".getBytes(), "3");
        assertThat(hello).isInstanceOf(List.class);
        assertThatThrownBy(() -> jedis.sendCommand(() -> "HELLO".getBytes(), "4"))
                .hasMessage("NOPROTO unsupported protocol version");
    }
}
