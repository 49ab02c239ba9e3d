package io.ferrumdb.mcp;

import io.ferrumdb.memory.AgentMemory;
import io.ferrumdb.memory.InvalidMemoryRequestException;
import io.ferrumdb.memory.Memory;
import io.ferrumdb.memory.NamespaceCount;
import io.modelcontextprotocol.server.McpServerFeatures.SyncResourceSpecification;
import io.modelcontextprotocol.server.McpServerFeatures.SyncResourceTemplateSpecification;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.ReadResourceRequest;
import io.modelcontextprotocol.spec.McpSchema.ReadResourceResult;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Memories as MCP resources, {@code ferrumdb://memory/{namespace}/{id}}: a resource template for reading any
 * memory, and one listed resource per live memory, given to the server at start and kept in step by remember,
 * forget and expiry (the server takes a memory off the list when its TTL ends).
 */
final class MemoryResources {
    static final String SCHEME_PREFIX = "ferrumdb://memory/";
    static final String TEMPLATE = SCHEME_PREFIX + "{namespace}/{id}";
    private static final String MIME = "application/json";

    private final AgentMemory memory;
    private final JsonValues json;

    MemoryResources(AgentMemory memory, JsonValues json) {
        this.memory = memory;
        this.json = json;
    }

    SyncResourceTemplateSpecification template() {
        McpSchema.ResourceTemplate template = McpSchema.ResourceTemplate.builder(TEMPLATE, "memory")
                .title("A FerrumDB memory").description("One memory as JSON: text, tags, metadata, times.")
                .mimeType(MIME).build();
        return new SyncResourceTemplateSpecification(template, (exchange, request) -> read(request));
    }

    /**
     * A resource for every live memory of every namespace, for the server's builder: added to a built server one at
     * a time, each sent a {@code resources/list_changed} notification, 20,000 of them for 20,000 memories at every
     * start, most before the answer to {@code initialize}. {@code expiring} is told of each that has a TTL.
     */
    List<SyncResourceSpecification> stored(Consumer<Memory> expiring) {
        List<SyncResourceSpecification> all = new ArrayList<>();
        for (NamespaceCount ns : memory.listNamespaces()) {
            for (String id : memory.ids(ns.name())) {
                memory.get(ns.name(), id).ifPresent(m -> {
                    all.add(resource(ns.name(), id));
                    m.expiresAt().ifPresent(at -> expiring.accept(m));
                });
            }
        }
        return all;
    }

    SyncResourceSpecification resource(String namespace, String id) {
        McpSchema.Resource resource = McpSchema.Resource.builder(uri(namespace, id), namespace + "/" + id)
                .mimeType(MIME).build();
        return new SyncResourceSpecification(resource, (exchange, request) -> read(request));
    }

    static String uri(String namespace, String id) {
        return SCHEME_PREFIX + namespace + "/" + id;
    }

    private ReadResourceResult read(ReadResourceRequest request) {
        String uri = request.uri();
        String rest = uri.startsWith(SCHEME_PREFIX) ? uri.substring(SCHEME_PREFIX.length()) : "";
        int slash = rest.indexOf('/');
        if (slash <= 0) {
            throw notFound(uri, "not a memory URI: expected " + TEMPLATE);
        }
        Memory m;
        try {
            m = memory.get(rest.substring(0, slash), rest.substring(slash + 1))
                    .orElseThrow(() -> notFound(uri, "no such memory (forgotten, expired or never stored)"));
        } catch (InvalidMemoryRequestException e) {
            throw notFound(uri, e.getMessage());
        }
        String text = json.write(json.memory(m));
        return new ReadResourceResult(List.of(new McpSchema.TextResourceContents(uri, MIME, text)));
    }

    private static McpError notFound(String uri, String why) {
        return McpError.builder(McpSchema.ErrorCodes.RESOURCE_NOT_FOUND).message(uri + ": " + why).build();
    }
}
