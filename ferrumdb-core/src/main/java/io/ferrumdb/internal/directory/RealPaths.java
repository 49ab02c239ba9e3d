package io.ferrumdb.internal.directory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Paths compared as the file system sees them, not as they are spelled. */
public final class RealPaths {
    private RealPaths() {
    }

    /**
     * {@code path} absolute, with symbolic links resolved in the part of it that exists (a backup target or a new
     * database's directory usually does not yet), so that two spellings of one place compare equal, and a path
     * reached through a link into a directory is seen inside it. Where a part cannot be read, the path as spelled.
     */
    public static Path resolved(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        Path existing = absolute;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return absolute;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(absolute));
        } catch (IOException e) {
            return absolute; // unreadable on the way: compared as spelled
        }
    }
}
