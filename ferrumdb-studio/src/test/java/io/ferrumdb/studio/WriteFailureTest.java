package io.ferrumdb.studio;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FaultFileIO;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import io.ferrumdb.WriteFault;
import io.ferrumdb.doc.DocumentStore;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Studio's writes under an injected I/O error, a failed fsync or a full disk (the core's fault-injecting file
 * system, its test-jar): the write that fails and every write after it (the engine refuses writes until reopen)
 * are answered with a 5xx JSON error naming the failure, never 200, never a 4xx that blames the request and never a
 * stack trace; reads go on; after a restart on a healthy disk what was acknowledged is there and the failed write
 * is whole or absent.
 */
class WriteFailureTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(WriteFault.class)
    void aFailedWriteIsA5xxNamingTheFailureAndStudioGoesOnServingReads(WriteFault fault) {
        FaultFileIO io = new FaultFileIO(fault.ordinal());
        Options options = Options.builder().fsyncPolicy(FsyncPolicy.always()).build();
        Studio studio = Studio.start(StudioConfig.builder(dir).port(0).options(io.forOneOpen(options)).build());
        try {
            TestClient client = new TestClient(studio);
            assertThat(client.put("/api/kv", "{\"key\":\"kept\",\"value\":\"acknowledged\"}").status()).isEqualTo(200);
            fault.armNext(io);
            String failure = fault.words();
            assertThat(serverError(client.put("/api/kv", "{\"key\":\"lost\",\"value\":\"failed\"}")))
                    .contains(failure);
            WriteFault.heal(io);
            // Refused until reopen, each naming the original failure.
            assertThat(serverError(client.put("/api/document",
                    "{\"collection\":\"notes\",\"id\":\"n1\",\"document\":{\"title\":\"after\"}}"))).contains(failure);
            assertThat(serverError(client.delete("/api/kv?key=kept"))).contains(failure);
            // The failed value: absent, refused (not durable: 5xx naming the failure) or, had it landed, itself.
            TestClient.Response failed = client.get("/api/kv?key=lost");
            if (failed.status() == 200) {
                assertThat(failed.json().get("text").asText()).isEqualTo("failed");
            } else if (failed.status() != 404) {
                assertThat(serverError(failed)).contains("not served").contains(failure);
            }
            TestClient.Response read = client.get("/api/kv?key=kept");
            assertThat(read.status()).isEqualTo(200);
            assertThat(read.json().get("text").asText()).isEqualTo("acknowledged");
            assertThat(client.get("/api/info").status()).isEqualTo(200);
        } finally {
            closeAfterFailure(studio);
        }
        try (DocumentStore reopened = DocumentStore.open(dir, options)) {
            FerrumDB db = reopened.database();
            assertThat(db.get(bytes("kept"))).isEqualTo(bytes("acknowledged"));
            byte[] lost = db.get(bytes("lost"));
            assertThat(lost == null || Arrays.equals(lost, bytes("failed")))
                    .as("the failed put is whole or absent: %s", lost == null ? null : new String(lost, UTF_8))
                    .isTrue();
            assertThat(reopened.collection("notes").get("n1")).isNull();
        }
    }

    /** The error text of a 5xx JSON answer, checked to be words (no Java class names, no stack trace). */
    private static String serverError(TestClient.Response r) {
        assertThat(r.status()).as("status of %s", r.text()).isBetween(500, 599);
        assertThat(r.json().get("status").asInt()).isEqualTo(r.status());
        String error = r.json().get("error").asText();
        assertThat(error).doesNotContain("Exception").doesNotContain("\tat ");
        return error;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }

    /** A database whose writer failed may report that failure again on close. */
    private static void closeAfterFailure(Studio studio) {
        try {
            studio.close();
        } catch (RuntimeException expected) {
            assertThat(expected).hasMessageNotContaining("Exception");
        }
    }
}
