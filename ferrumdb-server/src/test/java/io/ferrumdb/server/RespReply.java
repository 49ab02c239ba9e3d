package io.ferrumdb.server;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One RESP2 or RESP3 reply read off a socket: its exact bytes (for byte-for-byte comparison) and its tree (for the
 * few comparisons that must ignore order or timing). {@code type} is the RESP type byte; {@code text} the line of a
 * simple reply or the bytes of a bulk (null for a null bulk); {@code items} the elements of an aggregate (a map's
 * keys and values alternate; null for a null array).
 */
record RespReply(char type, byte[] text, List<RespReply> items, byte[] raw) {

    /** Reads one whole reply; EOF before it is complete is an {@link EOFException}. */
    static RespReply read(InputStream in) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        RespReply parsed = read(in, raw);
        return new RespReply(parsed.type, parsed.text, parsed.items, raw.toByteArray());
    }

    private static RespReply read(InputStream in, ByteArrayOutputStream raw) throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("the connection was closed before a reply");
        }
        raw.write(type);
        byte[] line = line(in, raw);
        String header = new String(line, StandardCharsets.ISO_8859_1);
        switch (type) {
            case '+', '-', ':', ',', '#', '(', '_' -> {
                return new RespReply((char) type, line, List.of(), null);
            }
            case '$', '=', '!' -> {
                int length = Integer.parseInt(header);
                if (length < 0) {
                    return new RespReply((char) type, null, List.of(), null);
                }
                byte[] body = in.readNBytes(length + 2);
                if (body.length < length + 2) {
                    throw new EOFException("the connection was closed inside a bulk reply");
                }
                raw.write(body, 0, body.length);
                return new RespReply((char) type, java.util.Arrays.copyOf(body, length), List.of(), null);
            }
            case '*', '%', '~', '>', '|' -> {
                int count = Integer.parseInt(header);
                if (count < 0) {
                    return new RespReply((char) type, null, null, null);
                }
                int elements = type == '%' || type == '|' ? count * 2 : count;
                List<RespReply> items = new ArrayList<>(elements);
                for (int i = 0; i < elements; i++) {
                    items.add(read(in, raw));
                }
                return new RespReply((char) type, null, items, null);
            }
            default -> throw new IOException("not a RESP reply type: '" + (char) type + "' then " + header);
        }
    }

    private static byte[] line(InputStream in, ByteArrayOutputStream raw) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the connection was closed inside a reply line");
            }
            raw.write(b);
            if (previous == '\r' && b == '\n') {
                byte[] bytes = line.toByteArray();
                return java.util.Arrays.copyOf(bytes, bytes.length - 1);
            }
            line.write(b);
            previous = b;
        }
    }

    boolean isError() {
        return type == '-';
    }

    /** RESP3's null, a RESP2 null bulk ({@code $-1}) or a RESP2 null array ({@code *-1}). */
    boolean isNull() {
        return type == '_' || type == '$' && text == null || items == null;
    }

    String string() {
        return text == null ? null : new String(text, StandardCharsets.ISO_8859_1);
    }

    /** The reply in a readable form for failure messages: RESP with CR LF shown as such. */
    String show() {
        return raw == null ? String.valueOf(string()) : new String(raw, StandardCharsets.ISO_8859_1)
                .replace("\r\n", "\\r\\n");
    }

    /** The same aggregate with its elements (or element groups of {@code group}) in byte order. */
    static List<String> sortedGroups(List<RespReply> items, int group) {
        List<String> groups = new ArrayList<>();
        for (int i = 0; i + group <= items.size(); i += group) {
            StringBuilder joined = new StringBuilder();
            for (int j = i; j < i + group; j++) {
                joined.append(items.get(j).describe()).append(' ');
            }
            groups.add(joined.toString());
        }
        groups.sort(Comparator.naturalOrder());
        return groups;
    }

    /** The tree as text, without the exact framing: type, then text or elements. */
    String describe() {
        if (isNull()) {
            return type + "null";
        }
        if (text != null) {
            return type + string();
        }
        List<String> parts = new ArrayList<>();
        for (RespReply item : items) {
            parts.add(item.describe());
        }
        return type + parts.toString();
    }
}
