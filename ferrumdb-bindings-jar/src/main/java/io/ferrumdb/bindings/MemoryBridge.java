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
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

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
    /** The Node.js database's gathered writes, which {@link #submit} joins. */
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
        return describe(memory.remember(rememberInput(readJson(requestJson == null ? "{}" : requestJson))))
                .toString();
    }

    /**
     * The Node.js binding's async remembers and forgets, issued one after another in one call without waiting for
     * durability, in order with the database's gathered writes, so that they and its puts share group commits.
     * {@code requestsJson} is an array of {@code {"remember": request}} and {@code {"forget": request}} (requests
     * as {@link #remember} and {@link #forget} take them); the answer is {@code "<ticket>\t<results>"}: the ticket
     * under which {@link NodeDatabase#completions} reports each request durable or failed (a refused request fails
     * alone), and a JSON array of each request's answer (null for a refused one).
     *
     * @throws InvalidMemoryRequestException when {@code requestsJson} is not a JSON array (nothing is written)
     * @throws IllegalStateException         on a bridge made by {@link #on}, which has no gathered writes
     */
    public String submit(String requestsJson) {
        JsonNode requests = readJson(requestsJson);
        if (requests == null || !requests.isArray()) {
            throw new InvalidMemoryRequestException("requests", "must be a JSON array");
        }
        GatheredWrites gathered = gathered();
        ObjectNode[] answers = new ObjectNode[requests.size()];
        List<Supplier<CompletableFuture<Void>>> issues = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            int index = i;
            issues.add(() -> issue(requests.get(index), answers, index));
        }
        long ticket = gathered.submit(issues);
        ArrayNode out = JSON.createArrayNode();
        for (ObjectNode answer : answers) {
            out.add(answer);
        }
        return ticket + "\t" + out;
    }

    /** Issues request {@code index}, putting its answer in {@code answers}; its durability. */
    private CompletableFuture<Void> issue(JsonNode request, ObjectNode[] answers, int index) {
        JsonNode r = fields(request, "remember", "forget");
        if (r.size() != 1) {
            throw new InvalidMemoryRequestException("requests[" + index + "]",
                    "must hold one of remember and forget, got " + r.size() + " fields");
        }
        if (r.has("remember")) {
            PendingWrite<Remembered> pending = memory.rememberAsync(rememberInput(r.get("remember")));
            answers[index] = describe(pending.result());
            return pending.durable();
        }
        PendingWrite<List<String>> pending = memory.forgetAsync(forgetRequest(r.get("forget")));
        answers[index] = forgotten(pending.result());
        return pending.durable();
    }

    private static MemoryInput rememberInput(JsonNode request) {
        JsonNode r = fields(request, "namespace", "text", "tags", "ttl_seconds", "metadata", "vector");
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

    private static ObjectNode describe(Remembered done) {
        ObjectNode out = JSON.createObjectNode();
        out.put("id", done.id());
        out.put("namespace", done.namespace());
        out.put("created_at", done.createdAt().toString());
        done.expiresAt().ifPresent(e -> out.put("expires_at", e.toString()));
        return out;
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
        return forgotten(memory.forget(forgetRequest(readJson(requestJson == null ? "{}" : requestJson))))
                .toString();
    }

    private static ForgetRequest forgetRequest(JsonNode request) {
        JsonNode r = fields(request, "namespace", "id", "tags");
        return new ForgetRequest(text(r, "namespace"), text(r, "id"), strings(r, "tags"));
    }

    private static ObjectNode forgotten(List<String> ids) {
        return JSON.createObjectNode().put("forgotten", ids.size());
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
        return fields(readJson(json == null ? "{}" : json), known);
    }

    private static JsonNode readJson(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidMemoryRequestException("request", "is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** {@code node} after checking it is an object of {@code known} fields only. */
    private static JsonNode fields(JsonNode node, String... known) {
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
