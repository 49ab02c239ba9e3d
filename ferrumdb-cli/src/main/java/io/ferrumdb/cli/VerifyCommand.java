package io.ferrumdb.cli;

import io.ferrumdb.DroppedRange;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.VerifyReport;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Reads every record of every segment and checks every checksum and authentication tag, "
                + "writing nothing. Prints the file and offset of each problem; exit code 3 if there is any.")
final class VerifyCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Override
    public Integer call() {
        VerifyReport report = FerrumDB.verify(cli.db, cli.options());
        PrintStream out = cli.io.out();
        out.printf("checked %d segment(s), %d record(s), %d bytes in %s%n", report.segments(), report.records(),
                report.bytes(), report.directory());
        for (DroppedRange p : report.problems()) {
            out.printf("DAMAGED %s at offset %d (%d bytes): %s%n", p.file(), p.offset(), p.length(), p.reason());
        }
        if (report.ok()) {
            out.println("OK: no problems found");
            return ExitCode.OK;
        }
        out.printf("%d problem(s) found%n", report.problems().size());
        return ExitCode.DATABASE;
    }
}
