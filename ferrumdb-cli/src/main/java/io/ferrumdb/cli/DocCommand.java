package io.ferrumdb.cli;

import io.ferrumdb.doc.DocumentStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code ferrumdb doc ...}: the document store (module ferrumdb-doc) from scripts. */
@Command(name = "doc", mixinStandardHelpOptions = true,
        footerHeading = Cli.EXAMPLES, footer = {
            "  ferrumdb --db people doc put users u1 '{\"name\":\"Ada\",\"age\":36}'",
            "  ferrumdb --db people doc index users age",
            "  ferrumdb --db people doc find users '{\"age\":{\"$gte\":30}}'"},
        description = "Documents: JSON documents in named collections with secondary indexes. Filters are JSON, "
                + "e.g. '{\"age\": {\"$gte\": 30}, \"city\": \"London\"}' (operators $eq $ne $gt $gte $lt $lte $in "
                + "$between $startsWith $exists $and $or $not). A database is either a key-value database or a "
                + "document store.",
        subcommands = {DocCommand.Put.class, DocCommand.Get.class, DocCommand.Del.class, DocCommand.Find.class,
            DocCommand.Count.class, DocCommand.Index.class, DocCommand.Explain.class, DocCommand.Collections.class})
final class DocCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Override
    public Integer call() {
        throw CliException.usage("doc needs a command: put, get, del, find, count, index, explain, collections "
                + "(see ferrumdb doc --help)");
    }

    /**
     * Base of the doc subcommands: opens the store, runs, closes. The database options (--db, --passphrase-file,
     * ...) are the top command's, inherited by every subcommand.
     */
    abstract static class Sub implements Callable<Integer> {
        @ParentCommand
        DocCommand doc;

        private final Access access;

        Sub(Access access) {
            this.access = access;
        }

        abstract void run(DocumentStore store);

        @Override
        public Integer call() {
            try (DocumentStore store = doc.cli.openDocs(access == Access.READ_ONLY)) {
                run(store);
            }
            return ExitCode.OK;
        }
    }

    /** Whether a subcommand writes, and so may create the store, or only reads. */
    enum Access {
        READ_ONLY, READ_WRITE
    }

    /** A subcommand on one collection, its first parameter. */
    abstract static class OnCollection extends Sub {
        @Parameters(index = "0", paramLabel = "COLLECTION",
                description = "The collection (created by its first document).")
        String collection;

        OnCollection(Access access) {
            super(access);
        }
    }

    /** A subcommand on one document: COLLECTION ID. */
    abstract static class OnDocument extends OnCollection {
        @Parameters(index = "1", paramLabel = "ID", description = "The document's id in COLLECTION.")
        String id;

        OnDocument(Access access) {
            super(access);
        }
    }

    @Command(name = "put", mixinStandardHelpOptions = true,
            footerHeading = Cli.EXAMPLES, footer = {
                "  ferrumdb --db people doc put users u1 '{\"name\":\"Ada\",\"age\":36}'",
                "  ferrumdb --db people doc put users u2 - < grace.json"},
            description = "Stores JSON as document ID of COLLECTION.")
    static final class Put extends OnDocument {
        @Parameters(index = "2", paramLabel = "JSON", description = "The document; - reads standard input.")
        String json;

        Put() {
            super(Access.READ_WRITE);
        }

        @Override
        void run(DocumentStore store) {
            String text = json;
            if (json.equals("-")) {
                try {
                    text = new String(doc.cli.io.in().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw CliException.usage("cannot read the document from standard input: " + Main.message(e));
                }
            }
            Docs.put(store, collection, id, text);
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            footerHeading = Cli.EXAMPLES, footer = {
                "  ferrumdb --db people doc get users u1"},
            description = "Prints document ID of COLLECTION. Exit code 1 when absent.")
    static final class Get extends OnDocument {
        Get() {
            super(Access.READ_ONLY);
        }

        @Override
        void run(DocumentStore store) {
            String json = Docs.get(store, collection, id);
            if (json == null) {
                throw Docs.noDocument(collection, id);
            }
            doc.cli.io.out().println(json);
        }
    }

    @Command(name = "del", mixinStandardHelpOptions = true,
            footerHeading = Cli.EXAMPLES, footer = {
                "  ferrumdb --db people doc del users u1"},
            description = "Deletes document ID of COLLECTION. Exit code 1 when absent.")
    static final class Del extends OnDocument {
        Del() {
            super(Access.READ_WRITE);
        }

        @Override
        void run(DocumentStore store) {
            Docs.delete(store, collection, id);
        }
    }

    /** A read of the documents matching an optional FILTER: COLLECTION [FILTER]. */
    abstract static class Matching extends OnCollection {
        @Parameters(index = "1", paramLabel = "FILTER", arity = "0..1",
                description = "A JSON filter such as '{\"age\":{\"$gte\":30}}'; every document without one.")
        String filter;

        Matching() {
            super(Access.READ_ONLY);
        }
    }

    @Command(name = "find", mixinStandardHelpOptions = true,
            footerHeading = Cli.EXAMPLES, footer = {
                "  ferrumdb --db people doc find users '{\"age\":{\"$gte\":30}}' --limit 10",
                "  ferrumdb --db people doc find users   every document of users"},
            description = "Prints the documents matching FILTER (all without one) as ID<TAB>JSON lines. Exit code 1 "
                    + "when COLLECTION does not exist (the error names those that do).")
    static final class Find extends Matching {
        @Option(names = "--limit", paramLabel = "N", description = "At most N documents (0 or more; 0 prints none).")
        Integer limit;

        @Override
        void run(DocumentStore store) {
            if (limit != null && limit < 0) {
                throw CliException.usage("--limit must be 0 or more, got " + limit);
            }
            Docs.find(store, collection, filter, limit == null ? Integer.MAX_VALUE : limit, doc.cli.io.out());
        }
    }

    @Command(name = "count", mixinStandardHelpOptions = true,
            footerHeading = Cli.EXAMPLES, footer = {
                "  ferrumdb --db people doc count users '{\"age\":{\"$lt\":40}}'"},
            description = "Prints the number of documents matching FILTER (all without one). Exit code 1 when "
                    + "COLLECTION does not exist.")
    static final class Count extends Matching {
        @Override
        void run(DocumentStore store) {
            Docs.count(store, collection, filter, doc.cli.io.out());
        }
    }

    @Command(name = "index", mixinStandardHelpOptions = true,
            footerHeading = Cli.EXAMPLES, footer = {
                "  ferrumdb --db people doc index users address.city",
                "  ferrumdb --db people doc index users email --unique"},
            description = "Creates an index on PATH (e.g. address.city) of COLLECTION.")
    static final class Index extends OnCollection {
        @Parameters(index = "1", paramLabel = "PATH",
                description = "A dot path into the documents, e.g. address.city (an array indexes each element).")
        String path;
        @Option(names = "--unique", description = "Refuse two documents with the same value.")
        boolean unique;

        Index() {
            super(Access.READ_WRITE);
        }

        @Override
        void run(DocumentStore store) {
            Docs.createIndex(store, collection, path, unique);
        }
    }

    @Command(name = "explain", mixinStandardHelpOptions = true,
            footerHeading = Cli.EXAMPLES, footer = {
                "  ferrumdb --db people doc explain users '{\"address.city\":\"London\"}'"},
            description = "Shows how FILTER would run: which index, or a scan.")
    static final class Explain extends OnCollection {
        @Parameters(index = "1", paramLabel = "FILTER",
                description = "A JSON filter such as '{\"address.city\":\"London\"}'.")
        String filter;

        Explain() {
            super(Access.READ_ONLY);
        }

        @Override
        void run(DocumentStore store) {
            Docs.explain(store, collection, filter, doc.cli.io.out());
        }
    }

    @Command(name = "collections", mixinStandardHelpOptions = true,
            footerHeading = Cli.EXAMPLES, footer = {
                "  ferrumdb --db people doc collections"},
            description = "Lists the collections and their indexes.")
    static final class Collections extends Sub {
        Collections() {
            super(Access.READ_ONLY);
        }

        @Override
        void run(DocumentStore store) {
            Docs.collections(store, doc.cli.io.out());
        }
    }
}
