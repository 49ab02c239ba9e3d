package io.ferrumdb.doc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A condition on documents, built with the static factories and combined with {@link #and}, {@link #or} and
 * {@link #not}. Immutable and reusable across collections.
 *
 * <h2>Semantics</h2>
 * <ul>
 *   <li><b>Values of a path.</b> A path ({@code address.city}) reaches fields through objects and through arrays
 *   of objects; the values compared are the scalars reached, plus the scalar elements of every array reached.
 *   So {@code eq("tags", "math")} matches {@code {"tags":["math","art"]}}. A condition on a path holds when it
 *   holds for at least one of its values. Objects and arrays themselves are never compared.</li>
 *   <li><b>Operands</b> are JSON scalars: {@code null}, {@code Boolean}, {@code String}, any {@code Number}
 *   (finite) or a scalar {@code JsonNode}.</li>
 *   <li><b>Numbers</b> compare by exact decimal value: {@code 1}, {@code 1.0} and {@code 1e0} are equal, and big
 *   integers and decimals keep full precision. <b>Strings</b> compare by Unicode code point (the order of their
 *   UTF-8 bytes). {@code false < true}.</li>
 *   <li><b>Kinds never mix:</b> {@code "1"} does not equal {@code 1}, and a range ({@code gt/gte/lt/lte}) only
 *   matches values of its operand's kind.</li>
 *   <li><b>Missing is not null:</b> {@code eq(p, null)} matches an explicit {@code null} only;
 *   {@code exists(p)} is true when the path reaches anything, {@code null} included.</li>
 *   <li>{@code ne(p, v)} is {@code not(eq(p, v))}: it also matches documents without the field.</li>
 * </ul>
 */
public abstract class Filter {
    private Filter() {
    }

    /**
     * A filter written as JSON, for command lines, tools and language bindings. A field with a scalar is
     * equality; a field with an object applies operators, all of which must hold: {@code $eq $ne $gt $gte $lt
     * $lte} (a scalar), {@code $in} (an array), {@code $between} ({@code [from, toExclusive]}), {@code $startsWith}
     * (a string), {@code $exists} (true or false). {@code $and} and {@code $or} take arrays of filters, {@code $not}
     * a filter; several keys in one object must all hold; {@code {}} matches everything. The semantics are this
     * class's ({@code {"p": null}} matches an explicit null only). Example:
     * {@code {"address.city": "London", "age": {"$gte": 30, "$lt": 40}, "$or": [{"tags": "math"}, {"vip": true}]}}.
     *
     * @throws IllegalArgumentException naming what is wrong with {@code json}
     */
    public static Filter parse(String json) {
        return FilterJson.parse(json);
    }

    /**
     * {@link #parse(String)} of a filter already read into a Jackson tree, for callers that read it as part of a
     * larger request (the language bindings).
     *
     * @throws IllegalArgumentException naming what is wrong with {@code json}
     */
    public static Filter fromTree(JsonNode json) {
        return FilterJson.parse(json);
    }

    /** Matches every document. */
    public static Filter all() {
        return All.INSTANCE;
    }

    public static Filter eq(String path, Object value) {
        return new Eq(FieldPath.parse(path), Json.scalar(value));
    }

    /** {@code not(eq(path, value))}: true also when the path is missing. */
    public static Filter ne(String path, Object value) {
        return not(eq(path, value));
    }

    public static Filter gt(String path, Object value) {
        return new Range(FieldPath.parse(path), Op.GT, Json.scalar(value));
    }

    public static Filter gte(String path, Object value) {
        return new Range(FieldPath.parse(path), Op.GTE, Json.scalar(value));
    }

    public static Filter lt(String path, Object value) {
        return new Range(FieldPath.parse(path), Op.LT, Json.scalar(value));
    }

    public static Filter lte(String path, Object value) {
        return new Range(FieldPath.parse(path), Op.LTE, Json.scalar(value));
    }

    /**
     * One value of the path lies in {@code [fromInclusive, toExclusive)}; both bounds must be of one kind. Unlike
     * {@code and(gte(p, a), lt(p, b))}, which an array can satisfy with two different elements, the same value must
     * meet both bounds, so an index serves it with one bounded range scan.
     */
    public static Filter between(String path, Object fromInclusive, Object toExclusive) {
        FieldPath fp = FieldPath.parse(path);
        JsonNode from = Json.scalar(fromInclusive);
        JsonNode to = Json.scalar(toExclusive);
        Between b = new Between(fp, from, to);
        if (ValueCodec.kind(b.from) != ValueCodec.kind(b.to)) {
            throw new IllegalArgumentException("between(" + path + "): bounds " + Json.write(from) + " and "
                    + Json.write(to) + " are of different kinds");
        }
        return b;
    }

    /** A value of the path equals one of {@code values}; an empty list matches nothing. */
    public static Filter in(String path, Collection<?> values) {
        Objects.requireNonNull(values, "values");
        List<JsonNode> scalars = new ArrayList<>(values.size());
        for (Object v : values) {
            scalars.add(Json.scalar(v));
        }
        return new In(FieldPath.parse(path), scalars);
    }

    public static Filter in(String path, Object... values) {
        Objects.requireNonNull(values, "values");
        return in(path, Arrays.asList(values));
    }

    /** The path reaches a field, whatever its value ({@code null}, objects and arrays included). */
    public static Filter exists(String path) {
        return new Exists(FieldPath.parse(path));
    }

    /** A string value of the path starts with {@code prefix} (code-point prefix; case-sensitive). */
    public static Filter startsWith(String path, String prefix) {
        if (prefix == null) {
            throw new IllegalArgumentException("startsWith prefix must not be null");
        }
        return new StartsWith(FieldPath.parse(path), prefix);
    }

    /** All of {@code filters} hold; {@code and()} of nothing matches every document. */
    public static Filter and(Filter... filters) {
        return new And(list("and", filters));
    }

    /** At least one of {@code filters} holds; {@code or()} of nothing matches no document. */
    public static Filter or(Filter... filters) {
        return new Or(list("or", filters));
    }

    public static Filter not(Filter filter) {
        if (filter == null) {
            throw new IllegalArgumentException("not: filter must not be null");
        }
        return new Not(filter);
    }

    private static List<Filter> list(String op, Filter... filters) {
        if (filters == null) {
            throw new IllegalArgumentException(op + ": filters must not be null");
        }
        for (int i = 0; i < filters.length; i++) {
            if (filters[i] == null) {
                throw new IllegalArgumentException(op + ": filter " + i + " is null");
            }
        }
        return List.of(filters);
    }

    abstract boolean matches(JsonNode document);

    private static List<byte[]> encodedValues(FieldPath path, JsonNode document) {
        List<JsonNode> values = path.values(document);
        List<byte[]> encoded = new ArrayList<>(values.size());
        for (JsonNode v : values) {
            encoded.add(ValueCodec.encode(v));
        }
        return encoded;
    }

    private static String operand(JsonNode value) {
        return Json.write(value);
    }

    enum Op {
        GT("gt"), GTE("gte"), LT("lt"), LTE("lte");

        final String name;

        Op(String name) {
            this.name = name;
        }

        boolean accepts(int comparison) {
            return switch (this) {
                case GT -> comparison > 0;
                case GTE -> comparison >= 0;
                case LT -> comparison < 0;
                case LTE -> comparison <= 0;
            };
        }
    }

    static final class All extends Filter {
        static final All INSTANCE = new All();

        @Override
        boolean matches(JsonNode document) {
            return true;
        }

        @Override
        public String toString() {
            return "all()";
        }
    }

    /** A condition on the values of one path. */
    abstract static class OnPath extends Filter {
        final FieldPath path;

        OnPath(FieldPath path) {
            this.path = path;
        }
    }

    /** A condition that holds when it holds for at least one value of its path (see the class comment). */
    abstract static class OnValues extends OnPath {
        OnValues(FieldPath path) {
            super(path);
        }

        /** Whether one value of the path, in {@link ValueCodec}'s encoding, meets the condition. */
        abstract boolean accepts(byte[] value);

        @Override
        final boolean matches(JsonNode document) {
            for (byte[] v : encodedValues(path, document)) {
                if (accepts(v)) {
                    return true;
                }
            }
            return false;
        }
    }

    static final class Eq extends OnValues {
        final JsonNode value;
        final byte[] encoded;

        Eq(FieldPath path, JsonNode value) {
            super(path);
            this.value = value;
            this.encoded = ValueCodec.encode(value);
        }

        @Override
        boolean accepts(byte[] v) {
            return Arrays.equals(v, encoded);
        }

        @Override
        public String toString() {
            return "eq(" + path + ", " + operand(value) + ")";
        }
    }

    static final class In extends OnValues {
        final List<JsonNode> values;
        final List<byte[]> encoded;

        In(FieldPath path, List<JsonNode> values) {
            super(path);
            this.values = List.copyOf(values);
            this.encoded = values.stream().map(ValueCodec::encode).toList();
        }

        @Override
        boolean accepts(byte[] v) {
            for (byte[] e : encoded) {
                if (Arrays.equals(v, e)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String toString() {
            return values.stream().map(Filter::operand).collect(Collectors.joining(", ", "in(" + path
                    + (values.isEmpty() ? "" : ", "), ")"));
        }
    }

    static final class Range extends OnValues {
        final Op op;
        final JsonNode value;
        final byte[] encoded;
        final ValueCodec.Kind kind;

        Range(FieldPath path, Op op, JsonNode value) {
            super(path);
            this.op = op;
            this.value = value;
            this.encoded = ValueCodec.encode(value);
            this.kind = ValueCodec.kind(encoded);
        }

        @Override
        boolean accepts(byte[] v) {
            return ValueCodec.kind(v) == kind && op.accepts(Arrays.compareUnsigned(v, encoded));
        }

        @Override
        public String toString() {
            return op.name + "(" + path + ", " + operand(value) + ")";
        }
    }

    static final class Between extends OnValues {
        final JsonNode fromValue;
        final JsonNode toValue;
        final byte[] from;
        final byte[] to;

        Between(FieldPath path, JsonNode fromValue, JsonNode toValue) {
            super(path);
            this.fromValue = fromValue;
            this.toValue = toValue;
            this.from = ValueCodec.encode(fromValue);
            this.to = ValueCodec.encode(toValue);
        }

        @Override
        boolean accepts(byte[] v) {
            return Arrays.compareUnsigned(v, from) >= 0 && Arrays.compareUnsigned(v, to) < 0;
        }

        @Override
        public String toString() {
            return "between(" + path + ", " + operand(fromValue) + ", " + operand(toValue) + ")";
        }
    }

    static final class Exists extends OnPath {
        Exists(FieldPath path) {
            super(path);
        }

        @Override
        boolean matches(JsonNode document) {
            return !path.reach(document).isEmpty();
        }

        @Override
        public String toString() {
            return "exists(" + path + ")";
        }
    }

    static final class StartsWith extends OnValues {
        final String prefix;
        final byte[] encodedPrefix;

        StartsWith(FieldPath path, String prefix) {
            super(path);
            this.prefix = prefix;
            this.encodedPrefix = ValueCodec.stringPrefix(prefix);
        }

        @Override
        boolean accepts(byte[] v) {
            return v.length >= encodedPrefix.length
                    && Arrays.equals(v, 0, encodedPrefix.length, encodedPrefix, 0, encodedPrefix.length);
        }

        @Override
        public String toString() {
            return "startsWith(" + path + ", " + operand(TextNode.valueOf(prefix)) + ")";
        }
    }

    /** {@link And} or {@link Or} of several filters. */
    abstract static class Junction extends Filter {
        final List<Filter> filters;
        private final String name;

        Junction(String name, List<Filter> filters) {
            this.name = name;
            this.filters = filters;
        }

        @Override
        public String toString() {
            return filters.stream().map(Filter::toString).collect(Collectors.joining(", ", name + "(", ")"));
        }
    }

    static final class And extends Junction {
        And(List<Filter> filters) {
            super("and", filters);
        }

        @Override
        boolean matches(JsonNode document) {
            for (Filter f : filters) {
                if (!f.matches(document)) {
                    return false;
                }
            }
            return true;
        }
    }

    static final class Or extends Junction {
        Or(List<Filter> filters) {
            super("or", filters);
        }

        @Override
        boolean matches(JsonNode document) {
            for (Filter f : filters) {
                if (f.matches(document)) {
                    return true;
                }
            }
            return false;
        }
    }

    static final class Not extends Filter {
        final Filter filter;

        Not(Filter filter) {
            this.filter = filter;
        }

        @Override
        boolean matches(JsonNode document) {
            return !filter.matches(document);
        }

        @Override
        public String toString() {
            return "not(" + filter + ")";
        }
    }
}
