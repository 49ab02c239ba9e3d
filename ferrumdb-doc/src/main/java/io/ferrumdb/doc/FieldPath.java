package io.ferrumdb.doc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A validated dot path such as {@code address.city}. Resolution descends through objects by field name; where it
 * meets an array it applies the rest of the path to every element that is an object, so {@code items.sku} reaches
 * the {@code sku} of each item. A path never indexes into an array by position: a segment {@code 0} is the field
 * named "0". Field names that contain a dot cannot be addressed.
 */
final class FieldPath {
    /** Longest path, in UTF-8 bytes; it is part of every index key. */
    static final int MAX_BYTES = 1024;

    private final String text;
    private final String[] segments;

    private FieldPath(String text, String[] segments) {
        this.text = text;
        this.segments = segments;
    }

    static FieldPath parse(String path) {
        if (path == null) {
            throw new IllegalArgumentException("path must not be null");
        }
        Names.checkText("path", path, MAX_BYTES);
        String[] segments = path.split("\\.", -1);
        for (int i = 0; i < segments.length; i++) {
            if (segments[i].isEmpty()) {
                throw new IllegalArgumentException("path '" + path + "' has an empty segment at position " + (i + 1)
                        + " (leading, trailing or doubled dot)");
            }
        }
        return new FieldPath(path, segments);
    }

    String text() {
        return text;
    }

    /** The nodes the path reaches in {@code document}: empty when the field is missing. */
    List<JsonNode> reach(JsonNode document) {
        List<JsonNode> reached = new ArrayList<>(1);
        reach(document, 0, reached);
        return reached;
    }

    private void reach(JsonNode node, int segment, List<JsonNode> reached) {
        if (segment == segments.length) {
            reached.add(node);
        } else if (node.isObject()) {
            JsonNode child = node.get(segments[segment]);
            if (child != null) {
                reach(child, segment + 1, reached);
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                if (element.isObject()) {
                    reach(element, segment, reached);
                }
            }
        }
    }

    /**
     * The scalar values a filter compares against: each reached scalar, and each scalar element of each reached
     * array. Objects and nested arrays are not values (they count only for {@code exists}).
     */
    List<JsonNode> values(JsonNode document) {
        List<JsonNode> values = new ArrayList<>(1);
        for (JsonNode node : reach(document)) {
            if (node.isArray()) {
                for (JsonNode element : node) {
                    if (ValueCodec.isScalar(element)) {
                        values.add(element);
                    }
                }
            } else if (ValueCodec.isScalar(node)) {
                values.add(node);
            }
        }
        return values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FieldPath p && p.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
