package io.ferrumdb.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command in a child process (the real ./ferrumdb launcher, tmux, git) and collects its output. */
final class Launcher {
    /** The repository root: the integration tests run in the ferrumdb-cli module directory. */
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    static final Path FERRUMDB = ROOT.resolve("ferrumdb");

    record Result(int code, String out, String err) {
    }

    private Launcher() {
    }

    static Result ferrumdb(Path cwd, String stdin, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(FERRUMDB.toString());
        cmd.addAll(List.of(args));
        return exec(cwd, Map.of(), stdin, 120, cmd);
    }

    static Result exec(Path cwd, Map<String, String> env, String stdin, int timeoutSeconds, List<String> cmd) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
            pb.environment().putAll(env);
            Path outFile = java.nio.file.Files.createTempFile("ferrumdb-out", ".txt");
            Path errFile = java.nio.file.Files.createTempFile("ferrumdb-err", ".txt");
            pb.redirectOutput(outFile.toFile()).redirectError(errFile.toFile());
            Process p = pb.start();
            try (var in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(cmd + " did not finish within " + timeoutSeconds + " s");
            }
            Result r = new Result(p.exitValue(), java.nio.file.Files.readString(outFile),
                    java.nio.file.Files.readString(errFile));
            java.nio.file.Files.delete(outFile);
            java.nio.file.Files.delete(errFile);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
