package io.ferrumdb.mcp;

import io.modelcontextprotocol.json.McpJsonMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Answers a request body over {@link MessageLimit#MAX_BYTES} with 413 and a JSON-RPC error (-32600) naming the
 * limit in bytes, as stdio does for a line over it. The SDK's servlet (2.1) refuses such a body itself, announced
 * by its Content-Length or found while reading a chunked one, but with a bare 413 that a client cannot explain:
 * its refusal is replaced here.
 */
final class OversizedBodyFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;

    private final transient McpJsonMapper json;

    OversizedBodyFilter(McpJsonMapper json) {
        this.json = json;
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        chain.doFilter(request, new HttpServletResponseWrapper(response) {
            @Override
            public void sendError(int status) throws IOException {
                sendError(status, null);
            }

            @Override
            public void sendError(int status, String message) throws IOException {
                if (status != SC_REQUEST_ENTITY_TOO_LARGE) {
                    super.sendError(status, message);
                    return;
                }
                // The body was not read, so neither was the request's id.
                byte[] body = MessageScreen.errorReply(json, null, -32600,
                        MessageLimit.refusal(request.getContentLengthLong())).getBytes(StandardCharsets.UTF_8);
                setStatus(status);
                setContentType("application/json");
                setContentLength(body.length);
                getOutputStream().write(body);
                flushBuffer();
            }
        });
    }
}
