package io.ferrumdb.bindings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.memory.InvalidMemoryRequestException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryBridgeTest {
    @TempDir
    Path dir;

    @Test
    void rememberRecallForgetSpeakTheToolsJson() {
        try (FerrumDB db = FerrumDB.open(dir)) {
            MemoryBridge bridge = MemoryBridge.on(db);
            String remembered = bridge.remember("{\"text\":\"Tea at four\",\"tags\":[\"habit\"],"
                    + "\"metadata\":{\"k\":1},\"ttl_seconds\":60,\"namespace\":\"n\"}");
            assertThat(remembered).contains("\"namespace\":\"n\"").contains("\"expires_at\"");
            String id = remembered.replaceAll(".*\"id\":\"([0-9a-f]{16})\".*", "$1");
            String recalled = bridge.recall("{\"namespace\":\"n\",\"query\":\"tea\"}");
            assertThat(recalled).startsWith("{\"memories\":[{\"id\":\"" + id + "\"")
                    .contains("\"tags\":[\"habit\"]").contains("\"metadata\":{\"k\":1}").contains("\"score\":");
            assertThat(bridge.forget("{\"namespace\":\"n\",\"tags\":[\"habit\"]}")).isEqualTo("{\"forgotten\":1}");
            assertThat(bridge.recall("{\"namespace\":\"n\"}")).isEqualTo("{\"memories\":[]}");
        }
    }

    @Test
    void badRequestsNameTheField() {
        try (FerrumDB db = FerrumDB.open(dir)) {
            MemoryBridge bridge = MemoryBridge.on(db);
            assertThatThrownBy(() -> bridge.remember("{}")).isInstanceOf(InvalidMemoryRequestException.class)
                    .hasMessageStartingWith("text:");
            assertThatThrownBy(() -> bridge.recall("{\"limit\":1000000}")).hasMessageStartingWith("limit:");
            assertThatThrownBy(() -> bridge.recall("{\"limit\":2.5}")).hasMessageStartingWith("limit:");
            assertThatThrownBy(() -> bridge.recall("{\"bogus\":1}")).hasMessageStartingWith("bogus:");
            assertThatThrownBy(() -> bridge.forget("[1]")).hasMessageStartingWith("request:");
        }
    }
}
