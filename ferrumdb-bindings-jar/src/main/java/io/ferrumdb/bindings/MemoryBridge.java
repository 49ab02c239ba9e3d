package io.ferrumdb.bindings;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.memory.AgentMemory;
import io.ferrumdb.memory.ForgetRequest;
import io.ferrumdb.memory.InvalidMemoryRequestException;
import io.ferrumdb.memory.Memory;
import io.ferrumdb.memory.MemoryInput;
import io.ferrumdb.memory.PendingWrite;
import io.ferrumdb.memory.RecallQuery;
import io.ferrumdb.memory.RecalledMemory;
import io.ferrumdb.memory.Remembered;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Agent memory for the Python and Node.js bindings: the same {@link AgentMemory} the MCP server uses, called
 * with one JSON object per operation and answering one, with the field names and shapes of the MCP tools
 * ({@code remember}, {@code recall}, {@code forget}), so that in-process agents behave exactly as MCP ones.
 * JSON crosses both bridges as one string, cheaper than building Java collections element by element.
 * Invalid requests throw {@link InvalidMemoryRequestException} (the bindings' InvalidArgumentError).
 */
public final class MemoryBridge {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AgentMemory memory;
    /** The Node.js database's gathered writes, which {@link #submitRemember} and {@link #submitForget} join. */
    private final GatheredWrites writes;

    private MemoryBridge(FerrumDB db, GatheredWrites writes) {
        this.memory = AgentMemory.on(db);
        this.writes = writes;
    }

    /** Agent memory in a database the Python binding opened. */
    public static MemoryBridge on(FerrumDB db) {
        return new MemoryBridge(db, null);
    }

    /**
     * Agent memory in a database the Node.js binding opened. A constructor, not a factory: java-bridge gives
     * asynchronous calls the Java exception only on instances made through the class proxy (see NodeDatabase).
     */
    public MemoryBridge(NodeDatabase db) {
        this(db.database(), db.writes());
    }

    /** {@code {namespace?, text, tags?, ttl_seconds?, metadata?, vector?}} → {@code {id, namespace, created_at, expires_at?}}. */
    public String remember(String requestJson) {
        return describe(memory.remember(rememberInput(requestJson)));
    }

    /**
     * {@link #remember} as the Node.js binding's async call makes it: the memory is stored without waiting for
     * durability, in order with the database's gathered writes, and the answer is {@code "<ticket>\t<json>"},
     * the ticket under which {@link NodeDatabase#completions} reports it durable (or failed). So concurrent
     * remembers and puts share group commits.
     *
     * @throws IllegalStateException on a bridge made by {@link #on}, which has no gathered writes
     */
    public String submitRemember(String requestJson) {
        MemoryInput input = rememberInput(requestJson);
        Remembered[] done = new Remembered[1];
        long ticket = gathered().submit(() -> {
            PendingWrite<Remembered> pending = memory.rememberAsync(input);
            done[0] = pending.result();
            return pending.durable();
        });
        return ticket + "\t" + describe(done[0]);
    }

    private static MemoryInput rememberInput(String requestJson) {
        JsonNode r = parse(requestJson, "namespace", "text", "tags", "ttl_seconds", "metadata", "vector");
        Duration ttl = null;
        if (present(r, "ttl_seconds")) {
            JsonNode t = r.get("ttl_seconds");
            if (!t.isNumber() || t.asDouble() <= 0) {
                throw new InvalidMemoryRequestException("ttl_seconds", "must be a number of seconds above 0");
            }
            ttl = Duration.ofMillis(Math.round(t.asDouble() * 1000));
        }
        String metadata = null;
        if (present(r, "metadata")) {
            metadata = r.get("metadata").toString();
        }
        return new MemoryInput(text(r, "namespace"), text(r, "text"), strings(r, "tags"), ttl, metadata, vector(r));
    }

    private static String describe(Remembered done) {
        ObjectNode out = JSON.createObjectNode();
        out.put("id", done.id());
        out.put("namespace", done.namespace());
        out.put("created_at", done.createdAt().toString());
        done.expiresAt().ifPresent(e -> out.put("expires_at", e.toString()));
        return out.toString();
    }

    private GatheredWrites gathered() {
        if (writes == null) {
            throw new IllegalStateException("this memory bridge was made for a FerrumDB, not a NodeDatabase: it "
                    + "has no gathered writes to join");
        }
        return writes;
    }

    /** {@code {namespace?, query?, tags?, limit?, since?, vector?}} → {@code {memories: [...]}}, best first. */
    public String recall(String requestJson) {
        JsonNode r = parse(requestJson, "namespace", "query", "tags", "limit", "since", "vector");
        Integer limit = null;
        if (present(r, "limit")) {
            JsonNode l = r.get("limit");
            if (!l.canConvertToInt() || !l.isIntegralNumber()) {
                throw new InvalidMemoryRequestException("limit", "must be a whole number, got " + l);
            }
            limit = l.asInt();
        }
        Instant since = null;
        if (present(r, "since")) {
            try {
                since = Instant.parse(text(r, "since"));
            } catch (DateTimeParseException e) {
                throw new InvalidMemoryRequestException("since", "'" + r.get("since").asText()
                        + "' is not an ISO-8601 instant such as 2026-01-31T00:00:00Z");
            }
        }
        List<RecalledMemory> found = memory.recall(new RecallQuery(text(r, "namespace"), text(r, "query"),
                strings(r, "tags"), limit, since, vector(r)));
        ObjectNode out = JSON.createObjectNode();
        ArrayNode memories = out.putArray("memories");
        for (RecalledMemory m : found) {
            ObjectNode item = describe(m.memory());
            item.put("score", m.score());
            memories.add(item);
        }
        return out.toString();
    }

    /** {@code {namespace?, id?, tags?}} → {@code {forgotten: n}}. */
    public String forget(String requestJson) {
        return forgotten(memory.forget(forgetRequest(requestJson)));
    }

    /** {@link #forget} as {@link #submitRemember} makes a remember: {@code "<ticket>\t{forgotten: n}"}. */
    public String submitForget(String requestJson) {
        ForgetRequest request = forgetRequest(requestJson);
        List<?>[] done = new List<?>[1];
        long ticket = gathered().submit(() -> {
            PendingWrite<List<String>> pending = memory.forgetAsync(request);
            done[0] = pending.result();
            return pending.durable();
        });
        return ticket + "\t" + forgotten(done[0]);
    }

    private static ForgetRequest forgetRequest(String requestJson) {
        JsonNode r = parse(requestJson, "namespace", "id", "tags");
        return new ForgetRequest(text(r, "namespace"), text(r, "id"), strings(r, "tags"));
    }

    private static String forgotten(List<?> ids) {
        return JSON.createObjectNode().put("forgotten", ids.size()).toString();
    }

    private static ObjectNode describe(Memory m) {
        ObjectNode item = JSON.createObjectNode();
        item.put("id", m.id());
        item.put("namespace", m.namespace());
        item.put("text", m.text());
        ArrayNode tags = item.putArray("tags");
        m.tags().forEach(tags::add);
        try {
            item.set("metadata", JSON.readTree(m.metadataJson()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored metadata of memory " + m.id() + " is not JSON", e);
        }
        item.put("created_at", m.createdAt().toString());
        m.expiresAt().ifPresent(e -> item.put("expires_at", e.toString()));
        return item;
    }

    private static JsonNode parse(String json, String... known) {
        JsonNode node;
        try {
            node = JSON.readTree(json == null ? "{}" : json);
        } catch (JsonProcessingException e) {
            throw new InvalidMemoryRequestException("request", "is not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new InvalidMemoryRequestException("request", "must be a JSON object");
        }
        List<String> allowed = List.of(known);
        node.fieldNames().forEachRemaining(name -> {
            if (!allowed.contains(name)) {
                throw new InvalidMemoryRequestException(name, "unknown argument; expected one of " + allowed);
            }
        });
        return node;
    }

    private static boolean present(JsonNode r, String field) {
        return r.hasNonNull(field);
    }

    private static String text(JsonNode r, String field) {
        if (!present(r, field)) {
            return null;
        }
        if (!r.get(field).isTextual()) {
            throw new InvalidMemoryRequestException(field, "must be a string, got " + r.get(field));
        }
        return r.get(field).asText();
    }

    private static List<String> strings(JsonNode r, String field) {
        if (!present(r, field)) {
            return null;
        }
        JsonNode array = r.get(field);
        if (!array.isArray()) {
            throw new InvalidMemoryRequestException(field, "must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            if (!array.get(i).isTextual()) {
                throw new InvalidMemoryRequestException(field + "[" + i + "]", "must be a string");
            }
            out.add(array.get(i).asText());
        }
        return out;
    }

    private static float[] vector(JsonNode r) {
        if (!present(r, "vector")) {
            return null;
        }
        JsonNode array = r.get("vector");
        if (!array.isArray()) {
            throw new InvalidMemoryRequestException("vector", "must be an array of numbers");
        }
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            if (!array.get(i).isNumber()) {
                throw new InvalidMemoryRequestException("vector[" + i + "]", "must be a number");
            }
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }
}
