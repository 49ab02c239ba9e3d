package io.ferrumdb.internal.format;

import io.ferrumdb.internal.concurrent.ArrayPool;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * A plaintext hint file written as its entries are added, through one reused block: the bytes
 * {@link HintFile.Builder#writeTo} writes for the same entries (FORMAT.md, "Hint files"), without holding them all.
 * A compaction output's hint is about a third of its data (14 MB for 300,000 records of 100-byte values); collected
 * whole, it was that much heap a fresh JVM's first compaction touched for the first time, at about 3 ms per MB on
 * the project's VM (issue 23, session 29).
 *
 * <p>The file starts with a prologue of zeros, as long as the real one, which names the entry count and the
 * segment's length and is written over it by {@link #finish}. The checksum covers the prologue, which comes first,
 * so the entries' checksum is kept as they go out and the two are joined at the end ({@link Bytes#crc32cConcat}):
 * nothing is read back. Not for encrypted hints: their entries are sealed as one AES-GCM block, so they are held
 * whole ({@link HintFile.Builder}). Not thread-safe: one appender.
 */
public final class HintStream {
    private final HintFile.Sink out;
    private final ArrayPool<byte[]> blocks;
    /** The entries not yet written; null once {@link #release} gave it back. */
    private byte[] block;
    private int used;
    private int count;
    /** Bytes of entries written, after the prologue. */
    private long written;
    private final CRC32C entriesCrc = new CRC32C();

    /**
     * Starts a hint written through {@code out} from position 0, its entries gathered in a block of {@code blocks}
     * (made by {@link HintFile.Builder#blockPool}), which {@link #release} gives back.
     */
    public HintStream(HintFile.Sink out, ArrayPool<byte[]> blocks) throws IOException {
        this.out = out;
        this.blocks = blocks;
        out.write(0, ByteBuffer.wrap(new byte[HintFile.HEADER_SIZE]));
        this.block = blocks.take();
    }

    /** As {@link HintFile.Builder#add(byte, byte[], int, int, int, long, long, long)}; may write a block. */
    public void add(byte type, byte[] keyBuffer, int keyAt, int keyLength, int recordSize, long offset,
                    long sequence, long expiresAt) throws IOException {
        int size = HintFile.ENTRY_FIXED_SIZE + keyLength;
        if (used + size > block.length) {
            writeBlock();
        }
        HintFile.putEntry(block, used, type, keyBuffer, keyAt, keyLength, recordSize, offset, sequence, expiresAt);
        used += size;
        count++;
    }

    /** Writes the gathered entries behind those written before and empties the block. */
    private void writeBlock() throws IOException {
        entriesCrc.update(block, 0, used);
        out.write(HintFile.HEADER_SIZE + written, ByteBuffer.wrap(block, 0, used));
        written += used;
        used = 0;
    }

    public int count() {
        return count;
    }

    /**
     * Writes the last entries, the prologue (entry count, segment {@code segmentId} of {@code dataLength} bytes,
     * {@code databaseId}) and the checksum: the file is then complete, not yet durable (the caller fsyncs it).
     */
    public void finish(long segmentId, byte[] databaseId, long dataLength) throws IOException {
        writeBlock();
        byte[] prologue = HintFile.prologue(count, segmentId, databaseId, dataLength, false);
        int crc = Bytes.crc32cConcat(Bytes.crc32c(prologue, 0, prologue.length), (int) entriesCrc.getValue(),
                written);
        out.write(0, ByteBuffer.wrap(prologue));
        byte[] tail = new byte[4];
        Bytes.putI32(tail, 0, crc);
        out.write(HintFile.HEADER_SIZE + written, ByteBuffer.wrap(tail));
    }

    /**
     * Gives the block back to its pool once nothing writes from it (after {@link #finish}, or a failure whose write
     * has returned). Unusable afterwards.
     */
    public void release() {
        assert block != null : "hint stream released twice";
        blocks.give(block);
        block = null;
    }
}
