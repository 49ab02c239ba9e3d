package io.ferrumdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FsyncPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/** Read-modify-write commands from many connections at once lose no update; MSETNX is all or nothing. */
class AtomicityTest {
    @TempDir
    Path dir;

    @Test
    void concurrentReadModifyWriteLosesNothing() throws Exception {
        int clients = 8;
        int perClient = 300;
        try (TestServer server = new TestServer(dir.resolve("db"), ServerConfig.builder().port(0).build(),
                FsyncPolicy.always())) {
            AtomicInteger msetnxWins = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                threads.add(new Thread(() -> {
                    try (Jedis jedis = new Jedis("127.0.0.1", server.port(), 60_000)) {
                        for (int i = 0; i < perClient; i++) {
                            jedis.incr("counter");
                            jedis.hincrBy("h", "n", 2);
                            jedis.append("log", "x");
                            jedis.incrByFloat("f", 0.5);
                            if (jedis.msetnx("slot" + i + "a", "c" + client, "slot" + i + "b", "c" + client) == 1) {
                                msetnxWins.incrementAndGet();
                            }
                        }
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join();
            }
            try (Jedis jedis = new Jedis("127.0.0.1", server.port(), 60_000)) {
                int total = clients * perClient;
                assertThat(jedis.get("counter")).isEqualTo(Integer.toString(total));
                assertThat(jedis.hget("h", "n")).isEqualTo(Integer.toString(2 * total));
                assertThat(jedis.strlen("log")).isEqualTo(total);
                assertThat(Double.parseDouble(jedis.get("f"))).isEqualTo(total * 0.5);
                assertThat(msetnxWins.get()).isEqualTo(perClient);
                for (int i = 0; i < perClient; i++) {
                    assertThat(jedis.get("slot" + i + "a")).isEqualTo(jedis.get("slot" + i + "b"));
                }
            }
        }
    }
}
