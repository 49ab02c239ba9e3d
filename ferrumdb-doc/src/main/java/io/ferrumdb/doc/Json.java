package io.ferrumdb.doc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.ferrumdb.ProblemWording;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * The one Jackson configuration of the module. Documents are parsed strictly (duplicate keys and trailing content
 * are errors) with floating-point numbers as exact {@link BigDecimal}s, so that "0.1" is compared and indexed as
 * 0.1, not as the nearest double, and written back as given.
 */
final class Json {
    /** Largest stored (compact UTF-8) document. */
    static final int MAX_DOCUMENT_BYTES = 16 << 20;

    /**
     * Deepest nesting of objects and arrays in a document, the top-level object counting as 1: Jackson's default
     * limit for reading text ({@code StreamReadConstraints}), held for trees built in code too.
     */
    static final int MAX_DEPTH = StreamReadConstraints.DEFAULT_MAX_DEPTH;

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    /**
     * Maps POJOs to trees. Unlike {@link #MAPPER} it keeps a {@code float} or {@code double} field as a binary
     * node, which is written as the shortest decimal that reads back as it: a {@code float} 0.1f is stored as 0.1,
     * as {@code Filter.eq(path, 0.1f)} means it. {@link #MAPPER}'s big-decimal reading would widen the float to
     * the double 0.10000000149011612 first, and no query for 0.1f would find it.
     */
    private static final ObjectMapper POJO_MAPPER =
            MAPPER.copy().disable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private Json() {
    }

    /** Parses a document given as text; it must be a JSON object. */
    static ObjectNode parseDocument(String json) {
        if (json == null) {
            throw new IllegalArgumentException("document JSON must not be null");
        }
        // Refused unparsed: only whitespace could shrink text this long under the limit.
        if (json.length() > 4L * MAX_DOCUMENT_BYTES) {
            throw tooLarge(json.length() + " characters");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("invalid JSON document: "
                    + ProblemWording.jsonSyntax(e.getOriginalMessage()), e);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid JSON document: " + numberProblem(e), e);
        }
        return requireObject(node);
    }

    /** Parses stored bytes, which were validated when written. */
    static ObjectNode parseStored(byte[] bytes, int offset) {
        try {
            return (ObjectNode) MAPPER.readTree(bytes, offset, bytes.length - offset);
        } catch (IOException e) {
            throw new IllegalStateException("stored document is not valid JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Jackson's complaint about a number whose exponent no {@link BigDecimal} holds ("1e9999999999"), which it
     * throws as a bare NumberFormatException rather than a parse error.
     */
    static String numberProblem(NumberFormatException e) {
        return "number out of range: " + e.getMessage();
    }

    static ObjectNode requireObject(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            throw new IllegalArgumentException("invalid JSON document: empty input");
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("a document must be a JSON object, got " + kindName(node));
        }
        return (ObjectNode) node;
    }

    /** A POJO (or Map, or JsonNode) as a document tree, mapped the way Jackson maps it by default. */
    static ObjectNode fromObject(Object value) {
        if (value == null) {
            throw new IllegalArgumentException("document must not be null");
        }
        JsonNode node;
        try {
            node = POJO_MAPPER.valueToTree(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot map " + value.getClass().getName() + " to JSON: "
                    + e.getMessage(), e);
        } catch (StackOverflowError e) {
            // Jackson maps Maps and collections by recursion without a depth limit, so a Map nested some thousands
            // deep, or one that contains itself, overflows the stack; the mapping has no side effect to undo.
            // (Jackson catches it the same way for beans: "Infinite recursion (StackOverflowError)".)
            throw new IllegalArgumentException("cannot map " + value.getClass().getName() + " to JSON: it nests"
                    + " too deeply to map (documents are limited to " + MAX_DEPTH + " levels of objects and"
                    + " arrays), or it contains itself", e);
        }
        return requireObject(node);
    }

    /**
     * The compact UTF-8 form of a document, checked against the size limit, and re-parsed from that form so that
     * what is indexed is exactly what is stored (a JsonNode built in code may hold doubles, binary or POJO nodes
     * that read back differently).
     */
    static byte[] serialize(ObjectNode document) {
        byte[] bytes;
        try {
            bytes = MAPPER.writeValueAsBytes(document);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("document cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
        if (bytes.length > MAX_DOCUMENT_BYTES) {
            throw tooLarge(bytes.length + " bytes");
        }
        return bytes;
    }

    /**
     * Refuses what a tree built in code (a {@code JsonNode} or a mapped POJO) may hold but JSON text may not, naming
     * it: a NaN or infinite number (with its path; Jackson would write one as the string "NaN", storing a string
     * where the caller gave a number, and the language bindings refuse them the same way), and nesting deeper than
     * {@link #MAX_DEPTH}, the limit the parser sets on text. It walks the tree without recursion, so a tree of any
     * depth gets this answer rather than a StackOverflowError.
     */
    static void requireWritable(JsonNode root) {
        Deque<Step> todo = new ArrayDeque<>();
        todo.push(new Step(root, null, "", 1));
        while (!todo.isEmpty()) {
            Step step = todo.pop();
            JsonNode node = step.node();
            if (node.isFloatingPointNumber() && !node.isBigDecimal() && !Double.isFinite(node.doubleValue())) {
                throw new IllegalArgumentException("document cannot be written as JSON: " + node.asText() + " at "
                        + step.path() + "; JSON has no NaN or Infinity");
            }
            if (node.isContainerNode() && step.depth() > MAX_DEPTH) {
                throw tooDeep();
            }
            // Pushed last to first, so that the first problem in document order is the one reported.
            List<Map.Entry<String, JsonNode>> children = new ArrayList<>();
            if (node.isObject()) {
                node.fields().forEachRemaining(children::add);
            } else if (node.isArray()) {
                for (int i = 0; i < node.size(); i++) {
                    children.add(Map.entry("[" + i + "]", node.get(i)));
                }
            }
            for (int i = children.size() - 1; i >= 0; i--) {
                Map.Entry<String, JsonNode> child = children.get(i);
                todo.push(new Step(child.getValue(), step, child.getKey(), step.depth() + 1));
            }
        }
    }

    /** A node met by {@link #requireWritable}: its path is made only for the message of a refused one. */
    private record Step(JsonNode node, Step parent, String name, int depth) {
        String path() {
            if (parent == null) {
                return name;
            }
            String above = parent.path();
            return above.isEmpty() || name.startsWith("[") ? above + name : above + "." + name;
        }
    }

    private static IllegalArgumentException tooDeep() {
        return new IllegalArgumentException("document nests objects and arrays more than " + MAX_DEPTH
                + " levels deep, over the limit");
    }

    static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** A filter operand as a JSON scalar node. */
    static JsonNode scalar(Object value) {
        if (value == null) {
            return NullNode.instance;
        }
        if (value instanceof JsonNode node) {
            if (!ValueCodec.isScalar(node)) {
                throw new IllegalArgumentException("filter values must be JSON scalars (null, boolean, number, "
                        + "string), got " + kindName(node));
            }
            if (node.isFloatingPointNumber() && !node.isBigDecimal()) {
                if (!Double.isFinite(node.doubleValue())) {
                    throw new IllegalArgumentException("filter value " + node + " is not a finite number");
                }
                // The decimal it prints, as a document stores it: a FloatNode 0.1f means 0.1, not its double.
                return DecimalNode.valueOf(new BigDecimal(node.asText()));
            }
            return node;
        }
        if (value instanceof String s) {
            return TextNode.valueOf(s);
        }
        if (value instanceof Character c) {
            return TextNode.valueOf(c.toString());
        }
        if (value instanceof Boolean b) {
            return BooleanNode.valueOf(b);
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return LongNode.valueOf(((Number) value).longValue());
        }
        if (value instanceof BigInteger b) {
            return BigIntegerNode.valueOf(b);
        }
        if (value instanceof BigDecimal d) {
            return DecimalNode.valueOf(d);
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (!Double.isFinite(d)) {
                throw new IllegalArgumentException("filter value " + value + " is not a finite number");
            }
            // The shortest decimal that reads back as this double (0.1 means 0.1), as in the parsed documents.
            return DecimalNode.valueOf(new BigDecimal(value.toString()));
        }
        throw new IllegalArgumentException("unsupported filter value type " + value.getClass().getName()
                + " (use null, Boolean, String, a Number or a scalar JsonNode)");
    }

    static String kindName(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static IllegalArgumentException tooLarge(String size) {
        return new IllegalArgumentException("document of " + size + " exceeds the limit of " + MAX_DOCUMENT_BYTES
                + " bytes (16 MiB of compact UTF-8 JSON)");
    }
}
