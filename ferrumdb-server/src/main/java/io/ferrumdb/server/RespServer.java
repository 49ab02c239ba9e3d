package io.ferrumdb.server;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.Options;
import io.ferrumdb.ProblemWording;
import io.ferrumdb.ServingFile;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;

/**
 * A FerrumDB database served over the Redis protocol (RESP2/RESP3): {@code redis-cli}, redis-py, ioredis,
 * node-redis, Jedis and Lettuce work against it unchanged. The server owns the database it opens and closes it
 * on {@link #close()} (also reached by the SHUTDOWN command). While it serves, its pid and address are in the
 * directory's {@code SERVING} file ({@link ServingFile}), so that a tool refused by the lock is told to connect to it.
 *
 * <pre>{@code
 * try (RespServer server = RespServer.start(dir, Options.defaults(), ServerConfig.builder().port(0).build())) {
 *     System.out.println(server.banner());
 *     server.awaitClose();
 * }
 * }</pre>
 *
 * Commands, key layout and durability: ARCHITECTURE.md ("Redis protocol server"), FORMAT.md ("Redis server key
 * layout").
 */
public final class RespServer implements AutoCloseable {
    /** How long close() waits for each of the listener and the two event-loop groups to stop. */
    private static final long SHUTDOWN_WAIT_SECONDS = 10;

    private final FerrumDB db;
    private final CommandExecutor executor;
    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final Channel listener;
    private final InetSocketAddress address;
    /** This server's notice in the directory, for the lock message of tools refused meanwhile; null if unwritten. */
    private ServingFile serving;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private RespServer(FerrumDB db, CommandExecutor executor, EventLoopGroup acceptors, EventLoopGroup workers,
            Channel listener) {
        this.db = db;
        this.executor = executor;
        this.acceptors = acceptors;
        this.workers = workers;
        this.listener = listener;
        this.address = (InetSocketAddress) listener.localAddress();
    }

    /**
     * Opens (creating if missing) the database in {@code dir} and starts listening. The engine's clock is replaced
     * by the server's command clock, and the ordered key index is switched on (hashes and SCAN need it).
     *
     * @throws ServerStartException when the database holds keys not written by the server, or the port is taken
     */
    public static RespServer start(Path dir, Options options, ServerConfig config) {
        CommandClock clock = new CommandClock();
        FerrumDB db = FerrumDB.open(dir, options.toBuilder().clock(clock).orderedKeys(true).build());
        EventLoopGroup acceptors = null;
        EventLoopGroup workers = null;
        try {
            checkLayout(db, dir);
            CommandExecutor executor = new CommandExecutor(db, clock, config);
            SslContext tls = config.tls() ? tlsContext(config) : null;
            boolean epoll = Epoll.isAvailable();
            IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
            Class<? extends ServerChannel> channelType =
                    epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
            acceptors = new MultiThreadIoEventLoopGroup(1, io);
            workers = new MultiThreadIoEventLoopGroup(config.ioThreads(), io);
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(acceptors, workers)
                    .channel(channelType)
                    .option(ChannelOption.SO_BACKLOG, 511)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 << 10, 1 << 20))
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ClientHandler handler = new ClientHandler(executor);
                            if (tls != null) {
                                ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                            }
                            ch.pipeline().addLast(new RespDecoder(config.maxBulkLength(), config.maxQueryBytes(),
                                    handler::authenticationRequired), handler);
                        }
                    });
            Channel listener;
            try {
                listener = bootstrap.bind(config.bindAddress(), config.port()).sync().channel();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ServerStartException("interrupted while binding " + config.bindAddress() + ":"
                        + config.port(), e);
            } catch (Exception e) {
                throw new ServerStartException("could not listen on " + config.bindAddress() + ":" + config.port()
                        + ": " + bindFailure(e), e);
            }
            RespServer server = new RespServer(db, executor, acceptors, workers, listener);
            executor.port = server.address.getPort();
            executor.shutdown = () -> new Thread(server::close, "ferrumdb-serve-shutdown").start();
            server.announce(dir);
            return server;
        } catch (RuntimeException e) {
            if (workers != null) {
                workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
            if (acceptors != null) {
                acceptors.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
            db.close();
            throw e;
        }
    }

    /** The server side of TLS from the configured PEM files, with the JDK's TLS implementation. */
    private static SslContext tlsContext(ServerConfig config) {
        for (Path file : List.of(config.tlsCertFile(), config.tlsKeyFile())) {
            if (!Files.isReadable(file)) {
                throw new ServerStartException("cannot read the TLS file " + file);
            }
        }
        try {
            return SslContextBuilder.forServer(config.tlsCertFile().toFile(), config.tlsKeyFile().toFile())
                    .sslProvider(SslProvider.JDK).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new ServerStartException("cannot use the TLS certificate " + config.tlsCertFile() + " with the key "
                    + config.tlsKeyFile() + " (PEM certificate chain and unencrypted PKCS#8 PEM key expected): "
                    + e.getMessage(), e);
        }
    }

    /**
     * A new database gets the layout record; a served one must carry a layout this version reads; a database
     * with keys but no layout record was written through the embedded API, whose keys would be misread.
     */
    private static void checkLayout(FerrumDB db, Path dir) {
        byte[] layout = db.get(KeyLayout.LAYOUT_KEY);
        if (layout == null) {
            long keys = db.size();
            if (keys > 0) {
                throw new ServerStartException("the database " + dir + " holds " + keys + " keys that were not "
                        + "written by ferrumdb serve; serve a new directory or one created by the server");
            }
            byte[] record = Arrays.copyOf(KeyLayout.LAYOUT_MAGIC, KeyLayout.LAYOUT_MAGIC.length + 1);
            record[record.length - 1] = KeyLayout.LAYOUT_VERSION;
            db.put(KeyLayout.LAYOUT_KEY, record);
            return;
        }
        int n = KeyLayout.LAYOUT_MAGIC.length;
        if (layout.length != n + 1 || !Arrays.equals(Arrays.copyOf(layout, n), KeyLayout.LAYOUT_MAGIC)) {
            throw new ServerStartException("the database " + dir + " has a damaged Redis layout record: "
                    + new String(layout, StandardCharsets.ISO_8859_1));
        }
        if (layout[n] != KeyLayout.LAYOUT_VERSION) {
            throw new ServerStartException("the database " + dir + " uses Redis layout version " + layout[n]
                    + "; this server reads version " + KeyLayout.LAYOUT_VERSION);
        }
    }

    /**
     * Writes this server's {@link ServingFile}. Without it a refused tool gives the engine's generic advice, so a
     * failure is a warning, not a reason to stop. Synchronized with {@link #withdraw()}: a SHUTDOWN that came in
     * before this ran must not leave the notice behind.
     */
    private synchronized void announce(Path dir) {
        if (closed.get()) {
            return;
        }
        try {
            serving = ServingFile.write(dir, address, executor.config.tls());
        } catch (IOException e) {
            executor.config.warn("cannot write " + ServingFile.path(dir) + " (" + ProblemWording.describe(e)
                    + "); tools refused by the lock will not be told this server's address");
        }
    }

    /** Deletes the notice, before the lock is released so that it never outlives this server's hold. */
    private synchronized void withdraw() {
        if (serving != null) {
            serving.withdraw(executor.config::warn);
        }
    }

    public int port() {
        return address.getPort();
    }

    public InetSocketAddress address() {
        return address;
    }

    /** The one line printed on start: where it listens. */
    public String banner() {
        return "FerrumDB " + version() + " serving " + db.directory().toAbsolutePath().normalize()
                + " over the Redis protocol on " + listening() + " (fsync "
                + asTyped(db.options().fsyncPolicy()) + (executor.auth.required() ? ", password required" : "")
                + (executor.config.tls() ? ", TLS" : "") + ")";
    }

    /**
     * Where the banner says it listens: a wildcard bind ({@code --bind 0.0.0.0}, which the JDK may report as the
     * IPv6 wildcard {@code 0:0:0:0:0:0:0:0}) reads as Redis logs it, {@code *:port}; any other address as it is.
     */
    private String listening() {
        return address.getAddress() != null && address.getAddress().isAnyLocalAddress()
                ? "*:" + address.getPort() + " (all interfaces)" : ConnectionCommands.address(address);
    }

    /** Blocks until the server is closed (by {@link #close()}, SHUTDOWN or a signal's shutdown hook). */
    public void awaitClose() throws InterruptedException {
        stopped.await();
    }

    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Stops accepting, closes every connection, then closes the database (flushing it). Idempotent: a call made
     * while another thread is closing the server (SHUTDOWN, a signal's shutdown hook) returns once that close has
     * ended, since a JVM halts as soon as its shutdown hooks return.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            awaitClosedUninterruptibly();
            return;
        }
        // Every wait is bounded: an event loop that died or hangs must not keep the database from being closed
        // (and its last writes flushed). Connections still running after the bound see a closed database.
        try {
            listener.close().awaitUninterruptibly(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
            for (EventLoopGroup group : List.of(workers, acceptors)) {
                group.shutdownGracefully(0, 2, TimeUnit.SECONDS)
                        .awaitUninterruptibly(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
            }
        } finally {
            try {
                try {
                    withdraw();
                } finally {
                    db.close();
                }
            } finally {
                stopped.countDown();
            }
        }
    }

    private void awaitClosedUninterruptibly() {
        boolean interrupted = false;
        while (true) {
            try {
                stopped.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    static String version() {
        String v = RespServer.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /**
     * The operating system's words for a failed bind ("Address already in use"), as Studio and the MCP server say
     * them: Netty's native transport puts its own call and errno before them ({@code bind(..) failed with
     * error(-98): }), which tell a user nothing more.
     */
    private static String bindFailure(Exception e) {
        String message = String.valueOf(e.getMessage());
        int words = message.indexOf("): ");
        return message.startsWith("bind(..) failed with error(") && words >= 0 ? message.substring(words + 3) : message;
    }

    /**
     * A fsync policy as {@code --fsync} takes it ({@code always}, {@code never}, {@code periodic:1s}), for the banner
     * and INFO: FsyncPolicy's own text is Java's, {@code periodic(PT1S)}.
     */
    static String asTyped(io.ferrumdb.FsyncPolicy policy) {
        if (!policy.isPeriodic()) {
            return policy.isAlways() ? "always" : "never";
        }
        java.time.Duration interval = policy.interval();
        if (interval.toNanos() % 1_000_000 != 0) {
            return "periodic:" + interval;   // below a millisecond: ISO-8601, which --fsync takes too
        }
        long ms = interval.toMillis();
        return "periodic:" + (ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms");
    }
}
