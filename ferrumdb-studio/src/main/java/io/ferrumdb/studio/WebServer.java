package io.ferrumdb.studio;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Studio's HTTP/1.1 server on Netty: {@link HttpServerCodec} parses, {@link HttpConnection} turns each request
 * into an {@link Exchange} and hands it to the handler on Studio's handler threads (endpoints block on the
 * database and on streams; the event loop never does). Studio's own code decodes the URL, so a malformed
 * percent-encoding is Studio's typed 400, and whatever the codec itself rejects (an over-long request line or
 * header section, a line that is not HTTP) is answered as JSON with the security headers too.
 *
 * <p>Every connection has TCP_NODELAY: without it a small response on a reused connection waits for the
 * client's delayed ACK (about 40 ms a request).
 */
final class WebServer implements AutoCloseable {
    /**
     * Longest request line: a 64 KiB key (the engine's {@code MAX_KEY_SIZE}) percent-encoded in the query takes up
     * to 192 KiB. Longer lines are answered 414.
     */
    static final int MAX_REQUEST_LINE_BYTES = 256 << 10;
    /** Largest header section; larger is answered 431. */
    static final int MAX_HEADER_BYTES = 64 << 10;
    /** Largest piece of a body the decoder hands over at once (bodies themselves are not limited here). */
    static final int MAX_CHUNK_BYTES = 64 << 10;
    /** An idle keep-alive connection closes after this long. */
    static final int IDLE_SECONDS = 120;
    /** How long a connection closed with unread request bytes keeps discarding them before it closes. */
    static final long LINGER_MILLIS = 5_000;

    /** Serves one exchange on a handler thread, sending its response and ending it with {@link Exchange#finish}. */
    interface Handler {
        void serve(Exchange exchange);
    }

    private final Handler handler;
    private final Executor handlerThreads;
    private final PrintStream console;
    private final EventLoopGroup loops;
    private final ChannelGroup connections = new DefaultChannelGroup("ferrumdb-studio", GlobalEventExecutor.INSTANCE);
    private final Channel listener;
    private final int port;
    private volatile boolean closing;

    /**
     * Binds and starts accepting.
     *
     * @throws IOException when the address cannot be bound
     */
    WebServer(InetAddress bind, int port, Handler handler, Executor handlerThreads, PrintStream console)
            throws IOException {
        this.handler = handler;
        this.handlerThreads = handlerThreads;
        this.console = console;
        this.loops = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("ferrumdb-studio-io"),
                NioIoHandler.newFactory());
        HttpDecoderConfig decoding = new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_REQUEST_LINE_BYTES)
                .setMaxHeaderSize(MAX_HEADER_BYTES)
                .setMaxChunkSize(MAX_CHUNK_BYTES);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 64)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, true)
                // A client that shuts its sending side after the request (printf ... | nc -N) still gets the answer.
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS),
                                new HttpServerCodec(decoding), new HttpConnection(WebServer.this));
                    }
                });
        ChannelFuture bound = bootstrap.bind(new InetSocketAddress(bind, port)).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            Throwable cause = bound.cause();
            throw cause instanceof IOException io ? io : new IOException(String.valueOf(cause.getMessage()), cause);
        }
        this.listener = bound.channel();
        this.port = ((InetSocketAddress) listener.localAddress()).getPort();
    }

    int port() {
        return port;
    }

    boolean closing() {
        return closing;
    }

    PrintStream console() {
        return console;
    }

    /** Runs the handler for the exchange on a handler thread (throws RejectedExecutionException when closing). */
    void dispatch(Exchange exchange) {
        handlerThreads.execute(() -> handler.serve(exchange));
    }

    /** Whether every open connection has TCP_NODELAY set (and how many there are), for the tests. */
    int connectionsWithNoDelay(boolean expected) {
        int n = 0;
        for (Channel c : connections) {
            if (c instanceof SocketChannel s && s.config().isTcpNoDelay() == expected) {
                n++;
            }
        }
        return n;
    }

    /**
     * The most any open connection holds in its outbound buffer beyond its low water mark (0 while all are
     * writable): what a streamed response has queued for a client that does not read, for the tests.
     */
    long maxQueuedOutboundBytes() {
        long most = 0;
        for (Channel c : connections) {
            most = Math.max(most, c.bytesBeforeWritable());
        }
        return most;
    }

    /**
     * Stops accepting and closes every connection (a handler still writing gets an error at its next write; one
     * reading a body gets one at once). The event loops stay up for {@link #shutdownEventLoops()}.
     */
    @Override
    public void close() {
        closing = true;
        listener.close().syncUninterruptibly();
        // Each connection's channelInactive then fails a body read in progress, on the still running event loop.
        connections.close().awaitUninterruptibly();
    }

    /** Ends the I/O threads; after {@link #close()} and once the handler threads are done. */
    void shutdownEventLoops() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
