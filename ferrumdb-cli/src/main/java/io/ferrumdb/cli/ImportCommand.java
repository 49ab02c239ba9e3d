package io.ferrumdb.cli;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.ProblemWording;
import io.ferrumdb.studio.jsonlines.JsonLinesFormatException;
import io.ferrumdb.studio.jsonlines.JsonLinesImport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "import", mixinStandardHelpOptions = true,
        footerHeading = Cli.EXAMPLES, footer = {
            "  ferrumdb --db copy import < dump.jsonl",
            "  ferrumdb --db copy import -i dump.jsonl   the same (the bar has an ETA when the input is a file)"},
        description = "Reads JSON Lines written by 'export' and puts every record, TTLs included (records that "
                + "have expired since are skipped). Writes in atomic batches; on a bad line, every record before it "
                + "stays imported, the error says how many that is, and the exit code is 2. A progress bar shows on "
                + "standard error when it is a terminal.")
final class ImportCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Option(names = {"-i", "--input"}, paramLabel = "FILE",
            description = "Read FILE instead of standard input (- is standard input).")
    Path input;

    @Override
    public Integer call() throws IOException {
        // One fixed "now" for the whole import, so that the absolute expiry stored is exactly the one exported.
        Clock now = Clock.fixed(Clock.systemUTC().instant(), Clock.systemUTC().getZone());
        boolean fromFile = input != null && !input.toString().equals("-");
        // The input is opened before the database, so that a wrong file name creates no database.
        try (InputStream in = fromFile ? openInput() : cli.io.in();
             FerrumDB db = FerrumDB.open(cli.db, cli.options().toBuilder().clock(now).build())) {
            long size = fromFile ? Files.size(input) : standardInputFileSize(in);
            Progress progress = new Progress(cli.io, "bytes", size);
            JsonLinesImport.Result result;
            try {
                result = JsonLinesImport.read(db, in, now.millis(), progress::at);
            } catch (JsonLinesFormatException badLine) {
                throw CliException.usage(badLine.getMessage());
            } finally {
                progress.finish();
            }
            cli.io.out().printf("imported %d record(s), skipped %d expired%n", result.imported(), result.expired());
        }
        return ExitCode.OK;
    }

    /**
     * The size of standard input when the shell redirected a file to it (the README's {@code import < dump.jsonl}),
     * so that the bar shows an ETA there too, as with {@code -i}; -1 for a pipe or a terminal, and for a stream
     * that is not the process's standard input (an embedding or a test).
     */
    private static long standardInputFileSize(InputStream in) {
        if (in != System.in) {
            return -1;
        }
        Path stdin = Path.of("/dev/stdin");
        try {
            return Files.isRegularFile(stdin) ? Files.size(stdin) : -1;
        } catch (IOException | UnsupportedOperationException | SecurityException unknown) {
            return -1; // no ETA, as before: the bar still shows bytes and rate
        }
    }

    /** The file of --input; one that cannot be read is bad input (exit code 2), named with the reason. */
    private InputStream openInput() {
        if (Files.isDirectory(input)) {
            throw CliException.usage("cannot read the import file: " + ProblemWording.isADirectory(input));
        }
        try {
            return Files.newInputStream(input);
        } catch (IOException e) {
            throw CliException.usage("cannot read the import file: " + ProblemWording.fileProblem(input, e));
        }
    }
}
