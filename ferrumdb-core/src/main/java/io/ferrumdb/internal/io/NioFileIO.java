package io.ferrumdb.internal.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

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
        NioStorageFile.repeatOnInterrupt(() -> {
            try (FileChannel ch = FileChannel.open(directory, StandardOpenOption.READ)) {
                ch.force(true);
            }
        });
    }

    @Override
    public List<Path> list(Path directory) throws IOException {
        try (Stream<Path> s = Files.list(directory)) {
            List<Path> out = new ArrayList<>();
            s.filter(Files::isRegularFile).forEach(out::add);
            return out;
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
            NioStorageFile.repeatOnInterrupt(() -> {
                try (FileChannel ch = FileChannel.open(link, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
            });
        }
    }
}
