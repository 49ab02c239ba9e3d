package io.ferrumdb.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.Limits;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kv_put's ttl_seconds as the model gives it: out-of-range values refused with the limit named. */
class KvPutTtlTest {
    private final McpJsonMapper json = McpJsonDefaults.getMapper();

    @TempDir
    Path tmp;

    private static String text(CallToolResult r) {
        return ((McpSchema.TextContent) r.content().get(0)).text();
    }

    private CallToolResult call(SyncToolSpecification spec, Map<String, Object> args) {
        return spec.callHandler().apply(null, new CallToolRequest(spec.tool().name(), args));
    }

    /** Before: a huge ttl_seconds was stored as "the end of time"; 0 and negatives named no limit. */
    @Test
    void kvPutRefusesATtlOutOfRangeNamingTheLimit() {
        try (FerrumDB db = FerrumDB.open(tmp.resolve("db"))) {
            SyncToolSpecification kvPut = new StoreTools(db, Optional.empty(), new JsonValues(json)).tools().stream()
                    .filter(t -> t.name().equals("kv_put")).findFirst().orElseThrow().toSpecification(json);
            long max = Limits.MAX_TTL.toSeconds();
            for (Object ttl : new Object[] {-5, 0, max + 1, 1_000_000_000_000L, 1e18, 2.5, "60"}) {
                Map<String, Object> args = new HashMap<>(Map.of("key", "k", "value", "v", "ttl_seconds", ttl));
                CallToolResult r = call(kvPut, args);
                assertThat(r.isError()).as("ttl %s", ttl).isTrue();
                assertThat(text(r)).as("ttl %s", ttl).contains("ttl_seconds").doesNotContain("Exception");
                if (ttl instanceof Integer || ttl instanceof Long) {
                    assertThat(text(r)).contains("give 1 to " + max + " (100 years)");
                }
            }
            assertThat(db.get("k".getBytes())).isNull();
            CallToolResult atLimit = call(kvPut, Map.of("key", "k", "value", "v", "ttl_seconds", max));
            assertThat(atLimit.isError()).as(text(atLimit)).isFalse();
            assertThat(db.expiresAt("k".getBytes())).isPositive();
        }
    }
}
