package io.ferrumdb.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line in a child JVM on the tests' class path, for what must be another process (a lock holder, a signal). */
final class ChildCli {
    private ChildCli() {
    }

    /** Starts {@code ferrumdb ARGS} with its stderr written to {@code stderr}; stdin and stdout are pipes. */
    static Process start(Path stderr, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(stderr.toFile()).start();
    }
}
