package io.ferrumdb.memory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferrumdb.FerrumException;
import io.ferrumdb.ProblemWording;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The value of a memory key: a format byte, then compact JSON
 * {@code {"text":..,"tags":[..],"metadata":{..},"created_at":millis,"expires_at":millis|0,"terms":n}}, and the
 * float32 encoding of vectors. {@code terms} is the memory's length in index terms, kept so that forgetting can
 * take it back out of the namespace statistics without re-tokenizing.
 */
final class MemoryCodec {
    static final byte FORMAT = 0x01;
    private static final ObjectMapper JSON = new ObjectMapper();

    private MemoryCodec() {
    }

    /** Parses and checks client metadata: null or a JSON object; returns it compact. */
    static String metadata(String metadataJson) {
        if (metadataJson == null) {
            return "{}";
        }
        if (metadataJson.getBytes(StandardCharsets.UTF_8).length > MemoryLimits.MAX_METADATA_BYTES) {
            throw new InvalidMemoryRequestException("metadata", "exceeds the limit of "
                    + MemoryLimits.MAX_METADATA_BYTES + " bytes of JSON");
        }
        JsonNode node;
        try {
            node = JSON.readTree(metadataJson);
        } catch (JsonProcessingException e) {
            throw new InvalidMemoryRequestException("metadata", "is not valid JSON: "
                    + ProblemWording.jsonSyntax(e.getOriginalMessage()));
        }
        if (node == null || !node.isObject()) {
            throw new InvalidMemoryRequestException("metadata", "must be a JSON object");
        }
        return node.toString();
    }

    static byte[] encode(String text, List<String> tags, String metadataJson, Instant createdAt, long expiresAt,
                         int terms) {
        ObjectNode node = JSON.createObjectNode();
        node.put("text", text);
        ArrayNode tagArray = node.putArray("tags");
        tags.forEach(tagArray::add);
        try {
            node.set("metadata", JSON.readTree(metadataJson));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("metadata was checked before encoding", e);
        }
        node.put("created_at", createdAt.toEpochMilli());
        node.put("expires_at", expiresAt);
        node.put("terms", terms);
        byte[] json = node.toString().getBytes(StandardCharsets.UTF_8);
        byte[] value = new byte[json.length + 1];
        value[0] = FORMAT;
        System.arraycopy(json, 0, value, 1, json.length);
        return value;
    }

    /** A decoded memory value and its length in terms. */
    record Stored(Memory memory, int terms) {
    }

    static Stored decode(String namespace, String id, byte[] value) {
        if (value.length == 0 || value[0] != FORMAT) {
            throw new FerrumException("memory " + namespace + "/" + id + ": unknown memory format "
                    + (value.length == 0 ? "(empty value)" : "byte " + value[0]) + "; this build reads format "
                    + FORMAT);
        }
        JsonNode node;
        try {
            node = JSON.readTree(new String(value, 1, value.length - 1, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new FerrumException("memory " + namespace + "/" + id + " holds unreadable JSON: "
                    + e.getOriginalMessage(), e);
        }
        List<String> tags = new ArrayList<>();
        node.path("tags").forEach(t -> tags.add(t.asText()));
        long expiresAt = node.path("expires_at").asLong();
        Memory memory = new Memory(id, namespace, node.path("text").asText(), tags, node.path("metadata").toString(),
                Instant.ofEpochMilli(node.path("created_at").asLong()),
                expiresAt == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(expiresAt)));
        return new Stored(memory, node.path("terms").asInt());
    }

    static byte[] encodeVector(float[] vector) {
        ByteBuffer buffer = ByteBuffer.allocate(vector.length * Float.BYTES);
        for (float f : vector) {
            buffer.putFloat(f);
        }
        return buffer.array();
    }

    static float[] decodeVector(byte[] value) {
        if (value.length % Float.BYTES != 0) {
            throw new FerrumException("a memory vector of " + value.length + " bytes is not a whole number of "
                    + "float32 values");
        }
        ByteBuffer buffer = ByteBuffer.wrap(value);
        float[] vector = new float[value.length / Float.BYTES];
        for (int i = 0; i < vector.length; i++) {
            vector[i] = buffer.getFloat();
        }
        return vector;
    }
}
