package io.ferrumdb.cli;

import io.ferrumdb.ProblemWording;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import io.ferrumdb.KeyRange;
import io.ferrumdb.doc.DocumentStore;
import io.ferrumdb.doc.NotADocumentStoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code ferrumdb} command. Without a subcommand it runs the REPL on the database. */
@Command(name = "ferrumdb", mixinStandardHelpOptions = true, versionProvider = Version.class,
        footerHeading = Cli.EXAMPLES, footer = {
            "  ferrumdb                              the REPL on ./ferrumdb-data",
            "  ferrumdb --db /tmp/demo put user:1 Ada",
            "  ferrumdb --db /tmp/demo get user:1    prints Ada",
            "  ferrumdb get --help                   each command's options and examples",
            "  ferrumdb help get                     the same, as git help does"},
        description = "FerrumDB, an embedded key-value and document database: REPL, one-shot commands and tools.%n"
                + "Without a command, starts the REPL on the database (type HELP there).",
        scope = ScopeType.INHERIT,
        subcommands = {
            DataCommands.Get.class, DataCommands.Put.class, DataCommands.Del.class, DataCommands.Keys.class,
            DataCommands.Count.class, InfoCommand.class, VerifyCommand.class, ExportCommand.class,
            ImportCommand.class, CompactCommand.class, RepairCommand.class, BackupCommand.class, DocCommand.class,
            StudioCommand.class, ServeCommand.class, McpCommand.class, CompletionCommand.class,
            CommandLine.HelpCommand.class,
        })
final class Cli implements Callable<Integer> {
    static final String DEFAULT_DB = "ferrumdb-data";
    static final String PASSPHRASE_ENV = "FERRUMDB_PASSPHRASE";
    /** The heading of every command's examples, which its --help ends with (as git's and psql's pages do). */
    static final String EXAMPLES = "%nExamples:%n";

    final Io io;

    @Option(names = "--db", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "Database directory (default: ./" + DEFAULT_DB + "; commands that write create it if "
                    + "missing, commands that only read refuse a directory without a database).")
    Path db = Path.of(DEFAULT_DB);

    @Option(names = "--fsync", paramLabel = "POLICY", scope = ScopeType.INHERIT,
            description = "When writes are forced to disk: always (default), never, or periodic:DURATION "
                    + "(e.g. periodic:100ms).")
    String fsync = "always";

    @Option(names = "--hex", scope = ScopeType.INHERIT,
            description = "Keys and values are written and shown as hex (binary data).")
    boolean hex;

    @Option(names = "--base64", scope = ScopeType.INHERIT,
            description = "Keys and values are written and shown as base64 (binary data).")
    boolean base64;

    @Option(names = "--passphrase-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "Passphrase of an encrypted database: the first line of FILE. Also from the environment "
                    + "variable " + PASSPHRASE_ENV + "; on a terminal an encrypted database asks for it.")
    Path passphraseFile;

    @Option(names = "--ask-passphrase", scope = ScopeType.INHERIT,
            description = "Ask for the passphrase (no echo), e.g. to create a new encrypted database.")
    boolean askPassphrase;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Print stack traces of errors.")
    boolean verbose;

    Cli(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        try (ReplHandles handles = new ReplHandles(this)) {
            return new Repl(this, handles).run();
        }
    }

    Codec codec() {
        if (hex && base64) {
            throw CliException.usage("--hex and --base64 cannot be used together");
        }
        return hex ? Codec.HEX : base64 ? Codec.BASE64 : Codec.TEXT;
    }

    private Options options;

    /** The open options, built once per run, so the REPL asks for a passphrase only once. */
    Options options() {
        if (options == null) {
            Options.Builder b = Options.builder().fsyncPolicy(fsyncPolicy());
            char[] passphrase = passphrase();
            if (passphrase != null) {
                try {
                    b.passphrase(passphrase);
                } finally {
                    Arrays.fill(passphrase, '\0');
                }
            }
            options = b.build();
        }
        return options;
    }

    /**
     * The passphrase from --passphrase-file, else the environment, else a prompt (with --ask-passphrase, or on a
     * terminal when the database on disk is encrypted); null when none is given. Never a command-line argument,
     * which other users could read in the process list.
     */
    private char[] passphrase() {
        if (passphraseFile != null) {
            String text;
            try {
                text = Files.readString(passphraseFile, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw CliException.usage("cannot read the passphrase file: "
                        + ProblemWording.fileProblem(passphraseFile, e));
            }
            int newline = text.indexOf('\n');
            String line = (newline < 0 ? text : text.substring(0, newline)).replaceAll("\r$", "");
            if (line.isEmpty()) {
                throw new CliException(ExitCode.PASSPHRASE, "the passphrase file " + passphraseFile + " is empty");
            }
            return line.toCharArray();
        }
        String env = io.env().get(PASSPHRASE_ENV);
        if (env != null && !env.isEmpty()) {
            return env.toCharArray();
        }
        if (askPassphrase || (io.terminal() && InfoCommand.encryptedOnDisk(db))) {
            if (io.prompt() == null) {
                throw new CliException(ExitCode.PASSPHRASE, "no terminal to ask for the passphrase on: use "
                        + "--passphrase-file FILE or " + PASSPHRASE_ENV);
            }
            Path where = db.toAbsolutePath().normalize();
            boolean creating = !Files.exists(db.resolve("META"));
            char[] typed = io.prompt().ask((creating ? "Passphrase for the new encrypted database " : "Passphrase for ")
                    + where + ": ");
            if (typed == null || typed.length == 0) {
                throw new CliException(ExitCode.PASSPHRASE, "no passphrase given");
            }
            if (creating) {
                // A typo in the only copy of a new passphrase would lock the user out for good: ask twice.
                char[] again = io.prompt().ask("Type it again: ");
                boolean same = again != null && Arrays.equals(typed, again);
                if (again != null) {
                    Arrays.fill(again, '\0');
                }
                if (!same) {
                    Arrays.fill(typed, '\0');
                    throw new CliException(ExitCode.PASSPHRASE, "the two passphrases differ; nothing was created");
                }
            }
            return typed;
        }
        return null;
    }

    private FsyncPolicy fsyncPolicy() {
        if (fsync.equals("always")) {
            return FsyncPolicy.always();
        }
        if (fsync.equals("never")) {
            return FsyncPolicy.never();
        }
        if (fsync.startsWith("periodic:")) {
            return FsyncPolicy.periodic(Durations.parse(fsync.substring("periodic:".length())));
        }
        throw CliException.usage("--fsync must be always, never or periodic:DURATION, got '" + fsync + "'");
    }

    /**
     * Opens the database. A command that only reads opens it read-only, so that it writes nothing and several
     * readers may share the directory; where there is no database it fails with "no FerrumDB database at DIR"
     * (exit code 3) and creates nothing. A writing command creates a missing database, but never in a non-empty
     * directory that holds none. A database without a LOCK file (copied by hand) is opened read-write: the
     * engine's read-only open creates nothing, so it needs one.
     */
    FerrumDB open(boolean readOnly) {
        return FerrumDB.open(db, openOptions(readOnly));
    }

    /**
     * Opens the database as a document store, read-only under the same rule as {@link #open(boolean)}. A database
     * of plain keys is refused in the command line's own terms.
     */
    DocumentStore openDocs(boolean readOnly) {
        try {
            return DocumentStore.open(db, openOptions(readOnly));
        } catch (NotADocumentStoreException e) {
            throw new CliException(ExitCode.DATABASE, "the database " + db + " holds plain keys, not documents: "
                    + "use get, put and keys on it (GET, SET and KEYS in the REPL), or give --db a new directory "
                    + "for documents");
        }
    }

    /**
     * The keys a listing shows: on a document store, its internal keys (documents, indexes, catalog) are hidden
     * unless {@code all}; the rest of {@code range} is listed in key order.
     */
    static java.util.stream.Stream<byte[]> shownKeys(FerrumDB db, KeyRange range, boolean all) {
        return all || !DocumentStore.isDocumentStore(db) ? db.keys(range) : DocumentStore.plainKeys(db, range);
    }

    /**
     * How many keys {@link #shownKeys} lists, so that {@code count} agrees with {@code keys} (on a document store a
     * count of every raw key said 8 where the listing showed none); {@code range} null for every key.
     */
    static long shownCount(FerrumDB db, KeyRange range, boolean all) {
        if (all || !DocumentStore.isDocumentStore(db)) {
            return range == null ? db.size() : db.count(range);
        }
        try (java.util.stream.Stream<byte[]> keys = DocumentStore.plainKeys(db, range == null ? KeyRange.all() : range)) {
            return keys.count();
        }
    }

    Options openOptions(boolean readOnly) {
        boolean withoutLockFile = Files.exists(db.resolve("META")) && !Files.exists(db.resolve("LOCK"));
        return options().toBuilder().readOnly(readOnly && !withoutLockFile).build();
    }
}
