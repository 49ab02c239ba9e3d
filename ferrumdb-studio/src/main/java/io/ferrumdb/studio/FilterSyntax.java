package io.ferrumdb.studio;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferrumdb.doc.Filter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The query box's filter language: a JSON object in the style of MongoDB, turned into a {@link Filter}.
 * <pre>
 * {}                                          every document
 * {"address.city": "London"}                  eq (dot paths; a scalar value means equality)
 * {"age": {"$gte": 30, "$lt": 40}}            several operators on one path: all must hold
 * {"tags": {"$in": ["math", "art"]}}          $eq $ne $gt $gte $lt $lte $in $exists $startsWith $between
 * {"$or": [{...}, {...}]}                      $and, $or (lists), $not (one filter); several fields: all hold
 * </pre>
 * Comparison semantics are the document module's ({@link Filter}): kinds never mix, numbers compare by value.
 */
final class FilterSyntax {
    private FilterSyntax() {
    }

    /** The filter for {@code text}, or a 400 naming what is wrong. */
    static Filter parse(String text) {
        if (text == null || text.isBlank()) {
            return Filter.all();
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiException.badRequest("the filter is not valid JSON: " + e.getOriginalMessage());
        }
        return parse(node);
    }

    static Filter parse(JsonNode node) {
        try {
            return object(node, "the filter");
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("bad filter: " + e.getMessage());
        }
    }

    private static Filter object(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(where + " must be a JSON object such as {\"field\": value}");
        }
        List<Filter> parts = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode value = e.getValue();
            switch (name) {
                case "$and" -> parts.add(Filter.and(list(value, "$and")));
                case "$or" -> parts.add(Filter.or(list(value, "$or")));
                case "$not" -> parts.add(Filter.not(object(value, "$not")));
                default -> {
                    if (name.startsWith("$")) {
                        throw new IllegalArgumentException("unknown operator '" + name + "' at the top level "
                                + "(use $and, $or, $not, or a field path)");
                    }
                    parts.add(field(name, value));
                }
            }
        }
        return parts.size() == 1 ? parts.get(0) : Filter.and(parts.toArray(Filter[]::new));
    }

    private static Filter[] list(JsonNode value, String op) {
        if (!value.isArray()) {
            throw new IllegalArgumentException(op + " takes a list of filters, got " + value);
        }
        List<Filter> out = new ArrayList<>();
        for (JsonNode f : value) {
            out.add(object(f, "each filter of " + op));
        }
        return out.toArray(Filter[]::new);
    }

    private static Filter field(String path, JsonNode value) {
        if (!value.isObject()) {
            if (value.isArray()) {
                throw new IllegalArgumentException("'" + path + "': a list is not a value to compare; "
                        + "use {\"$in\": [...]} to match any of several values");
            }
            return Filter.eq(path, value);
        }
        if (value.isEmpty()) {
            throw new IllegalArgumentException("'" + path + "': an empty object is neither a value nor an operator");
        }
        List<Filter> parts = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            parts.add(operator(path, e.getKey(), e.getValue()));
        }
        return parts.size() == 1 ? parts.get(0) : Filter.and(parts.toArray(Filter[]::new));
    }

    private static Filter operator(String path, String op, JsonNode operand) {
        return switch (op) {
            case "$eq" -> Filter.eq(path, operand);
            case "$ne" -> Filter.ne(path, operand);
            case "$gt" -> Filter.gt(path, operand);
            case "$gte" -> Filter.gte(path, operand);
            case "$lt" -> Filter.lt(path, operand);
            case "$lte" -> Filter.lte(path, operand);
            case "$in" -> {
                if (!operand.isArray()) {
                    throw new IllegalArgumentException("'" + path + "': $in takes a list, got " + operand);
                }
                List<Object> values = new ArrayList<>();
                operand.forEach(values::add);
                yield Filter.in(path, values);
            }
            case "$exists" -> {
                if (!operand.isBoolean()) {
                    throw new IllegalArgumentException("'" + path + "': $exists takes true or false, got " + operand);
                }
                yield operand.asBoolean() ? Filter.exists(path) : Filter.not(Filter.exists(path));
            }
            case "$startsWith" -> {
                if (!operand.isTextual()) {
                    throw new IllegalArgumentException("'" + path + "': $startsWith takes a string, got " + operand);
                }
                yield Filter.startsWith(path, operand.asText());
            }
            case "$between" -> {
                if (!operand.isArray() || operand.size() != 2) {
                    throw new IllegalArgumentException("'" + path + "': $between takes [fromInclusive, toExclusive], "
                            + "got " + operand);
                }
                yield Filter.between(path, operand.get(0), operand.get(1));
            }
            default -> throw new IllegalArgumentException("'" + path + "': unknown operator '" + op + "' (known: $eq "
                    + "$ne $gt $gte $lt $lte $in $exists $startsWith $between)");
        };
    }
}
