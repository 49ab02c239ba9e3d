package io.ferrumdb.cli;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Stats;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "info", mixinStandardHelpOptions = true,
        footerHeading = Cli.EXAMPLES, footer = {
            "  ferrumdb --db /data/app info"},
        description = "Shows format version, segments, live keys, live and dead bytes, the key directory's memory, "
                + "encryption and fsync policy.")
final class InfoCommand implements Callable<Integer> {
    private static final byte[] META_MAGIC = "FDBMETA1".getBytes(StandardCharsets.US_ASCII);

    @ParentCommand
    Cli cli;

    @Override
    public Integer call() {
        try (FerrumDB db = cli.open(true)) {
            describe(db, cli.io.out());
        }
        return ExitCode.OK;
    }

    /** Prints the description of an open database; also the REPL's INFO. */
    static void describe(FerrumDB db, PrintStream out) {
        Stats stats = db.stats();
        int[] versionAndFlags = readMeta(db.directory());
        out.printf("database:            %s%n", db.directory());
        out.printf("format version:      %d%n", versionAndFlags[0]);
        out.printf("encryption:          %s%n", (versionAndFlags[1] & 1) != 0 ? "encrypted" : "none");
        out.printf("fsync policy:        %s (setting of this open, not stored in the database)%n",
                describe(db.options().fsyncPolicy()));
        out.printf("open mode:           %s%n", stats.readOnly() ? "read-only" : "read-write");
        out.printf("live keys:           %d%n", stats.liveKeys());
        out.printf("segments:            %d%n", stats.segments().size());
        // Not the files' sizes: after a crash a segment file may hold a torn write or zeros past its last record,
        // which 'verify' counts as bytes of segment files (and this open cuts when it may write).
        out.printf("total bytes:         %d (segment headers and records, up to each segment's last complete"
                + " record)%n", stats.totalBytes());
        out.printf("live bytes:          %d%n", stats.liveBytes());
        // Says what dead bytes are: a compaction that reclaims nothing still leaves each segment's header here.
        out.printf("dead bytes:          %d (superseded and expired records, tombstones, segment headers)%n",
                stats.deadBytes());
        out.printf("space amplification: %.2f%n", stats.spaceAmplification());
        out.printf("pending compaction:  %d bytes (what background compaction would read now)%n",
                stats.pendingCompactionBytes());
        out.printf("compaction rate:     %.1f MB/s (%d bytes compacted since open)%n",
                stats.compactionBytesPerSecond() / 1e6, stats.compactionBytesRead());
        // What the key directory holds in memory (README "Limits"): the figure to size a heap and
        // -XX:MaxDirectMemorySize by. Measured as this open left it: an open from the KEYDIR image maps it.
        out.printf("key directory:       %d bytes in memory%s%n", stats.keyDirectoryBytes(),
                stats.liveKeys() == 0 ? "" : String.format(Locale.ROOT, " (%.1f bytes a live key)",
                        stats.keyDirectoryBytes() / (double) stats.liveKeys()));
        if (!stats.segments().isEmpty()) {
            out.printf("%n%10s %14s %14s %14s%n", "segment", "total bytes", "live bytes", "dead bytes");
            for (Stats.SegmentStats s : stats.segments()) {
                out.printf("%10d %14d %14d %14d%s%n", s.id(), s.totalBytes(), s.liveBytes(), s.deadBytes(),
                        s.active() ? "  (active)" : "");
            }
        }
    }

    /** Whether the database in {@code dir} exists and its META says it is encrypted. */
    static boolean encryptedOnDisk(Path dir) {
        return Files.exists(dir.resolve("META")) && (readMeta(dir)[1] & 1) != 0;
    }

    private static String describe(FsyncPolicy p) {
        return p.isAlways() ? "always" : p.isNever() ? "never" : "periodic every " + p.interval().toMillis() + " ms";
    }

    /**
     * Format version and flags from the META file's prologue (FORMAT.md: magic, u16 version, u16 flags, big
     * endian). The engine has already validated the whole file when it opened the database.
     */
    private static int[] readMeta(Path dir) {
        Path meta = dir.resolve("META");
        byte[] b = new byte[12];
        try (InputStream in = Files.newInputStream(meta)) {
            if (in.readNBytes(b, 0, b.length) != b.length || !Arrays.equals(b, 0, 8, META_MAGIC, 0, 8)) {
                throw new CliException(ExitCode.DATABASE, meta + " is not a FerrumDB META file");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + meta, e);
        }
        return new int[] {((b[8] & 0xFF) << 8) | (b[9] & 0xFF), ((b[10] & 0xFF) << 8) | (b[11] & 0xFF)};
    }
}
