package io.ferrumdb.bindings;

import io.ferrumdb.doc.Document;
import java.util.List;

/**
 * The result of a document query handed over in chunks, so that the Node.js binding never parses (nor receives)
 * one large JSON text on its event loop: each {@link #next} is a JSON array of the next documents, of about a
 * bounded length. The query runs when the cursor is made (on a java-bridge thread); documents are written as JSON
 * chunk by chunk.
 *
 * <p>Invariant: {@code position} only grows, up to the number of documents; after {@link #close} the documents are
 * released and {@link #next} returns null.
 */
public final class FindCursor implements AutoCloseable {
    private List<Document> documents;
    private int position;

    /** Runs {@link DocumentBridge#find}'s query with its arguments. */
    public FindCursor(DocumentBridge bridge, String collection, String query, String sortBy, boolean descending,
                      int offset, int limit) {
        this.documents = bridge.findDocuments(collection, query, sortBy, descending, offset, limit);
    }

    /** The number of documents found, as a double because java-bridge turns a long into a BigInt. */
    public synchronized double size() {
        return documents == null ? 0 : documents.size();
    }

    /**
     * The next documents as a JSON array (ASCII, as {@link DocumentBridge} writes), stopping after the document
     * that reaches {@code maxChars} characters, so a chunk holds at least one document however large; null when
     * every document has been returned (the cursor then releases them).
     *
     * @throws IllegalArgumentException when {@code maxChars} is not positive
     */
    public synchronized String next(int maxChars) {
        if (maxChars <= 0) {
            throw new IllegalArgumentException("a chunk needs a positive length, got " + maxChars);
        }
        if (documents == null || position == documents.size()) {
            close();
            return null;
        }
        StringBuilder out = new StringBuilder().append('[');
        while (position < documents.size() && out.length() < maxChars) {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append(DocumentBridge.documentJson(documents.get(position)));
            position++;
        }
        return out.append(']').toString();
    }

    @Override
    public synchronized void close() {
        documents = null;
    }
}
