package io.ferrumdb.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recall quality on the labelled set in {@code recall-labelled.tsv}: 265 memories, 205 of them with a query
 * naming one distinctive term plus words shared by many other memories, and 60 distractors that share every
 * common word. For every labelled query the expected memory must come first, also after a reopen.
 */
class RecallQualityTest {
    record Labelled(String text, List<String> tags, String query) {
    }

    static List<Labelled> load() throws IOException {
        List<Labelled> rows = new ArrayList<>();
        try (InputStream in = RecallQualityTest.class.getResourceAsStream("/recall-labelled.tsv")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                rows.add(new Labelled(f[0], Arrays.asList(f[1].split(",")), f[2]));
            }
        }
        return rows;
    }

    @Test
    void expectedMemoryIsFirstForEveryLabelledQuery(@TempDir Path dir) throws IOException {
        List<Labelled> rows = load();
        assertThat(rows).hasSize(265);
        Options options = Options.builder().fsyncPolicy(FsyncPolicy.never()).build();
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            AgentMemory memory = AgentMemory.on(db);
            for (Labelled row : rows) {
                memory.remember(new MemoryInput("labelled", row.text(), row.tags(), null, null, null));
            }
            assertAllFirst(memory, rows);
            IndexConsistency.check(db, "labelled");
        }
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            assertAllFirst(AgentMemory.on(db), rows);
        }
    }

    private static void assertAllFirst(AgentMemory memory, List<Labelled> rows) {
        int checked = 0;
        for (Labelled row : rows) {
            if (row.query().isEmpty()) {
                continue;
            }
            List<RecalledMemory> found = memory.recall(new RecallQuery("labelled", row.query(), null, 3, null, null));
            assertThat(found).as("results of query '%s'", row.query()).isNotEmpty();
            assertThat(found.get(0).memory().text()).as("first result of query '%s'", row.query())
                    .isEqualTo(row.text());
            checked++;
        }
        assertThat(checked).isEqualTo(205);
    }
}
