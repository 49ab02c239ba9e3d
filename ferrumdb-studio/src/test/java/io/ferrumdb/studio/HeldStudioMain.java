package io.ferrumdb.studio;

import io.ferrumdb.HeldCreation;
import io.ferrumdb.Options;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Studio for the browser test (browser-test/run-tests.sh): as {@code ferrumdb-studio --db DIR --port 0}, but the
 * first compaction is held at its first output segment and the first backup at its first file ({@link HeldCreation}),
 * each until a line {@code release compaction} or {@code release backup} arrives on standard input, so that the test
 * sees each progress bar while its job runs, with no delay for a loaded machine to outlast. Background compaction
 * is off, so that the held compaction is the one the page starts.
 */
public final class HeldStudioMain {
    private HeldStudioMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: HeldStudioMain DATABASE_DIR");
        }
        HeldCreation compaction = HeldCreation.compactionOutput();
        HeldCreation backup = HeldCreation.fileStartingWith("BACKUP");
        Options options = backup.on(compaction.on(Options.builder().autoCompaction(false).build()));
        Studio studio = Studio.start(StudioConfig.builder(Path.of(args[0])).port(0).options(options)
                .console(System.err).build());
        Runtime.getRuntime().addShutdownHook(new Thread(studio::close, "held-studio-shutdown"));
        System.out.print(studio.banner());
        System.out.flush();
        Thread releases = new Thread(() -> releaseOnRequest(compaction, backup), "held-studio-releases");
        releases.setDaemon(true);
        releases.start();
        studio.awaitClose();
    }

    private static void releaseOnRequest(HeldCreation compaction, HeldCreation backup) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                switch (line.strip()) {
                    case "release compaction" -> compaction.release();
                    case "release backup" -> backup.release();
                    default -> System.err.println("HeldStudioMain: unknown request '" + line + "'");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
