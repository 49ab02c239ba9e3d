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

    @Test
    void nodeWritesTakeTicketsInOrderWithThePacksAndAreReportedWhenDurable() throws InterruptedException {
        try (NodeDatabase db = new NodeDatabase(dir.toString(), "always", 0, null, false)) {
            MemoryBridge bridge = new MemoryBridge(db);
            long pack = (long) db.submit(new GatheredWritesTest.Ops().put("k", "v").base64(), 0);
            String[] remembered = bridge.submitRemember("{\"text\":\"Tea at four\",\"tags\":[\"habit\"]}")
                    .split("\t", 2);
            long rememberTicket = Long.parseLong(remembered[0]);
            assertThat(rememberTicket).isEqualTo(pack + 1);
            assertThat(remembered[1]).startsWith("{\"id\":\"").contains("\"namespace\":\"default\"");
            // Recalled at once; reported (as one operation, done) once durable.
            assertThat(bridge.recall("{\"query\":\"tea\"}")).contains("Tea at four");
            assertThat(GatheredWritesTest.await(db, pack, rememberTicket))
                    .containsEntry(pack, "0").containsEntry(rememberTicket, "0");
            assertThat(db.database().stats().syncedRecords()).isGreaterThanOrEqualTo(2);

            String[] forgotten = bridge.submitForget("{\"tags\":[\"habit\"]}").split("\t", 2);
            assertThat(forgotten[1]).isEqualTo("{\"forgotten\":1}");
            assertThat(GatheredWritesTest.await(db, Long.parseLong(forgotten[0])))
                    .containsEntry(Long.parseLong(forgotten[0]), "0");
            // A refused request throws at once and takes no ticket.
            assertThatThrownBy(() -> bridge.submitRemember("{}")).hasMessageStartingWith("text:");
            assertThat((long) db.submit(new GatheredWritesTest.Ops().put("k", "w").base64(), 0))
                    .isEqualTo(Long.parseLong(forgotten[0]) + 1);
        }
    }

    @Test
    void aPythonBridgeHasNoGatheredWritesToJoin() {
        try (FerrumDB db = FerrumDB.open(dir)) {
            assertThatThrownBy(() -> MemoryBridge.on(db).submitRemember("{\"text\":\"x\"}"))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("no gathered writes");
        }
    }
}
