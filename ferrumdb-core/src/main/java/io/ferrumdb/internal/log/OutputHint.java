package io.ferrumdb.internal.log;

import io.ferrumdb.internal.concurrent.ArrayPool;
import io.ferrumdb.internal.directory.DatabaseDirectory;
import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.format.HintStream;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The hint of a {@link SegmentOutput}, made as its records go in and made durable under the hint's name by
 * {@link #finish}. A plaintext output streams its hint to the hint's temporary file as the entries come
 * ({@link Streamed}: one reused block of 256 KiB, where a whole hint was about a third of the output's size). An
 * encrypted output keeps the entries in memory ({@link Built}): they are sealed as one AES-GCM block (SECURITY.md,
 * "Hint encryption"), which needs them all, and encrypted compaction was not the case issue 23 measured.
 */
abstract sealed class OutputHint permits OutputHint.Streamed, OutputHint.Built {
    /** The hint for {@code segment}, being written under a temporary name, with blocks from {@code blocks}. */
    static OutputHint of(SegmentFiles files, Segment segment, ArrayPool<byte[]> blocks) throws IOException {
        return segment.cipher().isPlaintext() ? new Streamed(files, segment.id(), blocks) : new Built(blocks);
    }

    abstract void add(byte type, byte[] keyBuffer, int keyAt, int keyLength, int recordSize, long offset,
                      long sequence, long expiresAt) throws IOException;

    final void add(byte type, byte[] key, int recordSize, long offset, long sequence, long expiresAt)
            throws IOException {
        add(type, key, 0, key.length, recordSize, offset, sequence, expiresAt);
    }

    /**
     * Writes the rest of the hint of {@code segment}, now complete at its written length, and makes it durable
     * under the hint's name: fsync, rename, directory fsync.
     */
    abstract void finish(SegmentFiles files, Segment segment) throws IOException;

    /** Gives the blocks back, once {@link #finish} returned. */
    abstract void release();

    /** Deletes what a failed output leaves of its hint; problems doing so are added to {@code cause}. */
    abstract void abandon(SegmentFiles files, Throwable cause);

    /** A plaintext hint written to its temporary file as it is made. */
    static final class Streamed extends OutputHint {
        private final Path tmpPath;
        private final StorageFile file;
        private final HintStream stream;

        Streamed(SegmentFiles files, int id, ArrayPool<byte[]> blocks) throws IOException {
            this.tmpPath = files.dir().resolve(FileNames.temporary(FileNames.hint(id)));
            files.io().delete(tmpPath); // a crashed run's, should open not have deleted it
            this.file = files.io().create(tmpPath);
            try {
                this.stream = new HintStream(new SegmentFiles.FileSink(file), blocks);
            } catch (IOException | RuntimeException e) {
                closeAndDelete(files, e);
                throw e;
            }
        }

        @Override
        void add(byte type, byte[] keyBuffer, int keyAt, int keyLength, int recordSize, long offset, long sequence,
                 long expiresAt) throws IOException {
            stream.add(type, keyBuffer, keyAt, keyLength, recordSize, offset, sequence, expiresAt);
        }

        @Override
        void finish(SegmentFiles files, Segment segment) throws IOException {
            stream.finish(segment.id(), files.databaseId(), segment.writtenLength());
            file.force();
            file.close();
            files.io().rename(tmpPath, files.hintPath(segment.id()));
            files.io().syncDirectory(files.dir());
        }

        @Override
        void release() {
            stream.release();
        }

        @Override
        void abandon(SegmentFiles files, Throwable cause) {
            closeAndDelete(files, cause);
        }

        private void closeAndDelete(SegmentFiles files, Throwable cause) {
            try {
                file.close();
            } catch (IOException | RuntimeException e) {
                cause.addSuppressed(e);
            }
            DatabaseDirectory.deleteAfterFailure(files.io(), tmpPath, cause);
        }
    }

    /** An encrypted hint, held until the output is finished and then written whole. */
    static final class Built extends OutputHint {
        private final HintFile.Builder builder;

        Built(ArrayPool<byte[]> blocks) {
            this.builder = new HintFile.Builder(blocks);
        }

        @Override
        void add(byte type, byte[] keyBuffer, int keyAt, int keyLength, int recordSize, long offset, long sequence,
                 long expiresAt) {
            builder.add(type, keyBuffer, keyAt, keyLength, recordSize, offset, sequence, expiresAt);
        }

        @Override
        void finish(SegmentFiles files, Segment segment) throws IOException {
            files.writeHint(segment, builder);
        }

        @Override
        void release() {
            builder.release();
        }

        @Override
        void abandon(SegmentFiles files, Throwable cause) {
            // writeHint deletes its temporary file when it fails; the entries were only in memory.
        }
    }
}
