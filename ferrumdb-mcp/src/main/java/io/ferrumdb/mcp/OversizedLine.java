package io.ferrumdb.mcp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stdin line longer than a message may be, read without keeping it: its length, its first bytes and its last
 * bytes, enough to find the request's id so that the refusal answers the request (a client otherwise waits for
 * its timeout). Clients write the id first (the Java and Python SDKs) or last (the TypeScript SDK), so it is
 * looked for as the first members of the object in the head and as its last member in the tail.
 */
final class OversizedLine {
    /** How much of each end is kept. */
    private static final int KEPT = 4096;
    private static final JsonFactory JSON = new JsonFactory();
    /** {@code "id": <number or string>} as the last member: one closing brace follows, so it is the outer object's. */
    private static final Pattern LAST_MEMBER_ID = Pattern.compile(
            "\"id\"\\s*:\\s*(-?\\d{1,18}|\"(?:[^\"\\\\]|\\\\.){0,256}\")\\s*}\\s*$");

    private final ByteArrayOutputStream head = new ByteArrayOutputStream(KEPT);
    private final byte[] tail = new byte[KEPT];
    private long length;

    /** Adds the line's next byte. */
    void add(int b) {
        if (length < KEPT) {
            head.write(b);
        }
        tail[(int) (length % KEPT)] = (byte) b;
        length++;
    }

    /** Adds bytes the line began with. */
    void add(byte[] bytes) {
        for (byte b : bytes) {
            add(b);
        }
    }

    long length() {
        return length;
    }

    /** The request's id (a Long or a String), or null when neither end shows one. */
    Object id() {
        Object first = firstMembersId(head.toByteArray());
        return first != null ? first : lastMemberId(tailText());
    }

    private String tailText() {
        int n = (int) Math.min(length, KEPT);
        byte[] last = new byte[n];
        for (int i = 0; i < n; i++) {
            last[i] = tail[(int) ((length - n + i) % KEPT)];
        }
        return new String(last, StandardCharsets.UTF_8);
    }

    /** The id among the object's members that come before the head ends (skipping nested values whole). */
    private static Object firstMembersId(byte[] head) {
        try (JsonParser p = JSON.createParser(head)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if ("id".equals(name)) {
                    return value == JsonToken.VALUE_NUMBER_INT ? (Object) p.getLongValue()
                            : value == JsonToken.VALUE_STRING ? p.getText() : null;
                }
                p.skipChildren();
            }
        } catch (IOException cutOff) {
            // The head ends inside a value before any id: look at the tail.
        }
        return null;
    }

    private static Object lastMemberId(String tail) {
        Matcher m = LAST_MEMBER_ID.matcher(tail);
        if (!m.find()) {
            return null;
        }
        String value = m.group(1);
        if (!value.startsWith("\"")) {
            return Long.parseLong(value);
        }
        try (JsonParser p = JSON.createParser(value)) {
            p.nextToken();
            return p.getText();
        } catch (IOException notAString) {
            return null;
        }
    }
}
