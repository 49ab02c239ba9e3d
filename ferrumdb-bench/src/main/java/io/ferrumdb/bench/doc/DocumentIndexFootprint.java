package io.ferrumdb.bench.doc;

import io.ferrumdb.doc.DocumentStore;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;

/**
 * Memory per index entry: what a store whose collection has the {@code city} index (one entry per document) holds
 * beyond the same documents without it, divided by the number of entries. Index entries are keys with empty
 * values, so this is the per-key cost of an index key of this shape: in the key directory
 * ({@code Stats.keyDirectoryBytes}, off the heap but for the ordered index's arrays, since issue 18) and on the heap
 * (retained after GC; before issue 18 the key directory was all heap). Run: {@code java -cp benchmarks.jar
 * io.ferrumdb.bench.doc.DocumentIndexFootprint [documents]}.
 */
public final class DocumentIndexFootprint {
    private DocumentIndexFootprint() {
    }

    public static void main(String[] args) {
        int documents = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Path without = DocumentData.build(documents, List.of());
        Path with = DocumentData.build(documents, List.of("city"));
        try {
            long[] base = retained(without);
            long[] indexed = retained(with);
            System.out.printf("documents=%d heapWithoutIndex=%d heapWithIndex=%d keyDirectoryWithoutIndex=%d "
                    + "keyDirectoryWithIndex=%d heapBytesPerIndexEntry=%.1f keyDirectoryBytesPerIndexEntry=%.1f%n",
                    documents, base[0], indexed[0], base[1], indexed[1], (indexed[0] - base[0]) / (double) documents,
                    (indexed[1] - base[1]) / (double) documents);
        } finally {
            DocumentData.delete(without);
            DocumentData.delete(with);
        }
    }

    /** The heap the open store retains and the key directory's bytes ({@code Stats.keyDirectoryBytes}). */
    private static long[] retained(Path dir) {
        long before = usedAfterGc();
        DocumentStore store = DocumentStore.open(dir, DocumentData.options());
        try {
            return new long[] {usedAfterGc() - before, store.database().stats().keyDirectoryBytes()};
        } finally {
            store.close();
        }
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
