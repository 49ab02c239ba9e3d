package io.ferrumdb.cli;

import io.ferrumdb.CompactionResult;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.Options;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "compact", mixinStandardHelpOptions = true,
        footerHeading = Cli.EXAMPLES, footer = {
            "  ferrumdb --db /data/app compact --threads 2"},
        description = {"Rewrites the live records of every segment into new segments and deletes the old ones, "
                + "reclaiming the space of overwritten, deleted and expired records.",
            "On a terminal, standard error shows a progress bar: the segments' bytes done of those planned."})
final class CompactCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Option(names = "--threads", paramLabel = "N", description = "Threads that copy records, each its own share "
            + "into files of its own (1 to 64; default: 2, or 1 on a one-CPU machine).")
    Integer threads;

    @Override
    public Integer call() {
        if (threads != null && (threads < 1 || threads > 64)) {
            throw CliException.usage("--threads must be from 1 to 64, got " + threads);
        }
        // Compaction has nothing to do on a database that is not there: a mistyped --db must not create one.
        Options options = cli.openOptions(false).toBuilder().createIfMissing(false).build();
        if (threads != null) {
            options = options.toBuilder().compactionThreads(threads).build();
        }
        try (FerrumDB db = FerrumDB.open(cli.db, options)) {
            long before = db.stats().totalBytes();
            CompactionResult r = new Progress(cli.io, "bytes", -1).follow(db::compact);
            cli.io.out().printf("compacted %d segment(s) in %d ms: read %d bytes, wrote %d, reclaimed %d "
                    + "(database %d -> %d bytes)%n", r.segmentsCompacted(), r.duration().toMillis(), r.bytesRead(),
                    r.bytesWritten(), r.bytesReclaimed(), before, db.stats().totalBytes());
        }
        return ExitCode.OK;
    }
}
