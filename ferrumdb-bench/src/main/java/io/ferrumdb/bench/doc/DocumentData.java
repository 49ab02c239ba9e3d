package io.ferrumdb.bench.doc;

import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import io.ferrumdb.doc.DocumentCollection;
import io.ferrumdb.doc.DocumentStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The data set of the document benchmarks: document i has {@code city = "city-" + i % 1000} and
 * {@code score = i}, each also under an unindexed twin ({@code cityCopy}, {@code scoreCopy}) so that one run
 * measures the same query through an index and by a full scan.
 */
final class DocumentData {
    static final int CITIES = 1000;
    static final List<String> INDEXES = List.of("city", "score", "tags");

    private DocumentData() {
    }

    static Options options() {
        // The benchmarks measure the document layer, not the disk: fsync is off, as in the engine's CPU benches.
        return Options.builder().fsyncPolicy(FsyncPolicy.never()).build();
    }

    static String document(long i) {
        return "{\"name\":\"user " + i + "\",\"city\":\"city-" + i % CITIES + "\",\"cityCopy\":\"city-" + i % CITIES
                + "\",\"score\":" + i + ",\"scoreCopy\":" + i + ",\"tags\":[\"t" + i % 7 + "\",\"u" + i % 11
                + "\"],\"address\":{\"street\":\"" + i + " Long Road\",\"zip\":\"" + (10000 + i % 90000) + "\"}}";
    }

    static String id(long i) {
        return String.format("u%09d", i);
    }

    /** A new store in a temporary directory holding {@code documents} documents, with the given indexes. */
    static Path build(int documents, List<String> indexes) {
        try {
            Path dir = Files.createTempDirectory("ferrumdb-doc-bench");
            try (DocumentStore store = DocumentStore.open(dir, options())) {
                DocumentCollection c = store.collection("people");
                indexes.forEach(c::createIndex);
                for (int i = 0; i < documents; i++) {
                    c.put(id(i), document(i));
                }
                store.compact();
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
