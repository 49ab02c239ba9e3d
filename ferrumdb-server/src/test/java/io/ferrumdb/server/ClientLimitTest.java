package io.ferrumdb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.FsyncPolicy;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis's {@code maxclients}: connections beyond the limit are refused with Redis's text, so that a flood of idle
 * connections cannot take every file descriptor of the process (before the limit, 400 idle connections under
 * {@code ulimit -n 200} made the database's next segment fail with "Too many open files", and the engine then
 * refused every write until a restart).
 */
class ClientLimitTest {
    private static final String REFUSED = "-ERR max number of clients reached\r\n";

    @TempDir
    Path dir;

    @Test
    void aConnectionBeyondMaxclientsIsRefusedWithRedisTextCountedAndTheOthersServe() throws Exception {
        ServerConfig config = ServerConfig.builder().port(0).maxClients(2).build();
        try (TestServer server = new TestServer(dir.resolve("db"), config, FsyncPolicy.always());
                RawClient first = new RawClient(server.port())) {
            try (RawClient second = new RawClient(server.port())) {
                assertThat(second.send("PING\r\n").read(7)).isEqualTo("+PONG\r\n");
                try (RawClient third = new RawClient(server.port())) {
                    assertThat(third.read(REFUSED.length())).isEqualTo(REFUSED);
                    assertThat(third.closedByServer()).isTrue();
                }
                String header = first.send("INFO\r\n").readUntil("\r\n");
                String info = first.read(Integer.parseInt(header.substring(1, header.length() - 2)) + 2);
                assertThat(info).contains("connected_clients:2\r\n", "maxclients:2\r\n", "rejected_connections:1\r\n");
                String maxclients = "*2\r\n$10\r\nmaxclients\r\n$1\r\n2\r\n";
                assertThat(first.send("CONFIG GET maxclients\r\n").read(maxclients.length())).isEqualTo(maxclients);
            }
            // The closed connection's place is free again (its close reaches the server asynchronously).
            long deadline = System.nanoTime() + 10_000_000_000L;
            String reply;
            do {
                try (RawClient again = new RawClient(server.port())) {
                    reply = again.send("PING\r\n").read(7);
                }
            } while (!reply.equals("+PONG\r\n") && System.nanoTime() < deadline);
            assertThat(reply).isEqualTo("+PONG\r\n");
        }
    }

    @Test
    void ofManyConnectionsAtOnceExactlyMaxclientsAreServed() throws Exception {
        ServerConfig config = ServerConfig.builder().port(0).maxClients(5).build();
        try (TestServer server = new TestServer(dir.resolve("db"), config, FsyncPolicy.always())) {
            List<RawClient> clients = new ArrayList<>();
            ExecutorService readers = Executors.newFixedThreadPool(20);
            try {
                // One connection served first (and kept: a closed one leaves its place asynchronously), so that
                // the refusals below do not wait for the server's first connection's class loading and
                // compilation: on a loaded machine (load 20 on 2 CPUs) that once took longer than the silence this
                // test reads as "admitted".
                RawClient first = new RawClient(server.port());
                clients.add(first);
                assertThat(first.send("PING\r\n").read(7)).isEqualTo("+PONG\r\n");
                for (int i = 0; i < 20; i++) {
                    clients.add(new RawClient(server.port()).timeout(10_000));
                }
                // A refused connection is told so at once, unasked; an admitted one hears nothing.
                List<Future<String>> replies = new ArrayList<>();
                for (RawClient c : clients.subList(1, clients.size())) {
                    replies.add(readers.submit(() -> {
                        try {
                            return c.read(REFUSED.length());
                        } catch (SocketTimeoutException admitted) {
                            return "";
                        }
                    }));
                }
                List<RawClient> admitted = new ArrayList<>(List.of(first));
                for (int i = 0; i < replies.size(); i++) {
                    String reply = replies.get(i).get();
                    if (reply.isEmpty()) {
                        admitted.add(clients.get(i + 1));
                    } else {
                        assertThat(reply).isEqualTo(REFUSED);
                    }
                }
                assertThat(admitted).hasSize(5);
                for (RawClient c : admitted) {
                    assertThat(c.send("PING\r\n").read(7)).isEqualTo("+PONG\r\n");
                }
            } finally {
                readers.shutdownNow();
                for (RawClient c : clients) {
                    c.close();
                }
            }
        }
    }

    @Test
    void theLimitLeavesRedisReserveOfFileDescriptorsToTheDatabase() {
        assertThat(ClientLimit.effective(10_000, 20_000, 30)).isEqualTo(10_000);
        assertThat(ClientLimit.effective(10_000, 1024, 30)).isEqualTo(1024 - 30 - 128);
        // A database of 900 segment files holds 900 descriptors: the clients must not take the last ones.
        assertThat(ClientLimit.effective(10_000, 1024, 900)).isEqualTo(1);
        assertThat(ClientLimit.effective(50, Long.MAX_VALUE, 0)).isEqualTo(50);
        assertThat(ClientLimit.openDescriptors()).isPositive();
        assertThat(ClientLimit.descriptorLimit()).isGreaterThan(ClientLimit.openDescriptors());
        assertThatThrownBy(() -> ServerConfig.builder().maxClients(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxclients");
    }
}
