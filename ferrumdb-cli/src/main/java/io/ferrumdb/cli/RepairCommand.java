package io.ferrumdb.cli;

import io.ferrumdb.DroppedRange;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.Options;
import io.ferrumdb.RepairReport;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "repair", mixinStandardHelpOptions = true,
        footerHeading = Cli.EXAMPLES, footer = {
            "  ferrumdb --db /data/app verify        first, to see what is damaged",
            "  ferrumdb --db /data/app repair        the database must be closed"},
        description = {"Makes a damaged database openable again, keeping every intact record: damaged segments are "
                + "rewritten (resynchronising after each damaged record, tombstones kept so no deleted key comes "
                + "back), hints rebuilt, and the damaged originals moved to a damaged-<timestamp> folder beside the "
                + "database. The database must be closed. Prints what was dropped.",
            "On a terminal, standard error shows a progress bar: the segments' bytes checked, a segment at a time."})
final class RepairCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Option(names = "--discard-damaged", description = "Delete the damaged originals instead of keeping them in a "
            + "damaged-<timestamp> folder.")
    boolean discardDamaged;

    @Option(names = "--allow-missing-segments", description = "Repair even when segment files the MANIFEST lists "
            + "are gone; keys deleted or overwritten in them may then show older values.")
    boolean allowMissingSegments;

    @Override
    public Integer call() {
        Options options = cli.options().toBuilder().repairDiscardsDamaged(discardDamaged)
                .repairAllowsMissingSegments(allowMissingSegments).build();
        RepairReport r = new Progress(cli.io, "bytes", -1).follow(progress -> FerrumDB.repair(cli.db, options,
                progress));
        PrintStream out = cli.io.out();
        for (DroppedRange p : r.problems()) {
            out.println(VerifyCommand.describe(p));
        }
        for (Path p : r.missingSegments()) {
            out.printf("GONE %s: keys deleted or overwritten in it may show older values%n", p);
        }
        // A damaged segment is not rewritten in place: its intact records go to new segments, and the file itself
        // is set aside (below), so the lines say which is which.
        for (Path p : r.rewritten()) {
            out.printf("copied the intact records of %s into new segments%n", p);
        }
        for (Path p : r.written()) {
            out.printf("new segment %s%n", p);
        }
        for (byte[] key : r.keysAffected()) {
            String text = Codec.strictUtf8(key);
            out.printf("key affected: %s%n", text != null ? text : "hex:" + HexFormat.of().formatHex(key));
        }
        if (!r.setAside().isEmpty()) {
            out.printf("%s %d original file(s)%s%n", r.damagedFolder().isPresent() ? "moved" : "deleted",
                    r.setAside().size(), r.damagedFolder().map(f -> " to " + f).orElse(""));
        }
        if (r.wasClean()) {
            out.printf("OK: nothing to repair in %s%n", r.directory());
        } else {
            out.printf("repaired %s: kept %d record(s) of damaged segments, dropped %d damaged byte(s)%n",
                    r.directory(), r.recordsKept(), r.bytesDropped());
            if (r.bytesDropped() > 0) {
                // A dropped record may have been a key's newest put or its delete: the key then reads as its
                // older record says (an older value, or absent), as for a missing segment (GONE above).
                out.println("records in the dropped bytes are lost: a key whose newest put or delete was among them"
                        + " now shows its previous value, or none");
            }
        }
        return ExitCode.OK;
    }
}
