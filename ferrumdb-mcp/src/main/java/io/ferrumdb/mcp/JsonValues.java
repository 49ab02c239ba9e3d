package io.ferrumdb.mcp;

import io.ferrumdb.memory.Memory;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** JSON text to and from the parsed values tool arguments and structured results are made of. */
final class JsonValues {
    private final McpJsonMapper json;

    JsonValues(McpJsonMapper json) {
        this.json = json;
    }

    String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write a value as JSON", e);
        }
    }

    /** A stored JSON object (document or metadata), parsed. */
    Map<String, Object> readObject(String object) {
        try {
            return json.readValue(object, new TypeRef<Map<String, Object>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException("a stored value is not a JSON object", e);
        }
    }

    /** A memory as the JSON object the tools and resources return (recall adds its score). */
    Map<String, Object> memory(Memory m) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("id", m.id());
        item.put("namespace", m.namespace());
        item.put("text", m.text());
        item.put("tags", m.tags());
        item.put("metadata", readObject(m.metadataJson()));
        item.put("created_at", m.createdAt().toString());
        m.expiresAt().ifPresent(e -> item.put("expires_at", e.toString()));
        return item;
    }
}
