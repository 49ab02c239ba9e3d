package io.ferrumdb.mcp;

import io.ferrumdb.ProblemWording;
import io.ferrumdb.ServingFile;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.DefaultServerTransportSecurityValidator;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MCP streamable HTTP transport of {@code ferrumdb mcp --http}: the SDK's servlet in an embedded Jetty bound to
 * 127.0.0.1 only, at {@code /mcp}.
 *
 * <p>Two guards stand in front of the tools, in this order:
 * <ol>
 *   <li>{@link BearerTokenFilter}: every request needs {@code Authorization: Bearer <token>}, a 256-bit random
 *   token made at start and shown once (in {@link #banner()}), else 401;</li>
 *   <li>the SDK's host/origin validator, against DNS rebinding: the Host header must be {@code 127.0.0.1:PORT} or
 *   {@code localhost:PORT} (else 421), and an Origin header, when sent, {@code http://127.0.0.1:PORT} or
 *   {@code http://localhost:PORT} (else 403), PORT being the real bound port.</li>
 * </ol>
 * A request body over {@link MessageLimit#MAX_BYTES} gets 413 with a JSON-RPC error naming the limit
 * ({@link OversizedBodyFilter}); one that is not a JSON-RPC message gets 400 with JSON-RPC's error
 * ({@link MalformedBodyFilter}); a request without a session or of an unknown one gets the SDK's 400 or 404 with
 * JSON-RPC's error, not the SDK's serialised exception ({@link SdkErrorBodyFilter}).
 * Closing stops accepting requests, closes the MCP sessions and stops Jetty; the database stays open (its owner,
 * {@link FerrumMcpServer}, closes it).
 */
public final class McpHttpEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(McpHttpEndpoint.class);
    /** The path the MCP endpoint is served at. */
    public static final String PATH = "/mcp";
    private static final String LOOPBACK = "127.0.0.1";
    /** Streams of open sessions park without a thread (async servlet); a few threads serve all the calls. */
    private static final int MAX_THREADS = 16;

    private final Server jetty;
    private final McpSyncServer mcp;
    private final String token;
    private final int port;
    private final CountDownLatch closed = new CountDownLatch(1);
    /** This server's notice in the database directory, once announced; removed by close. */
    private ServingFile notice; // guarded by this

    private McpHttpEndpoint(Server jetty, McpSyncServer mcp, String token, int port) {
        this.jetty = jetty;
        this.mcp = mcp;
        this.token = token;
        this.port = port;
    }

    /**
     * Binds 127.0.0.1:{@code port} (0 picks a free port), builds the MCP server on the HTTP transport with
     * {@code buildServer} and starts serving.
     *
     * @throws UncheckedIOException when the port cannot be bound (for example it is in use)
     */
    static McpHttpEndpoint start(int port, McpJsonMapper json,
                                 Function<HttpServletStreamableServerTransportProvider, McpSyncServer> buildServer) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port " + port + " is outside 0..65535");
        }
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 2);
        threads.setName("ferrumdb-mcp-http");
        threads.setDaemon(true);
        Server jetty = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(jetty, new HttpConnectionFactory(http));
        connector.setHost(LOOPBACK);
        connector.setPort(port);
        jetty.addConnector(connector);
        try {
            // Bound before the transport is built: the host/origin allow-lists name the real port.
            connector.open();
        } catch (IOException e) {
            // Jetty says "Failed to bind to /127.0.0.1:P" and keeps the operating system's words in the cause.
            String why = e.getCause() instanceof java.net.BindException bind ? bind.getMessage() : e.getMessage();
            throw new UncheckedIOException("could not listen on " + LOOPBACK + ":" + port + ": " + why, e);
        }
        int bound = connector.getLocalPort();
        String token = newToken();
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider
                .builder()
                .jsonMapper(json)
                .mcpEndpoint(PATH)
                .maxRequestSize(MessageLimit.MAX_BYTES)
                .securityValidator(DefaultServerTransportSecurityValidator.builder()
                        .allowedHosts(List.of(LOOPBACK + ":" + bound, "localhost:" + bound))
                        .allowedOrigins(List.of("http://" + LOOPBACK + ":" + bound, "http://localhost:" + bound))
                        .build())
                .build();
        McpSyncServer mcp = null;
        try {
            mcp = buildServer.apply(transport);
            ServletContextHandler context = new ServletContextHandler();
            context.setContextPath("/");
            FilterHolder guard = new FilterHolder(new BearerTokenFilter(token));
            guard.setAsyncSupported(true);
            context.addFilter(guard, "/*", EnumSet.of(DispatcherType.REQUEST));
            FilterHolder oversized = new FilterHolder(new OversizedBodyFilter(json));
            oversized.setAsyncSupported(true);
            context.addFilter(oversized, PATH, EnumSet.of(DispatcherType.REQUEST));
            McpSyncServer built = mcp;
            FilterHolder malformed = new FilterHolder(new MalformedBodyFilter(json, MessageScreen.toolsOf(() -> built)));
            malformed.setAsyncSupported(true);
            context.addFilter(malformed, PATH, EnumSet.of(DispatcherType.REQUEST));
            FilterHolder sdkErrors = new FilterHolder(new SdkErrorBodyFilter(json));
            sdkErrors.setAsyncSupported(true);
            context.addFilter(sdkErrors, PATH, EnumSet.of(DispatcherType.REQUEST));
            ServletHolder servlet = new ServletHolder(transport);
            servlet.setAsyncSupported(true); // the SDK answers over server-sent events on an async response
            context.addServlet(servlet, PATH);
            jetty.setHandler(context);
            jetty.start();
        } catch (Exception e) {
            if (mcp != null) {
                mcp.close();
            }
            try {
                jetty.stop();
            } catch (Exception stopping) {
                e.addSuppressed(stopping);
            }
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("could not start the MCP HTTP server on " + LOOPBACK + ":" + bound
                    + ": " + e.getMessage(), e);
        }
        return new McpHttpEndpoint(jetty, mcp, token, bound);
    }

    /** The port listened on (the chosen one when 0 was asked for). */
    public int port() {
        return port;
    }

    /** The MCP endpoint URL, {@code http://127.0.0.1:PORT/mcp}. */
    public URI uri() {
        return URI.create("http://" + LOOPBACK + ":" + port + PATH);
    }

    /** This start's bearer token. */
    public String token() {
        return token;
    }

    /** The start line: the one place the token is shown. */
    public String banner() {
        return "FerrumDB MCP server on " + uri() + " with header 'Authorization: Bearer " + token
                + "' (the token changes on every start; Ctrl+C stops the server)\n";
    }

    /**
     * Writes this server's {@code SERVING} notice (its pid and {@link #uri()}) into the database directory it serves,
     * so that a second {@code ferrumdb mcp}, or any tool, refused by the directory's lock is told to connect MCP
     * clients to this URL. A notice that cannot be written is logged: the lock message then gives its generic advice.
     */
    synchronized void announceIn(Path directory) {
        try {
            notice = ServingFile.writeMcp(directory, uri());
        } catch (IOException e) {
            LOG.warn("cannot write {} ({}): a tool refused by the lock will not be told this server's URL",
                    ServingFile.path(directory), ProblemWording.describe(e));
        }
    }

    /** Blocks until {@link #close()} is called (from another thread or a shutdown hook). */
    public void awaitClose() throws InterruptedException {
        closed.await();
    }

    @Override
    public synchronized void close() {
        if (closed.getCount() == 0) {
            return;
        }
        try {
            withdrawNotice();
            mcp.closeGracefully();
            jetty.stop();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the MCP HTTP server on port " + port + ": "
                    + e.getMessage(), e);
        } finally {
            closed.countDown();
        }
    }

    /** Removes the notice before the database's lock is released (the database closes after this endpoint). */
    private void withdrawNotice() {
        if (notice != null) {
            notice.withdraw(LOG::warn);
            notice = null;
        }
    }

    private static String newToken() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }
}
