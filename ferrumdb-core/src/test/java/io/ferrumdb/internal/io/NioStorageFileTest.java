package io.ferrumdb.internal.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A FileChannel closes itself when a thread is interrupted in it; the storage file opens it again and repeats the
 * call, so that one interrupted caller (a cancelled put that was leading its group's fsync) does not close the file
 * for every other thread.
 */
class NioStorageFileTest {
    @TempDir
    Path dir;

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String read(StorageFile f, long position, int size) throws IOException {
        ByteBuffer dst = ByteBuffer.allocate(size);
        assertThat(f.read(position, dst)).isEqualTo(size);
        return new String(dst.array(), StandardCharsets.UTF_8);
    }

    @Test
    void anInterruptedWriteAndForceCompleteAndTheThreadKeepsItsInterrupt() throws Exception {
        try (StorageFile f = FileIO.nio().create(dir.resolve("a.seg"))) {
            f.write(0, bytes("first"));
            Thread.currentThread().interrupt();
            f.write(5, bytes("second"));
            assertThat(Thread.currentThread().isInterrupted()).as("flag restored after the write").isTrue();
            f.force();
            assertThat(Thread.interrupted()).as("flag restored after the force").isTrue();
            assertThat(read(f, 0, 11)).isEqualTo("firstsecond");
            assertThat(f.size()).isEqualTo(11);
        }
    }

    @Test
    void anotherThreadsInterruptDoesNotCloseTheFileForThisOne() throws Exception {
        try (StorageFile f = FileIO.nio().create(dir.resolve("b.seg"))) {
            f.write(0, bytes("0123456789"));
            AtomicReference<Object> seen = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                Thread.currentThread().interrupt();
                try {
                    seen.set(read(f, 2, 3) + (Thread.currentThread().isInterrupted() ? ", interrupted" : ""));
                } catch (IOException | RuntimeException e) {
                    seen.set(e);
                }
            });
            reader.start();
            reader.join();
            assertThat(seen.get()).isEqualTo("234, interrupted");
            f.write(10, bytes("ab"));
            assertThat(read(f, 8, 4)).isEqualTo("89ab");
        }
    }

    @Test
    void aDirectorySyncOnAnInterruptedThreadCompletesAndTheThreadKeepsItsInterrupt() throws Exception {
        Thread.currentThread().interrupt();
        FileIO.nio().syncDirectory(dir);
        assertThat(Thread.interrupted()).isTrue();
    }

    @Test
    void aClosedFileStaysClosed() throws Exception {
        StorageFile f = FileIO.nio().create(dir.resolve("c.seg"));
        f.close();
        assertThatThrownBy(() -> f.write(0, bytes("x"))).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void aPathThatNamesAnotherFileIsNotReopened() throws Exception {
        Path path = dir.resolve("d.seg");
        try (StorageFile f = FileIO.nio().create(path)) {
            f.write(0, bytes("old"));
            Path other = dir.resolve("other");
            Files.write(other, "new".getBytes(StandardCharsets.UTF_8));
            Files.move(other, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Thread.currentThread().interrupt();
            assertThatThrownBy(() -> f.write(3, bytes("more"))).isInstanceOf(IOException.class)
                    .hasMessageContaining("no longer names the file");
            assertThat(Thread.interrupted()).isTrue();
            assertThat(Files.readString(path)).isEqualTo("new");
        }
    }
}
