package io.ferrumdb.cli;

import io.ferrumdb.ProblemWording;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.KeyRange;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** The one-shot key-value commands, for scripts: get, put, del, keys, count. */
final class DataCommands {
    private DataCommands() {
    }

    /**
     * Writes a key or value: raw bytes in text mode (so any UTF-8 survives), else hex or base64; then a newline.
     * On a terminal, {@code out} is a {@link TerminalSafeOutput}, which escapes control characters.
     */
    static void print(PrintStream out, Codec codec, byte[] bytes) {
        if (codec == Codec.TEXT) {
            out.write(bytes, 0, bytes.length);
        } else {
            out.print(codec.encode(bytes));
        }
        out.print('\n');
    }

    static KeyRange range(Codec codec, String prefix) {
        return prefix == null ? KeyRange.all() : KeyRange.prefix(codec.decode(prefix, "prefix"));
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            footerHeading = Cli.EXAMPLES, footer = {
                "  ferrumdb get user:1                   the value of user:1",
                "  ferrumdb get photo -o photo.jpg       its exact bytes into a file",
                "  ferrumdb --hex get 00ff               a binary key; the value in hex"},
            description = {"Prints the value of KEY. Exit code 1 when the key is absent or expired.",
                "In text mode the exact bytes are written when standard output is a file or pipe "
                    + "(get K > f gives back what put K --file f stored); on a terminal a newline follows and "
                    + "control characters are shown as \\xNN. --hex and --base64 end with a newline."})
    static final class Get implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Parameters(paramLabel = "KEY", description = "The key to read (text; hex or base64 under --hex or --base64).")
        String key;

        @Option(names = {"-o", "--output"}, paramLabel = "FILE",
                description = "Write the value's exact bytes to FILE (whatever --hex/--base64 say of KEY).")
        Path output;

        @Override
        public Integer call() {
            Codec codec = cli.codec();
            byte[] k = codec.decode(key, "key");
            byte[] value;
            try (FerrumDB db = cli.open(true)) {
                value = db.get(k);
            }
            if (value == null) {
                throw CliException.notFound("key not found: " + key);
            }
            if (output != null) {
                writeFile(value);
            } else if (codec == Codec.TEXT && !cli.io.terminals().out()) {
                // Like redis-cli's raw output: a pipe or file gets the stored bytes, not one byte more.
                cli.io.out().write(value, 0, value.length);
            } else {
                print(cli.io.out(), codec, value);
            }
            return ExitCode.OK;
        }

        /**
         * --output, under the rule of export's: a file that cannot be created is bad input (exit code 2); a write
         * that fails half way (a full disk) is an I/O error (exit code 3) and leaves FILE as it was, since the value
         * goes to FILE.partial first and is renamed over FILE once complete and fsynced.
         */
        private void writeFile(byte[] value) {
            PartialFile file;
            try {
                file = PartialFile.create(output);
            } catch (IOException e) {
                throw CliException.usage("cannot write the value: " + ProblemWording.fileProblem(output, e));
            }
            try (file) {
                file.stream().write(value);
                file.publish();
            } catch (IOException e) {
                throw new CliException(ExitCode.DATABASE, "cannot write the value: "
                        + ProblemWording.fileProblem(output, e) + "; " + output
                        + (file.inPlace() ? " holds a cut value" : " was not written"));
            }
        }
    }

    @Command(name = "put", mixinStandardHelpOptions = true,
            footerHeading = Cli.EXAMPLES, footer = {
                "  ferrumdb put user:1 Ada",
                "  ferrumdb put session:9 abc --ttl 30m  expires in 30 minutes (--ttl 90: 90 s)",
                "  ferrumdb put photo --file photo.jpg   the value is the file's bytes",
                "  date | ferrumdb put stamp -           the value from standard input"},
            description = "Sets KEY to VALUE, to the contents of --file, or to standard input when VALUE is -.")
    static final class Put implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Parameters(index = "0", paramLabel = "KEY", description = "The key to set.")
        String key;

        @Parameters(index = "1", paramLabel = "VALUE", arity = "0..1",
                description = "The value; - reads standard input (binary-safe in text mode).")
        String value;

        @Option(names = "--file", paramLabel = "FILE", description = "Read the value from FILE.")
        Path file;

        @Option(names = "--ttl", paramLabel = "DURATION",
                description = "Expire the key after DURATION (e.g. 90 seconds as 90 or 90s, 5m, 2h, 7d, PT1H).")
        String ttl;

        @Override
        public Integer call() {
            Codec codec = cli.codec();
            byte[] k = codec.decode(key, "key");
            byte[] v = readValue(codec);
            try (FerrumDB db = cli.open(false)) {
                if (ttl == null) {
                    db.put(k, v);
                } else {
                    db.put(k, v, Durations.ttl(ttl));
                }
            }
            return ExitCode.OK;
        }

        private byte[] readValue(Codec codec) {
            if ((value == null) == (file == null)) {
                throw CliException.usage("put needs exactly one of VALUE, - (standard input) or --file FILE");
            }
            try {
                if (file != null) {
                    return fromBytes(codec, Files.readAllBytes(file));
                }
                if (value.equals("-")) {
                    return fromBytes(codec, cli.io.in().readAllBytes());
                }
            } catch (IOException e) {
                throw CliException.usage("cannot read the value: "
                        + (file != null ? ProblemWording.fileProblem(file, e) : Main.message(e)));
            }
            return codec.decode(value, "value");
        }

        private static byte[] fromBytes(Codec codec, byte[] raw) {
            return codec == Codec.TEXT ? raw : codec.decode(new String(raw, StandardCharsets.US_ASCII).strip(), "value");
        }
    }

    @Command(name = "del", mixinStandardHelpOptions = true,
            footerHeading = Cli.EXAMPLES, footer = {
                "  ferrumdb del user:1                   exit code 1 when there was none",
                "  ferrumdb del user:1 user:2            several keys, as DEL in the REPL and Redis"},
            description = {"Deletes each KEY. Exit code 1 when one of them did not exist (each is named; the others "
                + "are deleted all the same, as rm deletes the files that exist)."})
    static final class Del implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Parameters(paramLabel = "KEY", arity = "1..*", description = "The keys to delete.")
        List<String> keys;

        @Override
        public Integer call() {
            Codec codec = cli.codec();
            // Every key decoded before the first delete: a bad one (hex, say) then deletes nothing.
            List<byte[]> decoded = keys.stream().map(k -> codec.decode(k, "key")).toList();
            List<String> missing = new ArrayList<>();
            try (FerrumDB db = cli.open(false)) {
                for (int i = 0; i < decoded.size(); i++) {
                    if (!db.delete(decoded.get(i))) {
                        missing.add(keys.get(i));
                    }
                }
            }
            if (!missing.isEmpty()) {
                throw CliException.notFound((missing.size() == 1 ? "key not found: " : "keys not found: ")
                        + String.join(", ", missing));
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "keys", mixinStandardHelpOptions = true,
            footerHeading = Cli.EXAMPLES, footer = {
                "  ferrumdb keys --prefix user: --limit 10",
                "  ferrumdb keys 'user:*'                keys matching a pattern, as KEYS in the REPL and Redis",
                "  ferrumdb --hex keys                   binary keys, in hex"},
            description = "Lists live keys in key order, one a line.")
    static final class Keys implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Parameters(paramLabel = "PATTERN", arity = "0..1", description = "Only keys starting with PATTERN, or, when "
                + "it holds * ? or [...], matching it as Redis's KEYS does (quote it for the shell).")
        String pattern;

        @Option(names = "--prefix", paramLabel = "P", description = "Only keys starting with P.")
        String prefix;

        @Option(names = "--limit", paramLabel = "N", description = "At most N keys.")
        long limit = Long.MAX_VALUE;

        @Option(names = "--all", description = "On a document store, also its internal keys (documents, indexes, "
                + "catalog), which are hidden by default.")
        boolean all;

        @Override
        public Integer call() {
            if (limit < 0) {
                throw CliException.usage("--limit must be 0 or more, got " + limit);
            }
            if (pattern != null && prefix != null) {
                throw CliException.usage("give a PATTERN or --prefix, not both");
            }
            Codec codec = cli.codec();
            // --prefix is always a literal prefix (a key may hold '*'); only PATTERN is read as a glob.
            KeySelection selection = pattern != null ? KeySelection.of(codec, pattern)
                    : new KeySelection(range(codec, prefix), null);
            PrintStream out = cli.io.out();
            try (FerrumDB db = cli.open(true); Stream<byte[]> keys = Cli.shownKeys(db, selection.range(), all)) {
                Iterator<byte[]> it = keys.filter(selection::shows).limit(limit).iterator();
                while (it.hasNext()) {
                    print(out, codec, it.next());
                }
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "count", mixinStandardHelpOptions = true,
            footerHeading = Cli.EXAMPLES, footer = {
                "  ferrumdb count --prefix user:"},
            description = "Prints the number of live keys: those keys lists (on a document store, without its "
                    + "internal keys unless --all).")
    static final class Count implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Option(names = "--prefix", paramLabel = "P", description = "Only keys starting with P.")
        String prefix;

        @Option(names = "--all", description = "On a document store, also its internal keys (documents, indexes, "
                + "catalog), which keys and count leave out by default.")
        boolean all;

        @Override
        public Integer call() {
            KeyRange range = prefix == null ? null : range(cli.codec(), prefix);
            try (FerrumDB db = cli.open(true)) {
                cli.io.out().println(Cli.shownCount(db, range, all));
            }
            return ExitCode.OK;
        }
    }
}
