package io.ferrumdb.studio;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A raw HTTP/1.1 client over a socket, because the tests must send what java.net.http refuses to (a forged
 * Host header) and nothing the tests did not ask for (no implicit Origin or cookies).
 */
final class TestClient {
    record Response(int status, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : values.get(0);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + text(), e);
            }
        }
    }

    private final int port;
    private final String token;

    TestClient(Studio studio) {
        this.port = studio.port();
        this.token = studio.token();
    }

    String host() {
        return "127.0.0.1:" + port;
    }

    String token() {
        return token;
    }

    /** With the token header and the right Host. */
    Response get(String path) {
        return send("GET", path, Map.of("X-FerrumDB-Token", token), null);
    }

    Response put(String path, String json) {
        return send("PUT", path, Map.of("X-FerrumDB-Token", token, "Content-Type", "application/json"), json);
    }

    Response delete(String path) {
        return send("DELETE", path, Map.of("X-FerrumDB-Token", token), null);
    }

    /** Opens the login URL as a browser would; returns the session cookie ({@code name=value}) it set. */
    String login() {
        Response r = send("GET", "/?token=" + token, Map.of(), null);
        if (r.status() != 303 || r.header("Set-Cookie") == null) {
            throw new AssertionError("login failed: " + r.status() + " " + r.text());
        }
        return r.header("Set-Cookie").split(";")[0];
    }

    /** Exactly these headers (plus Host, unless given) and the body. */
    Response send(String method, String path, Map<String, String> headers, String body) {
        Map<String, String> all = new LinkedHashMap<>();
        if (headers.keySet().stream().noneMatch(h -> h.equalsIgnoreCase("Host"))) {
            all.put("Host", host());
        }
        all.putAll(headers);
        return raw(method, path, all, body);
    }

    /** Without any Host header when {@code headers} has none. */
    Response raw(String method, String path, Map<String, String> headers, String body) {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
        headers.forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
        request.append("Connection: close\r\n");
        if (body != null) {
            request.append("Content-Length: ").append(bytes.length).append("\r\n");
        }
        request.append("\r\n");
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(60_000); // a reply, not a duration: a busy machine may take seconds
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes);
            out.flush();
            return parse(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Response parse(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        byte[] bytes = all.toByteArray();
        int end = indexOf(bytes, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        if (end < 0) {
            throw new IOException("no complete HTTP response head in " + bytes.length + " bytes");
        }
        String[] lines = new String(bytes, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(lines[i].substring(colon + 1).trim());
        }
        byte[] body = java.util.Arrays.copyOfRange(bytes, end + 4, bytes.length);
        List<String> encoding = headers.get("transfer-encoding");
        return new Response(status, headers, encoding != null && encoding.contains("chunked") ? dechunk(body) : body);
    }

    /** The body of a chunked response (streamed endpoints): each chunk is hex size CRLF, bytes, CRLF; size 0 ends. */
    private static byte[] dechunk(byte[] chunked) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int at = 0;
        while (true) {
            int lineEnd = indexOf(java.util.Arrays.copyOfRange(chunked, at, chunked.length),
                    "\r\n".getBytes(StandardCharsets.ISO_8859_1));
            if (lineEnd < 0) {
                throw new IOException("chunked body cut short at byte " + at);
            }
            int size = Integer.parseInt(new String(chunked, at, lineEnd, StandardCharsets.ISO_8859_1).split(";")[0]
                    .trim(), 16);
            at += lineEnd + 2;
            if (size == 0) {
                return body.toByteArray();
            }
            if (at + size + 2 > chunked.length) {
                throw new IOException("chunk of " + size + " bytes cut short at byte " + at);
            }
            body.write(chunked, at, size);
            at += size + 2;
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
