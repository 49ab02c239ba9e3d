package io.ferrumdb.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which of the three standard streams are a terminal. Each one matters on its own: {@code get} writes exact bytes
 * when standard output is a file or pipe, and the progress bar shows whenever standard error is a terminal, even
 * with both other streams redirected ({@code ferrumdb export > dump.jsonl}).
 *
 * @param in  standard input is a terminal
 * @param out standard output is a terminal
 * @param err standard error is a terminal
 */
record Terminals(boolean in, boolean out, boolean err) {
    static final Terminals NONE = new Terminals(false, false, false);
    static final Terminals ALL = new Terminals(true, true, true);

    /**
     * Asks Linux which device each descriptor is open on ({@code /proc/self/fd/N} links to {@code /dev/pts/..}
     * for a terminal); elsewhere Java 17 can only tell whether stdin and stdout both are ({@code System.console()}),
     * which then stands for all three.
     */
    static Terminals detect(boolean consoleAttached) {
        return new Terminals(isTerminal(0, consoleAttached), isTerminal(1, consoleAttached),
                isTerminal(2, consoleAttached));
    }

    private static boolean isTerminal(int fd, boolean fallback) {
        Path link = Path.of("/proc/self/fd/" + fd);
        if (!Files.isSymbolicLink(link)) {
            return fallback;
        }
        try {
            String device = Files.readSymbolicLink(link).toString();
            return device.startsWith("/dev/pts/") || device.startsWith("/dev/tty") || device.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return fallback;
        }
    }
}
