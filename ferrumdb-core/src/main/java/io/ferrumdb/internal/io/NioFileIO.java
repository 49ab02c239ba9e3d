package io.ferrumdb.internal.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
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
        return new NioStorageFile(file, ch);
    }

    @Override
    public StorageFile create(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.CREATE_NEW);
        return new NioStorageFile(file, ch);
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
        try (FileChannel ch = FileChannel.open(directory, StandardOpenOption.READ)) {
            ch.force(true);
        }
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
            try (FileChannel ch = FileChannel.open(link, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        }
    }

    private record NioStorageFile(Path path, FileChannel channel) implements StorageFile {
        @Override
        public int read(long position, ByteBuffer dst) throws IOException {
            int total = 0;
            while (dst.hasRemaining()) {
                int n = channel.read(dst, position + total);
                if (n < 0) {
                    break;
                }
                total += n;
            }
            return total;
        }

        @Override
        public void write(long position, ByteBuffer src) throws IOException {
            long pos = position;
            while (src.hasRemaining()) {
                pos += channel.write(src, pos);
            }
        }

        @Override
        public void force() throws IOException {
            channel.force(false);
        }

        @Override
        public long size() throws IOException {
            return channel.size();
        }

        @Override
        public void truncate(long size) throws IOException {
            channel.truncate(size);
        }

        @Override
        public ByteBuffer map(long size) throws IOException {
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
        }

        @Override
        public FileLock tryLock(boolean shared) throws IOException {
            return channel.tryLock(0, Long.MAX_VALUE, shared);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
