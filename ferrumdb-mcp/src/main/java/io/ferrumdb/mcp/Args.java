package io.ferrumdb.mcp;

import io.ferrumdb.Limits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Typed access to the arguments of one tool call. The SDK hands them over as parsed JSON (maps, lists, strings,
 * numbers, booleans); every getter checks the type and names the argument when it is wrong, and unknown
 * arguments are refused so that a misspelt one is not silently ignored.
 */
final class Args {
    private final Map<String, Object> values;

    Args(Map<String, Object> values, Set<String> known) {
        this.values = values == null ? Map.of() : values;
        for (String name : this.values.keySet()) {
            if (!known.contains(name)) {
                throw new ToolInputException(name, "unknown argument; this tool takes " + String.join(", ",
                        known.stream().sorted().toList()));
            }
        }
    }

    boolean has(String name) {
        return values.get(name) != null;
    }

    String string(String name) {
        Object v = values.get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw new ToolInputException(name, "must be a string, got " + describe(v));
        }
        return unicode(name, s);
    }

    /**
     * {@code s} when it is valid Unicode text. An unpaired surrogate escape (JSON's backslash-u D800 to DFFF alone)
     * has no UTF-8 form: stored, it became {@code ?}, another key, value or memory than the one given.
     */
    private static String unicode(String name, String s) {
        if (!Limits.isUnicodeText(s)) {
            throw new ToolInputException(name, Limits.NOT_UNICODE_TEXT);
        }
        return s;
    }

    String requiredString(String name) {
        String s = string(name);
        if (s == null) {
            throw new ToolInputException(name, "is required");
        }
        return s;
    }

    /** A whole number; null when absent. */
    Long wholeNumber(String name) {
        Object v = values.get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Number n)) {
            throw new ToolInputException(name, "must be a number, got " + describe(v));
        }
        double d = n.doubleValue();
        if (d != Math.rint(d) || Double.isInfinite(d)) {
            throw new ToolInputException(name, "must be a whole number, got " + n);
        }
        if (Math.abs(d) > 1e15) {
            // Past 2^53 a JSON number may already have lost digits on the way; no argument needs one that large.
            throw new ToolInputException(name, n + " is out of range: at most 15 digits");
        }
        return n.longValue();
    }

    /** A whole number in [min, max], or {@code fallback} when absent. */
    int intInRange(String name, int fallback, int min, int max) {
        Long v = wholeNumber(name);
        if (v == null) {
            return fallback;
        }
        if (v < min || v > max) {
            throw new ToolInputException(name, v + " is out of range: give " + min + " to " + max);
        }
        return v.intValue();
    }

    List<String> strings(String name) {
        Object v = values.get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof List<?> list)) {
            throw new ToolInputException(name, "must be an array of strings, got " + describe(v));
        }
        List<String> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String s)) {
                throw new ToolInputException(name + "[" + i + "]", "must be a string, got " + describe(list.get(i)));
            }
            out.add(unicode(name + "[" + i + "]", s));
        }
        return out;
    }

    float[] vector(String name) {
        Object v = values.get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof List<?> list)) {
            throw new ToolInputException(name, "must be an array of numbers, got " + describe(v));
        }
        float[] out = new float[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Number n)) {
                throw new ToolInputException(name + "[" + i + "]", "must be a number, got " + describe(list.get(i)));
            }
            out[i] = n.floatValue();
            if (Float.isInfinite(out[i]) && Double.isFinite(n.doubleValue())) {
                throw new ToolInputException(name + "[" + i + "]", n + " is out of range: vectors are kept as "
                        + "32-bit floats, at most " + Float.MAX_VALUE + " in size");
            }
        }
        return out;
    }

    /** A JSON object argument, returned as parsed JSON; null when absent. */
    Map<?, ?> object(String name) {
        Object v = values.get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Map<?, ?> map)) {
            throw new ToolInputException(name, "must be a JSON object, got " + describe(v));
        }
        return map;
    }

    /** The raw JSON value of an argument that may be an object or a string holding JSON. */
    Object raw(String name) {
        return values.get(name);
    }

    private static String describe(Object v) {
        if (v instanceof String) {
            return "a string";
        }
        if (v instanceof Number) {
            return "a number";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        if (v instanceof List) {
            return "an array";
        }
        if (v instanceof Map) {
            return "an object";
        }
        return v.getClass().getSimpleName();
    }
}
