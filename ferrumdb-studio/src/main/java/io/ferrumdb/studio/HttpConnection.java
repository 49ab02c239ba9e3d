package io.ferrumdb.studio;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One client connection, on its event loop: turns the decoded HTTP/1.1 messages into {@link Exchange}s served one
 * at a time, in order (a pipelined request waits for the response before it), and answers what the decoder
 * itself rejects. Every response it writes, like every exchange's, carries the security headers.
 *
 * <p>Keep-alive: after a response the next request is read from the same connection unless the client asked to
 * close, or the request's body was not received to its end (then nothing after it can be parsed). A connection
 * closed while unread bytes may still be on their way is closed gently: the response goes out, the sending side
 * shuts, what arrives is discarded for at most {@link WebServer#LINGER_MILLIS}, and only then the socket closes,
 * so that the client reads the answer instead of a connection reset.
 */
final class HttpConnection extends ChannelInboundHandlerAdapter {
    private final WebServer server;
    private Channel channel;
    /** Messages of requests after the current one (a pipelining client), in arrival order. */
    private final ArrayDeque<HttpObject> waiting = new ArrayDeque<>();
    /** The exchange being served; set and cleared on the event loop. */
    private Exchange current;
    /** True while the current request's body is still arriving. */
    private boolean receivingBody;
    private volatile boolean closing;
    /** The client shut its sending side: answer what was asked, then close. */
    private boolean inputShut;
    /** The last response is out and the sending side shut; what still arrives is discarded until the close. */
    private boolean lingering;

    HttpConnection(WebServer server) {
        this.server = server;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.channel = ctx.channel();
    }

    /** True once the connection will close after the current response (Studio is closing or the client left). */
    boolean closing() {
        return closing || server.closing();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpObject object) || closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (current != null && !receivingBody || !waiting.isEmpty()) {
            waiting.add(object);
            updateReading();
            return;
        }
        accept(object);
        updateReading();
    }

    /** Routes one message: a piece of the current body, or the start of the next exchange. */
    private void accept(HttpObject object) {
        if (receivingBody) {
            if (object instanceof HttpContent content) {
                receivingBody = !(content instanceof LastHttpContent);
                current.requestBody().offer(content);
            } else {
                ReferenceCountUtil.release(object);
            }
            return;
        }
        if (!(object instanceof HttpRequest request)) {
            // Cannot follow a served request; nothing to do with it.
            ReferenceCountUtil.release(object);
            return;
        }
        if (request.decoderResult().isFailure()) {
            ReferenceCountUtil.release(object);
            refuseUndecodable(request.decoderResult().cause());
            return;
        }
        Exchange exchange = new Exchange(this, channel, request);
        current = exchange;
        receivingBody = true;
        if (object instanceof HttpContent content) {
            receivingBody = !(content instanceof LastHttpContent);
            exchange.requestBody().offer(content);
        }
        try {
            server.dispatch(exchange);
        } catch (RejectedExecutionException e) {
            // Studio is closing: its handler threads take no more work.
            closing = true;
            exchange.requestBody().discard();
            channel.close();
        }
    }

    /** Reads from the socket only while nothing waits: no pipelined request queued, the body not backed up. */
    private void updateReading() {
        boolean read = closing || waiting.isEmpty() && (current == null || !current.requestBody().full());
        if (channel.config().isAutoRead() != read) {
            channel.config().setAutoRead(read);
        }
    }

    /** The body's buffered amount crossed its water mark (called from any thread). */
    void bodyPressureChanged() {
        if (!channel.eventLoop().isShuttingDown()) {
            channel.eventLoop().execute(this::updateReading);
        }
    }

    /**
     * The exchange's response is written (on the event loop, from the write's listener).
     *
     * @param keepAlive false when the connection must close after it (asked, or the write failed)
     */
    void exchangeWritten(Exchange exchange, boolean keepAlive) {
        if (exchange != current) {
            throw new IllegalStateException("a response finished for an exchange that is not the connection's");
        }
        // Also a body the decoder failed on: the decoder now skips the rest of the connection's bytes.
        boolean bodyPending = receivingBody || !exchange.requestBody().complete();
        exchange.requestBody().discard();
        current = null;
        receivingBody = false;
        if (!keepAlive || closing() || bodyPending) {
            closeGently(bodyPending);
            return;
        }
        while (!closing && !waiting.isEmpty() && (current == null || receivingBody)) {
            accept(waiting.poll());
        }
        if (inputShut && current == null && waiting.isEmpty()) {
            closeGently(false);
            return;
        }
        updateReading();
    }

    /** A streamed response was cut short (called from the handler's thread): the connection ends. */
    void abortAfterCutResponse(Exchange exchange) {
        closing = true;
        channel.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closing = true;
        if (current != null) {
            current.requestBody().abort(new Exchange.ClientGoneException(
                    "the client closed the connection before sending the whole request body"));
        }
        releaseWaiting();
        super.channelInactive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent && current == null) {
            // A keep-alive connection unused for WebServer.IDLE_SECONDS.
            ctx.close();
            return;
        }
        if (event instanceof ChannelInputShutdownEvent) {
            inputShut = true;
            if (lingering || !closing && current == null && waiting.isEmpty()) {
                ctx.close();
            } else if (receivingBody) {
                current.requestBody().abort(new Exchange.ClientGoneException(
                        "the client stopped sending before the end of the request body"));
            }
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) {
            // A connection reset by the client is an IOException and needs no report; anything else is a bug.
            server.console().println("Studio: connection error, closing it: " + cause);
            cause.printStackTrace(server.console());
        }
        closing = true;
        ctx.close();
    }

    /**
     * The decoder could not parse the request: a request line or header section over the limits, or not HTTP.
     * Answered as JSON with the security headers, then the connection closes (the stream cannot be parsed on).
     */
    private void refuseUndecodable(Throwable cause) {
        int status;
        String message;
        if (cause instanceof TooLongHttpLineException) {
            status = 414;
            message = "the request line is longer than " + WebServer.MAX_REQUEST_LINE_BYTES
                    + " bytes; send long keys in the request body or by their hex form";
        } else if (cause instanceof TooLongHttpHeaderException) {
            status = 431;
            message = "the request headers are larger than " + WebServer.MAX_HEADER_BYTES + " bytes";
        } else {
            status = 400;
            message = "malformed HTTP request: " + cause.getMessage();
        }
        closing = true;
        releaseWaiting();
        ChannelFuture written = channel.writeAndFlush(errorResponse(status, message));
        written.addListener(f -> closeGently(true));
    }

    /** A JSON error with the security headers, closing the connection. */
    static FullHttpResponse errorResponse(int status, String message) {
        byte[] body;
        try {
            body = Json.MAPPER.writeValueAsBytes(Map.of("error", message, "status", status));
        } catch (IOException e) {
            throw new IllegalStateException("a map of two strings always serializes", e);
        }
        HttpHeaders headers = new DefaultHttpHeaders();
        Guard.addSecurityHeaders(headers);
        headers.set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                Unpooled.wrappedBuffer(body), headers, EmptyHttpHeaders.INSTANCE);
        HttpUtil.setContentLength(response, body.length);
        return response;
    }

    private void closeGently(boolean unreadBytesMayFollow) {
        closing = true;
        releaseWaiting();
        if (!unreadBytesMayFollow || inputShut || !(channel instanceof SocketChannel socket) || !channel.isActive()) {
            channel.close();
            return;
        }
        lingering = true;
        socket.shutdownOutput().addListener(f -> {
            if (!f.isSuccess()) {
                channel.close();
            }
        });
        channel.config().setAutoRead(true);
        channel.eventLoop().schedule(() -> channel.close(), WebServer.LINGER_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void releaseWaiting() {
        for (HttpObject object : waiting) {
            ReferenceCountUtil.release(object);
        }
        waiting.clear();
    }
}
