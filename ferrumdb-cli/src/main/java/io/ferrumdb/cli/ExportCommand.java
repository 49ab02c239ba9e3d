package io.ferrumdb.cli;

import io.ferrumdb.ProblemWording;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.KeyRange;
import io.ferrumdb.studio.jsonlines.JsonLinesExport;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "export", mixinStandardHelpOptions = true,
        // The first line is a whole sentence: 'ferrumdb --help' lists each command with its first line only. The
        // example is a line of its own: inside a sentence, the help's wrapping broke it in the middle of a string.
        description = {"Writes every live key as JSON Lines, one object a line; 'import' restores them exactly, "
                + "TTLs included.",
            "A line of the output:",
            "  {\"key\":\"k1\",\"value\":\"v1\",\"encoding\":\"text\",\"expiresAt\":1767225600000}",
            "The key and value are text when both are UTF-8, else both base64 (encoding base64); expiresAt "
                + "(epoch milliseconds) only for keys with a TTL. Binary-safe."})
final class ExportCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.")
    Path output;

    @Option(names = "--prefix", paramLabel = "P", description = "Only keys starting with P (in --hex/--base64 "
            + "when given).")
    String prefix;

    @Override
    public Integer call() throws IOException {
        KeyRange range = DataCommands.range(cli.codec(), prefix);
        try (FerrumDB db = cli.open(true)) {
            if (output == null) {
                export(db, range, cli.io.out());
                cli.io.out().flush();
            } else {
                try (OutputStream file = openOutput()) {
                    long exported = export(db, range, file);
                    cli.io.err().printf("exported %d record(s) to %s%n", exported, output);
                }
            }
        }
        return ExitCode.OK;
    }

    /** The file of --output; one that cannot be created is bad input (exit code 2, as for get --output). */
    private OutputStream openOutput() {
        try {
            return Files.newOutputStream(output);
        } catch (IOException e) {
            throw CliException.usage("cannot write the export file: " + ProblemWording.fileProblem(output, e));
        }
    }

    private long export(FerrumDB db, KeyRange range, OutputStream sink) throws IOException {
        Progress progress = new Progress(cli.io, "records", cli.io.terminals().err() ? db.count(range) : -1);
        try {
            return JsonLinesExport.write(db, range, sink, progress::at);
        } finally {
            progress.finish();
        }
    }
}
