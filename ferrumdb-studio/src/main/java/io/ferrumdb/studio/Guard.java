package io.ferrumdb.studio;

import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The security checks every request passes before any handler runs, in this order:
 * <ol>
 *   <li>the Host header must name this server (an allowed host name and the bound port), and so must the
 *   authority of an absolute-form target ({@code GET http://host:port/path}): a page on an attacker's domain that
 *   re-resolves to 127.0.0.1 (DNS rebinding) sends its own host name and is refused with 421;</li>
 *   <li>the per-start token from the {@code X-FerrumDB-Token} header, or a session cookie, else 401 (a page that
 *   says what to do for a browser opening a page, JSON for the API); {@code GET /?token=...} exchanges a valid
 *   token for a new random session id in the cookie and redirects to {@code /}. The cookie never holds the token:
 *   cookies are not separated by port, so every other web server on the same host receives them, and a session id
 *   leaked that way ends with {@code POST /api/logout} or the next start, while the token stays the
 *   credential of the login URL and of scripts;</li>
 *   <li>a request that can change state (any method but GET and HEAD) must prove it comes from a Studio page:
 *   every origin signal the browser sent (Sec-Fetch-Site, Origin, Referer) must say same-origin, and a request
 *   authenticated by the cookie alone must carry at least one of them, else 403. A request carrying the token
 *   header and no browser signal (curl, scripts) is accepted: a browser cannot attach a custom header to a
 *   cross-origin request without a CORS preflight, which Studio never grants.</li>
 * </ol>
 * Every response, refusals included, carries the security headers (set on each {@link Exchange} when it is
 * created, and on the HTTP layer's own errors).
 */
final class Guard {
    static final String TOKEN_HEADER = "X-FerrumDB-Token";
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; "
            + "require-trusted-types-for 'script'";

    static final String LOGOUT_PATH = "/api/logout";
    private static final int SESSION_ID_BYTES = 32;

    private final byte[] token;
    private final String cookieName;
    private final Set<String> allowedHosts;
    /** SHA-256 of each live session id, so that the lookup's timing depends on a hash, never on the secret. */
    private final Set<String> sessionHashes = ConcurrentHashMap.newKeySet();
    private final SecureRandom random = new SecureRandom();

    /**
     * @param token        the secret
     * @param cookieName   cookies are not separated by port, so the name carries the port: two Studios on one
     *                     machine do not overwrite each other's cookie
     * @param allowedHosts accepted Host header values, each with its port
     */
    Guard(String token, String cookieName, Set<String> allowedHosts) {
        this.token = token.getBytes(StandardCharsets.US_ASCII);
        this.cookieName = cookieName;
        this.allowedHosts = Set.copyOf(allowedHosts);
    }

    /**
     * Runs the checks; true when the request may go on to its endpoint, false when the guard answered it (a
     * refusal, the login redirect or the logout).
     *
     * @throws ApiException 400 when the path is malformed (after the Host check)
     */
    boolean admit(Exchange exchange) throws IOException {
        HttpHeaders request = exchange.requestHeaders();
        List<String> hosts = request.getAll("Host");
        if (hosts.size() != 1 || !allowedHosts.contains(hosts.get(0).toLowerCase(Locale.ROOT))) {
            refuse(exchange, 421, (hosts.isEmpty() ? "the request has no Host header" : "the Host header " + hosts
                    + " does not name this server") + "; refused (DNS rebinding protection)");
            return false;
        }
        // An absolute-form target names the server itself, and a server must believe it over the Host header.
        String authority = exchange.targetAuthority();
        if (authority != null && !allowedHosts.contains(authority)) {
            refuse(exchange, 421, "the request target names [" + authority + "], not this server; refused (DNS "
                    + "rebinding protection)");
            return false;
        }
        String host = hosts.get(0);
        if (isLogin(exchange)) {
            login(exchange);
            return false;
        }
        String headerToken = request.get(TOKEN_HEADER);
        String session = headerToken == null ? cookieValue(request) : null;
        boolean authenticated = headerToken != null ? validToken(headerToken) : validSession(session);
        if (!authenticated) {
            String problem = headerToken == null && session == null
                    ? "no token: open the URL Studio printed when it started"
                    : headerToken != null ? "wrong token: use the one Studio printed when it started (it "
                            + "changes on every start)"
                    : "this session has ended (Studio restarted or you logged out): open the URL Studio printed "
                            + "when it started";
            refuseAuthentication(exchange, headerToken != null || session != null, problem);
            return false;
        }
        if (!isSafeMethod(exchange.method())) {
            String problem = crossOriginProblem(request, host, headerToken != null);
            if (problem != null) {
                refuse(exchange, 403, problem);
                return false;
            }
        }
        if (LOGOUT_PATH.equals(exchange.path())) {
            logout(exchange, session);
            return false;
        }
        return true;
    }

    static void addSecurityHeaders(HttpHeaders h) {
        h.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        h.set("X-Content-Type-Options", "nosniff");
        h.set("X-Frame-Options", "DENY");
        h.set("Referrer-Policy", "no-referrer");
        h.set("Cross-Origin-Opener-Policy", "same-origin");
        h.set("Cross-Origin-Resource-Policy", "same-origin");
        h.set("Cache-Control", "no-store");
    }

    static boolean isSafeMethod(String method) {
        return "GET".equals(method) || "HEAD".equals(method);
    }

    private static boolean isLogin(Exchange exchange) {
        return "GET".equals(exchange.method()) && "/".equals(exchange.rawPath()) && exchange.rawQuery() != null;
    }

    private void login(Exchange exchange) throws IOException {
        Map<String, String> query;
        try {
            query = Call.parseQuery(exchange.rawQuery());
        } catch (ApiException e) {
            refuse(exchange, e.status(), e.getMessage());
            return;
        }
        String presented = query.get("token");
        if (!validToken(presented)) {
            refuseAuthentication(exchange, presented != null, presented == null ? "no token in the URL"
                    : "this link is from an earlier start of Studio (the token changes on every start)");
            return;
        }
        byte[] id = new byte[SESSION_ID_BYTES];
        random.nextBytes(id);
        String sessionId = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
        sessionHashes.add(sha256(sessionId));
        HttpHeaders response = exchange.responseHeaders();
        response.set("Set-Cookie", cookieName + "=" + sessionId + "; Path=/; HttpOnly; SameSite=Strict");
        // Redirect so the token leaves the address bar.
        response.set("Location", "/");
        exchange.respond(303, new byte[0]);
    }

    /** {@code POST /api/logout}: ends the cookie's session (a token-header request has none) and clears it. */
    private void logout(Exchange exchange, String session) throws IOException {
        if (!"POST".equals(exchange.method())) {
            exchange.responseHeaders().set("Allow", "POST");
            refuse(exchange, 405, exchange.method() + " is not allowed on " + LOGOUT_PATH);
            return;
        }
        if (session != null) {
            sessionHashes.remove(sha256(session));
        }
        exchange.responseHeaders().set("Set-Cookie", cookieName + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        exchange.responseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.respond(200, Json.MAPPER.writeValueAsBytes(Map.of("loggedOut", true)));
    }

    private boolean validSession(String session) {
        return session != null && sessionHashes.contains(sha256(session));
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /**
     * 401. A browser opening a page (a GET outside {@code /api/}) gets a short page saying what to do; the API
     * and scripts get JSON.
     */
    private static void refuseAuthentication(Exchange exchange, boolean credentialPresented, String problem)
            throws IOException {
        boolean page = isSafeMethod(exchange.method()) && !exchange.rawPath().startsWith("/api/");
        if (!page) {
            refuse(exchange, 401, problem);
            return;
        }
        // Someone who typed the address (or followed a bookmark) never had a link: telling them theirs "is no
        // longer valid" sends them looking for one they were never given.
        String heading = credentialPresented ? "This Studio link is no longer valid" : "Open the link Studio printed";
        byte[] body = (SIGN_IN_PAGE_START + heading + SIGN_IN_PAGE_MIDDLE + escapeHtml(problem) + SIGN_IN_PAGE_END)
                .getBytes(StandardCharsets.UTF_8);
        exchange.responseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.respond(401, body);
    }

    private static final String SIGN_IN_PAGE_START = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
            <title>FerrumDB Studio: open the link it printed</title></head>
            <body><h1>""";
    private static final String SIGN_IN_PAGE_MIDDLE = """
            </h1>
            <p id="problem">""";
    private static final String SIGN_IN_PAGE_END = """
            </p>
            <p>Studio makes a new secret link every time it starts. Look in the terminal where Studio runs (or where
            <code>ferrumdb studio</code> was started) for the line beginning with <code>Open http://</code>, and open
            that link. If Studio is not running any more, start it again.</p>
            </body></html>
            """;

    private static String escapeHtml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private String cookieValue(HttpHeaders request) {
        List<String> cookieHeaders = request.getAll("Cookie");
        for (String header : cookieHeaders) {
            for (String cookie : header.split(";")) {
                String c = cookie.trim();
                int eq = c.indexOf('=');
                if (eq > 0 && c.substring(0, eq).equals(cookieName)) {
                    return c.substring(eq + 1);
                }
            }
        }
        return null;
    }

    private boolean validToken(String presented) {
        // Constant time, so the token cannot be guessed byte by byte from response times.
        return presented != null && MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8));
    }

    /** Why a state-changing request is refused as cross-origin, or null when it may proceed. */
    static String crossOriginProblem(HttpHeaders request, String host, boolean tokenInHeader) {
        String origin = "http://" + host;
        String fetchSite = request.get("Sec-Fetch-Site");
        String requestOrigin = request.get("Origin");
        String referer = request.get("Referer");
        if (fetchSite != null && !fetchSite.equals("same-origin")) {
            return "cross-origin request refused (Sec-Fetch-Site: " + fetchSite + ")";
        }
        if (requestOrigin != null && !requestOrigin.equalsIgnoreCase(origin)) {
            return "cross-origin request refused (Origin: " + requestOrigin + ", expected " + origin + ")";
        }
        if (referer != null && !referer.regionMatches(true, 0, origin + "/", 0, origin.length() + 1)) {
            return "cross-origin request refused (Referer does not start with " + origin + "/)";
        }
        boolean browserProof = fetchSite != null || requestOrigin != null || referer != null;
        if (!browserProof && !tokenInHeader) {
            return "a state-changing request authenticated by cookie must show it is same-origin "
                    + "(Sec-Fetch-Site, Origin or Referer); send the token in the " + TOKEN_HEADER + " header instead";
        }
        return null;
    }

    private static void refuse(Exchange exchange, int status, String message) throws IOException {
        exchange.responseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.respond(status, Json.MAPPER.writeValueAsBytes(Map.of("error", message, "status", status)));
    }
}
