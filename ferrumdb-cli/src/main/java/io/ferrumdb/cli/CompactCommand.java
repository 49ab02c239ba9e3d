package io.ferrumdb.cli;

import io.ferrumdb.CompactionResult;
import io.ferrumdb.FerrumDB;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "compact", mixinStandardHelpOptions = true,
        description = "Rewrites the live records of every segment into new segments and deletes the old ones, "
                + "reclaiming the space of overwritten, deleted and expired records.")
final class CompactCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Override
    public Integer call() {
        try (FerrumDB db = cli.open(false)) {
            long before = db.stats().totalBytes();
            CompactionResult r = db.compact();
            cli.io.out().printf("compacted %d segment(s) in %d ms: read %d bytes, wrote %d, reclaimed %d "
                    + "(database %d -> %d bytes)%n", r.segmentsCompacted(), r.duration().toMillis(), r.bytesRead(),
                    r.bytesWritten(), r.bytesReclaimed(), before, db.stats().totalBytes());
        }
        return ExitCode.OK;
    }
}
