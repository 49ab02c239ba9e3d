package io.ferrumdb.doc;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * An independent model of the documented query semantics, over plain Java values (Map, List, String, BigDecimal,
 * Boolean, null), written from Filter's javadoc without the module's code: the brute force that indexed queries
 * must agree with.
 */
final class Oracle {
    private Oracle() {
    }

    /** A test-side filter: the API filter it stands for and the model's verdict on a document. */
    interface Q {
        Filter toFilter();

        boolean test(Map<String, Object> doc);
    }

    record Eq(String path, Object value) implements Q {
        public Filter toFilter() {
            return Filter.eq(path, operand(value));
        }

        public boolean test(Map<String, Object> doc) {
            return values(doc, path).stream().anyMatch(v -> Integer.valueOf(0).equals(compare(v, value)));
        }
    }

    record Ne(String path, Object value) implements Q {
        public Filter toFilter() {
            return Filter.ne(path, operand(value));
        }

        public boolean test(Map<String, Object> doc) {
            return !new Eq(path, value).test(doc);
        }
    }

    record Cmp(String path, String op, Object value) implements Q {
        public Filter toFilter() {
            return switch (op) {
                case "gt" -> Filter.gt(path, operand(value));
                case "gte" -> Filter.gte(path, operand(value));
                case "lt" -> Filter.lt(path, operand(value));
                default -> Filter.lte(path, operand(value));
            };
        }

        public boolean test(Map<String, Object> doc) {
            for (Object v : values(doc, path)) {
                Integer c = compare(v, value);
                if (c != null && switch (op) {
                    case "gt" -> c > 0;
                    case "gte" -> c >= 0;
                    case "lt" -> c < 0;
                    default -> c <= 0;
                }) {
                    return true;
                }
            }
            return false;
        }
    }

    record In(String path, List<Object> values) implements Q {
        public Filter toFilter() {
            return Filter.in(path, values.stream().map(Oracle::operand).toList());
        }

        public boolean test(Map<String, Object> doc) {
            return values.stream().anyMatch(v -> new Eq(path, v).test(doc));
        }
    }

    record Between(String path, Object from, Object to) implements Q {
        public Filter toFilter() {
            return Filter.between(path, operand(from), operand(to));
        }

        public boolean test(Map<String, Object> doc) {
            for (Object v : values(doc, path)) {
                Integer lo = compare(v, from);
                Integer hi = compare(v, to);
                if (lo != null && hi != null && lo >= 0 && hi < 0) {
                    return true;
                }
            }
            return false;
        }
    }

    record Exists(String path) implements Q {
        public Filter toFilter() {
            return Filter.exists(path);
        }

        public boolean test(Map<String, Object> doc) {
            return !reach(doc, path).isEmpty();
        }
    }

    record Prefix(String path, String prefix) implements Q {
        public Filter toFilter() {
            return Filter.startsWith(path, prefix);
        }

        public boolean test(Map<String, Object> doc) {
            int[] p = prefix.codePoints().toArray();
            for (Object v : values(doc, path)) {
                if (v instanceof String s) {
                    int[] cps = s.codePoints().toArray();
                    if (cps.length >= p.length && Arrays.equals(Arrays.copyOf(cps, p.length), p)) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    record And(List<Q> parts) implements Q {
        public Filter toFilter() {
            return Filter.and(parts.stream().map(Q::toFilter).toArray(Filter[]::new));
        }

        public boolean test(Map<String, Object> doc) {
            return parts.stream().allMatch(q -> q.test(doc));
        }
    }

    record Or(List<Q> parts) implements Q {
        public Filter toFilter() {
            return Filter.or(parts.stream().map(Q::toFilter).toArray(Filter[]::new));
        }

        public boolean test(Map<String, Object> doc) {
            return parts.stream().anyMatch(q -> q.test(doc));
        }
    }

    record Not(Q part) implements Q {
        public Filter toFilter() {
            return Filter.not(part.toFilter());
        }

        public boolean test(Map<String, Object> doc) {
            return !part.test(doc);
        }
    }

    /** Numbers reach the API in several Java types, as users would pass them. */
    static Object operand(Object value) {
        if (value instanceof BigDecimal d) {
            if (d.scale() <= 0 && d.abs().compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) < 0) {
                return d.intValueExact();
            }
            if (d.precision() <= 15 && d.scale() > 0) {
                return d.doubleValue();
            }
        }
        return value;
    }

    static List<Object> reach(Object node, String path) {
        List<Object> out = new ArrayList<>();
        reach(node, path.split("\\."), 0, out);
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void reach(Object node, String[] segs, int i, List<Object> out) {
        if (i == segs.length) {
            out.add(node);
        } else if (node instanceof Map<?, ?> m) {
            if (m.containsKey(segs[i])) {
                reach(m.get(segs[i]), segs, i + 1, out);
            }
        } else if (node instanceof List<?> l) {
            for (Object e : l) {
                if (e instanceof Map) {
                    reach(e, segs, i, out);
                }
            }
        }
    }

    static List<Object> values(Object doc, String path) {
        List<Object> out = new ArrayList<>();
        for (Object r : reach(doc, path)) {
            if (r instanceof List<?> l) {
                l.stream().filter(Oracle::isScalar).forEach(out::add);
            } else if (isScalar(r)) {
                out.add(r);
            }
        }
        return out;
    }

    static boolean isScalar(Object o) {
        return o == null || o instanceof Boolean || o instanceof BigDecimal || o instanceof String;
    }

    static int rank(Object o) {
        if (o == null) {
            return 0;
        }
        if (o instanceof Boolean) {
            return 1;
        }
        return o instanceof BigDecimal ? 2 : 3;
    }

    /** The comparison of two scalars of one kind, or null across kinds. */
    static Integer compare(Object a, Object b) {
        if (rank(a) != rank(b)) {
            return null;
        }
        if (a == null) {
            return 0;
        }
        if (a instanceof Boolean x) {
            return Boolean.compare(x, (Boolean) b);
        }
        if (a instanceof BigDecimal x) {
            return Integer.signum(x.compareTo((BigDecimal) b));
        }
        return Integer.signum(Arrays.compare(((String) a).codePoints().toArray(), ((String) b).codePoints().toArray()));
    }

    /** Total order across kinds, for sorting. */
    static int total(Object a, Object b) {
        int r = Integer.compare(rank(a), rank(b));
        return r != 0 ? r : compare(a, b);
    }

    static final Comparator<String> ID_ORDER = (a, b) -> Arrays.compareUnsigned(
            a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    /** The smallest value, or the largest; by hand, as Stream.min rejects a null result. */
    private static Object extreme(List<Object> values, boolean largest) {
        Object best = values.get(0);
        for (Object v : values) {
            int c = total(v, best);
            if (largest ? c > 0 : c < 0) {
                best = v;
            }
        }
        return best;
    }

    /** The ids of {@code docs} matching, sorted by {@code sortPath} as FindOptions documents it, then paged. */
    static List<String> find(Map<String, Map<String, Object>> docs, Q q, String sortPath, boolean descending,
            int offset, int limit) {
        List<String> ids = new ArrayList<>(docs.keySet().stream().filter(id -> q.test(docs.get(id))).toList());
        Comparator<String> order = ID_ORDER;
        if (sortPath != null) {
            Comparator<String> byKey = (x, y) -> {
                List<Object> vx = values(docs.get(x), sortPath);
                List<Object> vy = values(docs.get(y), sortPath);
                if (vx.isEmpty() || vy.isEmpty()) {
                    return Boolean.compare(!vx.isEmpty(), !vy.isEmpty()) * (descending ? -1 : 1);
                }
                return total(extreme(vx, descending), extreme(vy, descending)) * (descending ? -1 : 1);
            };
            order = byKey.thenComparing(ID_ORDER);
        }
        ids.sort(order);
        return ids.stream().skip(offset).limit(limit).toList();
    }
}
