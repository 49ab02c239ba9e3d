package io.ferrumdb.doc;

import java.nio.charset.StandardCharsets;

/** A ready index of one collection and the key prefix of its entries. */
final class IndexDef {
    /** Largest encoded value an index entry may hold; see the README's limits. */
    static final int MAX_INDEXED_VALUE_BYTES = 4096;

    final FieldPath path;
    final boolean unique;
    final byte[] entryPrefix;

    IndexDef(byte[] collection, FieldPath path, boolean unique) {
        this.path = path;
        this.unique = unique;
        this.entryPrefix = Keys.indexEntries(collection, path.text().getBytes(StandardCharsets.UTF_8));
    }

    IndexInfo info() {
        return new IndexInfo(path.text(), unique);
    }
}
