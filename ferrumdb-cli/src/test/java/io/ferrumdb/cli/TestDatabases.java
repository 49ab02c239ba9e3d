package io.ferrumdb.cli;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.Options;
import io.ferrumdb.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Databases the command-line tests run their commands on. */
final class TestDatabases {
    private TestDatabases() {
    }

    /**
     * Writes {@code records} keys {@code key-00000, key-00001, ...} into the database at {@code db} (created if
     * missing), in one batch, the value of key N being {@code value-N} followed by {@code padding} dashes. Without
     * background compaction, so that the files stay as written. Writing the same keys again overwrites them all.
     */
    static Path filled(Path db, int records, int padding) {
        try (FerrumDB d = FerrumDB.open(db, Options.builder().autoCompaction(false).build())) {
            WriteBatch batch = new WriteBatch();
            for (int i = 0; i < records; i++) {
                batch.put(String.format("key-%05d", i).getBytes(StandardCharsets.UTF_8),
                        ("value-" + i + "-".repeat(padding)).getBytes(StandardCharsets.UTF_8));
            }
            d.write(batch);
        }
        return db;
    }
}
