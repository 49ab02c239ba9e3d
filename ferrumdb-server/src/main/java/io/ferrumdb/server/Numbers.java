package io.ferrumdb.server;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Numbers as Redis reads and prints them: integers are strict (util.c {@code string2ll}: optional minus, no plus,
 * no leading zeros, no spaces, within 64 bits); floats are {@link LongDouble}s, as Redis's are.
 */
final class Numbers {
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

    /**
     * INCRBYFLOAT / HINCRBYFLOAT in Redis's long double arithmetic ({@link LongDouble}): {@code stored} (null = 0)
     * plus {@code by}, as the text Redis stores and replies.
     */
    static byte[] incrementFloat(byte[] stored, LongDouble by, String notFloat) {
        LongDouble current = LongDouble.ZERO;
        if (stored != null) {
            current = LongDouble.parse(stored);
            if (current == null) {
                throw new CommandError(notFloat);
            }
        }
        LongDouble result = current.plus(by);
        if (result == null || result.infinite()) {
            throw new CommandError("ERR increment would produce NaN or Infinity");
        }
        return result.human().getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] ascii(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }
}
