package io.ferrumdb.bench.doc;

import io.ferrumdb.doc.DocumentStore;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;

/**
 * Heap bytes per index entry: the retained heap of a store whose collection has the {@code city} index (one
 * entry per document) minus that of the same documents without it, divided by the number of entries. Heap is
 * retained only by the engine's key directory (index entries are keys with empty values), so this is the
 * per-key cost of an index key of this shape. Run: {@code java -cp benchmarks.jar
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
            long base = retained(without);
            long indexed = retained(with);
            System.out.printf("documents=%d heapWithoutIndex=%d heapWithIndex=%d bytesPerIndexEntry=%.1f%n",
                    documents, base, indexed, (indexed - base) / (double) documents);
        } finally {
            DocumentData.delete(without);
            DocumentData.delete(with);
        }
    }

    private static long retained(Path dir) {
        long before = usedAfterGc();
        DocumentStore store = DocumentStore.open(dir, DocumentData.options());
        try {
            return usedAfterGc() - before;
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
