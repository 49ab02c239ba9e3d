package io.ferrumdb.server;

import io.ferrumdb.ProblemWording;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * One client connection: runs each decoded command and writes the replies in request order. A write's reply
 * waits for its durable future (fsync under {@code always}) without blocking the event loop; replies behind it
 * wait in {@link #pending}, so pipelined replies never overtake each other.
 *
 * <p>Back-pressure: reading stops while the socket's outbound buffer is above its high-water mark or too many
 * replies wait for fsync, and resumes when they drain; a client whose unread replies exceed the output buffer
 * limit is disconnected (Redis's client-output-buffer-limit), so a slow or hostile reader cannot exhaust memory.
 *
 * <p>Thread: every method runs on the connection's event loop.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter {
    /** Replies waiting for durability before reading pauses. */
    static final int MAX_PENDING_REPLIES = 10_000;
    /** Redis's reply to a connection beyond {@code maxclients} ({@link ClientLimit}). */
    private static final byte[] MAX_CLIENTS_REACHED =
            "-ERR max number of clients reached\r\n".getBytes(StandardCharsets.US_ASCII);

    /** A reply in request order: sendable when its durable future (if any) is done. */
    private record Pending(Reply reply, int protocol, CompletableFuture<Void> durable, Call.Effect effect) {
        boolean ready() {
            return durable == null || durable.isDone();
        }
    }

    private final CommandExecutor server;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private Session session;
    private boolean closing;

    ClientHandler(CommandExecutor server) {
        this.server = server;
    }

    boolean authenticationRequired() {
        return session == null || !session.authenticated;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!server.clients.admit()) {
            // Redis's acceptCommonHandler: the reply, then the close; this connection never gets a session.
            closing = true;
            ctx.writeAndFlush(ctx.alloc().buffer().writeBytes(MAX_CLIENTS_REACHED))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        session = server.newSession(ctx.channel());
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (session != null) {
            server.endSession(session);
            server.clients.release();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            return;
        }
        if (msg instanceof RespRequest.ProtocolError error) {
            server.protocolErrors.increment();
            enqueue(ctx, new Pending(Reply.err("ERR " + error.message()), session.protocol, null,
                    Call.Effect.CLOSE_CONNECTION));
            return;
        }
        RespRequest.Command command = (RespRequest.Command) msg;
        if (RespDecoder.isEmpty(command)) {
            return;
        }
        CommandExecutor.Outcome outcome;
        try {
            outcome = server.execute(session, command);
        } catch (RuntimeException e) {
            // Engine failures (I/O error, closed database, limits) reach the client as a clear error reply.
            outcome = CommandExecutor.Outcome.now(Reply.err("ERR " + describe(e)));
        }
        if (outcome.effect() != Call.Effect.NONE) {
            // QUIT, SHUTDOWN or a CLIENT KILL of this connection: as Redis (CLIENT_CLOSE_AFTER_REPLY), nothing
            // read after it runs, even while its reply still waits behind an earlier write's fsync.
            closing = true;
        }
        enqueue(ctx, new Pending(outcome.reply(), session.protocol, outcome.durable(), outcome.effect()));
    }

    /** A failure in words (no Java class names) on one line, as a RESP simple error must be. */
    static String describe(Throwable e) {
        return ProblemWording.describe(e).replace('\r', ' ').replace('\n', ' ');
    }

    private void enqueue(ChannelHandlerContext ctx, Pending p) {
        pending.add(p);
        if (!p.ready()) {
            p.durable().whenComplete((v, e) -> ctx.executor().execute(() -> drain(ctx, true)));
        }
        drain(ctx, false);
        updateReading(ctx);
    }

    /** Writes every reply at the head of the queue that may be sent; flushes when asked. */
    private void drain(ChannelHandlerContext ctx, boolean flush) {
        boolean wrote = false;
        while (!pending.isEmpty() && pending.peek().ready()) {
            Pending p = pending.poll();
            Reply reply = p.reply();
            if (p.durable() != null && p.durable().isCompletedExceptionally()) {
                try {
                    p.durable().join();
                } catch (RuntimeException e) {
                    reply = Reply.err("ERR FerrumDB could not make the write durable: " + describe(e));
                }
            }
            if (reply != null) {
                if (reply instanceof Reply.Error) {
                    server.errorReplies.increment();
                }
                ByteBuf buf = ctx.alloc().buffer();
                RespEncoder.write(buf, reply, p.protocol());
                ctx.write(buf);
                wrote = true;
            }
            if (p.effect() != Call.Effect.NONE) {
                finish(ctx, p.effect());
                return;
            }
        }
        if (wrote && flush) {
            ctx.flush();
        }
        checkOutputLimit(ctx);
        updateReading(ctx);
    }

    private void finish(ChannelHandlerContext ctx, Call.Effect effect) {
        closing = true;
        pending.clear();
        ctx.writeAndFlush(ctx.alloc().buffer(0)).addListener(ChannelFutureListener.CLOSE);
        if (effect == Call.Effect.SHUTDOWN_SERVER) {
            ctx.channel().closeFuture().addListener(f -> server.shutdown.run());
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        updateReading(ctx);
        ctx.fireChannelWritabilityChanged();
    }

    private void updateReading(ChannelHandlerContext ctx) {
        boolean read = ctx.channel().isWritable() && pending.size() < MAX_PENDING_REPLIES && !closing;
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
        }
    }

    private void checkOutputLimit(ChannelHandlerContext ctx) {
        var out = ctx.channel().unsafe().outboundBuffer();
        if (out != null && out.totalPendingWriteBytes() > server.config.outputBufferLimit()) {
            closing = true;
            pending.clear();
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset connection or a decoder failure: nothing can be replied on a broken stream.
        ctx.close();
    }
}
