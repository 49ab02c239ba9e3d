package io.ferrumdb.studio;

import io.ferrumdb.DatabaseClosedException;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.FerrumException;
import io.ferrumdb.ProblemWording;
import io.ferrumdb.ReadOnlyDatabaseException;
import io.ferrumdb.ServingFile;
import io.ferrumdb.doc.DocumentStore;
import io.ferrumdb.doc.NotADocumentStoreException;
import io.ferrumdb.doc.UniqueIndexViolationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * FerrumDB Studio: a local web console over one open database. Serves the pages and the JSON API under
 * {@code /api} over HTTP/1.1 ({@link WebServer}, on Netty).
 *
 * <pre>{@code
 * try (Studio studio = Studio.start(StudioConfig.builder(Path.of("data")).build())) {
 *     System.out.println("Open " + studio.loginUri());
 *     studio.awaitClose();
 * }
 * }</pre>
 *
 * Security is on by default and cannot be turned off: see {@link Guard} and the README.
 */
public final class Studio implements AutoCloseable {
    /** Threads running endpoints (they block on the database and on streams; the I/O threads never do). */
    private static final int HTTP_THREADS = 4;
    private static final String VERSION = "0.1.0-SNAPSHOT";

    /** One endpoint; {@code write} endpoints are refused in read-only mode. */
    interface Endpoint {
        void handle(Call call) throws IOException;
    }

    private record Route(Endpoint endpoint, boolean write) {
    }

    private final StudioConfig config;
    private final FerrumDB db;
    /** Null when the database is not a document store; {@link #documentsProblem} says why. */
    private final DocumentStore documents;
    private final String documentsProblem;
    private final String token;
    private final Metrics metrics;
    private final StaticAssets assets = new StaticAssets();
    private final Map<String, Map<String, Route>> routes = new LinkedHashMap<>();
    private final WebServer server;
    private final ExecutorService httpThreads;
    private final ScheduledExecutorService sampler;
    private final ExecutorService maintenance;
    private final int port;
    private final Object closeLock = new Object();
    private boolean closed;
    /** This Studio's SERVING notice; null when it could not be written (the console says so). */
    private ServingFile notice;

    private Studio(StudioConfig config, Opened opened) throws IOException {
        this.config = config;
        this.db = opened.db();
        this.documents = opened.documents();
        this.documentsProblem = opened.documentsProblem();
        this.token = newToken();
        this.metrics = new Metrics(db, System::nanoTime);
        this.maintenance = Executors.newSingleThreadExecutor(daemonThreads("ferrumdb-studio-maintenance"));
        registerRoutes();
        this.httpThreads = Executors.newFixedThreadPool(HTTP_THREADS, daemonThreads("ferrumdb-studio-http"));
        this.sampler = Executors.newSingleThreadScheduledExecutor(daemonThreads("ferrumdb-studio-metrics"));
        // The guard needs the port (cookie name, Host allow-list), known once bound; a request arriving before it
        // is set is answered 503.
        GuardHolder holder = new GuardHolder();
        WebServer web = null;
        try {
            web = new WebServer(config.bindAddress(), config.port(), exchange -> handle(holder.guard, exchange),
                    httpThreads, config.console());
            holder.guard = new Guard(token, "ferrumdb_studio_" + web.port(), allowedHosts(config.bindAddress(),
                    web.port()));
        } catch (IOException | RuntimeException e) {
            if (web != null) {
                web.close();
                web.shutdownEventLoops();
            }
            httpThreads.shutdown();
            sampler.shutdown();
            maintenance.shutdown();
            throw e;
        }
        this.server = web;
        this.port = web.port();
    }

    /** Set once the port is known. */
    private static final class GuardHolder {
        volatile Guard guard;
    }

    /**
     * Opens the database of {@code config} and starts serving. Warns on the config's console when the address is
     * not a loopback address.
     *
     * @throws UncheckedIOException when the address cannot be bound (for example the port is in use)
     * @throws FerrumException      when the database cannot be opened
     */
    public static Studio start(StudioConfig config) {
        Opened opened = open(config);
        FerrumDB db = opened.db();
        Studio studio;
        try {
            studio = new Studio(config, opened);
        } catch (IOException e) {
            db.close();
            throw new UncheckedIOException("could not listen on " + hostLiteral(config.bindAddress()) + ":"
                    + config.port() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        if (!config.bindAddress().isLoopbackAddress()) {
            config.console().println("WARNING: Studio listens on " + hostLiteral(config.bindAddress()) + ":"
                    + studio.port + " and is reachable from the network. It speaks plain HTTP: the token and your "
                    + "data cross the network unencrypted, and anyone holding the token can read and change the "
                    + "database. Bind 127.0.0.1 (the default) unless you need this.");
        }
        studio.announce();
        studio.sampler.scheduleAtFixedRate(studio::sample, 0, 1, TimeUnit.SECONDS);
        return studio;
    }

    private record Opened(FerrumDB db, DocumentStore documents, String documentsProblem) {
    }

    /**
     * Opens the directory as a document store (created as one when new), whose database the key browser and
     * metrics then show; a database that is not a document store (plain keys written with FerrumDB) is opened as
     * it is, and the documents page says why it has no documents.
     */
    private static Opened open(StudioConfig config) {
        DocumentStore store;
        try {
            store = DocumentStore.open(config.databaseDir(), config.options());
        } catch (FerrumException | IllegalArgumentException notAStore) {
            FerrumDB db;
            try {
                db = FerrumDB.open(config.databaseDir(), config.options());
            } catch (RuntimeException e) {
                e.addSuppressed(notAStore);
                throw e;
            }
            // The engine's advice ("open it with FerrumDB.open") is for Java code; a Studio user is on the page.
            return new Opened(db, null, notAStore instanceof NotADocumentStoreException
                    ? "the database " + config.databaseDir() + " holds plain keys, not documents (it is not a document"
                    + " store): its keys are on the Keys page; a new directory opened in Studio becomes a document store"
                    : ProblemWording.describe(notAStore));
        }
        return new Opened(store.database(), store, null);
    }

    /** The port Studio listens on (the chosen one when the config said 0). */
    public int port() {
        return port;
    }

    /** The URL to open once: it carries the token, which the browser exchanges for a cookie. */
    public URI loginUri() {
        return URI.create(pagesUri() + "?token=" + token);
    }

    /** Where the pages are, without the token (a wildcard bind is reached on loopback). */
    private URI pagesUri() {
        InetAddress bind = config.bindAddress();
        String host = bind.isAnyLocalAddress() ? "127.0.0.1" : hostLiteral(bind);
        return URI.create("http://" + host + ":" + port + "/");
    }

    /**
     * Writes the SERVING notice, as {@code ferrumdb serve} does, so that a tool refused by the lock is told that
     * this Studio has the directory open and where, rather than the generic advice. Without it Studio still works.
     * A read-only Studio writes nothing into the directory, as a read-only open does not (readers share its lock).
     */
    private void announce() {
        if (config.readOnly()) {
            return;
        }
        try {
            notice = ServingFile.writeStudio(db.directory(), pagesUri());
        } catch (IOException e) {
            config.console().println("Studio: cannot write " + ServingFile.path(db.directory()) + " ("
                    + ProblemWording.describe(e) + "); tools refused by the lock will not be told Studio has it open");
        }
    }

    /** Deletes the notice, before the lock is released so that it never outlives this Studio's hold. */
    private void withdraw() {
        if (notice != null) {
            notice.withdraw(problem -> config.console().println("Studio: " + problem));
        }
    }

    /** The start message: the one place the token is shown. */
    public String banner() {
        return "FerrumDB Studio on " + db.directory() + (config.readOnly() ? " (read-only)" : "") + "\n"
                + "Open " + loginUri() + "\n"
                + "The link carries this session's secret token; it changes on every start. Ctrl+C stops Studio.\n";
    }

    /** The open database. */
    public FerrumDB database() {
        return db;
    }

    String token() {
        return token;
    }

    WebServer server() {
        return server;
    }

    /** Blocks until {@link #close()} is called (from another thread or a shutdown hook). */
    public void awaitClose() throws InterruptedException {
        synchronized (closeLock) {
            while (!closed) {
                closeLock.wait();
            }
        }
    }

    /** Stops serving, waits for handlers still running, then closes the database. */
    @Override
    public void close() {
        synchronized (closeLock) {
            if (closed) {
                return;
            }
            closed = true;
            closeLock.notifyAll();
        }
        // Closing the connections ends the streams (live tails, exports) at their next write and fails body
        // reads at once, so the handler threads finish soon.
        server.close();
        sampler.shutdownNow();
        httpThreads.shutdown();
        // A running compaction is not interrupted: closing the database waits for it.
        maintenance.shutdown();
        try {
            if (!httpThreads.awaitTermination(5, TimeUnit.SECONDS)) {
                httpThreads.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                server.shutdownEventLoops();
            } finally {
                try {
                    withdraw();
                } finally {
                    db.close();
                }
            }
        }
    }

    private void sample() {
        try {
            metrics.sample();
        } catch (RuntimeException e) {
            // Rethrowing cancels the schedule; say so, or the charts would freeze without a word.
            config.console().println("Studio: metrics sampling stopped: " + e);
            throw e;
        }
    }

    private void registerRoutes() {
        KeyValueApi kv = new KeyValueApi(db, metrics, documents != null);
        route("GET", "/api/info", this::info, false);
        route("GET", "/api/keys", kv::listKeys, false);
        route("GET", "/api/kv", kv::get, false);
        route("GET", "/api/kv/raw", kv::getRaw, false);
        route("PUT", "/api/kv", kv::put, true);
        route("DELETE", "/api/kv", kv::delete, true);
        route("POST", "/api/kv/ttl", kv::setTtl, true);
        route("GET", "/api/kv/count", kv::countPrefix, false);
        route("POST", "/api/kv/delete-prefix", kv::deletePrefix, true);
        TransferApi transfer = new TransferApi(db);
        route("GET", "/api/export", transfer::export, false);
        route("POST", "/api/import", transfer::importLines, true);
        route("GET", "/api/metrics", call -> call.sendJson(200, metrics.snapshot()), false);
        route("GET", "/api/tail", new LiveTail(db, System::currentTimeMillis)::stream, false);
        MaintenanceApi maintenanceApi = new MaintenanceApi(db, maintenance, System::currentTimeMillis,
                config.console());
        DocumentApi docs = documents != null ? new DocumentApi(documents) : null;
        // On a database of plain keys the document endpoints say why there are no documents (they answered "no
        // such page or endpoint", as for a mistyped URL).
        Endpoint none = call -> {
            throw ApiException.notFound("no documents: " + documentsProblem);
        };
        route("GET", "/api/collections", docs != null ? docs::listCollections : none, false);
        route("GET", "/api/query", docs != null ? docs::query : none, false);
        route("GET", "/api/document", docs != null ? docs::get : none, false);
        route("PUT", "/api/document", docs != null ? docs::put : none, true);
        route("DELETE", "/api/document", docs != null ? docs::delete : none, true);
        route("POST", "/api/index", docs != null ? docs::createIndex : none, true);
        route("DELETE", "/api/index", docs != null ? docs::dropIndex : none, true);
        route("GET", "/api/compact", maintenanceApi::status, false);
        route("POST", "/api/compact", maintenanceApi::startCompaction, true);
        route("GET", "/api/backup", maintenanceApi::backupStatus, false);
        route("POST", "/api/backup", maintenanceApi::backup, true);
    }

    private void route(String method, String path, Endpoint endpoint, boolean write) {
        routes.computeIfAbsent(path, p -> new LinkedHashMap<>()).put(method, new Route(endpoint, write));
    }

    private void info(Call call) throws IOException {
        Map<String, Object> features = new LinkedHashMap<>();
        features.put("keyValue", true);
        features.put("documents", documents != null);
        features.put("compaction", !config.readOnly());
        features.put("backup", !config.readOnly());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", VERSION);
        body.put("database", db.directory().toString());
        body.put("readOnly", config.readOnly());
        body.put("encrypted", db.options().encrypted());
        body.put("features", features);
        if (documents == null) {
            body.put("documentsUnavailable", documentsProblem);
        }
        body.put("metricsWindowSeconds", Metrics.WINDOW_SECONDS);
        call.sendJson(200, body);
    }

    private void handle(Guard guard, Exchange exchange) {
        try {
            if (guard == null) {
                throw new ApiException(503, "Studio is still starting; try again");
            }
            if (!guard.admit(exchange)) {
                return;
            }
            Call call = new Call(exchange);
            dispatch(call);
        } catch (Exchange.ClientGoneException e) {
            // The client left (a closed tab, a cancelled download, an upload cut off): nobody to answer.
            exchange.abandon();
        } catch (RequestBody.MalformedBodyException e) {
            fail(exchange, 400, e.getMessage(), null);
        } catch (ApiException e) {
            fail(exchange, e.status(), e.getMessage(), null);
        } catch (IllegalArgumentException e) {
            fail(exchange, 400, ProblemWording.describe(e), null);
        } catch (UniqueIndexViolationException e) {
            fail(exchange, 409, ProblemWording.describe(e), null);
        } catch (ReadOnlyDatabaseException e) {
            // Read-only mode is answered 405 before the engine; here the engine stopped after a failed write or
            // fsync (a full disk): the server's fault, not the request's, and lasting until the database reopens.
            fail(exchange, 500, "database error (restart Studio to reopen the database): "
                    + ProblemWording.describe(e), null);
        } catch (DatabaseClosedException e) {
            fail(exchange, 503, "the database is closed: " + ProblemWording.describe(e), null);
        } catch (FerrumException e) {
            fail(exchange, 500, "database error: " + ProblemWording.describe(e), e);
        } catch (IOException | RuntimeException e) {
            fail(exchange, 500, "internal error: " + ProblemWording.describe(e), e);
        } finally {
            exchange.finish(config.console());
        }
    }

    private void dispatch(Call call) throws IOException {
        String method = "HEAD".equals(call.method()) ? "GET" : call.method();
        Map<String, Route> byMethod = routes.get(call.path());
        if (byMethod == null) {
            StaticAssets.Asset asset = assets.get(call.path());
            if (asset == null) {
                throw ApiException.notFound("no such page or endpoint: " + call.path());
            }
            if (!method.equals("GET")) {
                call.header("Allow", "GET, HEAD");
                throw new ApiException(405, call.method() + " is not allowed on " + call.path());
            }
            call.send(200, asset.contentType(), asset.bytes());
            return;
        }
        Route route = byMethod.get(method);
        if (route == null) {
            call.header("Allow", allowed(byMethod, false));
            throw new ApiException(405, call.method() + " is not allowed on " + call.path());
        }
        if (route.write() && config.readOnly()) {
            call.header("Allow", allowed(byMethod, true));
            throw new ApiException(405, "Studio runs read-only (--read-only): " + call.method() + " " + call.path()
                    + " is disabled");
        }
        route.endpoint().handle(call);
    }

    /**
     * The Allow header of a 405: the methods of a path, without its writes in read-only mode; HEAD wherever GET is,
     * since every GET endpoint answers HEAD too.
     */
    private static String allowed(Map<String, Route> byMethod, boolean readOnly) {
        Set<String> allowed = new TreeSet<>();
        byMethod.forEach((m, r) -> {
            if (!(readOnly && r.write())) {
                allowed.add(m);
                allowed.add(m.equals("GET") ? "HEAD" : m);
            }
        });
        return String.join(", ", allowed);
    }

    private void fail(Exchange exchange, int status, String message, Throwable cause) {
        if (cause != null) {
            config.console().println("Studio: " + exchange.method() + " " + Call.forMessage(exchange.rawPath())
                    + " failed: " + cause);
            cause.printStackTrace(config.console());
        }
        if (exchange.responseCode() != -1) {
            return; // the status line is already sent; finishing the exchange cuts the response short
        }
        try {
            byte[] body = Json.MAPPER.writeValueAsBytes(Map.of("error", String.valueOf(message), "status", status));
            exchange.responseHeaders().set("Content-Type", "application/json; charset=utf-8");
            exchange.respond(status, body);
        } catch (IOException e) {
            config.console().println("Studio: could not send the error response (" + message + "): " + e);
        }
    }

    /** The Host header values that name this server: bound address and, for loopback, localhost. */
    static Set<String> allowedHosts(InetAddress bind, int port) {
        Set<String> names = new LinkedHashSet<>();
        names.add("localhost");
        names.add(hostLiteral(bind));
        if (bind.isLoopbackAddress() || bind.isAnyLocalAddress()) {
            names.add("127.0.0.1");
            names.add("[::1]");
        }
        if (bind.isAnyLocalAddress()) {
            names.addAll(interfaceAddresses());
        }
        Set<String> hosts = new LinkedHashSet<>();
        for (String name : names) {
            hosts.add(name.toLowerCase(java.util.Locale.ROOT) + ":" + port);
            if (port == 80) {
                hosts.add(name.toLowerCase(java.util.Locale.ROOT));
            }
        }
        return hosts;
    }

    private static Set<String> interfaceAddresses() {
        Set<String> out = new LinkedHashSet<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    out.add(hostLiteral(a));
                }
            }
        } catch (SocketException e) {
            throw new UncheckedIOException("could not list the network interfaces to build the Host allow-list", e);
        }
        return out;
    }

    /** An address as it appears in a URL's host: IPv6 in brackets, without a zone. */
    static String hostLiteral(InetAddress a) {
        if (a instanceof Inet6Address) {
            return "[" + compressIpv6(a.getAddress()) + "]";
        }
        return a.getHostAddress();
    }

    /** The RFC 5952 text form browsers send in Host ("::1", not Java's "0:0:0:0:0:0:0:1"). */
    static String compressIpv6(byte[] address) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((address[2 * i] & 0xFF) << 8) | (address[2 * i + 1] & 0xFF);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }

    private static String newToken() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
