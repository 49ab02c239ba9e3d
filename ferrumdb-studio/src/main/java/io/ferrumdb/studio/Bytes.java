package io.ferrumdb.studio;

import io.ferrumdb.ProblemWording;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Keys and values are bytes; the API shows them as text when they are valid UTF-8, and always as hex. */
final class Bytes {
    private static final HexFormat HEX = HexFormat.of();

    private Bytes() {
    }

    /** The bytes as text when they are valid UTF-8, else null (never a lossy decoding with U+FFFD). */
    static String utf8OrNull(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    static byte[] fromHex(String name, String hex) {
        try {
            return HEX.parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("'" + name + "' is not valid hex: " + ProblemWording.notHex(hex));
        }
    }

    /** Longest file name offered for a download, in characters. */
    private static final int MAX_FILE_NAME = 120;

    /**
     * The Content-Disposition of a value's download, named after its key: a key that is text gives its text with
     * path separators, control and reserved characters replaced by '_' ({@code filename*} in UTF-8, RFC 6266, and
     * an ASCII {@code filename} for old clients); a binary key gives its hex; the empty key gives "value".
     */
    static String attachment(byte[] key) {
        String text = utf8OrNull(key);
        String name = text == null ? hex(key) : text;
        StringBuilder safe = new StringBuilder();
        name.codePoints().limit(MAX_FILE_NAME).forEach(cp -> {
            boolean reserved = cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || "/\\:*?\"<>|".indexOf(cp) >= 0;
            safe.appendCodePoint(reserved ? '_' : cp);
        });
        String fileName = safe.toString().strip().replaceAll("^\\.+", "_");
        if (fileName.isEmpty()) {
            fileName = "value";
        }
        StringBuilder ascii = new StringBuilder();
        StringBuilder encoded = new StringBuilder();
        for (byte b : fileName.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-._~".indexOf(c) >= 0;
            encoded.append(plain ? String.valueOf((char) c) : String.format("%%%02X", c));
        }
        fileName.chars().forEach(c -> ascii.append(c >= 0x20 && c < 0x7F && c != '%' ? (char) c : '_'));
        return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
    }

    /** Classic 16-bytes-a-line dump (offset, hex, ASCII) of the first {@code limit} bytes. */
    static String hexDump(byte[] bytes, int limit) {
        int n = Math.min(bytes.length, limit);
        StringBuilder sb = new StringBuilder(n * 4 + 16);
        for (int line = 0; line < n; line += 16) {
            sb.append(String.format("%08x  ", line));
            for (int i = line; i < line + 16; i++) {
                if (i < n) {
                    sb.append(HEX.toHexDigits(bytes[i])).append(' ');
                } else {
                    sb.append("   ");
                }
                if (i == line + 7) {
                    sb.append(' ');
                }
            }
            sb.append(" |");
            for (int i = line; i < Math.min(line + 16, n); i++) {
                int b = bytes[i] & 0xFF;
                sb.append(b >= 0x20 && b < 0x7F ? (char) b : '.');
            }
            sb.append("|\n");
        }
        return sb.toString();
    }
}
