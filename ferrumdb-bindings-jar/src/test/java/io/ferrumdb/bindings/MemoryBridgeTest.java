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
    void nodeRequestsAreIssuedAsOnePackInTicketOrderAndReportedWhenDurable() throws InterruptedException {
        try (NodeDatabase db = new NodeDatabase(dir.toString(), "always", 0, null, false)) {
            MemoryBridge bridge = new MemoryBridge(db);
            long pack = (long) db.submit(new GatheredWritesTest.Ops().put("k", "v").base64(), 0);
            String[] reply = bridge.submit("[{\"remember\":{\"text\":\"Tea at four\",\"tags\":[\"habit\"]}},"
                    + "{\"remember\":{\"text\":\" \"}},{\"bogus\":{}},"
                    + "{\"remember\":{\"text\":\"Coffee at nine\",\"tags\":[\"habit\"]}}]").split("\t", 2);
            long ticket = Long.parseLong(reply[0]);
            assertThat(ticket).isEqualTo(pack + 1);
            assertThat(reply[1]).matches("\\[\\{\"id\":\"[0-9a-f]{16}\",\"namespace\":\"default\".*\\},null,null,"
                    + "\\{\"id\":.*\\}\\]");
            // Recalled at once; reported once durable, the refused requests failed alone with their field named.
            assertThat(bridge.recall("{\"query\":\"at\"}")).contains("Tea at four").contains("Coffee at nine");
            String report = GatheredWritesTest.await(db, pack, ticket).get(ticket);
            assertThat(report).startsWith("0EE0\n1\t").contains("text:").contains("\n2\t").contains("bogus:");
            assertThat(db.database().stats().syncedRecords()).isGreaterThanOrEqualTo(3);

            String[] forgotten = bridge.submit("[{\"forget\":{\"tags\":[\"habit\"]}}]").split("\t", 2);
            assertThat(forgotten[1]).isEqualTo("[{\"forgotten\":2}]");
            long forgetTicket = Long.parseLong(forgotten[0]);
            assertThat(GatheredWritesTest.await(db, forgetTicket)).containsEntry(forgetTicket, "0");
            // Not an array: refused at once, taking no ticket.
            assertThatThrownBy(() -> bridge.submit("{}")).hasMessageStartingWith("requests:");
            assertThat((long) db.submit(new GatheredWritesTest.Ops().put("k", "w").base64(), 0))
                    .isEqualTo(forgetTicket + 1);
        }
    }

    @Test
    void aPythonBridgeHasNoGatheredWritesToJoin() {
        try (FerrumDB db = FerrumDB.open(dir)) {
            assertThatThrownBy(() -> MemoryBridge.on(db).submit("[]"))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("no gathered writes");
        }
    }
}
