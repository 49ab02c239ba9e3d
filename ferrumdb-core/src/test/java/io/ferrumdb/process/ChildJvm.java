package io.ferrumdb.process;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts a test main class in a separate JVM with this JVM's java binary and class path. */
final class ChildJvm {
    private ChildJvm() {
    }

    static Process start(Class<?> main, Path stderr, String... args) throws IOException {
        return new ProcessBuilder(command(main, args)).redirectError(stderr.toFile()).start();
    }

    /**
     * As {@link #start(Class, Path, String...)}, its standard output written to the file {@code stdout}: every line
     * the child wrote before a kill is there afterwards (a pipe read by a thread of this JVM may lose the last lines:
     * the JDK drains and closes it when the process exits, and a read racing that fails with "Stream closed").
     */
    static Process start(Class<?> main, Path stderr, Path stdout, String... args) throws IOException {
        return new ProcessBuilder(command(main, args)).redirectError(stderr.toFile()).redirectOutput(stdout.toFile())
                .start();
    }

    private static List<String> command(Class<?> main, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx128m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        return command;
    }
}
