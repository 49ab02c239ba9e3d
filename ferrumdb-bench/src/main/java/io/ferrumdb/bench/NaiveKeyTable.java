package io.ferrumdb.bench;

import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.format.RecordFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The baseline issue 18 measures the key directory against: the simplest primitive open-addressing table a
 * programmer would write for (key, location) entries (power-of-two capacity, linear probing, key bytes in one
 * {@code byte[]}, no concurrency, no deletes, no TTL, no order), loaded straight from plaintext hint files, and a
 * value read as one memory-mapped copy. It trusts its input (no checksums): a lower bound, not an engine.
 */
final class NaiveKeyTable {
    private long[] slots; // (key offset in keyBytes + 1) or 0 when empty
    private long[] locations; // segment id << 40 | record offset
    private int[] sizes;
    private byte[] keyBytes = new byte[1 << 20];
    private int keyEnd;
    private int count;
    private MappedByteBuffer[] maps = new MappedByteBuffer[0];

    NaiveKeyTable(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        slots = new long[cap];
        locations = new long[cap];
        sizes = new int[cap];
    }

    /** Loads every plaintext hint file of a FerrumDB directory, oldest segment first (newer entries win). */
    static NaiveKeyTable load(Path dir, int expected) throws IOException {
        NaiveKeyTable t = new NaiveKeyTable(expected);
        List<Path> hints;
        try (Stream<Path> s = Files.list(dir)) {
            hints = s.filter(p -> p.getFileName().toString().endsWith(".hint")).sorted().toList();
        }
        for (Path hint : hints) {
            byte[] b = Files.readAllBytes(hint);
            ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.BIG_ENDIAN);
            int entries = bb.getInt(12);
            int segment = (int) bb.getLong(16);
            int p = 48;
            for (int i = 0; i < entries; i++) {
                byte type = b[p];
                int keyLength = bb.getShort(p + 2) & 0xFFFF;
                int recordSize = bb.getInt(p + 4);
                long offset = bb.getLong(p + 8);
                if (type == RecordFormat.TYPE_PUT) {
                    t.put(b, p + 32, keyLength, ((long) segment << 40) | offset, recordSize);
                }
                p += 32 + keyLength;
            }
        }
        return t;
    }

    int size() {
        return count;
    }

    private static int hash(byte[] b, int off, int len) {
        int h = 1;
        for (int i = 0; i < len; i++) {
            h = 31 * h + b[off + i];
        }
        return h ^ (h >>> 16);
    }

    private void put(byte[] key, int off, int len, long location, int size) {
        if (count * 2 >= slots.length) {
            throw new IllegalStateException("naive table sized for fewer keys");
        }
        int mask = slots.length - 1;
        int i = hash(key, off, len) & mask;
        while (slots[i] != 0) {
            int k = (int) slots[i] - 1;
            if ((keyBytes[k] & 0xFF) == len && Arrays.equals(keyBytes, k + 1, k + 1 + len, key, off, off + len)) {
                locations[i] = location;
                sizes[i] = size;
                return;
            }
            i = (i + 1) & mask;
        }
        if (keyEnd + 1 + len > keyBytes.length) {
            keyBytes = Arrays.copyOf(keyBytes, keyBytes.length * 2);
        }
        keyBytes[keyEnd] = (byte) len;
        System.arraycopy(key, off, keyBytes, keyEnd + 1, len);
        slots[i] = keyEnd + 1;
        keyEnd += 1 + len;
        locations[i] = location;
        sizes[i] = size;
        count++;
    }

    /** The slot of {@code key} or -1: one probe sequence. */
    int probe(byte[] key) {
        int mask = slots.length - 1;
        int i = hash(key, 0, key.length) & mask;
        while (slots[i] != 0) {
            int k = (int) slots[i] - 1;
            if ((keyBytes[k] & 0xFF) == key.length
                    && Arrays.equals(keyBytes, k + 1, k + 1 + key.length, key, 0, key.length)) {
                return i;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    /** Maps every segment file read-only, so that {@link #get} is one probe plus one mapped copy. */
    void mapSegments(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(f -> FileNames.segmentId(f.getFileName().toString()) >= 0).toList()) {
                int id = (int) FileNames.segmentId(p.getFileName().toString());
                if (id >= maps.length) {
                    maps = Arrays.copyOf(maps, id + 1);
                }
                try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                    maps[id] = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
                }
            }
        }
    }

    /** The value of {@code key} copied out of the mapped segment, or null. */
    byte[] get(byte[] key) {
        int slot = probe(key);
        if (slot < 0) {
            return null;
        }
        long loc = locations[slot];
        MappedByteBuffer m = maps[(int) (loc >>> 40)];
        int valueAt = (int) (loc & ((1L << 40) - 1)) + RecordFormat.HEADER_SIZE + key.length;
        byte[] value = new byte[sizes[slot] - RecordFormat.HEADER_SIZE - key.length];
        m.get(valueAt, value);
        return value;
    }
}
