package io.ferrumdb.bindings;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferrumdb.doc.Filter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link Filter} from the query objects the Python and Node.js bindings accept, written in the familiar
 * MongoDB style so that both bindings share one parser and one set of error messages:
 * <pre>
 * {}                                         every document
 * {"kind": "note", "user.city": "Lisbon"}    equality on dot paths, all must hold
 * {"age": {"$gte": 18, "$lt": 65}}           $eq $ne $gt $gte $lt $lte $in [..] $exists true|false $startsWith
 * {"$or": [{..}, {..}]}, {"$and": [..]}, {"$not": {..}}
 * </pre>
 * Operands are JSON scalars; the semantics (arrays, kinds, missing fields) are {@link Filter}'s.
 */
public final class DocumentFilters {
    private DocumentFilters() {
    }

    /**
     * The filter for {@code query}.
     *
     * @throws IllegalArgumentException naming the part of the query that is not understood
     */
    public static Filter parse(JsonNode query) {
        if (query == null || query.isNull()) {
            return Filter.all();
        }
        if (!query.isObject()) {
            throw new IllegalArgumentException("a query must be a JSON object, got " + query);
        }
        List<Filter> parts = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = query.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            parts.add(name.startsWith("$") ? logical(name, field.getValue()) : onPath(name, field.getValue()));
        }
        return parts.size() == 1 ? parts.get(0) : Filter.and(parts.toArray(Filter[]::new));
    }

    private static Filter logical(String op, JsonNode operand) {
        switch (op) {
            case "$and":
            case "$or": {
                if (!operand.isArray()) {
                    throw new IllegalArgumentException(op + " takes an array of queries, got " + operand);
                }
                Filter[] filters = new Filter[operand.size()];
                for (int i = 0; i < filters.length; i++) {
                    filters[i] = parse(operand.get(i));
                }
                return op.equals("$and") ? Filter.and(filters) : Filter.or(filters);
            }
            case "$not":
                if (!operand.isObject()) {
                    throw new IllegalArgumentException("$not takes a query object, got " + operand);
                }
                return Filter.not(parse(operand));
            default:
                throw new IllegalArgumentException("unknown query operator " + op
                        + " (top level: $and, $or, $not; on a path: $eq, $ne, $gt, $gte, $lt, $lte, $in, $exists, "
                        + "$startsWith)");
        }
    }

    private static Filter onPath(String path, JsonNode condition) {
        if (!isOperatorObject(path, condition)) {
            return Filter.eq(path, condition);
        }
        List<Filter> parts = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = condition.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> op = it.next();
            parts.add(operator(path, op.getKey(), op.getValue()));
        }
        return parts.size() == 1 ? parts.get(0) : Filter.and(parts.toArray(Filter[]::new));
    }

    /** True for {"$gt": ..}-style conditions; objects without operators are not comparable values. */
    private static boolean isOperatorObject(String path, JsonNode condition) {
        if (!condition.isObject() || condition.isEmpty()) {
            return false;
        }
        boolean operators = false;
        boolean fields = false;
        for (Iterator<String> names = condition.fieldNames(); names.hasNext(); ) {
            if (names.next().startsWith("$")) {
                operators = true;
            } else {
                fields = true;
            }
        }
        if (operators && fields) {
            throw new IllegalArgumentException("the condition on '" + path + "' mixes $operators and fields: "
                    + condition);
        }
        return operators;
    }

    private static Filter operator(String path, String op, JsonNode operand) {
        switch (op) {
            case "$eq":
                return Filter.eq(path, operand);
            case "$ne":
                return Filter.ne(path, operand);
            case "$gt":
                return Filter.gt(path, operand);
            case "$gte":
                return Filter.gte(path, operand);
            case "$lt":
                return Filter.lt(path, operand);
            case "$lte":
                return Filter.lte(path, operand);
            case "$in": {
                if (!operand.isArray()) {
                    throw new IllegalArgumentException("$in on '" + path + "' takes an array, got " + operand);
                }
                List<Object> values = new ArrayList<>(operand.size());
                operand.forEach(values::add);
                return Filter.in(path, values);
            }
            case "$exists":
                if (!operand.isBoolean()) {
                    throw new IllegalArgumentException("$exists on '" + path + "' takes true or false, got "
                            + operand);
                }
                return operand.booleanValue() ? Filter.exists(path) : Filter.not(Filter.exists(path));
            case "$startsWith":
                if (!operand.isTextual()) {
                    throw new IllegalArgumentException("$startsWith on '" + path + "' takes a string, got "
                            + operand);
                }
                return Filter.startsWith(path, operand.textValue());
            default:
                throw new IllegalArgumentException("unknown operator " + op + " on '" + path
                        + "' (use $eq, $ne, $gt, $gte, $lt, $lte, $in, $exists or $startsWith)");
        }
    }
}
