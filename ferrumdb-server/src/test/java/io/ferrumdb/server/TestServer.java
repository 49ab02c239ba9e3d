package io.ferrumdb.server;

import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import java.nio.file.Path;

/** An in-process server on an ephemeral port over a test directory. */
final class TestServer implements AutoCloseable {
    final RespServer server;
    final Path dir;

    TestServer(Path dir) {
        this(dir, ServerConfig.builder().port(0).build(), FsyncPolicy.always());
    }

    TestServer(Path dir, ServerConfig config, FsyncPolicy fsync) {
        this.dir = dir;
        this.server = RespServer.start(dir, Options.builder().fsyncPolicy(fsync).build(), config);
    }

    int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
    }
}
