package io.ferrumdb.cli;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code ferrumdb} command. Without a subcommand it runs the REPL on the database. */
@Command(name = "ferrumdb", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "FerrumDB, an embedded key-value and document database: REPL, one-shot commands and tools.%n"
                + "Without a command, starts the REPL on the database (type HELP there).",
        scope = ScopeType.INHERIT,
        subcommands = {
            DataCommands.Get.class, DataCommands.Put.class, DataCommands.Del.class, DataCommands.Keys.class,
            DataCommands.Count.class, InfoCommand.class, VerifyCommand.class, ExportCommand.class,
            ImportCommand.class, CompactCommand.class, BackupCommand.class, CompletionCommand.class,
        })
final class Cli implements Callable<Integer> {
    static final String DEFAULT_DB = "ferrumdb-data";

    final Io io;

    @Option(names = "--db", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "Database directory (default: ./" + DEFAULT_DB + ", created if missing).")
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

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Print stack traces of errors.")
    boolean verbose;

    Cli(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        try (FerrumDB database = open(false)) {
            return new Repl(this, database).run();
        }
    }

    Codec codec() {
        if (hex && base64) {
            throw CliException.usage("--hex and --base64 cannot be used together");
        }
        return hex ? Codec.HEX : base64 ? Codec.BASE64 : Codec.TEXT;
    }

    Options options() {
        return Options.builder().fsyncPolicy(fsyncPolicy()).build();
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
     * Opens the database. A command that only reads opens an existing database read-only, so that it writes
     * nothing and several readers may share the directory; a missing database is created (empty) either way.
     * A directory without a LOCK file (a fresh backup) is opened read-write: the engine's read-only open needs one.
     */
    FerrumDB open(boolean readOnly) {
        Options options = options();
        boolean exists = Files.exists(db.resolve("META")) && Files.exists(db.resolve("LOCK"));
        return FerrumDB.open(db, options.toBuilder().readOnly(readOnly && exists).build());
    }
}
