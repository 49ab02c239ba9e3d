package io.ferrumdb.internal.io;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Test help: evicting a file's pages from the page cache, which Java cannot ask for. GNU dd's {@code iflag=nocache
 * count=0} calls {@code posix_fadvise(POSIX_FADV_DONTNEED)} on the whole file; the kernel drops its clean pages that
 * no process has mapped in (a page some mapping has faulted in stays). Files must be fsynced first: dirty pages stay.
 */
public final class PageCache {
    private PageCache() {
    }

    /** Asks the kernel to drop {@code file}'s clean, unmapped pages. */
    public static void evict(Path file) throws IOException, InterruptedException {
        Process dd = new ProcessBuilder("dd", "if=" + file, "iflag=nocache", "count=0", "status=none")
                .redirectErrorStream(true).start();
        String output = new String(dd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = dd.waitFor();
        if (exit != 0) {
            throw new IOException("dd iflag=nocache on " + file + " exited with " + exit + ": " + output);
        }
    }

    /**
     * Whether {@code size} bytes at {@code offset} of {@code file} are resident, asked through a mapping of its own
     * (mincore), without touching them.
     */
    public static boolean isResident(Path file, long offset, int size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return ch.map(FileChannel.MapMode.READ_ONLY, offset, size).isLoaded();
        }
    }

    /** A fresh read-only mapping of the whole {@code file}. */
    public static MappedByteBuffer map(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
        }
    }
}
