package io.ferrumdb.doc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/** A document returned by a query: its id and its stored (compact) JSON. */
public record Document(String id, String json) {
    /** The JSON as a Jackson tree (parsed on each call). */
    public JsonNode node() {
        return as(JsonNode.class);
    }

    /** The JSON mapped to {@code type} with Jackson's default mapping. */
    public <T> T as(Class<T> type) {
        try {
            return Json.MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("document '" + id + "' cannot be read as " + type.getName() + ": "
                    + e.getOriginalMessage(), e);
        }
    }
}
