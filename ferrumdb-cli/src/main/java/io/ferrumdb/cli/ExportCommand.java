package io.ferrumdb.cli;

import io.ferrumdb.ProblemWording;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.KeyRange;
import io.ferrumdb.studio.jsonlines.JsonLinesExport;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.LongConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "export", mixinStandardHelpOptions = true,
        footerHeading = Cli.EXAMPLES, footer = {
            "  ferrumdb export > dump.jsonl          every key, TTLs included",
            "  ferrumdb export -o dump.jsonl         into a file, renamed into place when complete"},
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

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard "
            + "output: as FILE.partial, renamed to FILE once complete (a failed export leaves FILE as it was).")
    Path output;

    @Option(names = "--prefix", paramLabel = "P", description = "Only keys starting with P (in --hex/--base64 "
            + "when given).")
    String prefix;

    @Override
    public Integer call() throws IOException {
        KeyRange range = DataCommands.range(cli.codec(), prefix);
        try (FerrumDB db = cli.open(true)) {
            if (output == null) {
                exportToStandardOutput(db, range);
            } else {
                long exported = exportToFile(db, range);
                cli.io.err().printf("exported %d record(s) to %s%n", exported, output);
            }
        }
        return ExitCode.OK;
    }

    /**
     * Standard output is a PrintStream, which swallows write errors: a full disk under {@code export > dump.jsonl}
     * ended with exit code 0 and a cut dump. Its error flag is checked instead (a reader that stopped reading, as
     * {@code | head} does, is no failure: {@link StandardOutput}).
     */
    private void exportToStandardOutput(FerrumDB db, KeyRange range) throws IOException {
        PrintStream out = cli.io.out();
        long exported = export(db, range, out);
        out.flush();
        if (out.checkError() && !StandardOutput.readerWentAway(out)) {
            throw new CliException(ExitCode.DATABASE, "cannot write standard output (" + StandardOutput.failureOf(out)
                    + "): the export is incomplete, " + exported + " record(s) were passed to it");
        }
    }

    /**
     * Writes {@code FILE.partial} and renames it to FILE once complete, so that a failure half way (a full disk, a
     * damaged record) leaves no file that looks like a whole export: FILE keeps what it held before.
     */
    private long exportToFile(FerrumDB db, KeyRange range) {
        PartialFile file = openOutput();
        long[] exported = {0};
        try (file; OutputStream sink = new BufferedOutputStream(file.stream(), 1 << 16)) {
            exported[0] = export(db, range, sink, n -> exported[0] = n);
            sink.flush();
            file.publish();
            return exported[0];
        } catch (IOException e) {
            throw new CliException(ExitCode.DATABASE, "cannot write the export file: "
                    + ProblemWording.fileProblem(output, e) + "; the export stopped after " + exported[0]
                    + " record(s) and " + output + (file.inPlace() ? " holds a cut export" : " was not written"));
        }
    }

    /** The file of --output; one that cannot be created is bad input (exit code 2, as for get --output). */
    private PartialFile openOutput() {
        try {
            return PartialFile.create(output);
        } catch (IOException e) {
            throw CliException.usage("cannot write the export file: " + ProblemWording.fileProblem(output, e));
        }
    }

    private long export(FerrumDB db, KeyRange range, OutputStream sink) throws IOException {
        return export(db, range, sink, n -> { });
    }

    private long export(FerrumDB db, KeyRange range, OutputStream sink, LongConsumer written) throws IOException {
        Progress progress = new Progress(cli.io, "records", cli.io.terminals().err() ? db.count(range) : -1);
        try {
            return JsonLinesExport.write(db, range, sink, n -> {
                written.accept(n);
                progress.at(n);
            });
        } finally {
            progress.finish();
        }
    }
}
