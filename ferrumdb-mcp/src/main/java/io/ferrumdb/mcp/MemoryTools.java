package io.ferrumdb.mcp;

import io.ferrumdb.ProblemWording;
import io.ferrumdb.memory.AgentMemory;
import io.ferrumdb.memory.ForgetRequest;
import io.ferrumdb.memory.Memory;
import io.ferrumdb.memory.MemoryInput;
import io.ferrumdb.memory.MemoryLimits;
import io.ferrumdb.memory.NamespaceCount;
import io.ferrumdb.memory.RecallQuery;
import io.ferrumdb.memory.RecalledMemory;
import io.ferrumdb.memory.Remembered;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The memory tools: remember, recall, forget and list_namespaces, over {@link AgentMemory}. */
final class MemoryTools {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryTools.class);
    private final AgentMemory memory;
    private final JsonValues json;
    private final Consumer<Remembered> onRemember;
    private final BiConsumer<String, List<String>> onForget;

    /**
     * @param onRemember told of each stored memory (the server publishes it as a resource)
     * @param onForget   told of the namespace and ids of forgotten memories
     */
    MemoryTools(AgentMemory memory, JsonValues json, Consumer<Remembered> onRemember,
                BiConsumer<String, List<String>> onForget) {
        this.memory = memory;
        this.json = json;
        this.onRemember = onRemember;
        this.onForget = onForget;
    }

    /**
     * Tells the resource list of a change that is already durable. A failure there must not turn the tool's result
     * into an error: the model would remember (or forget) again what is already stored (or gone). Seen over stdio
     * with many calls in flight, where the SDK (2.1) gives up sending the list_changed notification after 100 ms of
     * contention on its outbound queue ("Failed to enqueue message").
     */
    private static void publish(String what, Runnable change) {
        try {
            change.run();
        } catch (RuntimeException e) {
            LOG.warn("the resource list was not told of {}: {}", what, ProblemWording.describe(e));
        }
    }

    List<ToolSpec> tools() {
        return List.of(remember(), recall(), forget(), listNamespaces());
    }

    private static final String NAMESPACE_PROPERTY = """
            "namespace": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$", "default": "default",
              "description": "Separate memory spaces, e.g. one per user or project. Default: \\"default\\"."}""";

    private ToolSpec remember() {
        String schema = """
                {"type": "object", "additionalProperties": false, "required": ["text"], "properties": {
                  %s,
                  "text": {"type": "string", "minLength": 1, "description": "The fact to remember, in plain words."},
                  "tags": {"type": "array", "items": {"type": "string"}, "maxItems": %d,
                    "description": "Exact labels to filter by later, e.g. [\\"preference\\", \\"project:apollo\\"]."},
                  "ttl_seconds": {"type": "number", "exclusiveMinimum": 0,
                    "description": "Forget automatically after this many seconds."},
                  "metadata": {"type": "object", "description": "Any JSON object stored with the memory."},
                  "vector": {"type": "array", "items": {"type": "number"},
                    "description": "Optional embedding of the text computed by the client; recall can then rank by cosine similarity."}
                }}""".formatted(NAMESPACE_PROPERTY, MemoryLimits.MAX_TAGS);
        return new ToolSpec("remember", "Remember a fact",
                "Stores a memory durably (it survives restarts and crashes) and returns its id. Use it for facts, "
                        + "preferences and decisions worth recalling in later conversations.",
                schema, """
                {"type": "object", "required": ["id", "namespace", "created_at"], "properties": {
                  "id": {"type": "string"}, "namespace": {"type": "string"}, "created_at": {"type": "string"},
                  "expires_at": {"type": "string"}}}""", false, false, args -> {
                    Duration ttl = null;
                    Long ttlSeconds = args.wholeNumber("ttl_seconds");
                    if (ttlSeconds != null) {
                        if (ttlSeconds <= 0 || ttlSeconds > MemoryLimits.MAX_TTL.toSeconds()) {
                            throw new ToolInputException("ttl_seconds", ttlSeconds + " is out of range: give 1 to "
                                    + MemoryLimits.MAX_TTL.toSeconds());
                        }
                        ttl = Duration.ofSeconds(ttlSeconds);
                    }
                    Map<?, ?> metadata = args.object("metadata");
                    Remembered r = memory.remember(new MemoryInput(args.string("namespace"),
                            args.requiredString("text"), args.strings("tags"), ttl,
                            metadata == null ? null : json.write(metadata), args.vector("vector")));
                    publish("memory " + r.namespace() + "/" + r.id(), () -> onRemember.accept(r));
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("id", r.id());
                    out.put("namespace", r.namespace());
                    out.put("created_at", r.createdAt().toString());
                    r.expiresAt().ifPresent(e -> out.put("expires_at", e.toString()));
                    return new ToolOutput(out, "Remembered " + r.id() + " in namespace " + r.namespace()
                            + r.expiresAt().map(e -> " (expires " + e + ")").orElse("") + ".");
                });
    }

    private ToolSpec recall() {
        String schema = """
                {"type": "object", "additionalProperties": false, "properties": {
                  %s,
                  "query": {"type": "string", "description": "Words to search for; best matches first. Omit to get the newest memories."},
                  "tags": {"type": "array", "items": {"type": "string"}, "description": "Only memories carrying all of these tags."},
                  "limit": {"type": "integer", "minimum": 1, "maximum": %d, "default": %d},
                  "since": {"type": "string", "description": "Only memories created at or after this ISO-8601 instant, e.g. 2026-01-31T00:00:00Z."},
                  "vector": {"type": "array", "items": {"type": "number"},
                    "description": "Optional embedding of the query (same model as the memories' vectors)."}
                }}""".formatted(NAMESPACE_PROPERTY, MemoryLimits.MAX_RECALL_LIMIT,
                MemoryLimits.DEFAULT_RECALL_LIMIT);
        return new ToolSpec("recall", "Recall memories",
                "Finds stored memories by relevance to a query (BM25 text ranking, newer first on ties), "
                        + "optionally filtered by tags and creation time. Without a query, returns the newest.",
                schema, """
                {"type": "object", "required": ["memories"], "properties": {"memories": {"type": "array", "items": {
                  "type": "object", "required": ["id", "namespace", "text", "tags", "metadata", "score", "created_at"],
                  "properties": {"id": {"type": "string"}, "namespace": {"type": "string"}, "text": {"type": "string"},
                    "tags": {"type": "array", "items": {"type": "string"}}, "metadata": {"type": "object"},
                    "score": {"type": "number"}, "created_at": {"type": "string"},
                    "expires_at": {"type": "string"}}}}}}""",
                true, false, args -> {
                    Long limit = args.wholeNumber("limit");
                    if (limit != null && (limit < 1 || limit > MemoryLimits.MAX_RECALL_LIMIT)) {
                        throw new ToolInputException("limit", limit + " is out of range: give 1 to "
                                + MemoryLimits.MAX_RECALL_LIMIT);
                    }
                    Instant since = null;
                    String sinceText = args.string("since");
                    if (sinceText != null) {
                        try {
                            since = Instant.parse(sinceText);
                        } catch (DateTimeParseException e) {
                            throw new ToolInputException("since", "'" + sinceText + "' is not an ISO-8601 instant "
                                    + "such as 2026-01-31T00:00:00Z");
                        }
                    }
                    List<RecalledMemory> found = memory.recall(new RecallQuery(args.string("namespace"),
                            args.string("query"), args.strings("tags"), limit == null ? null : limit.intValue(),
                            since, args.vector("vector")));
                    List<Object> memories = new ArrayList<>();
                    StringBuilder text = new StringBuilder();
                    text.append(found.isEmpty() ? "No memories found."
                            : found.size() + (found.size() == 1 ? " memory:" : " memories:"));
                    for (RecalledMemory r : found) {
                        Memory m = r.memory();
                        Map<String, Object> item = json.memory(m);
                        item.put("score", r.score());
                        memories.add(item);
                        text.append("\n- [").append(m.id()).append("] ").append(m.text());
                        if (!m.tags().isEmpty()) {
                            text.append(" (tags: ").append(String.join(", ", m.tags())).append(')');
                        }
                    }
                    return new ToolOutput(Map.of("memories", memories), text.toString());
                });
    }

    private ToolSpec forget() {
        String schema = """
                {"type": "object", "additionalProperties": false, "properties": {
                  %s,
                  "id": {"type": "string", "description": "The id remember returned."},
                  "tags": {"type": "array", "items": {"type": "string"},
                    "description": "Forget every memory carrying all of these tags (with id: only that memory, if it has them)."}
                }}""".formatted(NAMESPACE_PROPERTY);
        return new ToolSpec("forget", "Forget memories",
                "Deletes memories for good: the one with the given id, or all carrying the given tags. Give at "
                        + "least one of id and tags.",
                schema, """
                {"type": "object", "required": ["forgotten"], "properties": {"forgotten": {"type": "integer"}}}""",
                false, true, args -> {
                    ForgetRequest request = new ForgetRequest(args.string("namespace"), args.string("id"),
                            args.strings("tags"));
                    List<String> ids = memory.forget(request);
                    String namespace = request.namespace() == null ? MemoryLimits.DEFAULT_NAMESPACE
                            : request.namespace();
                    publish("forgotten memories of " + namespace, () -> onForget.accept(namespace, ids));
                    int n = ids.size();
                    return new ToolOutput(Map.of("forgotten", n), "Forgot " + n + (n == 1 ? " memory." : " memories."));
                });
    }

    private ToolSpec listNamespaces() {
        String schema = """
                {"type": "object", "additionalProperties": false, "properties": {}}""";
        return new ToolSpec("list_namespaces", "List memory namespaces",
                "Lists the namespaces that hold memories, with how many each holds.", schema, """
                {"type": "object", "required": ["namespaces"], "properties": {"namespaces": {"type": "array", "items": {
                  "type": "object", "required": ["name", "count"],
                  "properties": {"name": {"type": "string"}, "count": {"type": "integer"}}}}}}""",
                true, false, args -> {
                    List<Object> list = new ArrayList<>();
                    StringBuilder text = new StringBuilder();
                    List<NamespaceCount> namespaces = memory.listNamespaces();
                    text.append(namespaces.isEmpty() ? "No memories yet." : "Namespaces:");
                    for (NamespaceCount ns : namespaces) {
                        list.add(Map.of("name", ns.name(), "count", ns.count()));
                        text.append("\n- ").append(ns.name()).append(": ").append(ns.count());
                    }
                    return new ToolOutput(Map.of("namespaces", list), text.toString());
                });
    }
}
