package io.ferrumdb.server;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The x87 80-bit {@code long double} that Redis computes INCRBYFLOAT and HINCRBYFLOAT in on x86-64 (a 64-bit
 * significand, exponents down to 2^-16445 and up to about 1.19e4932), emulated exactly: parsing as glibc's
 * {@code strtold} under Redis's {@code string2ld}, addition rounded to nearest-even, and printing as Redis's
 * {@code ld2string(LD_STR_HUMAN)} ({@code %.17Lf} with trailing zeros removed). A Java double gives other digits:
 * 0.1 + 0.2 is "0.3" in Redis but 0.30000000000000004 in double, 9223372036854775807 stays that in Redis but prints
 * as 9223372036854776000, and 1e400 is a valid increment in Redis but infinite in double.
 *
 * <p>A finite value is {@code (-1)^negative * significand * 2^exponent} with a significand of at most 64 bits.
 */
record LongDouble(boolean negative, BigInteger significand, int exponent, boolean infinite) {
    private static final int SIGNIFICAND_BITS = 64;
    /** The exponent of the smallest subnormal, 2^-16445: no value has a finer last bit. */
    private static final int MIN_EXPONENT = -16445;
    /** The largest exponent of a 64-bit significand: 2^16320 * (2^64 - 1) is the largest finite value. */
    private static final int MAX_EXPONENT = 16383 - 63;
    /** strtold's input buffer in string2ld (MAX_LONG_DOUBLE_CHARS): longer strings are not floats. */
    private static final int MAX_CHARS = 5 * 1024;
    /** Decimal exponents beyond these overflow or underflow whatever the digits (with a margin). */
    private static final int DECIMAL_EXPONENT_LIMIT = 4932 + 2 * MAX_CHARS;
    /** The same for binary exponents (a hexadecimal number has at most 4 bits per character). */
    private static final int BINARY_EXPONENT_LIMIT = 16445 + 8 * MAX_CHARS;

    private static final Pattern DECIMAL = Pattern.compile("([+-]?)(\\d*)(?:\\.(\\d*))?(?:[eE]([+-]?\\d+))?");
    private static final Pattern HEX =
            Pattern.compile("([+-]?)0[xX]([0-9a-fA-F]*)(?:\\.([0-9a-fA-F]*))?(?:[pP]([+-]?\\d+))?");
    private static final Pattern INFINITY = Pattern.compile("([+-]?)(?i:inf|infinity)");

    static final LongDouble ZERO = new LongDouble(false, BigInteger.ZERO, 0, false);

    /** An integer, exactly (every long fits a 64-bit significand). */
    static LongDouble of(long value) {
        return new LongDouble(value < 0, BigInteger.valueOf(value).abs(), 0, false);
    }

    /**
     * The value of {@code text} as string2ld reads it, or null when Redis would not call it a float: empty, longer
     * than 5 KiB, a leading space, anything after the number, NaN, or a nonzero number that overflows to infinity or
     * underflows to zero. Accepted as strtold does: decimal and hexadecimal ({@code 0x1p3}) forms, {@code inf} and
     * {@code infinity}.
     */
    static LongDouble parse(byte[] text) {
        if (text.length == 0 || text.length >= MAX_CHARS) {
            return null;
        }
        String s = new String(text, StandardCharsets.ISO_8859_1);
        Matcher m = INFINITY.matcher(s);
        if (m.matches()) {
            return new LongDouble(m.group(1).equals("-"), BigInteger.ZERO, 0, true);
        }
        m = HEX.matcher(s);
        if (m.matches()) {
            return parseDigits(m, 16);
        }
        m = DECIMAL.matcher(s);
        if (m.matches()) {
            return parseDigits(m, 10);
        }
        return null;
    }

    private static LongDouble parseDigits(Matcher m, int radix) {
        String whole = m.group(2);
        String fraction = m.group(3) == null ? "" : m.group(3);
        if (whole.isEmpty() && fraction.isEmpty()) {
            return null;
        }
        boolean negative = m.group(1).equals("-");
        BigInteger digits = new BigInteger(whole + fraction, radix);
        if (digits.signum() == 0) {
            return new LongDouble(negative, BigInteger.ZERO, 0, false);
        }
        long exponent = m.group(4) == null ? 0 : saturated(m.group(4));
        if (radix == 16) {
            // Each hexadecimal fraction digit is 4 bits; the exponent after p is binary.
            long binary = exponent - 4L * fraction.length();
            if (Math.abs(binary) > BINARY_EXPONENT_LIMIT) {
                return null; // overflow or underflow whatever the digits: ERANGE, which string2ld refuses
            }
            return round(negative, digits, BigInteger.ONE, (int) binary);
        }
        long decimal = exponent - fraction.length();
        if (decimal > DECIMAL_EXPONENT_LIMIT || decimal < -DECIMAL_EXPONENT_LIMIT) {
            return null; // overflow to infinity or underflow to zero: ERANGE, which string2ld refuses
        }
        BigInteger power = BigInteger.TEN.pow((int) Math.abs(decimal));
        return decimal >= 0 ? round(negative, digits.multiply(power), BigInteger.ONE, 0)
                : round(negative, digits, power, 0);
    }

    /** An exponent's digits as a long, saturated far beyond any exponent that could matter. */
    private static long saturated(String digits) {
        try {
            return Math.max(-1_000_000_000L, Math.min(1_000_000_000L, Long.parseLong(digits)));
        } catch (NumberFormatException tooLong) {
            return digits.startsWith("-") ? -1_000_000_000L : 1_000_000_000L;
        }
    }

    /**
     * {@code numerator / denominator * 2^scale} (positive) rounded to the nearest long double, ties to even; null
     * when it overflows or underflows to zero (strtold's ERANGE cases that string2ld refuses). For a sum, overflow is
     * infinity instead: see {@link #plus}.
     */
    private static LongDouble round(boolean negative, BigInteger numerator, BigInteger denominator, int scale) {
        // e: the exponent of the value's leading bit, floor(log2(numerator / denominator)) + scale.
        long e = (long) numerator.bitLength() - denominator.bitLength() + scale;
        if (compareScaled(numerator, denominator, scale, e) < 0) {
            e--;
        }
        if (e < MIN_EXPONENT - 1) {
            return null; // below half the smallest subnormal: rounds to zero
        }
        long shift = Math.max(e - (SIGNIFICAND_BITS - 1), MIN_EXPONENT);
        if (shift > MAX_EXPONENT) {
            return null;
        }
        // q = numerator / denominator * 2^(scale - shift), with its remainder for rounding.
        long up = scale - shift;
        BigInteger num = up >= 0 ? numerator.shiftLeft((int) up) : numerator;
        BigInteger den = up >= 0 ? denominator : denominator.shiftLeft((int) -up);
        BigInteger[] qr = num.divideAndRemainder(den);
        BigInteger q = qr[0];
        int half = qr[1].shiftLeft(1).compareTo(den);
        if (half > 0 || half == 0 && q.testBit(0)) {
            q = q.add(BigInteger.ONE);
        }
        if (q.bitLength() > SIGNIFICAND_BITS) {
            q = q.shiftRight(1);
            shift++;
        }
        if (shift > MAX_EXPONENT || q.signum() == 0) {
            return null;
        }
        return new LongDouble(negative, q, (int) shift, false);
    }

    /** Compares numerator / denominator * 2^scale with 2^e. */
    private static int compareScaled(BigInteger numerator, BigInteger denominator, long scale, long e) {
        long k = e - scale; // compare numerator with denominator * 2^k
        return k >= 0 ? numerator.compareTo(denominator.shiftLeft((int) k))
                : numerator.shiftLeft((int) -k).compareTo(denominator);
    }

    boolean isZero() {
        return !infinite && significand.signum() == 0;
    }

    /** The sum, rounded to nearest-even; infinite when it overflows (the caller reports NaN or Infinity). */
    LongDouble plus(LongDouble other) {
        if (infinite || other.infinite) {
            boolean nan = infinite && other.infinite && negative != other.negative;
            return nan ? null : infinite ? this : other;
        }
        int scale = Math.min(exponent, other.exponent);
        BigInteger a = signed().shiftLeft(exponent - scale);
        BigInteger b = other.signed().shiftLeft(other.exponent - scale);
        BigInteger sum = a.add(b);
        if (sum.signum() == 0) {
            // x + (-x) is +0 when rounding to nearest; -0 + -0 stays -0.
            return new LongDouble(negative && other.negative, BigInteger.ZERO, 0, false);
        }
        LongDouble rounded = round(sum.signum() < 0, sum.abs(), BigInteger.ONE, scale);
        return rounded != null ? rounded : new LongDouble(sum.signum() < 0, BigInteger.ZERO, 0, true);
    }

    private BigInteger signed() {
        return negative ? significand.negate() : significand;
    }

    /**
     * The value as Redis prints it (util.c {@code ld2string}, LD_STR_HUMAN): {@code %.17Lf}, which rounds the exact
     * binary value to 17 decimals (ties to even), then trailing zeros and a trailing point removed, and "-0" as "0".
     */
    String human() {
        if (infinite) {
            return negative ? "-inf" : "inf";
        }
        BigDecimal exact = exponent >= 0 ? new BigDecimal(significand.shiftLeft(exponent))
                : new BigDecimal(significand.multiply(BigInteger.valueOf(5).pow(-exponent)), -exponent);
        String text = exact.setScale(17, RoundingMode.HALF_EVEN).toPlainString();
        int end = text.length();
        while (text.charAt(end - 1) == '0') {
            end--;
        }
        if (text.charAt(end - 1) == '.') {
            end--;
        }
        text = text.substring(0, end);
        return negative && !text.equals("0") ? "-" + text : text;
    }
}
