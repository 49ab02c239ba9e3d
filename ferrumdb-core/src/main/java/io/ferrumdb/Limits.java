package io.ferrumdb;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** The documented size limits, checked at the API boundary so that bad input never reaches the log. */
public final class Limits {
    /** Largest key, in bytes. Keys are held in memory by the key directory. */
    public static final int MAX_KEY_SIZE = 65_535;
    /** Largest value, in bytes. */
    public static final int MAX_VALUE_SIZE = 64 << 20;
    /** Largest total of key and value bytes in one {@link WriteBatch}. */
    public static final long MAX_BATCH_BYTES = 256L << 20;
    /**
     * Longest TTL a front end accepts from a person (the CLI and its REPL, Studio, MCP's {@code kv_put}): 100
     * years. The engine's own {@code put} takes any positive TTL and records an expiry past the end of its clock
     * (epoch milliseconds in a long) as that end, which a typo of a few digits would reach unnoticed.
     */
    public static final Duration MAX_TTL = Duration.ofDays(36_500);
    /**
     * Why text given for a key, value, name or memory is refused when {@link #isUnicodeText} is false; front ends put
     * the field's name before it. {@link String#getBytes} would store {@code ?} in place of a lone surrogate:
     * another key, value or name than the one given, and two different ones could become one.
     */
    public static final String NOT_UNICODE_TEXT = "is not valid Unicode text: it holds a lone UTF-16 surrogate (such"
            + " as \\ud800 alone), which has no UTF-8 form";

    private Limits() {
    }

    /**
     * Whether {@code text} has a UTF-8 form: false exactly when it holds a lone UTF-16 surrogate (a JSON escape of
     * D800 to DFFF without its pair), see {@link #NOT_UNICODE_TEXT}.
     */
    public static boolean isUnicodeText(String text) {
        // The JDK's encoder refuses exactly the unpaired surrogates (a new encoder each call: encoders keep state).
        return StandardCharsets.UTF_8.newEncoder().canEncode(text);
    }

    static void checkKey(byte[] key) {
        if (key == null) {
            throw new IllegalArgumentException("key must not be null");
        }
        if (key.length > MAX_KEY_SIZE) {
            throw new IllegalArgumentException("key of " + key.length + " bytes exceeds the limit of "
                    + MAX_KEY_SIZE + " bytes (MAX_KEY_SIZE)");
        }
    }

    static void checkValue(byte[] value) {
        if (value == null) {
            throw new IllegalArgumentException("value must not be null");
        }
        if (value.length > MAX_VALUE_SIZE) {
            throw new IllegalArgumentException("value of " + value.length + " bytes exceeds the limit of "
                    + MAX_VALUE_SIZE + " bytes (MAX_VALUE_SIZE)");
        }
    }

    static void checkTtl(Duration ttl) {
        if (ttl == null) {
            throw new IllegalArgumentException("ttl must not be null");
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, got " + ttl);
        }
    }
}
