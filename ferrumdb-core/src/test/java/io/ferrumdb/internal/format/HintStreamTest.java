package io.ferrumdb.internal.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.internal.concurrent.ArrayPool;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * A hint streamed as its entries come ({@link HintStream}, compaction outputs) is, byte for byte, the file the
 * in-memory builder encodes for the same entries (FORMAT.md, "Hint files"), written through one block, whatever an
 * earlier user left in that block; and the checksum join it relies on is CRC32C's of the concatenation.
 */
class HintStreamTest {
    private static final byte[] DB = new byte[16];

    static {
        Arrays.fill(DB, (byte) 7);
    }

    /** A file in memory: what the sink was given, where, and how many writes. */
    private static final class MemoryFile implements HintFile.Sink {
        byte[] bytes = new byte[0];
        int length;
        int writes;

        @Override
        public void write(long position, ByteBuffer src) {
            int at = Math.toIntExact(position);
            int n = src.remaining();
            if (at + n > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(at + n, 2 * bytes.length));
            }
            src.get(bytes, at, n);
            length = Math.max(length, at + n);
            writes++;
        }

        byte[] contents() {
            return Arrays.copyOf(bytes, length);
        }
    }

    /**
     * No entries, one, one block's worth (6,898 entries of 38 bytes fill a 256 KiB block to 20 bytes of its end),
     * one more, many blocks, and keys from empty to the largest a key length can say (65,535 bytes): the streamed
     * file equals the builder's encoding. The one block comes from a pool that holds a block full of another
     * hint's bytes, none of which may show through (the entry's zero byte included).
     */
    @Test
    void theStreamedFileIsTheBuildersEncodingByteForByte() throws IOException {
        Random random = new Random(29);
        for (int n : new int[] {0, 1, 6_898, 6_899, 30_000, -1}) {
            int entries = n < 0 ? 200 : n;
            AtomicInteger allocated = new AtomicInteger();
            ArrayPool<byte[]> pool = new ArrayPool<>(() -> {
                allocated.incrementAndGet();
                return new byte[256 << 10];
            }, 1);
            byte[] dirty = pool.take();
            Arrays.fill(dirty, (byte) 0x5A);
            pool.give(dirty);

            MemoryFile file = new MemoryFile();
            HintStream stream = new HintStream(file, pool);
            HintFile.Builder built = new HintFile.Builder();
            long offset = SegmentHeader.SIZE;
            for (int i = 0; i < entries; i++) {
                byte[] key = n < 0 ? new byte[i == 0 ? 65_535 : i == 1 ? 0 : random.nextInt(3_000)]
                        : ("k" + (i % 10_000 + 10_000)).getBytes(StandardCharsets.UTF_8);
                random.nextBytes(key);
                byte type = i % 5 == 0 ? RecordFormat.TYPE_DELETE : RecordFormat.TYPE_PUT;
                int size = 40 + key.length + i % 300;
                long expiresAt = i % 7 == 0 ? 1_700_000_000_000L + i : 0;
                // The key in the middle of a larger buffer, as compaction passes a hint cursor's.
                byte[] around = new byte[key.length + 11];
                System.arraycopy(key, 0, around, 5, key.length);
                stream.add(type, around, 5, key.length, size, offset, i + 1, expiresAt);
                built.add(type, key, size, offset, i + 1, expiresAt);
                offset += size;
            }
            stream.finish(9, DB, offset);
            stream.release();
            assertThat(stream.count()).isEqualTo(entries);
            assertThat(file.contents()).as("%d entries", entries)
                    .isEqualTo(built.encode(9, DB, offset, HintFile.PLAIN));
            assertThat(allocated.get()).as("blocks allocated for %d entries", entries).isEqualTo(1);
            assertThat(pool.kept()).isEqualTo(1);
            HintFile.Contents decoded = HintFile.decode(file.contents(), java.nio.file.Path.of("9.hint"), DB,
                    HintFile.PLAIN);
            assertThat(decoded.entries()).hasSize(entries);
            assertThat(decoded.dataLength()).isEqualTo(offset);
        }
    }

    /** Entries go out a block at a time as the block fills, not at the end. */
    @Test
    void entriesAreWrittenAsTheBlockFills() throws IOException {
        MemoryFile file = new MemoryFile();
        HintStream stream = new HintStream(file, HintFile.Builder.blockPool(0));
        assertThat(file.length).as("the prologue's place").isEqualTo(HintFile.HEADER_SIZE);
        for (int i = 0; i < 6_899; i++) {
            stream.add(RecordFormat.TYPE_PUT, new byte[6], 0, 6, 100, SegmentHeader.SIZE + 100L * i, i + 1, 0);
        }
        assertThat(file.writes).isEqualTo(2);
        assertThat(file.length).isEqualTo(HintFile.HEADER_SIZE + 6_898 * 38);
    }

    @Test
    void theJoinedChecksumIsTheChecksumOfTheConcatenation() {
        Random random = new Random(23);
        int[] lengths = {0, 1, 3, 4, 7, 8, 48, 255, 256, 4_096, 65_537, 300_001};
        for (int a : lengths) {
            for (int b : lengths) {
                byte[] both = new byte[a + b];
                random.nextBytes(both);
                CRC32C whole = new CRC32C();
                whole.update(both);
                assertThat(Bytes.crc32cConcat(Bytes.crc32c(both, 0, a), Bytes.crc32c(both, a, b), b))
                        .as("%d then %d bytes", a, b).isEqualTo((int) whole.getValue());
            }
        }
    }
}
