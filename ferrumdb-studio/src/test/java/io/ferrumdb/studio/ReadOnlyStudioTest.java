package io.ferrumdb.studio;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadOnlyStudioTest {
    @TempDir
    Path dir;

    @Test
    void readOnlyModeServesReadsAndRefusesEveryWrite() {
        try (FerrumDB db = FerrumDB.open(dir)) {
            db.put("k".getBytes(UTF_8), "v".getBytes(UTF_8));
        }
        try (Studio studio = Studio.start(StudioConfig.builder(dir).port(0).readOnly(true).build())) {
            assertThat(studio.database().options().readOnly()).as("the engine itself refuses writes").isTrue();
            TestClient client = new TestClient(studio);
            assertThat(client.get("/api/info").json().get("readOnly").asBoolean()).isTrue();
            assertThat(client.get("/api/kv?key=k").json().get("text").asText()).isEqualTo("v");
            assertThat(client.get("/api/keys").json().get("count").asInt()).isEqualTo(1);
            assertThat(client.get("/api/metrics").status()).isEqualTo(200);

            TestClient.Response put = client.put("/api/kv", "{\"key\":\"k\",\"value\":\"changed\"}");
            assertThat(put.status()).isEqualTo(405);
            assertThat(put.json().get("error").asText()).contains("read-only");
            TestClient.Response pagePut = client.send("PUT", "/api/kv", Map.of("Cookie", client.login(),
                    "Sec-Fetch-Site", "same-origin"),
                    "{\"key\":\"k\",\"value\":\"changed\"}");
            assertThat(pagePut.status()).isEqualTo(405);
            assertThat(client.delete("/api/kv?key=k").status()).isEqualTo(405);
            Map<String, String> token = Map.of("X-FerrumDB-Token", studio.token());
            assertThat(client.send("POST", "/api/compact", token, null).status()).isEqualTo(405);
            assertThat(client.send("POST", "/api/backup", token, "{\"target\":\"" + dir.resolve("b") + "\"}")
                    .status()).isEqualTo(405);
            assertThat(dir.resolve("b")).doesNotExist();
            assertThat(client.get("/api/info").json().get("features").get("compaction").asBoolean()).isFalse();
            assertThat(new String(studio.database().get("k".getBytes(UTF_8)), UTF_8)).isEqualTo("v");
        }
        try (FerrumDB db = FerrumDB.open(dir)) {
            assertThat(db.size()).isEqualTo(1);
            assertThat(new String(db.get("k".getBytes(UTF_8)), UTF_8)).isEqualTo("v");
        }
    }

    @Test
    void readOnlyModeDoesNotCreateADatabase() {
        Path missing = dir.resolve("missing");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> Studio.start(StudioConfig.builder(missing).port(0).readOnly(true).build()))
                .isInstanceOf(io.ferrumdb.FerrumException.class)
                .hasMessageContaining("no database at");
        assertThat(missing).doesNotExist();
    }
}
