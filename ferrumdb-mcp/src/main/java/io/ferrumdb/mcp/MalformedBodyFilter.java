package io.ferrumdb.mcp;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.spec.HttpHeaders;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;

/**
 * Answers a POST body that is not a JSON-RPC message (not JSON, not a request, notification or response, tools/call
 * params of the wrong shape, an empty body) with 400 and JSON-RPC's -32700, -32600 or -32602 error, as stdio does
 * for such a line ({@link MessageScreen}). The SDK's servlet (2.1) answered them with its Java exception serialised
 * as JSON, class names and stack trace included. A call of a tool the server does not have, in a session, gets 200
 * with the -32602 error naming it (see {@link MessageScreen}). A body over {@link MessageLimit#MAX_BYTES} is left to the SDK,
 * whose refusal {@link OversizedBodyFilter} rewrites.
 */
final class MalformedBodyFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;

    private final transient MessageScreen screen;

    MalformedBodyFilter(McpJsonMapper json, Supplier<List<String>> toolNames) {
        this.screen = new MessageScreen(json, "the request body", toolNames);
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!"POST".equals(request.getMethod()) || request.getContentLengthLong() > MessageLimit.MAX_BYTES) {
            chain.doFilter(request, response);
            return;
        }
        InputStream in = request.getInputStream();
        byte[] body = in.readNBytes(MessageLimit.MAX_BYTES + 1);
        if (body.length > MessageLimit.MAX_BYTES) { // a chunked body over the limit: the SDK refuses it
            chain.doFilter(new ReplayedBody(request, new SequenceInputStream(new ByteArrayInputStream(body), in)),
                    response);
            return;
        }
        if (screen.screenMessage(new String(body, StandardCharsets.UTF_8)) instanceof MessageScreen.Refuse refuse
                && (!refuse.wellFormed() || request.getHeader(HttpHeaders.MCP_SESSION_ID) != null)) {
            // A well-formed request outside a session is the SDK's to refuse (session required); inside one, its
            // error is the answer to the request (200), as the SDK gives it, not a refusal of the body (400).
            byte[] reply = refuse.reply().getBytes(StandardCharsets.UTF_8);
            response.setStatus(refuse.wellFormed() ? HttpServletResponse.SC_OK : HttpServletResponse.SC_BAD_REQUEST);
            response.setContentType("application/json");
            response.setContentLength(reply.length);
            response.getOutputStream().write(reply);
            return;
        }
        chain.doFilter(new ReplayedBody(request, new ByteArrayInputStream(body)), response);
    }

    /** The request with its body, already read here, read again from {@code body}. */
    private static final class ReplayedBody extends HttpServletRequestWrapper {
        private final InputStream body;

        ReplayedBody(HttpServletRequest request, InputStream body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            return new ServletInputStream() {
                private boolean finished;

                @Override
                public int read() throws IOException {
                    int b = body.read();
                    finished = b < 0;
                    return b;
                }

                @Override
                public int read(byte[] buffer, int offset, int length) throws IOException {
                    int n = body.read(buffer, offset, length);
                    finished = n < 0;
                    return n;
                }

                @Override
                public boolean isFinished() {
                    return finished;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new IllegalStateException("the body was read before the servlet; read it blocking");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        }
    }
}
