package io.ferrumdb.cli;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * One line of the export format: {@code {"key":..,"value":..,"encoding":"text"|"base64","expiresAt":millis}}.
 * Key and value are text when both are well-formed UTF-8, else both base64; expiresAt is absent without TTL.
 */
record JsonLines(byte[] key, byte[] value, long expiresAt) {
    static final String TEXT = "text";
    static final String BASE64 = "base64";

    /** The encoding that represents both key and value exactly. */
    String encoding() {
        return Codec.strictUtf8(key) != null && Codec.strictUtf8(value) != null ? TEXT : BASE64;
    }

    static String encode(byte[] bytes, String encoding) {
        return encoding.equals(TEXT) ? new String(bytes, StandardCharsets.UTF_8)
                : Base64.getEncoder().encodeToString(bytes);
    }

    static byte[] decode(String text, String encoding, String field, long line) {
        if (encoding.equals(TEXT)) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("line " + line + ": " + field + " is not valid base64: " + e.getMessage());
        }
    }
}
