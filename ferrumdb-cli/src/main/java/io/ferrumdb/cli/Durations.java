package io.ferrumdb.cli;

import io.ferrumdb.Limits;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses durations written as {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 7d}, ISO-8601
 * {@code PT1H}, or a plain number, which counts seconds (as {@code SET ... EX 90} and {@code EXPIRE} do).
 */
final class Durations {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m|h|d|)");

    private Durations() {
    }

    static Duration parse(String text) {
        Matcher m = SIMPLE.matcher(text.trim());
        Duration d;
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                d = switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s", "" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            } else {
                d = Duration.parse(text.trim());
            }
        } catch (DateTimeParseException | NumberFormatException | ArithmeticException e) {
            throw CliException.usage("bad duration '" + text + "': use e.g. 90 (seconds), 500ms, 30s, 5m, 2h, 7d or PT1H");
        }
        if (d.isZero() || d.isNegative()) {
            throw CliException.usage("duration must be positive, got '" + text + "'");
        }
        return d;
    }

    /** A TTL as typed: a duration ({@link #parse}) no longer than {@link Limits#MAX_TTL}. */
    static Duration ttl(String text) {
        return withinTtlLimit(parse(text), text);
    }

    /**
     * {@code ttl} (typed as {@code text}), refused when longer than {@link Limits#MAX_TTL}: the engine would
     * record the expiry without complaint, capped at the end of its clock.
     */
    static Duration withinTtlLimit(Duration ttl, String text) {
        if (ttl.compareTo(Limits.MAX_TTL) > 0) {
            throw CliException.usage("TTL '" + text + "' exceeds the limit of " + Limits.MAX_TTL.toDays()
                    + " days (100 years)");
        }
        return ttl;
    }
}
