package io.ferrumdb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Lettuce (Netty-based, from Maven Central) against the server: strings, hashes, expiry, MULTI/EXEC with WATCH
 * and pipelining (async commands with auto-flush off), over RESP2 and over RESP3 (Lettuce's HELLO handshake).
 */
class LettuceClientTest {
    @TempDir
    Path dir;
    TestServer server;
    RedisClient client;

    @BeforeEach
    void start() {
        server = new TestServer(dir.resolve("db"));
        client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(server.port())
                .withTimeout(Duration.ofSeconds(60)).build());
    }

    @AfterEach
    void stop() {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
        server.close();
    }

    private StatefulRedisConnection<String, String> connect(ProtocolVersion protocol) {
        client.setOptions(ClientOptions.builder().protocolVersion(protocol).build());
        return client.connect();
    }

    @ParameterizedTest
    @EnumSource(ProtocolVersion.class)
    void strings(ProtocolVersion protocol) {
        try (StatefulRedisConnection<String, String> conn = connect(protocol)) {
            RedisCommands<String, String> r = conn.sync();
            assertThat(r.set("s", "hello")).isEqualTo("OK");
            assertThat(r.get("s")).isEqualTo("hello");
            assertThat(r.set("s", "x", SetArgs.Builder.nx())).isNull();
            assertThat(r.append("s", " world")).isEqualTo(11);
            assertThat(r.getrange("s", 0, 4)).isEqualTo("hello");
            assertThat(r.incrby("n", 5)).isEqualTo(5);
            assertThat(r.decr("n")).isEqualTo(4);
            assertThat(r.incrbyfloat("n", 0.5)).isEqualTo(4.5);
            assertThat(r.mget("s", "none")).containsExactly(KeyValue.just("s", "hello world"), KeyValue.empty("none"));
            assertThat(r.msetnx(Map.of("s", "1", "t", "2"))).isFalse();
            assertThat(r.getdel("s")).isEqualTo("hello world");
            assertThat(r.exists("s")).isZero();
            assertThatThrownBy(() -> r.incr("n")).isInstanceOf(RedisCommandExecutionException.class)
                    .hasMessage("ERR value is not an integer or out of range");
        }
    }

    @ParameterizedTest
    @EnumSource(ProtocolVersion.class)
    void hashesAndWrongType(ProtocolVersion protocol) {
        try (StatefulRedisConnection<String, String> conn = connect(protocol)) {
            RedisCommands<String, String> r = conn.sync();
            assertThat(r.hset("h", Map.of("a", "1", "b", "2"))).isEqualTo(2);
            assertThat(r.hgetall("h")).isEqualTo(Map.of("a", "1", "b", "2"));
            assertThat(r.hincrby("h", "a", 10)).isEqualTo(11);
            assertThat(r.hlen("h")).isEqualTo(2);
            assertThat(r.hmget("h", "a", "zz")).containsExactly(KeyValue.just("a", "11"), KeyValue.empty("zz"));
            assertThat(r.hdel("h", "b")).isEqualTo(1);
            assertThat(r.type("h")).isEqualTo("hash");
            assertThatThrownBy(() -> r.get("h")).isInstanceOf(RedisCommandExecutionException.class)
                    .hasMessageStartingWith("WRONGTYPE");
            assertThat(r.hdel("h", "a")).isEqualTo(1);
            assertThat(r.exists("h")).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(ProtocolVersion.class)
    void expiry(ProtocolVersion protocol) throws InterruptedException {
        try (StatefulRedisConnection<String, String> conn = connect(protocol)) {
            RedisCommands<String, String> r = conn.sync();
            // PTTL counts down by no more than the time that passed (a 300 ms key could expire before its PTTL).
            Elapsed sincePut = Elapsed.start();
            assertThat(r.set("p", "v", SetArgs.Builder.px(100_000))).isEqualTo("OK");
            assertThat(r.pttl("p")).isBetween(100_000L - sincePut.millis(), 100_000L);
            assertThat(r.set("ttl", "v", SetArgs.Builder.px(300))).isEqualTo("OK");
            r.hset("hx", "f", "v");
            assertThat(r.pexpire("hx", 300)).isTrue();
            assertThat(r.set("keep", "v", SetArgs.Builder.ex(1000))).isEqualTo("OK");
            assertThat(r.persist("keep")).isTrue();
            assertThat(r.ttl("keep")).isEqualTo(-1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while ((r.exists("ttl", "hx") > 0) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(r.get("ttl")).isNull();
            assertThat(r.hgetall("hx")).isEmpty();
            assertThat(r.ttl("ttl")).isEqualTo(-2);
            assertThat(r.get("keep")).isEqualTo("v");
        }
    }

    @ParameterizedTest
    @EnumSource(ProtocolVersion.class)
    void transactionsAndWatch(ProtocolVersion protocol) {
        try (StatefulRedisConnection<String, String> conn = connect(protocol);
                StatefulRedisConnection<String, String> otherConn = client.connect()) {
            RedisCommands<String, String> r = conn.sync();
            RedisCommands<String, String> other = otherConn.sync();
            assertThat(r.multi()).isEqualTo("OK");
            r.set("t", "1");
            r.incr("t");
            r.hset("th", "f", "v");
            TransactionResult done = r.exec();
            assertThat(done.wasDiscarded()).isFalse();
            assertThat(done.stream().toList()).containsExactly("OK", 2L, true);

            assertThat(r.watch("t")).isEqualTo("OK");
            other.set("t", "changed");
            r.multi();
            r.set("t", "mine");
            assertThat(r.exec().wasDiscarded()).isTrue();
            assertThat(r.get("t")).isEqualTo("changed");

            r.watch("t");
            r.multi();
            r.set("t", "mine");
            assertThat(r.exec().wasDiscarded()).isFalse();
            assertThat(other.get("t")).isEqualTo("mine");

            r.multi();
            r.set("u", "1");
            assertThat(r.discard()).isEqualTo("OK");
            assertThat(r.exists("u")).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(ProtocolVersion.class)
    void pipelining(ProtocolVersion protocol) {
        try (StatefulRedisConnection<String, String> conn = connect(protocol)) {
            RedisAsyncCommands<String, String> async = conn.async();
            conn.setAutoFlushCommands(false);
            List<RedisFuture<?>> sets = new ArrayList<>();
            List<RedisFuture<Long>> counts = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                sets.add(async.set("p" + i, Integer.toString(i)));
                counts.add(async.incr("pc"));
            }
            RedisFuture<String> read = async.get("p7");
            RedisFuture<Map<String, String>> hash = async.hgetall("none");
            conn.flushCommands();
            List<RedisFuture<?>> all = new ArrayList<>(sets);
            all.addAll(counts);
            all.add(read);
            all.add(hash);
            assertThat(LettuceFutures.awaitAll(Duration.ofSeconds(60), all.toArray(new RedisFuture<?>[0]))).isTrue();
            for (int i = 0; i < counts.size(); i++) {
                assertThat(counts.get(i).toCompletableFuture().join()).isEqualTo(i + 1L);
            }
            assertThat(read.toCompletableFuture().join()).isEqualTo("7");
            assertThat(hash.toCompletableFuture().join()).isEmpty();
            conn.setAutoFlushCommands(true);
            assertThat(conn.sync().get("p999")).isEqualTo("999");
        }
    }
}
