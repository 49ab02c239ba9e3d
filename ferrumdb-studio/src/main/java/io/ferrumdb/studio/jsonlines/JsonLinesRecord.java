package io.ferrumdb.studio.jsonlines;

import io.ferrumdb.Limits;
import io.ferrumdb.ProblemWording;
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

    /** @throws LineProblem when a base64 field does not decode, or a text field is not valid Unicode */
    static byte[] decode(String text, String encoding, String field) {
        if (encoding.equals(TEXT)) {
            try {
                return utf8(text, field);
            } catch (IllegalArgumentException e) {
                throw new LineProblem(e.getMessage());
            }
        }
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new LineProblem(field + " is not valid base64: " + ProblemWording.notBase64(text));
        }
    }

    /**
     * The UTF-8 bytes of {@code text}. A lone UTF-16 surrogate (an unpaired JSON escape of D800 to DFFF) has no
     * UTF-8 form: {@link String#getBytes} would store {@code ?} in its place, another key or value than the one
     * given, so it is refused, naming {@code field}.
     *
     * @throws IllegalArgumentException when {@code text} holds a lone surrogate
     */
    public static byte[] utf8(String text, String field) {
        if (!Limits.isUnicodeText(text)) {
            throw new IllegalArgumentException(field + " " + Limits.NOT_UNICODE_TEXT + "; give binary data in base64");
        }
        return text.getBytes(StandardCharsets.UTF_8);
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
