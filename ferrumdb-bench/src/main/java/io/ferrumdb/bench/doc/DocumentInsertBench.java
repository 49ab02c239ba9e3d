package io.ferrumdb.bench.doc;

import io.ferrumdb.doc.DocumentCollection;
import io.ferrumdb.doc.DocumentStore;
import java.nio.file.Path;
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

/** Inserts of new documents into a collection with 0, 1 (city) or 3 (city, score, tags: 4 entries) indexes. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class DocumentInsertBench {
    @Param({"0", "1", "3"})
    int indexes;

    private Path dir;
    private DocumentStore store;
    private DocumentCollection people;
    private long next;

    @Setup(Level.Trial)
    public void setUp() {
        dir = DocumentData.build(0, DocumentData.INDEXES.subList(0, indexes));
        store = DocumentStore.open(dir, DocumentData.options());
        people = store.collection("people");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        store.close();
        DocumentData.delete(dir);
    }

    @Benchmark
    public void insert() {
        long i = next++;
        people.put(DocumentData.id(i), DocumentData.document(i));
    }
}
