package io.ferrumdb.cli;

import io.ferrumdb.FerrumDB;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "backup", mixinStandardHelpOptions = true,
        footerHeading = Cli.EXAMPLES, footer = {
            "  ferrumdb --db /data/app backup /backups/app-monday",
            "  ferrumdb --db /backups/app-monday info   the copy opens as a database"},
        description = {"Writes a consistent copy of the database into DIR (new or empty), which opens as a "
                + "database of its own. Sealed segments are hard-linked where possible.",
            "On a terminal, standard error shows a progress bar: the segments' bytes linked or copied."})
final class BackupCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Parameters(paramLabel = "DIR", description = "Target directory, new or empty, outside the database.")
    Path target;

    @Override
    public Integer call() {
        try (FerrumDB db = cli.open(true)) {
            new Progress(cli.io, "bytes", -1).follow(progress -> {
                db.backup(target, progress);
                return target;
            });
            long keys = db.size();
            cli.io.out().printf("backup of %s (%d live %s) written to %s%n", db.directory(), keys,
                    keys == 1 ? "key" : "keys", target.toAbsolutePath().normalize());
        }
        return ExitCode.OK;
    }
}
