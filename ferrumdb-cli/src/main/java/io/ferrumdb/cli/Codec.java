package io.ferrumdb.cli;

import io.ferrumdb.ProblemWording;
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

    byte[] decode(String s, String what) {
        try {
            return switch (this) {
                case TEXT -> s.getBytes(StandardCharsets.UTF_8);
                case HEX -> HexFormat.of().parseHex(s);
                case BASE64 -> Base64.getDecoder().decode(s);
            };
        } catch (IllegalArgumentException e) {
            throw CliException.usage(what + " is not valid " + name().toLowerCase() + ": "
                    + (this == HEX ? ProblemWording.notHex(s) : ProblemWording.notBase64(s)));
        }
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
