package io.ferrumdb.internal.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The one narrow door through which the engine touches the file system, so that tests can inject faults
 * (I/O errors, dropped unsynced bytes) at every step. Implementations must be thread-safe.
 */
public interface FileIO {
    /** Opens an existing file for reading, or for reading and writing. */
    StorageFile open(Path file, boolean writable) throws IOException;

    /** Creates a new, empty file for reading and writing; fails if it exists. */
    StorageFile create(Path file) throws IOException;

    /** Atomically renames {@code source} to {@code target}, replacing it. */
    void rename(Path source, Path target) throws IOException;

    void delete(Path file) throws IOException;

    /** Makes creations, renames and deletions in {@code directory} durable. */
    void syncDirectory(Path directory) throws IOException;

    /** The regular files directly inside {@code directory}. */
    List<Path> list(Path directory) throws IOException;

    void createDirectories(Path directory) throws IOException;

    boolean exists(Path path);

    /** Makes {@code link} a hard link to {@code existing}, or a durable copy where links are impossible. */
    void linkOrCopy(Path existing, Path link) throws IOException;

    /** The default implementation over java.nio. */
    static FileIO nio() {
        return NioFileIO.INSTANCE;
    }
}
