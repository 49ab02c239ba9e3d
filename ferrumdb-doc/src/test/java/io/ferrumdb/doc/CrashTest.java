package io.ferrumdb.doc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a process in the middle of document writes, index creations and drops, over several rounds on the
 * same directory: after each reopen every index agrees with the documents entry by entry, indexed queries equal
 * scans, no unique value is shared, and no half-built index is in use.
 */
class CrashTest {
    private static final boolean SOAK = Boolean.getBoolean("ferrumdb.soak");

    @TempDir
    Path dir;

    @Test
    void indexesAgreeWithDocumentsAfterKill9() throws Exception {
        Random random = new Random();
        long seed = random.nextLong();
        int rounds = SOAK ? 25 : 4;
        long documentsSeen = 0;
        for (int round = 0; round < rounds; round++) {
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), CrashWriter.class.getName(), dir.toString(),
                    String.valueOf(seed + round))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                assertThat(out.readLine()).as("child round %d (seed %d) started", round, seed).isEqualTo("ready");
                Thread.sleep(100 + random.nextInt(SOAK ? 1500 : 500));
                assertThat(child.isAlive()).as("child still writing").isTrue();
                child.destroyForcibly();
                assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("the killed child exited").isTrue();
            }
            try (DocumentStore store = DocumentStore.open(dir)) {
                DocumentCollection c = store.collection("c");
                assertThat(c.verifyIndexes()).as("round %d, seed %d", round, seed).isEmpty();
                assertThat(c.listIndexes()).extracting(IndexInfo::path).contains("city", "email", "tags");
                List<Document> all = c.find(Filter.all());
                documentsSeen += all.size();
                Map<String, String> emails = new HashMap<>();
                for (Document d : all) {
                    if (d.node().has("email")) {
                        assertThat(emails.put(d.node().get("email").asText(), d.id())).isNull();
                    }
                }
                for (String city : CrashWriter.CITIES) {
                    Filter f = Filter.eq("city", city);
                    assertThat(c.explain(f).usesIndex()).isTrue();
                    assertThat(c.find(f)).isEqualTo(c.find(Filter.not(Filter.not(f))));
                }
                Filter range = Filter.and(Filter.gte("age", 30), Filter.lt("age", 60.5));
                assertThat(c.find(Filter.or(Filter.eq("tags", "t3"), range)))
                        .isEqualTo(c.find(Filter.not(Filter.not(Filter.or(Filter.eq("tags", "t3"), range)))));
            }
        }
        assertThat(documentsSeen).as("the children wrote documents").isPositive();
    }
}
