package io.ferrumdb.bench.ycsb;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

import site.ycsb.ByteArrayByteIterator;
import site.ycsb.ByteIterator;

/**
 * One YCSB record (field name to bytes) as one value, shared by both bindings so that both engines store the
 * same bytes per record and pay the same for encoding and decoding. Layout, repeated per field: u16 name length,
 * UTF-8 name, i32 value length (big-endian), value. No count or header: the fields run to the end of the value.
 *
 * <p>Kept thin because its cost is shared by both engines and so dilutes their difference: a read allocates only
 * what YCSB's API requires (one {@link ByteArrayByteIterator} per field, put in YCSB's map); field names come
 * from the client thread's {@link Names} instead of a new {@code String} per field; writes build the value in one
 * exactly sized array, updates without an intermediate map.
 */
final class YcsbRecord {
    private static final int MAX_NAME = 0xFFFF;

    private YcsbRecord() {
    }

    /**
     * The field names one client thread has decoded (YCSB's are "field0".."field9"), so that decoding a record
     * compares name bytes instead of building a {@code String}: one per YCSB client thread, as the bindings are
     * (YCSB creates one {@code DB} per thread). Holds names, never values: it caches nothing a read returns.
     */
    static final class Names {
        private static final int MAX = 64;
        private byte[][] bytes = new byte[8][];
        private String[] strings = new String[8];
        private int count;

        /** The name {@code record[at, at + length)} as a String, the same instance each time it is seen. */
        String name(byte[] record, int at, int length) {
            for (int i = 0; i < count; i++) {
                byte[] b = bytes[i];
                if (Arrays.equals(b, 0, b.length, record, at, at + length)) {
                    return strings[i];
                }
            }
            String s = new String(record, at, length, StandardCharsets.UTF_8);
            if (count < MAX) {
                if (count == bytes.length) {
                    bytes = Arrays.copyOf(bytes, count * 2);
                    strings = Arrays.copyOf(strings, count * 2);
                }
                bytes[count] = Arrays.copyOfRange(record, at, at + length);
                strings[count++] = s;
            }
            return s;
        }
    }

    /** The fields of one write, each converted once (a YCSB ByteIterator can be read only once). */
    private static final class Fields {
        final byte[][] names;
        final byte[][] values;
        int size;

        Fields(int capacity) {
            names = new byte[capacity][];
            values = new byte[capacity][];
        }

        static Fields of(Map<String, ByteIterator> fields) {
            Fields f = new Fields(fields.size());
            for (Map.Entry<String, ByteIterator> e : fields.entrySet()) {
                f.names[f.size] = nameBytes(e.getKey());
                f.values[f.size++] = e.getValue().toArray();
            }
            return f;
        }

        int encodedSize() {
            long n = 0;
            for (int i = 0; i < size; i++) {
                n += 6L + names[i].length + values[i].length;
            }
            return checkedSize(n);
        }

        int indexOf(byte[] record, int at, int length) {
            for (int i = 0; i < size; i++) {
                if (Arrays.equals(names[i], 0, names[i].length, record, at, at + length)) {
                    return i;
                }
            }
            return -1;
        }
    }

    static byte[] encode(Map<String, ByteIterator> fields) {
        Fields f = Fields.of(fields);
        byte[] out = new byte[f.encodedSize()];
        int at = 0;
        for (int i = 0; i < f.size; i++) {
            at = putField(out, at, f.names[i], 0, f.names[i].length, f.values[i], 0, f.values[i].length);
        }
        return out;
    }

    /** {@link #decode(byte[], int, Set, Map, Names)} of a whole array, with names of its own. */
    static void decode(byte[] record, Set<String> fields, Map<String, ByteIterator> result) {
        decode(record, record.length, fields, result, new Names());
    }

    /**
     * Decodes the record {@code record[0, length)} into {@code result}, keeping only {@code fields} (all fields
     * when null, as YCSB asks with readallfields=true). The values are views of {@code record}, not copies: they
     * are valid while {@code record} is (a binding reading into a reused buffer hands YCSB views that last until
     * that thread's next read, which is as long as YCSB keeps a read's result).
     */
    static void decode(byte[] record, int length, Set<String> fields, Map<String, ByteIterator> result, Names names) {
        int at = 0;
        while (at < length) {
            int nameLength = nameLength(record, at, length);
            String name = names.name(record, at + 2, nameLength);
            int valueAt = at + 2 + nameLength + 4;
            int valueLength = valueLength(record, valueAt - 4, length);
            if (fields == null || fields.contains(name)) {
                result.put(name, new ByteArrayByteIterator(record, valueAt, valueLength));
            }
            at = valueAt + valueLength;
        }
    }

    /**
     * The record {@code old} with {@code updates} laid over it (YCSB updates name a subset of the fields): the old
     * fields in their order, each replaced when updated, then the updated fields the record did not have.
     */
    static byte[] merge(byte[] old, Map<String, ByteIterator> updates) {
        return merge(old, old.length, updates);
    }

    /** {@link #merge(byte[], Map)} of the record {@code old[0, length)}. */
    static byte[] merge(byte[] old, int length, Map<String, ByteIterator> updates) {
        Fields f = Fields.of(updates);
        boolean[] placed = new boolean[f.size];
        long size = 0;
        for (int at = 0; at < length; ) {
            int nameLength = nameLength(old, at, length);
            int valueLength = valueLength(old, at + 2 + nameLength, length);
            int i = f.indexOf(old, at + 2, nameLength);
            size += 6L + nameLength + (i < 0 ? valueLength : f.values[i].length);
            if (i >= 0) {
                placed[i] = true;
            }
            at += 6 + nameLength + valueLength;
        }
        for (int i = 0; i < f.size; i++) {
            if (!placed[i]) {
                size += 6L + f.names[i].length + f.values[i].length;
            }
        }
        byte[] out = new byte[checkedSize(size)];
        int to = 0;
        for (int at = 0; at < length; ) {
            int nameLength = nameLength(old, at, length);
            int valueAt = at + 6 + nameLength;
            int valueLength = valueLength(old, valueAt - 4, length);
            int i = f.indexOf(old, at + 2, nameLength);
            to = i < 0 ? putField(out, to, old, at + 2, nameLength, old, valueAt, valueLength)
                    : putField(out, to, old, at + 2, nameLength, f.values[i], 0, f.values[i].length);
            at = valueAt + valueLength;
        }
        for (int i = 0; i < f.size; i++) {
            if (!placed[i]) {
                to = putField(out, to, f.names[i], 0, f.names[i].length, f.values[i], 0, f.values[i].length);
            }
        }
        return out;
    }

    private static byte[] nameBytes(String name) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_NAME) {
            throw new IllegalArgumentException("YCSB field name longer than 65535 bytes: " + b.length);
        }
        return b;
    }

    private static int putField(byte[] out, int at, byte[] name, int nameFrom, int nameLength, byte[] value,
            int valueFrom, int valueLength) {
        out[at] = (byte) (nameLength >>> 8);
        out[at + 1] = (byte) nameLength;
        System.arraycopy(name, nameFrom, out, at + 2, nameLength);
        int v = at + 2 + nameLength;
        out[v] = (byte) (valueLength >>> 24);
        out[v + 1] = (byte) (valueLength >>> 16);
        out[v + 2] = (byte) (valueLength >>> 8);
        out[v + 3] = (byte) valueLength;
        System.arraycopy(value, valueFrom, out, v + 4, valueLength);
        return v + 4 + valueLength;
    }

    /** The name length of the field at {@code at}, checked against the record's end {@code length}. */
    private static int nameLength(byte[] record, int at, int length) {
        if (length - at < 2) {
            throw truncated(length, at);
        }
        int n = (record[at] & 0xFF) << 8 | record[at + 1] & 0xFF;
        if (length - at - 2 < n + 4) {
            throw truncated(length, at);
        }
        return n;
    }

    /** The value length stored at {@code at}, checked against the record's end {@code length}. */
    private static int valueLength(byte[] record, int at, int length) {
        int n = (record[at] & 0xFF) << 24 | (record[at + 1] & 0xFF) << 16 | (record[at + 2] & 0xFF) << 8
                | record[at + 3] & 0xFF;
        if (n < 0 || length - at - 4 < n) {
            throw truncated(length, at);
        }
        return n;
    }

    private static int checkedSize(long size) {
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("YCSB record of " + size + " bytes is larger than an array");
        }
        return (int) size;
    }

    private static IllegalArgumentException truncated(int length, int at) {
        return new IllegalArgumentException("YCSB record of " + length + " bytes is truncated at byte " + at
                + ": not written by YcsbRecord.encode");
    }
}
