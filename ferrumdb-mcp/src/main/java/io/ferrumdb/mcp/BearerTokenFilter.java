package io.ferrumdb.mcp;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Lets a request through only when it carries {@code Authorization: Bearer <token>} with this start's token;
 * anything else gets 401 with a one-line reason and {@code WWW-Authenticate: Bearer}. It runs before the MCP
 * servlet, so no JSON-RPC is read, and no session is created, for a caller without the token.
 */
final class BearerTokenFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    private static final String SCHEME = "Bearer ";

    private final byte[] token;

    BearerTokenFilter(String token) {
        this.token = token.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String problem = problem(request.getHeader("Authorization"));
        if (problem == null) {
            chain.doFilter(request, response);
            return;
        }
        response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        response.setHeader("WWW-Authenticate", "Bearer realm=\"ferrumdb-mcp\"");
        response.setContentType("text/plain;charset=utf-8");
        response.getWriter().println(problem);
    }

    /** Why the header does not authorize the request, or null when it does. */
    private String problem(String authorization) {
        if (authorization == null) {
            return "no Authorization header: send 'Authorization: Bearer <token>' with the token ferrumdb mcp "
                    + "printed when it started";
        }
        if (!authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return "the Authorization header is not a Bearer token";
        }
        byte[] presented = authorization.substring(SCHEME.length()).trim().getBytes(StandardCharsets.US_ASCII);
        // Constant-time comparison: the time taken says nothing about how much of the token was right.
        return MessageDigest.isEqual(presented, token) ? null
                : "wrong token: it changes on every start of ferrumdb mcp --http";
    }
}
