package io.ferrumdb.cli;

import io.ferrumdb.DroppedRange;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.VerifyReport;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "verify", mixinStandardHelpOptions = true,
        footerHeading = Cli.EXAMPLES, footer = {
            "  ferrumdb --db /data/app verify        exit code 3 when anything is damaged"},
        description = {"Reads every record of every segment and checks every checksum and authentication tag, "
                + "writing nothing. Prints the file, offset and length of each problem (and of a torn tail, which is "
                + "not damage); exit code 3 if anything is damaged or missing.",
            "On a terminal, standard error shows a progress bar: the segments' bytes checked, a segment at a time."})
final class VerifyCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Override
    public Integer call() {
        VerifyReport report = new Progress(cli.io, "bytes", -1).follow(
                progress -> FerrumDB.verify(cli.db, cli.options(), progress));
        PrintStream out = cli.io.out();
        out.printf("checked %d segment(s), %d record(s), %d bytes of segment files in %s%n", report.segments(),
                report.records(), report.bytes(), report.directory());
        if (report.logBytes() != report.bytes()) {
            // After a crash the files hold more than the database: 'info' counts its headers and records only.
            out.printf("of which %d bytes are segment headers and records ('ferrumdb info' total bytes) and %d lie"
                    + " past a segment's last intact record (a torn write, or zeros written ahead of the records,"
                    + " which the next writable open cuts; or damage)%n", report.logBytes(),
                    report.bytes() - report.logBytes());
        }
        for (DroppedRange p : report.problems()) {
            out.println(describe(p));
        }
        if (report.problems().isEmpty()) {
            out.println("OK: no problems found");
            return ExitCode.OK;
        }
        if (report.ok()) {
            out.println("OK: no damage found (a torn tail is not damage)");
            return ExitCode.OK;
        }
        // Repair would set every segment aside when the KEY file is not theirs: it refuses, and so advises no one.
        DroppedRange key = report.damage().stream().filter(p -> p.kind() == DroppedRange.Kind.MISMATCHED_KEY)
                .findFirst().orElse(null);
        if (key != null) {
            out.printf("%d problem(s) found; the KEY file does not match the data: restore the KEY file that goes"
                    + " with these segments in place of %s ('ferrumdb repair' refuses: it would set every segment"
                    + " aside)%n", report.damage().size(), key.file());
            return ExitCode.DATABASE;
        }
        // Plain repair refuses a database with a missing segment: the advice names the flag it then asks for.
        boolean missing = report.damage().stream().anyMatch(p -> p.kind() == DroppedRange.Kind.MISSING_SEGMENT);
        out.printf("%d problem(s) found; %s%n", report.damage().size(), missing
                ? "'ferrumdb repair --allow-missing-segments' keeps every intact record (keys deleted or overwritten"
                        + " in the missing segments may then show older values)"
                : "'ferrumdb repair' keeps every intact record");
        return ExitCode.DATABASE;
    }

    /** One line per range, in the words of its kind. */
    static String describe(DroppedRange p) {
        return switch (p.kind()) {
            // At offset 0: a segment whose header was torn while it was created (no record in it), deleted at open.
            case TORN_TAIL -> p.offset() == 0 ? String.format("TORN TAIL %s (%d bytes): %s; no acknowledged write is"
                    + " affected", p.file(), p.length(), p.reason())
                    : String.format("TORN TAIL %s: %d bytes after the last complete record at offset %d; truncated"
                    + " at the next open; no acknowledged write is affected", p.file(), p.length(), p.offset());
            case MISSING_SEGMENT -> String.format("MISSING %s: %s", p.file(), p.reason());
            case UNLISTED_SEGMENT -> String.format("UNLISTED %s (%d bytes): %s", p.file(), p.length(), p.reason());
            case DAMAGED_HINT -> String.format("DAMAGED HINT %s at offset %d: %s (rebuilt from its segment)",
                    p.file(), p.offset(), p.reason());
            case DAMAGED_IMAGE -> String.format("DAMAGED KEYDIR %s: %s (the key directory image, a cache of the hint"
                    + " files: open ignores it and repair deletes it; no record is affected)", p.file(), p.reason());
            case DAMAGED_MANIFEST -> String.format("DAMAGED MANIFEST %s: %s (the list of the database's segments:"
                    + " open refuses the database until 'ferrumdb repair' rebuilds it from the segment files present)",
                    p.file(), p.reason());
            case DAMAGED_META -> String.format("DAMAGED META %s: %s (the database's identity and format version:"
                    + " open refuses the database until 'ferrumdb repair' rebuilds it from the segments' headers)",
                    p.file(), p.reason());
            case DAMAGED_LOCK -> String.format("DAMAGED LOCK %s: %s (no record is affected)", p.file(), p.reason());
            case MISMATCHED_KEY -> String.format("MISMATCHED KEY %s: %s", p.file(), p.reason());
            case DAMAGED_RECORD, DAMAGED_SEGMENT, DAMAGED_JOURNAL -> String.format(
                    "DAMAGED %s at offset %d (%d bytes): %s", p.file(), p.offset(), p.length(), p.reason());
        };
    }
}
