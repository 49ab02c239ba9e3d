package io.ferrumdb.server;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (Debian's) started for a test on a free loopback port with no persistence, the
 * reference the server is compared with; stopped by its own process handle on close.
 *
 * <p>Found as {@code redis-server} on the PATH, or else as Debian's {@code /usr/bin/redis-check-rdb}: redis-tools
 * ships the whole server under that name (the redis-server package adds only a link named redis-server to it, plus
 * a system service), and the binary runs as a server when started under the name redis-server. So a machine with
 * redis-tools (which the client suite installs) runs the comparison without installing a Redis service.
 */
final class RedisPeer implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;

    private RedisPeer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    private static final String SERVER_NAME = "redis-server";
    /** Debian redis-tools' copy of the server binary (see the class comment). */
    private static final Path DEBIAN_TOOLS_BINARY = Path.of("/usr/bin/redis-check-rdb");

    /** The {@code redis-server} executable on the PATH, or the binary Debian's redis-tools ship it as. */
    static Optional<Path> find() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, SERVER_NAME);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Files.isExecutable(DEBIAN_TOOLS_BINARY) ? Optional.of(DEBIAN_TOOLS_BINARY) : Optional.empty();
    }

    /** Starts {@code executable} in {@code dir} and waits until it listens. */
    static RedisPeer start(Path executable, Path dir) throws IOException, InterruptedException {
        return start(executable, dir, null);
    }

    /** As {@link #start(Path, Path)}, with {@code requirepass} set when {@code password} is not null. */
    static RedisPeer start(Path executable, Path dir, String password) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        if (!executable.getFileName().toString().equals(SERVER_NAME)) {
            // The binary picks its role by the name it is started under (argv[0]).
            Path link = dir.resolve(SERVER_NAME);
            Files.deleteIfExists(link);
            executable = Files.createSymbolicLink(link, executable.toAbsolutePath());
        }
        // A free port is probed, closed and handed to redis-server: another process may take it in between (a
        // busy machine runs other tests), so a start that lost its port is retried on a new one.
        for (int attempt = 1; ; attempt++) {
            int port;
            try (ServerSocket probe = new ServerSocket(0)) {
                port = probe.getLocalPort();
            }
            Optional<RedisPeer> peer = startOn(port, executable, dir, password);
            if (peer.isPresent()) {
                return peer.get();
            }
            if (attempt == PORT_ATTEMPTS) {
                throw new IOException("redis-server found its port taken " + PORT_ATTEMPTS + " times in a row");
            }
        }
    }

    private static final int PORT_ATTEMPTS = 5;
    /** What redis-server logs once it listens (6.x and 7.x; 7.2 adds the transport). */
    private static final String LISTENING = "Ready to accept connections";
    private static final String PORT_TAKEN = "Address already in use";

    /** redis-server on {@code port}, once its log says it listens; empty when another process had the port. */
    private static Optional<RedisPeer> startOn(int port, Path executable, Path dir, String password)
            throws IOException, InterruptedException {
        Path log = dir.resolve("redis-" + port + ".log");
        List<String> command = new ArrayList<>(List.of(executable.toString(), "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(),
                "--daemonize", "no", "--logfile", log.toString()));
        if (password != null) {
            command.addAll(List.of("--requirepass", password));
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis-" + port + ".out").toFile()).start();
        RedisPeer peer = new RedisPeer(process, port, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            String text = peer.logText();
            if (text.contains(LISTENING)) {
                return Optional.of(peer);
            }
            if (!process.isAlive()) {
                if (text.contains(PORT_TAKEN)) {
                    return Optional.empty();
                }
                throw new IOException("redis-server exited at start (" + process.exitValue() + "): " + text);
            }
            Thread.sleep(20);
        }
        peer.close();
        throw new IOException("redis-server did not say it listens on port " + port + " within 120 s: "
                + peer.logText());
    }

    int port() {
        return port;
    }

    private String logText() {
        try {
            return Files.exists(log) ? Files.readString(log) : "(no log)";
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
