package io.ferrumdb.cli;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.doc.DocumentStore;

/**
 * The REPL's open database: as a key-value database, or as a document store once a DOC command is used. Both
 * hold the directory's lock, so only one is open at a time; using the other kind closes this one and opens that.
 */
final class ReplHandles implements AutoCloseable {
    private final Cli cli;
    private FerrumDB kv;
    private DocumentStore docs;

    /** Opens the key-value handle at once, so that a locked or damaged database is reported at start. */
    ReplHandles(Cli cli) {
        this.cli = cli;
        this.kv = cli.open(false);
    }

    FerrumDB kv() {
        if (kv == null) {
            closeDocs();
            kv = cli.open(false);
        }
        return kv;
    }

    DocumentStore docs() {
        if (docs == null) {
            closeKv();
            docs = cli.openDocs(false);
        }
        return docs;
    }

    /** The key-value handle if it is the open one, else null (completion must not switch handles). */
    FerrumDB kvIfOpen() {
        return kv;
    }

    @Override
    public void close() {
        closeKv();
        closeDocs();
    }

    private void closeKv() {
        if (kv != null) {
            FerrumDB k = kv;
            kv = null;
            k.close();
        }
    }

    private void closeDocs() {
        if (docs != null) {
            DocumentStore d = docs;
            docs = null;
            d.close();
        }
    }
}
