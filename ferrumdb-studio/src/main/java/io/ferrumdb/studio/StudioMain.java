package io.ferrumdb.studio;

import io.ferrumdb.Options;
import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code java -jar ferrumdb-studio.jar --db DIR [--port 7474] [--bind ADDR] [--read-only]}: starts Studio, prints
 * the login URL once, and serves until interrupted. The {@code ferrumdb studio} command does the same.
 */
public final class StudioMain {
    /** The environment variable a passphrase may come from (never a command-line argument: ps shows those). */
    static final String PASSPHRASE_ENV = "FERRUMDB_PASSPHRASE";
    static final String USAGE = "usage: ferrumdb-studio --db DIR [--port 7474] [--bind ADDR] [--read-only]\n"
            + "                       [--passphrase-file FILE | --ask-passphrase]\n"
            + "  --db DIR      the database directory (default ./ferrumdb-data, created if missing)\n"
            + "  --port N      the TCP port (default 7474; 0 picks a free one)\n"
            + "  --bind ADDR   the address to listen on (default 127.0.0.1; anything else exposes the console to\n"
            + "                the network and prints a warning)\n"
            + "  --read-only   open the database read-only and disable every write\n"
            + "  --passphrase-file FILE  an encrypted database's passphrase: the file's first line\n"
            + "  --ask-passphrase        ask for the passphrase on the terminal (not echoed)\n"
            + "  The passphrase may also come from the environment variable " + PASSPHRASE_ENV + ".\n";

    private StudioMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        StudioConfig config;
        try {
            config = parse(args, System.err, System.getenv(), StudioMain::askPassphrase);
        } catch (IllegalArgumentException e) {
            System.err.println("ferrumdb-studio: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        if (config == null) {
            System.out.print(USAGE);
            return;
        }
        Studio studio;
        try {
            studio = Studio.start(config);
        } catch (UncheckedIOException | io.ferrumdb.FerrumException e) {
            System.err.println("ferrumdb-studio: " + io.ferrumdb.ProblemWording.describe(e));
            System.exit(3);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(studio::close, "ferrumdb-studio-shutdown"));
        System.out.print(studio.banner());
        System.out.flush();
        studio.awaitClose();
    }

    /** The config for the arguments, or null when help was asked for. */
    static StudioConfig parse(String[] args, PrintStream console, Map<String, String> env,
                              Supplier<char[]> prompt) {
        Path db = Path.of("ferrumdb-data");
        Integer port = null;
        String bind = null;
        boolean readOnly = false;
        Path passphraseFile = null;
        boolean ask = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--db" -> db = Path.of(value(args, ++i, a));
                case "--port" -> port = parsePort(value(args, ++i, a));
                case "--bind" -> bind = value(args, ++i, a);
                case "--read-only" -> readOnly = true;
                case "--passphrase-file" -> passphraseFile = Path.of(value(args, ++i, a));
                case "--ask-passphrase" -> ask = true;
                case "-h", "--help" -> {
                    return null;
                }
                default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
            }
        }
        StudioConfig.Builder b = StudioConfig.builder(db).readOnly(readOnly).console(console);
        char[] passphrase = passphrase(passphraseFile, ask, env, prompt);
        if (passphrase != null) {
            b.options(Options.builder().passphrase(passphrase).build());
            Arrays.fill(passphrase, '\0');
        }
        if (port != null) {
            b.port(port);
        }
        if (bind != null) {
            b.bindAddress(bind);
        }
        return b.build();
    }

    /** From the file, the prompt or the environment (exactly one), or null for a plaintext database. */
    private static char[] passphrase(Path file, boolean ask, Map<String, String> env, Supplier<char[]> prompt) {
        String fromEnv = env.get(PASSPHRASE_ENV);
        int sources = (file != null ? 1 : 0) + (ask ? 1 : 0) + (fromEnv != null ? 1 : 0);
        if (sources > 1) {
            throw new IllegalArgumentException("give the passphrase one way only: --passphrase-file, "
                    + "--ask-passphrase or " + PASSPHRASE_ENV);
        }
        if (file != null) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the passphrase file " + file + ": " + e.getMessage(), e);
            }
            if (lines.isEmpty() || lines.get(0).isEmpty()) {
                throw new IllegalArgumentException("the passphrase file " + file + " has an empty first line");
            }
            return lines.get(0).toCharArray();
        }
        if (ask) {
            char[] typed = prompt.get();
            if (typed == null || typed.length == 0) {
                throw new IllegalArgumentException("no passphrase was typed");
            }
            return typed;
        }
        if (fromEnv != null) {
            if (fromEnv.isEmpty()) {
                throw new IllegalArgumentException(PASSPHRASE_ENV + " is set but empty");
            }
            return fromEnv.toCharArray();
        }
        return null;
    }

    private static char[] askPassphrase() {
        Console console = System.console();
        if (console == null) {
            throw new IllegalArgumentException("--ask-passphrase needs a terminal; use --passphrase-file or "
                    + PASSPHRASE_ENV + " in scripts");
        }
        return console.readPassword("Passphrase: ");
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int parsePort(String s) {
        try {
            int p = Integer.parseInt(s);
            if (p < 0 || p > 65535) {
                throw new IllegalArgumentException("--port must be between 0 and 65535, got " + s);
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port must be a number, got '" + s + "'");
        }
    }
}
