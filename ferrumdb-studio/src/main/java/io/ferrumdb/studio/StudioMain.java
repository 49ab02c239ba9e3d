package io.ferrumdb.studio;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * {@code java -jar ferrumdb-studio.jar --db DIR [--port 7474] [--bind ADDR] [--read-only]}: starts Studio, prints
 * the login URL once, and serves until interrupted. The {@code ferrumdb studio} command does the same.
 */
public final class StudioMain {
    static final String USAGE = "usage: ferrumdb-studio --db DIR [--port 7474] [--bind ADDR] [--read-only]\n"
            + "  --db DIR      the database directory (default ./ferrumdb-data, created if missing)\n"
            + "  --port N      the TCP port (default 7474; 0 picks a free one)\n"
            + "  --bind ADDR   the address to listen on (default 127.0.0.1; anything else exposes the console to\n"
            + "                the network and prints a warning)\n"
            + "  --read-only   open the database read-only and disable every write\n";

    private StudioMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        StudioConfig config;
        try {
            config = parse(args, System.err);
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
            System.err.println("ferrumdb-studio: " + e.getMessage());
            System.exit(3);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(studio::close, "ferrumdb-studio-shutdown"));
        System.out.print(studio.banner());
        System.out.flush();
        studio.awaitClose();
    }

    /** The config for the arguments, or null when help was asked for. */
    static StudioConfig parse(String[] args, PrintStream console) {
        Path db = Path.of("ferrumdb-data");
        Integer port = null;
        String bind = null;
        boolean readOnly = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--db" -> db = Path.of(value(args, ++i, a));
                case "--port" -> port = parsePort(value(args, ++i, a));
                case "--bind" -> bind = value(args, ++i, a);
                case "--read-only" -> readOnly = true;
                case "-h", "--help" -> {
                    return null;
                }
                default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
            }
        }
        StudioConfig.Builder b = StudioConfig.builder(db).readOnly(readOnly).console(console);
        if (port != null) {
            b.port(port);
        }
        if (bind != null) {
            b.bindAddress(bind);
        }
        return b.build();
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
