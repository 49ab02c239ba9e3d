package io.ferrumdb.studio;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.ferrumdb.ProblemWording;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One HTTP request and its response: the decoded path and query parameters, a bounded JSON body, JSON or byte
 * replies. The URL is decoded here, not by the HTTP layer, so that a malformed percent-encoding is a 400 naming
 * the part of the URL it is in.
 */
final class Call {
    /** A 64 MiB value sent as base64 inside JSON is about 86 MiB; anything larger cannot be a valid request. */
    static final int MAX_BODY_BYTES = 96 << 20;

    private final Exchange exchange;
    private final String path;
    private final Map<String, String> query;

    /** @throws ApiException 400 when the path or the query is malformed */
    Call(Exchange exchange) {
        this.exchange = exchange;
        this.path = exchange.path();
        this.query = parseQuery(exchange.rawQuery());
    }

    String method() {
        return exchange.method();
    }

    /** The decoded path. */
    String path() {
        return path;
    }

    /** Sets a response header (before the response is sent). */
    void header(String name, String value) {
        exchange.responseHeaders().set(name, value);
    }

    /** The request body as it arrives, for endpoints that stream it; {@link #jsonBody(String...)} reads it bounded. */
    InputStream requestBody() {
        return exchange.requestBody();
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

    /**
     * The request body as a JSON object whose fields are all among {@code fields}. A field the endpoint does not
     * read is refused rather than ignored: {@code "ttlSecond": 60} wrote a value that never expires, without a
     * word (the import refuses an unknown field too).
     */
    JsonNode jsonBody(String... fields) throws IOException {
        JsonNode body = jsonBody();
        List<String> known = List.of(fields);
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw ApiException.badRequest("unknown field '" + forMessage(name) + "' (this call takes "
                        + String.join(", ", known) + ")");
            }
        }
        return body;
    }

    private JsonNode jsonBody() throws IOException {
        byte[] body = readBody();
        if (body.length == 0) {
            throw ApiException.badRequest("the request needs a JSON object body");
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("the request body is not valid JSON: "
                    + ProblemWording.jsonSyntax(e.getOriginalMessage()));
        }
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest("the request body must be a JSON object");
        }
        return node;
    }

    private byte[] readBody() throws IOException {
        long declared = exchange.declaredLength();
        if (declared > MAX_BODY_BYTES) {
            // Refused before a byte of it is read; the connection closes after the answer.
            throw new ApiException(413, "request body of " + declared + " bytes is larger than the limit of "
                    + MAX_BODY_BYTES + " bytes");
        }
        try (InputStream in = exchange.requestBody()) {
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

    /** The whole response; HEAD gets the headers alone. */
    void send(int status, String contentType, byte[] bytes) throws IOException {
        exchange.responseHeaders().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        exchange.respond(status, bytes);
    }

    /**
     * Sends the status line and headers of a streamed (chunked) response of unknown length and returns its
     * body; closing it completes the response, and a body left open when the endpoint returns or throws is cut
     * short (the connection closes). Null for HEAD, which has no body.
     */
    OutputStream stream(int status, String contentType) throws IOException {
        exchange.responseHeaders().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        return exchange.stream(status);
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
            String name = percentDecode(eq < 0 ? pair : pair.substring(0, eq), true, "a query parameter name");
            String value = eq < 0 ? "" : percentDecode(pair.substring(eq + 1), true, "query parameter '"
                    + forMessage(name) + "'");
            if (params.putIfAbsent(name, value) != null) {
                throw ApiException.badRequest("query parameter '" + forMessage(name) + "' given more than once");
            }
        }
        return params;
    }

    /**
     * Decodes {@code %XX} escapes (and {@code +} as a space in a query) to bytes, then the bytes as UTF-8, both
     * strictly.
     *
     * @param where the part of the URL, for the message: "the path", "query parameter 'prefix'"
     * @throws ApiException 400 naming {@code where} and the offending text
     */
    static String percentDecode(String raw, boolean plusIsSpace, String where) {
        boolean plain = true;
        for (int i = 0; i < raw.length() && plain; i++) {
            char c = raw.charAt(i);
            plain = c != '%' && (c != '+' || !plusIsSpace) && c < 0x80;
        }
        if (plain) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int high = i + 1 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int low = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 2), 16) : -1;
                if (high < 0 || low < 0) {
                    String escape = raw.substring(i, Math.min(raw.length(), i + 3));
                    throw ApiException.badRequest("malformed percent-encoding in " + where + ": '" + forMessage(escape)
                            + "' at position " + (i + 1) + " is not '%' followed by two hex digits");
                }
                bytes.write(high << 4 | low);
                i += 2;
            } else if (c == '+' && plusIsSpace) {
                bytes.write(' ');
            } else if (c < 0x80) {
                bytes.write(c);
            } else {
                throw ApiException.badRequest("malformed URL: " + where + " holds a character that is not ASCII at "
                        + "position " + (i + 1) + "; percent-encode it as UTF-8");
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw ApiException.badRequest("malformed percent-encoding in " + where + ": the decoded bytes are not "
                    + "UTF-8 (use the hex form of the parameter for binary keys)");
        }
    }

    /** Text from the request, shortened and with control characters escaped, to quote in a message. */
    static String forMessage(String text) {
        StringBuilder out = new StringBuilder();
        int limit = Math.min(text.length(), 200);
        for (int i = 0; i < limit; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                out.append(String.format("\\x%02X", (int) c));
            } else {
                out.append(c);
            }
        }
        if (text.length() > limit) {
            out.append("...");
        }
        return out.toString();
    }
}
