package io.ferrumdb.internal.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

final class NioFileIO implements FileIO {
    static final NioFileIO INSTANCE = new NioFileIO();

    @Override
    public StorageFile open(Path file, boolean writable) throws IOException {
        FileChannel ch = writable
                ? FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(file, StandardOpenOption.READ);
        return new NioStorageFile(file, ch, writable);
    }

    @Override
    public StorageFile create(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.CREATE_NEW);
        return new NioStorageFile(file, ch, true);
    }

    @Override
    public void rename(Path source, Path target) throws IOException {
        Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void delete(Path file) throws IOException {
        Files.deleteIfExists(file);
    }

    @Override
    public void syncDirectory(Path directory) throws IOException {
        // Callers' threads sync directories too (an append creating the next segment): see NioStorageFile.
        NioStorageFile.repeatOnInterrupt(new ForceFile(directory, StandardOpenOption.READ));
    }

    @Override
    public List<Path> list(Path directory) throws IOException {
        // A loop, not a stream with lambdas: every open lists its directory (see NioStorageFile.ChannelOp).
        try (DirectoryStream<Path> s = Files.newDirectoryStream(directory)) {
            List<Path> out = new ArrayList<>();
            for (Path p : s) {
                if (Files.isRegularFile(p)) {
                    out.add(p);
                }
            }
            return out;
        } catch (DirectoryIteratorException e) {
            throw e.getCause();
        }
    }

    @Override
    public void createDirectories(Path directory) throws IOException {
        Files.createDirectories(directory);
    }

    @Override
    public boolean exists(Path path) {
        return Files.exists(path);
    }

    @Override
    public void linkOrCopy(Path existing, Path link) throws IOException {
        try {
            Files.createLink(link, existing);
        } catch (UnsupportedOperationException | IOException e) {
            Files.copy(existing, link);
            NioStorageFile.repeatOnInterrupt(new ForceFile(link, StandardOpenOption.WRITE));
        }
    }

    /**
     * Forces {@code file} (its data and metadata) through a channel of its own, opened with {@code mode}. A class,
     * not a lambda: an append that creates a segment and every close sync a directory (see NioStorageFile.ChannelOp).
     */
    private static final class ForceFile implements NioStorageFile.OwnChannelCall {
        private final Path file;
        private final OpenOption mode;

        ForceFile(Path file, OpenOption mode) {
            this.file = file;
            this.mode = mode;
        }

        @Override
        public void run() throws IOException {
            try (FileChannel ch = FileChannel.open(file, mode)) {
                ch.force(true);
            }
        }
    }
}
