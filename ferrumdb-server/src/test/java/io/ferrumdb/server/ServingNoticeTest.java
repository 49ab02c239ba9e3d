package io.ferrumdb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.DatabaseLockedException;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.Options;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server without the CLI ({@link ServerMain}, in a child JVM) keeps its {@code SERVING} notice in the directory
 * while it serves, so that an open refused by its lock says where to connect, and deletes it when it stops.
 */
class ServingNoticeTest {
    @TempDir
    Path dir;

    @Test
    void serverMainWritesItsNoticeWhileServingAndRemovesItOnStop() throws Exception {
        Path db = dir.resolve("db").toAbsolutePath();
        Process server = KillNineTest.startChild(db);
        try {
            int port = KillNineTest.portOf(server);
            assertThat(Files.readAllLines(db.resolve("SERVING")))
                    .containsExactly("FDBSERVING 1", "pid=" + server.pid(), "host=127.0.0.1", "port=" + port,
                            "tls=false");
            assertThatThrownBy(() -> FerrumDB.open(db)).isInstanceOf(DatabaseLockedException.class)
                    .hasMessageContaining("; it is `ferrumdb serve` (pid " + server.pid() + ") listening on"
                            + " 127.0.0.1:" + port + ": connect to that server instead of opening the directory");
        } finally {
            server.destroy(); // SIGTERM: the shutdown hook closes the server
            assertThat(server.waitFor(120, TimeUnit.SECONDS)).as("server stopped").isTrue();
        }
        assertThat(db.resolve("SERVING")).as("the notice is gone with the server").doesNotExist();
    }

    @Test
    void anEmbeddedServerWarnsWhenItCannotWriteItsNoticeAndServesAnyway() throws Exception {
        Path db = dir.resolve("db");
        Files.createDirectories(db.resolve("SERVING")); // a directory in the file's place: the rename fails
        StringBuilder warnings = new StringBuilder();
        ServerConfig config = ServerConfig.builder().port(0).warnings(w -> warnings.append(w).append('\n')).build();
        try (RespServer server = RespServer.start(db, Options.defaults(), config)) {
            assertThat(warnings.toString()).startsWith("cannot write " + db.resolve("SERVING") + " (")
                    .endsWith("); tools refused by the lock will not be told this server's address\n");
            assertThat(server.isClosed()).isFalse();
        }
        assertThat(db.resolve("SERVING")).as("another's file is left alone").isDirectory();
    }
}
