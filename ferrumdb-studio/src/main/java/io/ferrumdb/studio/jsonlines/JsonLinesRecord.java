package io.ferrumdb.studio.jsonlines;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * One line of the JSON Lines export format shared by {@code ferrumdb export}/{@code import} and Studio:
 * {@code {"key":..,"value":..,"encoding":"text"|"base64","expiresAt":epochMillis}}. Key and value are text when
 * both are well-formed UTF-8, else both base64; {@code expiresAt} is absent (0 here) without a TTL.
 */
public record JsonLinesRecord(byte[] key, byte[] value, long expiresAt) {
    static final String TEXT = "text";
    static final String BASE64 = "base64";

    /** The encoding that represents both key and value exactly. */
    String encoding() {
        return isStrictUtf8(key) && isStrictUtf8(value) ? TEXT : BASE64;
    }

    static String encode(byte[] bytes, String encoding) {
        return encoding.equals(TEXT) ? new String(bytes, StandardCharsets.UTF_8)
                : Base64.getEncoder().encodeToString(bytes);
    }

    /** @throws LineProblem when a base64 field does not decode */
    static byte[] decode(String text, String encoding, String field) {
        if (encoding.equals(TEXT)) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new LineProblem(field + " is not valid base64: " + e.getMessage());
        }
    }

    private static boolean isStrictUtf8(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** What is wrong with the line being read; {@link JsonLinesImport} adds the line number and the counts. */
    static final class LineProblem extends RuntimeException {
        LineProblem(String reason) {
            super(reason);
        }
    }
}
