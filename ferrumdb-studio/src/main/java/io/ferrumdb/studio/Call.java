package io.ferrumdb.studio;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** One HTTP request and its response: query parameters, a bounded JSON body, JSON or byte replies. */
final class Call {
    /** A 64 MiB value sent as base64 inside JSON is about 86 MiB; anything larger cannot be a valid request. */
    static final int MAX_BODY_BYTES = 96 << 20;

    private final HttpExchange exchange;
    private final Map<String, String> query;

    Call(HttpExchange exchange) {
        this.exchange = exchange;
        this.query = parseQuery(exchange.getRequestURI().getRawQuery());
    }

    HttpExchange exchange() {
        return exchange;
    }

    String method() {
        return exchange.getRequestMethod();
    }

    String path() {
        return exchange.getRequestURI().getPath();
    }

    /** A query parameter, or null when absent. */
    String param(String name) {
        return query.get(name);
    }

    String requireParam(String name) {
        String value = query.get(name);
        if (value == null) {
            throw ApiException.badRequest("missing query parameter '" + name + "'");
        }
        return value;
    }

    /** An integer query parameter within [min, max], or {@code fallback} when absent. */
    int intParam(String name, int fallback, int min, int max) {
        String raw = query.get(name);
        if (raw == null || raw.isEmpty()) {
            return fallback;
        }
        int value;
        try {
            value = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("query parameter '" + name + "' must be an integer, got '" + raw + "'");
        }
        if (value < min || value > max) {
            throw ApiException.badRequest("query parameter '" + name + "' must be between " + min + " and " + max
                    + ", got " + value);
        }
        return value;
    }

    /** The request body as a JSON object. */
    JsonNode jsonBody() throws IOException {
        byte[] body = readBody();
        if (body.length == 0) {
            throw ApiException.badRequest("the request needs a JSON object body");
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("the request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest("the request body must be a JSON object");
        }
        return node;
    }

    private byte[] readBody() throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                throw new ApiException(413, "request body larger than " + MAX_BODY_BYTES + " bytes");
            }
            return body;
        }
    }

    void sendJson(int status, Object body) throws IOException {
        send(status, "application/json; charset=utf-8", Json.MAPPER.writeValueAsBytes(body));
    }

    void send(int status, String contentType, byte[] bytes) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = "HEAD".equals(method());
        exchange.sendResponseHeaders(status, head || bytes.length == 0 ? -1 : bytes.length);
        if (!head && bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /**
     * Sends the status line and headers of a streamed (chunked) response of unknown length and returns its
     * body, which the caller closes; null for HEAD, which has no body.
     */
    OutputStream stream(int status, String contentType) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = "HEAD".equals(method());
        exchange.sendResponseHeaders(status, head ? -1 : 0);
        return head ? null : exchange.getResponseBody();
    }

    static Map<String, String> parseQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return Collections.emptyMap();
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (params.putIfAbsent(name, value) != null) {
                throw ApiException.badRequest("query parameter '" + name + "' given more than once");
            }
        }
        return params;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("malformed percent-encoding in the query: " + e.getMessage());
        }
    }
}
