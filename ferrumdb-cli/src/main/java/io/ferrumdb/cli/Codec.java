package io.ferrumdb.cli;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;

/** How keys and values are written on the command line: UTF-8 text (the default), hex, or base64. */
enum Codec {
    TEXT, HEX, BASE64;

    private static final String HEX_DIGITS = "0123456789abcdefABCDEF";
    private static final String BASE64_CHARACTERS =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";

    byte[] decode(String s, String what) {
        try {
            return switch (this) {
                case TEXT -> s.getBytes(StandardCharsets.UTF_8);
                case HEX -> HexFormat.of().parseHex(s);
                case BASE64 -> Base64.getDecoder().decode(s);
            };
        } catch (IllegalArgumentException e) {
            throw CliException.usage(what + " is not valid " + name().toLowerCase() + ": " + why(s, e));
        }
    }

    /**
     * What is wrong with {@code s} in the user's terms: the first character outside the alphabet and where it is,
     * or the length; the JDK's own words ({@code not a hexadecimal digit: "z" = 122}, {@code Illegal base64
     * character 21}: a code point, in hex for base64) only for what these checks do not name.
     */
    private String why(String s, IllegalArgumentException e) {
        String alphabet = this == HEX ? HEX_DIGITS : BASE64_CHARACTERS;
        for (int i = 0; i < s.length(); i = s.offsetByCodePoints(i, 1)) {
            int c = s.codePointAt(i);
            if (alphabet.indexOf(c) < 0) {
                return "'" + new String(Character.toChars(c)) + "' at position " + (s.codePointCount(0, i) + 1) + " is not a "
                        + (this == HEX ? "hex digit (0-9, a-f)" : "base64 character (A-Z, a-z, 0-9, +, /, =)");
            }
        }
        if (this == HEX && s.length() % 2 != 0) {
            return s.length() + " digits, an odd number (two hex digits make a byte)";
        }
        return e.getMessage() + " (length " + s.length() + "; base64 comes in groups of 4 characters, '=' only at the end)";
    }

    String encode(byte[] b) {
        return switch (this) {
            case TEXT -> new String(b, StandardCharsets.UTF_8);
            case HEX -> HexFormat.of().formatHex(b);
            case BASE64 -> Base64.getEncoder().encodeToString(b);
        };
    }

    /** The text of {@code b} when it is well-formed UTF-8, else null. */
    static String strictUtf8(byte[] b) {
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b));
            return chars.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
