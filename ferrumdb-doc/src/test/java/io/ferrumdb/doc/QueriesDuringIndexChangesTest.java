package io.ferrumdb.doc;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A query racing a dropIndex of the index it planned with: the documents never change, so every query must
 * return all of them, whether it ran on the index, on the scan, or across the drop (the drop deletes the index
 * entries the query may be reading; it must then re-plan rather than answer from a half-deleted index).
 */
class QueriesDuringIndexChangesTest {
    private static final int DOCUMENTS = 3000;

    @TempDir
    Path dir;

    @Test
    void aQueryRacingADropOfItsIndexStillFindsEveryDocument() throws Exception {
        try (DocumentStore store = DocumentStore.open(dir, Options.builder().fsyncPolicy(FsyncPolicy.never())
                .build())) {
            DocumentCollection c = store.collection("c");
            for (int i = 0; i < DOCUMENTS; i++) {
                c.put(String.format("d%05d", i), "{\"k\":1,\"i\":" + i + "}");
            }
            c.put("z", "{\"k\":0}");
            c.createIndex("k");
            // A union of two ranges of the index, read in this order: the second (k = 0), read long after the plan,
            // is the first a drop deletes.
            Filter union = Filter.or(Filter.eq("k", 1), Filter.eq("k", 0));
            assertThat(c.explain(union).usesIndex()).isTrue();
            AtomicBoolean churning = new AtomicBoolean(true);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<List<Long>> counts = pool.submit(() -> {
                    List<Long> out = new ArrayList<>();
                    while (churning.get()) {
                        out.add(c.count(union));
                    }
                    return out;
                });
                Future<?> churn = pool.submit(() -> {
                    try {
                        for (int round = 0; round < 15; round++) {
                            c.dropIndex("k");
                            c.createIndex("k");
                        }
                    } finally {
                        churning.set(false);
                    }
                    return null;
                });
                churn.get();
                assertThat(counts.get()).isNotEmpty().allSatisfy(n -> assertThat(n).isEqualTo(DOCUMENTS + 1));
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
