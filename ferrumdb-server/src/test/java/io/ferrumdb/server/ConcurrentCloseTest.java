package io.ferrumdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.HeldCreation;
import io.ferrumdb.Options;
import io.ferrumdb.internal.directory.FileNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SHUTDOWN (or the owner) closing the server while a signal's shutdown hook closes it too: the hook's close must
 * return only once the database is closed, or the JVM halts in the middle of the first close and the last writes
 * (under never()) and the hint of the active segment are lost.
 */
class ConcurrentCloseTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aSecondCloseReturnsOnlyOnceTheDatabaseIsClosed() throws Exception {
        String hint = FileNames.hint(1);
        HeldCreation held = HeldCreation.fileStartingWith(hint);
        RespServer server = RespServer.start(dir, held.on(Options.builder().fsyncPolicy(FsyncPolicy.never()).build()),
                ServerConfig.builder().port(0).build());
        try (RawClient client = new RawClient(server.port())) {
            client.send("SET key value\r\n");
            assertThat(client.read(5)).isEqualTo("+OK\r\n");
        }
        assertThat(held.secondCloseReturnsDone(server::close, () -> Files.exists(dir.resolve(hint))))
                .as("the hint existed when the second close returned").isTrue();
        try (TestServer reopened = new TestServer(dir); RawClient client = new RawClient(reopened.port())) {
            client.send("GET key\r\n");
            assertThat(client.read(11)).isEqualTo("$5\r\nvalue\r\n");
        }
    }
}
