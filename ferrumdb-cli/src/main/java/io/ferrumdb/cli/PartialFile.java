package io.ferrumdb.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * An output file that shows up under its name only once it is complete: written as {@code NAME.partial} beside it,
 * fsynced and renamed over {@code NAME} by {@link #publish()}; {@link #discard()} removes the partial file after a
 * failure, leaving {@code NAME} as it was. A half-written export must not look like a whole one (a cut at a line
 * boundary imports without complaint). A target that exists and is not a regular file (a pipe, a device such as
 * {@code /dev/stdout}) cannot be renamed over: it is written in place, and a failure is still reported.
 */
final class PartialFile implements AutoCloseable {
    static final String SUFFIX = ".partial";

    private final Path target;
    private final Path written;
    private final FileChannel channel;
    private final OutputStream stream;
    private boolean done;

    private PartialFile(Path target, Path written, FileChannel channel) {
        this.target = target;
        this.written = written;
        this.channel = channel;
        this.stream = Channels.newOutputStream(channel);
    }

    /** Opens the partial file of {@code target} (a symbolic link is followed: the file it names is replaced). */
    static PartialFile create(Path target) throws IOException {
        if (Files.exists(target) && !Files.isRegularFile(target)) {
            return new PartialFile(target, target, FileChannel.open(target, StandardOpenOption.WRITE));
        }
        Path real = Files.exists(target) ? target.toRealPath() : target.toAbsolutePath();
        Path partial = real.resolveSibling(real.getFileName() + SUFFIX);
        return new PartialFile(real, partial, FileChannel.open(partial, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING));
    }

    /** Whether the target itself is written (a pipe or device, which cannot be renamed over). */
    boolean inPlace() {
        return written.equals(target);
    }

    /** Where to write; buffered by the caller. */
    OutputStream stream() {
        return stream;
    }

    /** Makes the written bytes durable and gives them the target's name. */
    void publish() throws IOException {
        if (written.equals(target)) {
            channel.close();
            done = true;
            return;
        }
        // Durable before the rename: after a power loss the name must not point at a file whose data is lost.
        channel.force(true);
        channel.close();
        Files.move(written, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        done = true;
    }

    /** After a failure: closes and removes the partial file (the target keeps its old content, if any). */
    @Override
    public void close() throws IOException {
        if (done) {
            return;
        }
        done = true;
        try {
            channel.close();
        } finally {
            if (!written.equals(target)) {
                Files.deleteIfExists(written);
            }
        }
    }
}
