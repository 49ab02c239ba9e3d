package io.ferrumdb.bench.doc;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.doc.DocumentStore;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reopen time of a document store with 3 indexes (4 index entries per document) against opening the same
 * directory as a plain FerrumDB: the document layer rebuilds nothing at open, so the difference is its catalog.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public class DocumentReopenBench {
    @Param({"100000"})
    int documents;

    private Path dir;

    @Setup(Level.Trial)
    public void setUp() {
        dir = DocumentData.build(documents, List.of("city", "score", "tags"));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        DocumentData.delete(dir);
    }

    @Benchmark
    public long reopenDocumentStore() {
        try (DocumentStore store = DocumentStore.open(dir, DocumentData.options())) {
            return store.collection("people").listIndexes().size();
        }
    }

    @Benchmark
    public long reopenRawDatabase() {
        try (FerrumDB db = FerrumDB.open(dir, DocumentData.options())) {
            return db.size();
        }
    }
}
