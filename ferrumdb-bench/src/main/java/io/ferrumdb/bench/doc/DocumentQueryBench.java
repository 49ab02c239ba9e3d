package io.ferrumdb.bench.doc;

import io.ferrumdb.doc.Document;
import io.ferrumdb.doc.DocumentCollection;
import io.ferrumdb.doc.DocumentStore;
import io.ferrumdb.doc.Filter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
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
 * Query latency on an indexed field against the same query on an unindexed twin field (a full scan), in the same
 * run: equality selecting 0.1% of the documents (documents / 1000), and a range of 100 consecutive scores.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class DocumentQueryBench {
    @Param({"100000"})
    int documents;

    private Path dir;
    private DocumentStore store;
    private DocumentCollection people;

    @Setup(Level.Trial)
    public void setUp() {
        dir = DocumentData.build(documents, List.of("city", "score"));
        store = DocumentStore.open(dir, DocumentData.options());
        people = store.collection("people");
        List<Document> probe = people.find(Filter.eq("city", "city-7"));
        if (probe.size() != documents / DocumentData.CITIES
                || !people.find(Filter.eq("cityCopy", "city-7")).equals(probe)) {
            throw new IllegalStateException("data set does not have the expected shape");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        store.close();
        DocumentData.delete(dir);
    }

    private static String city() {
        return "city-" + ThreadLocalRandom.current().nextInt(DocumentData.CITIES);
    }

    private int scoreFrom() {
        return ThreadLocalRandom.current().nextInt(documents - 100);
    }

    @Benchmark
    public List<Document> equalityIndexed() {
        return people.find(Filter.eq("city", city()));
    }

    @Benchmark
    public List<Document> equalityScan() {
        return people.find(Filter.eq("cityCopy", city()));
    }

    @Benchmark
    public List<Document> rangeIndexed() {
        int from = scoreFrom();
        return people.find(Filter.between("score", from, from + 100));
    }

    @Benchmark
    public List<Document> rangeScan() {
        int from = scoreFrom();
        return people.find(Filter.between("scoreCopy", from, from + 100));
    }
}
