package io.ferrumdb.bench.ycsb;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import site.ycsb.ByteArrayByteIterator;
import site.ycsb.ByteIterator;

/**
 * One YCSB record (field name to bytes) as one value, shared by both bindings so that both engines store the
 * same bytes per record. Layout, repeated per field: u16 name length, UTF-8 name, i32 value length, value.
 * No count or header: the fields run to the end of the value.
 */
final class YcsbRecord {
    private YcsbRecord() {
    }

    static byte[] encode(Map<String, ByteIterator> fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(estimate(fields));
        for (Map.Entry<String, ByteIterator> e : fields.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            if (name.length > 0xFFFF) {
                throw new IllegalArgumentException("YCSB field name longer than 65535 bytes: " + name.length);
            }
            byte[] value = e.getValue().toArray();
            out.write(name.length >>> 8);
            out.write(name.length);
            out.write(name, 0, name.length);
            out.write(value.length >>> 24);
            out.write(value.length >>> 16);
            out.write(value.length >>> 8);
            out.write(value.length);
            out.write(value, 0, value.length);
        }
        return out.toByteArray();
    }

    /**
     * Decodes {@code record} into {@code result}, keeping only {@code fields} (all fields when null, as YCSB
     * asks with readallfields=true).
     */
    static void decode(byte[] record, Set<String> fields, Map<String, ByteIterator> result) {
        ByteBuffer in = ByteBuffer.wrap(record);
        while (in.hasRemaining()) {
            if (in.remaining() < 2) {
                throw truncated(record, in);
            }
            int nameLength = Short.toUnsignedInt(in.getShort());
            if (in.remaining() < nameLength + 4) {
                throw truncated(record, in);
            }
            String name = new String(record, in.position(), nameLength, StandardCharsets.UTF_8);
            in.position(in.position() + nameLength);
            int valueLength = in.getInt();
            if (valueLength < 0 || in.remaining() < valueLength) {
                throw truncated(record, in);
            }
            if (fields == null || fields.contains(name)) {
                result.put(name, new ByteArrayByteIterator(record, in.position(), valueLength));
            }
            in.position(in.position() + valueLength);
        }
    }

    /** The record {@code old} with {@code updates} laid over it: YCSB updates name a subset of the fields. */
    static byte[] merge(byte[] old, Map<String, ByteIterator> updates) {
        Map<String, ByteIterator> merged = new HashMap<>();
        decode(old, null, merged);
        merged.putAll(updates);
        return encode(merged);
    }

    private static int estimate(Map<String, ByteIterator> fields) {
        long size = 0;
        for (Map.Entry<String, ByteIterator> e : fields.entrySet()) {
            size += 6 + e.getKey().length() + e.getValue().bytesLeft();
        }
        return (int) Math.min(size, Integer.MAX_VALUE - 8);
    }

    private static IllegalArgumentException truncated(byte[] record, ByteBuffer in) {
        return new IllegalArgumentException("YCSB record of " + record.length + " bytes is truncated at byte "
                + in.position() + ": not written by YcsbRecord.encode");
    }
}
