package io.ferrumdb.bench.ycsb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import site.ycsb.ByteIterator;
import site.ycsb.StringByteIterator;

/** The record encoding both bindings share: what the thin paths (reused buffers, no maps) must still get right. */
class YcsbRecordTest {
    @Test
    void decodesOnlyTheRecordsLengthOfAReusedBufferAndReusesFieldNames() {
        byte[] record = YcsbRecord.encode(ordered("field0", "abc", "field1", "de"));
        byte[] buffer = Arrays.copyOf(record, record.length + 40);
        // What a longer earlier record left behind the current one must not be read as fields.
        Arrays.fill(buffer, record.length, buffer.length, (byte) 0x7F);
        YcsbRecord.Names names = new YcsbRecord.Names();
        Map<String, ByteIterator> first = new HashMap<>();
        YcsbRecord.decode(buffer, record.length, null, first, names);
        assertThat(StringByteIterator.getStringMap(first)).isEqualTo(Map.of("field0", "abc", "field1", "de"));

        Map<String, ByteIterator> second = new HashMap<>();
        YcsbRecord.decode(buffer, record.length, Set.of("field1"), second, names);
        assertThat(StringByteIterator.getStringMap(second)).isEqualTo(Map.of("field1", "de"));
        String name = second.keySet().iterator().next();
        assertThat(name).isSameAs(first.keySet().stream().filter("field1"::equals).findFirst().orElseThrow());
    }

    @Test
    void mergeReplacesUpdatedFieldsInPlaceAndAppendsNewOnes() {
        byte[] old = YcsbRecord.encode(ordered("a", "1", "b", "22", "c", "333"));
        byte[] merged = YcsbRecord.merge(old, ordered("b", "x", "d", "4444"));
        assertThat(merged).isEqualTo(YcsbRecord.encode(ordered("a", "1", "b", "x", "c", "333", "d", "4444")));

        // From a reused buffer: only old[0, length) is the record.
        byte[] buffer = Arrays.copyOf(old, old.length + 16);
        assertThat(YcsbRecord.merge(buffer, old.length, ordered("c", "")))
                .isEqualTo(YcsbRecord.encode(ordered("a", "1", "b", "22", "c", "")));
    }

    @Test
    void namesAndValuesRoundTripAndDamagedRecordsAreRefused() {
        Map<String, ByteIterator> in = ordered("field0", "", "f\u00e9ld1", "x".repeat(300));
        byte[] record = YcsbRecord.encode(in);
        Map<String, ByteIterator> out = new HashMap<>();
        YcsbRecord.decode(record, null, out);
        assertThat(StringByteIterator.getStringMap(out)).isEqualTo(Map.of("field0", "", "f\u00e9ld1", "x".repeat(300)));

        byte[] cut = Arrays.copyOf(record, record.length - 1);
        assertThatThrownBy(() -> YcsbRecord.decode(cut, null, new HashMap<>()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> YcsbRecord.merge(cut, ordered("field0", "y")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
        byte[] negative = record.clone();
        negative[2 + "field0".length()] = (byte) 0x80;
        assertThatThrownBy(() -> YcsbRecord.decode(negative, null, new HashMap<>()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> YcsbRecord.encode(ordered("n".repeat(0x10000), "v")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65535");
    }

    /** Fields in the given order, so that encoded bytes can be compared. */
    private static Map<String, ByteIterator> ordered(String... namesAndValues) {
        Map<String, ByteIterator> fields = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            fields.put(namesAndValues[i], new StringByteIterator(namesAndValues[i + 1]));
        }
        return fields;
    }
}
