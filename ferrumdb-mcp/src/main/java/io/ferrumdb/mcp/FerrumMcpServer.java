package io.ferrumdb.mcp;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.FerrumException;
import io.ferrumdb.Options;
import io.ferrumdb.ProblemWording;
import io.ferrumdb.doc.DocumentStore;
import io.ferrumdb.memory.AgentMemory;
import io.ferrumdb.memory.Remembered;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FerrumDB as an MCP server: agent memory (remember, recall, forget, list_namespaces), the plain store (kv_get,
 * kv_put, kv_delete, kv_scan), doc_find, and memories as resources, over the official MCP Java SDK.
 *
 * <pre>{@code
 * try (FerrumMcpServer server = FerrumMcpServer.open(dir, options)) {
 *     server.serveStdio(System.in, protocolOut);   // returns when the client closes stdin
 * }
 * }</pre>
 * or {@code server.serveHttp(port)} for the streamable HTTP transport on loopback.
 * The server touches nothing outside its database directory. Closing it closes the database.
 */
public final class FerrumMcpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FerrumMcpServer.class);
    static final String NAME = "ferrumdb";
    private static final String VERSION = Optional.ofNullable(FerrumMcpServer.class.getPackage()
            .getImplementationVersion()).orElse("development");
    private static final String INSTRUCTIONS = "FerrumDB is a durable memory. Call recall at the start of a task "
            + "to see what is already known, and remember for facts, preferences and decisions worth keeping. "
            + "kv_* and doc_find reach the plain key-value store and document collections.";

    /**
     * After stdin ends: how long the calls still running may go without an answer before the server closes, and how
     * long the client may then take to read what is left to write.
     */
    private static final Duration ANSWER_GRACE = Duration.ofSeconds(30);

    private final FerrumDB db;
    private final Optional<DocumentStore> documents;
    private final AgentMemory memory;
    private final McpJsonMapper json = McpJsonDefaults.getMapper();
    /** Takes memories off the resource list when their TTL ends (the SDK lists what was added until removed). */
    private final ScheduledExecutorService expiries = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "ferrumdb-mcp-expiries");
        thread.setDaemon(true);
        return thread;
    });

    private FerrumMcpServer(FerrumDB db, Optional<DocumentStore> documents) {
        this.db = db;
        this.documents = documents;
        this.memory = AgentMemory.on(db);
    }

    /**
     * Opens (creating if missing) the database in {@code dir}: as a document store when it is one (or empty),
     * else as a plain key-value database, where doc_find reports that there are no collections.
     */
    public static FerrumMcpServer open(Path dir, Options options) {
        DocumentStore store;
        try {
            store = DocumentStore.open(dir, options);
        } catch (FerrumException notDocuments) {
            // Not a document store (or not openable at all): a plain open tells which, with its own error.
            FerrumDB db = FerrumDB.open(dir, options);
            return closeOnFailure(db, () -> new FerrumMcpServer(db, Optional.empty()));
        }
        return closeOnFailure(store, () -> new FerrumMcpServer(store.database(), Optional.of(store)));
    }

    private static FerrumMcpServer closeOnFailure(AutoCloseable resource,
                                                  java.util.function.Supplier<FerrumMcpServer> create) {
        try {
            return create.get();
        } catch (RuntimeException e) {
            try {
                resource.close();
            } catch (Exception closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** The agent memory this server serves (the same object the bindings use in-process). */
    public AgentMemory memory() {
        return memory;
    }

    /**
     * Serves one client over stdio: JSON-RPC messages, one per line, read from {@code in} and written to
     * {@code out}. Blocks until {@code in} ends (the client closed it or exited) and the calls read before have been
     * answered (or gave no answer for 30 seconds). Nothing else may write to
     * {@code out}: logs go to stderr.
     */
    public void serveStdio(InputStream in, OutputStream out) throws InterruptedException {
        CompletableFuture<McpSyncServer> ready = new CompletableFuture<>();
        StdioTransport transport = new StdioTransport(json, in, out, ANSWER_GRACE, MessageScreen.toolsOf(ready::join));
        McpSyncServer server = build(McpServer.sync(transport), ready);
        try {
            transport.awaitEnd();
        } finally {
            server.closeGracefully();
        }
    }

    /**
     * Serves any number of clients over the MCP streamable HTTP transport at {@code http://127.0.0.1:PORT/mcp}
     * ({@code port} 0 picks a free port), behind a bearer token made now and host/origin checks: see
     * {@link McpHttpEndpoint}. Returns once serving, announced in the directory's {@code SERVING} notice (so that
     * whatever else tries to open the directory is told this URL); close the endpoint to stop, then close this
     * server.
     *
     * @throws java.io.UncheckedIOException when the port cannot be bound
     */
    public McpHttpEndpoint serveHttp(int port) {
        McpHttpEndpoint endpoint = McpHttpEndpoint.start(port, json,
                transport -> build(McpServer.sync(transport), new CompletableFuture<>()));
        endpoint.announceIn(db.directory());
        return endpoint;
    }

    /**
     * Builds the server on one transport's specification (stdio's single session or HTTP's many), completing
     * {@code ready} with it.
     */
    private <S extends McpServer.SyncSpecification<S>> McpSyncServer build(S spec,
                                                                          CompletableFuture<McpSyncServer> ready) {
        JsonValues values = new JsonValues(json);
        MemoryResources resources = new MemoryResources(memory, values);
        // Resources are added through the server object, which exists only after build. A transport may start
        // serving inside build() (stdio reads its first requests at once), so a tool call can arrive before the
        // object is assigned: the callbacks (and stdio's screen of tool names) wait for it.
        MemoryTools memoryTools = new MemoryTools(memory, values,
                (Remembered r) -> {
                    ready.join().addResource(resources.resource(r.namespace(), r.id()));
                    r.expiresAt().ifPresent(at -> unlistAt(ready, r.namespace(), r.id(), at));
                },
                (namespace, ids) -> ids.forEach(id -> ready.join().removeResource(MemoryResources.uri(namespace, id))));
        List<ToolSpec> tools = new ArrayList<>(memoryTools.tools());
        tools.addAll(new StoreTools(db, documents, values).tools());
        try {
            McpSyncServer server = spec
                    .serverInfo(NAME, VERSION)
                    .instructions(INSTRUCTIONS)
                    .jsonMapper(json)
                    .capabilities(McpSchema.ServerCapabilities.builder().tools(false).resources(false, true).build())
                    .tools(tools.stream().map(t -> t.toSpecification(json)).toList())
                    .resourceTemplates(resources.template())
                    .resources(resources.stored(m -> unlistAt(ready, m.namespace(), m.id(),
                            m.expiresAt().orElseThrow())))
                    .build();
            LOG.info("FerrumDB MCP server on {}: {} tools", db.directory(), tools.size());
            ready.complete(server);
            return server;
        } catch (RuntimeException | Error e) {
            ready.completeExceptionally(e);
            throw e;
        }
    }

    /** Takes memory {@code id} off the resource list once it expires, when reading it says it is gone. */
    private void unlistAt(CompletableFuture<McpSyncServer> ready, String namespace, String id, Instant expiresAt) {
        long delay = Math.max(0, Duration.between(db.options().clock().instant(), expiresAt).toMillis());
        expiries.schedule(() -> {
            try {
                ready.join().removeResource(MemoryResources.uri(namespace, id));
            } catch (RuntimeException e) {
                LOG.warn("expired memory {}/{} is still on the resource list: {}", namespace, id,
                        ProblemWording.describe(e));
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        expiries.shutdownNow();
        documents.ifPresentOrElse(DocumentStore::close, db::close);
    }
}
