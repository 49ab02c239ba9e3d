package io.ferrumdb.server;

import io.netty.buffer.ByteBuf;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Numbers as Redis reads and prints them: integers are strict (util.c {@code string2ll}: optional minus, no plus,
 * no leading zeros, no spaces, within 64 bits), floats reject spaces and NaN, and floats print in the shortest
 * form without an exponent or trailing zeros (INCRBYFLOAT's "human" format).
 */
final class Numbers {
    private static final Pattern FLOAT =
            Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?|[+-]?(?i:inf|infinity)");

    private Numbers() {
    }

    /** The integer in {@code bytes}, or null when it is not one Redis would accept. */
    static Long parseLong(byte[] bytes) {
        return parseLong(bytes, 0, bytes.length, (b, i) -> b[i]);
    }

    static Long parseLong(ByteBuf buf, int from, int to) {
        return parseLong(buf, from, to, ByteBuf::getByte);
    }

    private interface ByteAt<T> {
        byte at(T source, int index);
    }

    private static <T> Long parseLong(T src, int from, int to, ByteAt<T> at) {
        int len = to - from;
        if (len <= 0 || len > 20) {
            return null;
        }
        int p = from;
        boolean negative = false;
        if (at.at(src, p) == '-') {
            negative = true;
            p++;
            if (p == to) {
                return null;
            }
        }
        if (at.at(src, p) == '0') {
            return p + 1 == to && !negative ? 0L : null;
        }
        long value = 0;
        for (; p < to; p++) {
            int d = at.at(src, p) - '0';
            if (d < 0 || d > 9) {
                return null;
            }
            // Accumulate negatively so that Long.MIN_VALUE parses.
            if (value < (Long.MIN_VALUE + d) / 10) {
                return null;
            }
            value = value * 10 - d;
        }
        if (!negative) {
            if (value == Long.MIN_VALUE) {
                return null;
            }
            return -value;
        }
        return value;
    }

    /** The float in {@code bytes}, or null when it is not one Redis would accept (NaN is never accepted). */
    static Double parseDouble(byte[] bytes) {
        if (bytes.length == 0 || bytes.length > 5000) {
            return null;
        }
        String text = new String(bytes, StandardCharsets.US_ASCII);
        if (!FLOAT.matcher(text).matches()) {
            return null;
        }
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        if (lower.endsWith("inf") || lower.endsWith("infinity")) {
            return lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        return Double.parseDouble(text);
    }

    /** {@code value} in the shortest decimal form without exponent or trailing zeros: 3, 10.5, -0.1. */
    static String formatDouble(double value) {
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        if (value == 0) {
            return "0";
        }
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    /**
     * The INCR family's arithmetic (t_string.c, t_hash.c): {@code stored} (null when absent, counted as 0) plus
     * {@code by}; a stored value that is not an integer fails with {@code notInteger}, overflow with Redis's text.
     */
    static long increment(byte[] stored, long by, String notInteger) {
        long current = 0;
        if (stored != null) {
            Long parsed = parseLong(stored);
            if (parsed == null) {
                throw new CommandError(notInteger);
            }
            current = parsed;
        }
        try {
            return Math.addExact(current, by);
        } catch (ArithmeticException overflow) {
            throw new CommandError("ERR increment or decrement would overflow");
        }
    }

    /** INCRBYFLOAT / HINCRBYFLOAT: {@code stored} (null = 0) plus {@code by}, as the text Redis stores. */
    static byte[] incrementFloat(byte[] stored, double by, String notFloat) {
        double current = 0;
        if (stored != null) {
            Double parsed = parseDouble(stored);
            if (parsed == null) {
                throw new CommandError(notFloat);
            }
            current = parsed;
        }
        double result = current + by;
        if (Double.isNaN(result) || Double.isInfinite(result)) {
            throw new CommandError("ERR increment would produce NaN or Infinity");
        }
        return formatDouble(result).getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] ascii(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }
}
