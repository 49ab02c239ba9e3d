package io.ferrumdb.doc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Order-preserving encoding of JSON scalars: for two scalars of the same kind, the unsigned byte order of their
 * encodings is their value order, and two scalars are equal exactly when their encodings are equal. Encodings are
 * prefix-free (self-delimiting), so an index key can carry the document id right after the value.
 *
 * <ul>
 *   <li>null: {@code 0x10}. false: {@code 0x20}, true: {@code 0x21}.</li>
 *   <li>Numbers are exact decimals, written as {@code ±0.d1d2...dn × 10^E} with {@code d1 != 0} and
 *   {@code dn != 0}: tag {@code 0x32} (positive), then E as a sign-flipped big-endian long, then one byte
 *   {@code d+1} per digit, then {@code 0x00}. A larger exponent means a larger magnitude, and for equal exponents
 *   the digit strings compare lexicographically with the shorter one smaller. Zero is the single byte
 *   {@code 0x31}; a negative number is tag {@code 0x30} followed by the bitwise complement of its magnitude's
 *   bytes, which reverses their order. So 1, 1.0 and 1e0 encode identically and big integers and decimals keep
 *   their full precision.</li>
 *   <li>Strings: tag {@code 0x40}, then the code points in UTF-8 form (unpaired surrogates encoded like any
 *   other code point, as in WTF-8, so distinct strings never collide), byte {@code 0x00} escaped as
 *   {@code 0x00 0xFF}, then the terminator {@code 0x00 0x01}. Byte order is code-point order, and a string's
 *   encoding without its terminator is a byte prefix of another's exactly when it is a code-point prefix.</li>
 * </ul>
 */
final class ValueCodec {
    static final byte NULL = 0x10;
    static final byte FALSE = 0x20;
    static final byte TRUE = 0x21;
    static final byte NEGATIVE = 0x30;
    static final byte ZERO = 0x31;
    static final byte POSITIVE = 0x32;
    static final byte STRING = 0x40;

    /** The kinds, in their cross-kind sort order. */
    enum Kind {
        NULL(ValueCodec.NULL, ValueCodec.NULL),
        BOOLEAN(FALSE, TRUE),
        NUMBER(NEGATIVE, POSITIVE),
        STRING(ValueCodec.STRING, ValueCodec.STRING);

        final byte firstTag;
        final byte lastTag;

        Kind(byte firstTag, byte lastTag) {
            this.firstTag = firstTag;
            this.lastTag = lastTag;
        }

        static Kind ofTag(byte tag) {
            for (Kind k : values()) {
                if (tag >= k.firstTag && tag <= k.lastTag) {
                    return k;
                }
            }
            throw new IllegalStateException("not a value tag: " + tag);
        }
    }

    private ValueCodec() {
    }

    /** True for the JSON nodes that have an encoding: null, booleans, numbers and strings. */
    static boolean isScalar(JsonNode node) {
        return node.isNull() || node.isBoolean() || node.isNumber() || node.isTextual();
    }

    static byte[] encode(JsonNode scalar) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16);
        encode(scalar, out);
        return out.toByteArray();
    }

    static void encode(JsonNode scalar, ByteArrayOutputStream out) {
        if (scalar.isNull()) {
            out.write(NULL);
        } else if (scalar.isBoolean()) {
            out.write(scalar.booleanValue() ? TRUE : FALSE);
        } else if (scalar.isNumber()) {
            encodeNumber(scalar.decimalValue(), out);
        } else if (scalar.isTextual()) {
            out.write(STRING);
            writeStringBody(scalar.textValue(), out);
            out.write(0);
            out.write(1);
        } else {
            throw new IllegalArgumentException("not a JSON scalar: " + scalar.getNodeType());
        }
    }

    /** The encoding of every string that starts with {@code prefix}, minus what follows: tag and body only. */
    static byte[] stringPrefix(String prefix) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(prefix.length() + 1);
        out.write(STRING);
        writeStringBody(prefix, out);
        return out.toByteArray();
    }

    static Kind kind(byte[] encoded) {
        return Kind.ofTag(encoded[0]);
    }

    /** The scalar that {@code encoded} (one whole encoding) stands for; numbers come back as exact decimals. */
    static JsonNode decode(byte[] encoded) {
        byte tag = encoded[0];
        switch (tag) {
            case NULL:
                return NullNode.instance;
            case FALSE:
                return BooleanNode.FALSE;
            case TRUE:
                return BooleanNode.TRUE;
            case ZERO:
                return DecimalNode.valueOf(BigDecimal.ZERO);
            case POSITIVE, NEGATIVE: {
                int flip = tag == NEGATIVE ? 0xFF : 0;
                long sortable = 0;
                for (int i = 1; i <= Long.BYTES; i++) {
                    sortable = sortable << 8 | (encoded[i] & 0xFF ^ flip);
                }
                long exponent = sortable ^ Long.MIN_VALUE;
                StringBuilder digits = new StringBuilder();
                for (int i = 1 + Long.BYTES; i < encoded.length - 1; i++) {
                    digits.append((char) ('0' + (encoded[i] & 0xFF ^ flip) - 1));
                }
                BigDecimal magnitude = new BigDecimal(new BigInteger(digits.toString()),
                        Math.toIntExact(digits.length() - exponent));
                return DecimalNode.valueOf(tag == NEGATIVE ? magnitude.negate() : magnitude);
            }
            case STRING: {
                ByteArrayOutputStream utf8 = new ByteArrayOutputStream(encoded.length);
                for (int i = 1; i < encoded.length - 2; i++) {
                    utf8.write(encoded[i]);
                    if (encoded[i] == 0) {
                        i++;
                    }
                }
                return TextNode.valueOf(decodeWtf8(utf8.toByteArray()));
            }
            default:
                throw new IllegalStateException("not a value tag: " + tag);
        }
    }

    private static String decodeWtf8(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length);
        for (int i = 0; i < b.length; ) {
            int lead = b[i] & 0xFF;
            int cp;
            int n;
            if (lead < 0x80) {
                cp = lead;
                n = 1;
            } else if (lead < 0xE0) {
                cp = lead & 0x1F;
                n = 2;
            } else if (lead < 0xF0) {
                cp = lead & 0x0F;
                n = 3;
            } else {
                cp = lead & 0x07;
                n = 4;
            }
            for (int k = 1; k < n; k++) {
                cp = cp << 6 | b[i + k] & 0x3F;
            }
            sb.appendCodePoint(cp);
            i += n;
        }
        return sb.toString();
    }

    /** The offset just past the encoded value that starts at {@code offset}. */
    static int end(byte[] b, int offset) {
        byte tag = b[offset];
        switch (tag) {
            case NULL, FALSE, TRUE, ZERO:
                return offset + 1;
            case POSITIVE, NEGATIVE: {
                byte terminator = tag == POSITIVE ? 0 : (byte) 0xFF;
                int i = offset + 1 + Long.BYTES;
                while (b[i] != terminator) {
                    i++;
                }
                return i + 1;
            }
            case STRING: {
                int i = offset + 1;
                while (true) {
                    if (b[i] == 0) {
                        if (b[i + 1] == 1) {
                            return i + 2;
                        }
                        i += 2;
                    } else {
                        i++;
                    }
                }
            }
            default:
                throw new IllegalStateException("not a value tag at offset " + offset + ": " + tag);
        }
    }

    private static void encodeNumber(BigDecimal value, ByteArrayOutputStream out) {
        int signum = value.signum();
        if (signum == 0) {
            out.write(ZERO);
            return;
        }
        String digits = value.unscaledValue().abs().toString();
        int n = digits.length();
        // value = 0.digits × 10^(n - scale); trailing zeros change neither the value nor that exponent.
        long exponent = (long) n - value.scale();
        while (digits.charAt(n - 1) == '0') {
            n--;
        }
        int flip = signum < 0 ? 0xFF : 0;
        out.write(signum < 0 ? NEGATIVE : POSITIVE);
        long sortable = exponent ^ Long.MIN_VALUE;
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.write((int) (sortable >>> shift) & 0xFF ^ flip);
        }
        for (int i = 0; i < n; i++) {
            out.write((digits.charAt(i) - '0' + 1) ^ flip);
        }
        out.write(flip);
    }

    private static void writeStringBody(String s, ByteArrayOutputStream out) {
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == 0) {
                out.write(0);
                out.write(0xFF);
            } else if (cp < 0x80) {
                out.write(cp);
            } else if (cp < 0x800) {
                out.write(0xC0 | cp >>> 6);
                out.write(0x80 | cp & 0x3F);
            } else if (cp < 0x10000) {
                out.write(0xE0 | cp >>> 12);
                out.write(0x80 | cp >>> 6 & 0x3F);
                out.write(0x80 | cp & 0x3F);
            } else {
                out.write(0xF0 | cp >>> 18);
                out.write(0x80 | cp >>> 12 & 0x3F);
                out.write(0x80 | cp >>> 6 & 0x3F);
                out.write(0x80 | cp & 0x3F);
            }
        }
    }
}
