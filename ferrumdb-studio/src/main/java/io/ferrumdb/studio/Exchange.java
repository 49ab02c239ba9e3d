package io.ferrumdb.studio;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Locale;

/**
 * One HTTP request and its response on a Netty connection, used by the handler thread that serves it. The
 * response is either whole ({@link #respond}) or streamed ({@link #stream}); either way it carries the security
 * headers, set when the exchange is created. {@link #finish()} ends the exchange: a streamed response its handler
 * did not close is cut short (the connection closes, so the client sees an incomplete response, never a complete
 * looking one).
 */
final class Exchange {
    private static final int STREAM_CHUNK_BYTES = 32 << 10;

    private final HttpConnection connection;
    private final Channel channel;
    private final HttpRequest request;
    private final String method;
    private final String target;
    private final RequestBody body;
    private final HttpHeaders responseHeaders = new DefaultHttpHeaders();
    private volatile boolean continueSent;
    private int status = -1;
    private boolean closeAfter;
    private BodyStream stream;
    private boolean finished;

    Exchange(HttpConnection connection, Channel channel, HttpRequest request) {
        this.connection = connection;
        this.channel = channel;
        this.request = request;
        this.method = request.method().name();
        this.target = request.uri();
        this.body = new RequestBody(connection::bodyPressureChanged, this::sendContinueIfExpected);
        if (!HttpUtil.isTransferEncodingChunked(request) && HttpUtil.getContentLength(request, 0L) == 0) {
            // No body: complete now, not when the decoder's empty last piece reaches the event loop, so that the
            // keep-alive decision of a quick response does not race with it.
            body.discard();
        }
        Guard.addSecurityHeaders(responseHeaders);
    }

    String method() {
        return method;
    }

    boolean head() {
        return "HEAD".equals(method);
    }

    /** The request target as sent (origin form {@code /path?query}, or absolute form {@code http://host/path}). */
    String target() {
        return target;
    }

    /**
     * The authority of an absolute-form target ({@code http://HOST:PORT/path}), lower-cased, which a server must
     * take over the Host header (RFC 9112, 3.2.2); null for an origin-form target ({@code /path}).
     */
    String targetAuthority() {
        int scheme = target.indexOf("://");
        if (target.startsWith("/") || scheme <= 0) {
            return null;
        }
        int end = scheme + 3;
        while (end < target.length() && "/?#".indexOf(target.charAt(end)) < 0) {
            end++;
        }
        return target.substring(scheme + 3, end).toLowerCase(Locale.ROOT);
    }

    /** The path part of the target, still percent-encoded; empty when the target is not a path. */
    String rawPath() {
        String originForm = originForm();
        if (originForm == null) {
            return "";
        }
        int end = originForm.indexOf('?');
        return end < 0 ? originForm : originForm.substring(0, end);
    }

    /** The query after {@code ?}, still encoded; null when there is no {@code ?} (empty when nothing follows it). */
    String rawQuery() {
        String originForm = originForm();
        if (originForm == null) {
            return null;
        }
        int start = originForm.indexOf('?');
        return start < 0 ? null : originForm.substring(start + 1);
    }

    /**
     * The decoded path.
     *
     * @throws ApiException 400 when the target is not a path or its percent-encoding is malformed
     */
    String path() {
        String raw = rawPath();
        if (raw.isEmpty()) {
            throw ApiException.badRequest("the request target must be a path starting with '/', got '"
                    + Call.forMessage(target) + "'");
        }
        return Call.percentDecode(raw, false, "the path");
    }

    /** Origin form of the target ({@code /path?query}, fragment dropped), or null when it is neither form. */
    private String originForm() {
        String t = target;
        int hash = t.indexOf('#');
        if (hash >= 0) {
            t = t.substring(0, hash);
        }
        if (t.startsWith("/")) {
            return t;
        }
        int scheme = t.indexOf("://");
        if (scheme > 0 && t.substring(0, scheme).toLowerCase(Locale.ROOT).matches("https?")) {
            int slash = t.indexOf('/', scheme + 3);
            int question = t.indexOf('?', scheme + 3);
            if (slash < 0 || (question >= 0 && question < slash)) {
                return "/" + (question < 0 ? "" : t.substring(question));
            }
            return t.substring(slash);
        }
        return null;
    }

    HttpHeaders requestHeaders() {
        return request.headers();
    }

    HttpHeaders responseHeaders() {
        return responseHeaders;
    }

    /** The request body; the first read sends {@code 100 Continue} to a client that waits for it. */
    RequestBody requestBody() {
        return body;
    }

    /** The Content-Length the client declared, or -1 (chunked or absent). */
    long declaredLength() {
        return HttpUtil.getContentLength(request, -1L);
    }

    /** The response status once the status line is on its way, else -1. */
    synchronized int responseCode() {
        return status;
    }

    /** Sends the whole response; a HEAD request gets the headers alone (with the length the body would have). */
    synchronized void respond(int code, byte[] bytes) throws IOException {
        begin(code);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code),
                head() || bytes.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes),
                responseHeaders, EmptyHttpHeaders.INSTANCE);
        HttpUtil.setContentLength(response, bytes.length);
        ChannelFuture written = channel.writeAndFlush(response);
        written.addListener(f -> connection.exchangeWritten(this, f.isSuccess() && !closeAfter));
    }

    /**
     * Sends the status line and headers of a response of unknown length (chunked) and returns its body, which
     * the handler closes to complete the response; null for HEAD, which has no body (then the response is
     * complete).
     */
    synchronized OutputStream stream(int code) throws IOException {
        if (head()) {
            respondHeadWithoutLength(code);
            return null;
        }
        begin(code);
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code),
                responseHeaders);
        boolean chunked = request.protocolVersion().equals(HttpVersion.HTTP_1_1);
        if (chunked) {
            HttpUtil.setTransferEncodingChunked(response, true);
        } else {
            // An HTTP/1.0 client knows no chunks: the body ends where the connection does.
            closeAfter = true;
            responseHeaders.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ChannelFuture written = channel.writeAndFlush(response);
        stream = new BodyStream();
        stream.awaitIfBusy(written);
        return stream;
    }

    private void respondHeadWithoutLength(int code) {
        begin(code);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code),
                Unpooled.EMPTY_BUFFER, responseHeaders, EmptyHttpHeaders.INSTANCE);
        channel.writeAndFlush(response).addListener(f -> connection.exchangeWritten(this, f.isSuccess() && !closeAfter));
    }

    /** Decides keep-alive and records the status; the response's headers are final after this. */
    private void begin(int code) {
        if (status != -1) {
            throw new IllegalStateException("the response (" + status + ") was already sent");
        }
        status = code;
        // A body the handler did not read to its end may still be arriving: the connection cannot carry another
        // request after it, so it closes once the response is out.
        closeAfter |= !HttpUtil.isKeepAlive(request) || !body.complete() || connection.closing();
        if (closeAfter) {
            responseHeaders.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (!request.protocolVersion().isKeepAliveDefault()) {
            responseHeaders.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }

    private void sendContinueIfExpected() {
        synchronized (this) {
            if (continueSent || status != -1 || !HttpUtil.is100ContinueExpected(request)) {
                return;
            }
            continueSent = true;
        }
        channel.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                Unpooled.EMPTY_BUFFER));
    }

    /**
     * Ends the exchange, on the handler's thread after its last action. A handler that sent nothing is a bug,
     * answered 500; a stream left open is cut short.
     */
    void finish(java.io.PrintStream console) {
        BodyStream open;
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
            open = stream != null && !stream.closed ? stream : null;
        }
        if (open != null) {
            open.abort();
            return;
        }
        if (responseCode() == -1) {
            console.println("Studio: " + method + " " + Call.forMessage(target) + " sent no response");
            try {
                responseHeaders.set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
                respond(500, Json.MAPPER.writeValueAsBytes(java.util.Map.of("error",
                        "internal error: the endpoint sent no response", "status", 500)));
            } catch (IOException e) {
                console.println("Studio: could not send the 500 response: " + e);
                channel.close();
            }
        }
    }

    /** The client is gone (or Studio is closing): nothing is sent, the connection closes, finish() does nothing. */
    void abandon() {
        synchronized (this) {
            finished = true;
        }
        channel.close();
    }

    /** The client closed the connection (or Studio is closing): nothing more can be sent. */
    static final class ClientGoneException extends IOException {
        ClientGoneException(String message) {
            super(message);
        }
    }

    /**
     * A streamed body: buffers up to {@link #STREAM_CHUNK_BYTES}, then writes a chunk; waits while the
     * connection's outbound buffer is above its high water mark, so a slow client slows the handler, not the
     * memory.
     */
    private final class BodyStream extends OutputStream {
        private final byte[] buffer = new byte[STREAM_CHUNK_BYTES];
        private int used;
        private boolean closed;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            java.util.Objects.checkFromIndexSize(offset, length, bytes.length);
            ensureOpen();
            while (length > 0) {
                int n = Math.min(length, buffer.length - used);
                System.arraycopy(bytes, offset, buffer, used, n);
                used += n;
                offset += n;
                length -= n;
                if (used == buffer.length) {
                    sendBuffered();
                }
            }
        }

        @Override
        public void flush() throws IOException {
            ensureOpen();
            sendBuffered();
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            sendBuffered();
            closed = true;
            // Chunked: the last chunk; otherwise (HTTP/1.0) nothing, and the connection's close ends the body.
            ChannelFuture written = channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            written.addListener(f -> connection.exchangeWritten(Exchange.this, f.isSuccess() && !closeAfter));
        }

        void abort() {
            closed = true;
            connection.abortAfterCutResponse(Exchange.this);
        }

        private void ensureOpen() throws IOException {
            if (closed) {
                throw new IOException("the response body is already closed");
            }
        }

        private void sendBuffered() throws IOException {
            if (used == 0) {
                return;
            }
            if (!channel.isActive()) {
                throw new ClientGoneException("the client closed the connection");
            }
            byte[] chunk = java.util.Arrays.copyOf(buffer, used);
            used = 0;
            awaitIfBusy(channel.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(chunk))));
        }

        void awaitIfBusy(ChannelFuture written) throws IOException {
            if (!written.isDone()) {
                if (channel.isWritable()) {
                    return; // a failure shows at the next write, as an inactive channel
                }
                try {
                    written.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while sending the response");
                }
            }
            if (!written.isSuccess()) {
                throw new ClientGoneException("the response could not be sent (the client closed the connection?): "
                        + written.cause());
            }
        }
    }
}
