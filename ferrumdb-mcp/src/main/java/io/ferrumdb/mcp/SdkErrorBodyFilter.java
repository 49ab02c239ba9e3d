package io.ferrumdb.mcp;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/**
 * Rewrites the error bodies the SDK's servlet (2.1) writes for requests it refuses before any message is read:
 * no {@code Mcp-Session-Id} (400), a session that does not exist or was deleted (404). It writes them as its
 * {@code McpError} exception serialised by Jackson, class names and stack trace included; a client gets JSON-RPC's
 * error object with the SDK's own code and message instead, as {@link MalformedBodyFilter} gives for a malformed
 * body, and the status stays the SDK's (the streamable HTTP transport tells a client to start a new session on 404).
 * A body that is not such an exception passes unchanged.
 */
final class SdkErrorBodyFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;

    private final transient McpJsonMapper json;

    SdkErrorBodyFilter(McpJsonMapper json) {
        this.json = json;
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        Rewriting rewriting = new Rewriting(response);
        chain.doFilter(request, rewriting);
        rewriting.finish();
    }

    /** The response, whose writer is held back while the status is an error, to be rewritten when it is flushed. */
    private final class Rewriting extends HttpServletResponseWrapper {
        private final StringWriter held = new StringWriter();
        private PrintWriter holding;

        Rewriting(HttpServletResponse response) {
            super(response);
        }

        @Override
        public PrintWriter getWriter() throws IOException {
            if (getStatus() < 400) {   // replies and event streams go straight out
                return super.getWriter();
            }
            if (holding == null) {
                holding = new PrintWriter(held) {
                    @Override
                    public void flush() {
                        super.flush();
                        try {
                            finish();
                        } catch (IOException e) {
                            setError();
                        }
                    }
                };
            }
            return holding;
        }

        /** Writes what was held, rewritten when it is the SDK's serialised exception. */
        void finish() throws IOException {
            if (holding == null || held.getBuffer().isEmpty()) {
                return;
            }
            String body = held.toString();
            held.getBuffer().setLength(0);
            String rewritten = rewrite(body);
            if (rewritten != null) {
                setContentLength(-1);
            }
            PrintWriter out = super.getWriter();
            out.write(rewritten == null ? body : rewritten);
            out.flush();
        }

        /** JSON-RPC's error object for the SDK's serialised exception; null for any other body. */
        private String rewrite(String body) throws IOException {
            Map<String, Object> thrown;
            try {
                thrown = json.readValue(body, new TypeRef<Map<String, Object>>() { });
            } catch (IOException | RuntimeException notJson) {
                return null;
            }
            if (!(thrown.get("jsonRpcError") instanceof Map<?, ?> error) || !(error.get("code") instanceof Number code)
                    || !(error.get("message") instanceof String message)) {
                return null;
            }
            // The SDK refused the request before reading it, so its id is not known: null, as JSON-RPC says.
            return MessageScreen.errorReply(json, null, code.intValue(), message);
        }
    }
}
