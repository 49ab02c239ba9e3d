package io.ferrumdb.doc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.ferrumdb.ProblemWording;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** The JSON query syntax of {@link Filter#parse(String)}. */
final class FilterJson {
    private FilterJson() {
    }

    static Filter parse(String json) {
        if (json == null) {
            throw new IllegalArgumentException("filter JSON must not be null");
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("invalid filter JSON: "
                    + ProblemWording.jsonSyntax(e.getOriginalMessage()), e);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid filter JSON: " + Json.numberProblem(e), e);
        }
        if (node == null || node.isMissingNode()) {
            throw new IllegalArgumentException("invalid filter JSON: empty input");
        }
        return parse(node);
    }

    static Filter parse(JsonNode node) {
        if (node == null) {
            throw new IllegalArgumentException("filter JSON must not be null");
        }
        return object(node, "filter");
    }

    private static Filter object(JsonNode node, String where) {
        if (!node.isObject()) {
            throw new IllegalArgumentException(where + " must be a JSON object, got " + Json.kindName(node));
        }
        List<Filter> all = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode value = e.getValue();
            switch (key) {
                case "$and" -> all.add(Filter.and(list(value, "$and")));
                case "$or" -> all.add(Filter.or(list(value, "$or")));
                case "$not" -> all.add(Filter.not(object(value, "$not")));
                default -> {
                    if (key.startsWith("$")) {
                        throw new IllegalArgumentException("unknown filter operator '" + key
                                + "' at the top level (use $and, $or, $not, or a field path)");
                    }
                    all.add(field(key, value));
                }
            }
        }
        return all.size() == 1 ? all.get(0) : Filter.and(all.toArray(Filter[]::new));
    }

    private static Filter[] list(JsonNode value, String op) {
        if (!value.isArray()) {
            throw new IllegalArgumentException(op + " takes an array of filters, got " + Json.kindName(value));
        }
        Filter[] out = new Filter[value.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = object(value.get(i), op + "[" + i + "]");
        }
        return out;
    }

    /** {@code "path": scalar} is equality; {@code "path": {"$op": operand, ...}} is the and of the operators. */
    private static Filter field(String path, JsonNode value) {
        if (!value.isObject()) {
            return Filter.eq(path, value);
        }
        List<Filter> conditions = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode operand = e.getValue();
            conditions.add(switch (e.getKey()) {
                case "$eq" -> Filter.eq(path, operand);
                case "$ne" -> Filter.ne(path, operand);
                case "$gt" -> Filter.gt(path, operand);
                case "$gte" -> Filter.gte(path, operand);
                case "$lt" -> Filter.lt(path, operand);
                case "$lte" -> Filter.lte(path, operand);
                case "$in" -> Filter.in(path, elements(operand, "$in", path));
                case "$between" -> {
                    List<JsonNode> bounds = elements(operand, "$between", path);
                    if (bounds.size() != 2) {
                        throw new IllegalArgumentException("$between on '" + path
                                + "' takes [fromInclusive, toExclusive], got " + operand);
                    }
                    yield Filter.between(path, bounds.get(0), bounds.get(1));
                }
                case "$startsWith" -> {
                    if (!operand.isTextual()) {
                        throw new IllegalArgumentException("$startsWith on '" + path + "' takes a string, got "
                                + Json.kindName(operand));
                    }
                    yield Filter.startsWith(path, operand.textValue());
                }
                case "$exists" -> {
                    if (!operand.isBoolean()) {
                        throw new IllegalArgumentException("$exists on '" + path + "' takes true or false, got "
                                + Json.kindName(operand));
                    }
                    yield operand.booleanValue() ? Filter.exists(path) : Filter.not(Filter.exists(path));
                }
                default -> throw new IllegalArgumentException(e.getKey().startsWith("$")
                        ? "unknown operator '" + e.getKey() + "' on '" + path
                                + "' (known: $eq $ne $gt $gte $lt $lte $in $between $startsWith $exists)"
                        : "the condition on '" + path + "' has field '" + e.getKey() + "' where an operator "
                                + "($eq, $gt, ...) belongs; objects are not values a filter can compare: reach "
                                + "into them with a dot path ('" + path + "." + e.getKey() + "')");
            });
        }
        if (conditions.isEmpty()) {
            throw new IllegalArgumentException("'" + path + "' has an empty operator object; objects are not "
                    + "values a filter can compare");
        }
        return conditions.size() == 1 ? conditions.get(0) : Filter.and(conditions.toArray(Filter[]::new));
    }

    private static List<JsonNode> elements(JsonNode operand, String op, String path) {
        if (!operand.isArray()) {
            throw new IllegalArgumentException(op + " on '" + path + "' takes an array, got "
                    + Json.kindName(operand));
        }
        List<JsonNode> out = new ArrayList<>(operand.size());
        operand.forEach(out::add);
        return out;
    }
}
