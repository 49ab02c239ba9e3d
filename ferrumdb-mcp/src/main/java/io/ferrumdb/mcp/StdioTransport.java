package io.ferrumdb.mcp;

import io.ferrumdb.ProblemWording;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpServerSession;
import io.modelcontextprotocol.spec.McpServerTransport;
import io.modelcontextprotocol.spec.McpServerTransportProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * MCP over stdio for one client: JSON-RPC messages, one per line, read from stdin by a thread of its own and
 * handed to the SDK's session, answers written to stdout by {@link OutboundLines}. It takes the place of the SDK's
 * (2.1) {@code StdioServerTransportProvider}, which dropped an answer when tens of calls were in flight, stopped
 * reading at a line that was not a message ({@link MessageScreen}) and dropped the calls still running when stdin
 * ended (and, once one answer was lost, stopped reading stdin: both sides then waited for ever). Here, when stdin
 * ends, the calls read before are answered first (while answers keep coming, until none has come for the grace
 * period), and only then is the end announced ({@link #awaitEnd}): a client that writes its requests and closes
 * stdin at once (a script piping into {@code ferrumdb mcp}) gets every answer.
 */
final class StdioTransport implements McpServerTransportProvider {
    private static final Logger LOG = LoggerFactory.getLogger(StdioTransport.class);

    private final McpJsonMapper json;
    private final InputStream in;
    private final OutboundLines out;
    private final Duration grace;
    private final MessageScreen screen;
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile McpServerSession session;

    /**
     * @param grace     how long, after stdin ended, the server waits for the next answer of the calls still running,
     *                  and then for the client to read what is left to write
     * @param toolNames the server's tools, to answer a call of any other ({@link MessageScreen})
     */
    StdioTransport(McpJsonMapper json, InputStream in, OutputStream out, Duration grace,
                   Supplier<List<String>> toolNames) {
        this.json = json;
        this.in = in;
        this.out = new OutboundLines(out);
        this.grace = grace;
        this.screen = new MessageScreen(json, "the line", toolNames);
    }

    @Override
    public void setSessionFactory(McpServerSession.Factory sessionFactory) {
        session = sessionFactory.create(new SessionTransport());
        Thread reader = new Thread(this::serve, "ferrumdb-mcp-stdin");
        reader.setDaemon(true); // blocked on a stdin that stays open, it must not keep the JVM alive
        reader.start();
    }

    /** Waits until stdin has ended and the calls read before it have been answered (or stopped answering). */
    void awaitEnd() throws InterruptedException {
        ended.await();
    }

    /** Reads stdin to its end, handing each message to the session, then waits for the last answers. */
    private void serve() {
        // One reader emits, so the sink is never contended; the session handles up to 256 messages at once, as the
        // SDK's transport did, and a handler's failure is logged without ending the stream.
        Sinks.Many<McpSchema.JSONRPCMessage> inbound = Sinks.many().unicast().onBackpressureBuffer();
        inbound.asFlux().flatMap(message -> session.handle(message).onErrorResume(e -> {
            LOG.error("handling a {} failed: {}", message.getClass().getSimpleName(), ProblemWording.describe(e));
            return Mono.empty();
        })).subscribe();
        long requests = 0;
        try {
            StdinLines lines = new StdinLines(in);
            for (StdinLines.Line line; (line = lines.next()) != null; ) {
                MessageScreen.Verdict verdict = screen.screen(line);
                if (verdict instanceof MessageScreen.Pass pass) {
                    if (pass.message() instanceof McpSchema.JSONRPCRequest) {
                        requests++;
                    }
                    inbound.emitNext(pass.message(), Sinks.EmitFailureHandler.FAIL_FAST);
                } else if (verdict instanceof MessageScreen.Refuse refuse) {
                    out.send(refuse.reply(), false);
                }
            }
            if (!out.awaitAnswered(requests, grace)) {
                LOG.warn("stdin ended, and the calls still running gave no answer for {} s: the server ends without "
                        + "their answers", grace.toSeconds());
            }
        } catch (IOException e) {
            LOG.error("the stdio session ends: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inbound.tryEmitComplete();
            ended.countDown();
        }
    }

    @Override
    public Mono<Void> notifyClients(String method, Object params) {
        McpServerSession current = session;
        return current == null ? Mono.error(new IllegalStateException("no client session to notify"))
                : current.sendNotification(method, params);
    }

    @Override
    public Mono<Void> notifyClient(String sessionId, String method, Object params) {
        return Mono.defer(() -> {
            McpServerSession current = session;
            if (current == null || !current.getId().equals(sessionId)) {
                return Mono.error(new IllegalStateException("no client session " + sessionId + " to notify"));
            }
            return current.sendNotification(method, params);
        });
    }

    @Override
    public Mono<Void> closeGracefully() {
        McpServerSession current = session;
        return current == null ? Mono.empty() : current.closeGracefully();
    }

    /** The single session's side of the transport: messages out go through {@link OutboundLines}. */
    private final class SessionTransport implements McpServerTransport {
        @Override
        public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
            // Waits while stdout's queue is full: the caller's thread (a tool's worker) is held, not the message.
            return Mono.fromCallable(() -> {
                out.send(json.writeValueAsString(message), message instanceof McpSchema.JSONRPCResponse);
                return message;
            }).then();
        }

        @Override
        public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
            return json.convertValue(data, typeRef);
        }

        @Override
        public Mono<Void> closeGracefully() {
            return Mono.fromCallable(() -> {
                out.close(grace);
                return grace;
            }).then();
        }

        @Override
        public void close() {
            out.abort();
        }
    }
}
