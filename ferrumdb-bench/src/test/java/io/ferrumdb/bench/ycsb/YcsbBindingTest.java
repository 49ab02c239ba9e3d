package io.ferrumdb.bench.ycsb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.Vector;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;
import site.ycsb.StringByteIterator;

/** Both YCSB bindings answer YCSB's calls alike, or the comparison between the engines would be unfair. */
class YcsbBindingTest {
    @TempDir
    Path dir;

    static Stream<Arguments> bindings() {
        return Stream.of(
                Arguments.of("FerrumDB", (Supplier<DB>) FerrumDbYcsb::new, FerrumDbYcsb.DIR_PROPERTY),
                Arguments.of("RocksDB", (Supplier<DB>) RocksDbYcsb::new, RocksDbYcsb.DIR_PROPERTY));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bindings")
    void operationsThroughTheYcsbApiWithTwoClientsSharingOneHandle(String engine, Supplier<DB> binding,
            String property) throws DBException {
        DB first = client(binding, property, dir);
        DB second = client(binding, property, dir);
        assertThat(first.insert("usertable", "user1", fields("field0", "a0", "field1", "b1"))).isEqualTo(Status.OK);
        assertThat(first.insert("usertable", "user2", fields("field0", "c0", "field1", "d1"))).isEqualTo(Status.OK);
        assertThat(first.insert("usertable", "user3", fields("field0", "e0", "field1", "f1"))).isEqualTo(Status.OK);

        // The second client thread sees the first one's writes: one shared handle.
        Map<String, ByteIterator> read = new HashMap<>();
        assertThat(second.read("usertable", "user1", null, read)).isEqualTo(Status.OK);
        assertThat(StringByteIterator.getStringMap(read)).isEqualTo(Map.of("field0", "a0", "field1", "b1"));
        Map<String, ByteIterator> one = new HashMap<>();
        assertThat(second.read("usertable", "user2", Set.of("field1"), one)).isEqualTo(Status.OK);
        assertThat(StringByteIterator.getStringMap(one)).isEqualTo(Map.of("field1", "d1"));

        // An update names some fields; the others keep their values.
        assertThat(second.update("usertable", "user1", fields("field1", "B1"))).isEqualTo(Status.OK);
        Map<String, ByteIterator> updated = new HashMap<>();
        assertThat(first.read("usertable", "user1", null, updated)).isEqualTo(Status.OK);
        assertThat(StringByteIterator.getStringMap(updated)).isEqualTo(Map.of("field0", "a0", "field1", "B1"));
        assertThat(first.update("usertable", "user9", fields("field1", "x"))).isEqualTo(Status.NOT_FOUND);

        // Scans run in key order from the start key, at most recordcount rows.
        Vector<HashMap<String, ByteIterator>> rows = new Vector<>();
        assertThat(first.scan("usertable", "user2", 5, Set.of("field0"), rows)).isEqualTo(Status.OK);
        assertThat(rows).hasSize(2);
        assertThat(StringByteIterator.getStringMap(rows.get(0))).isEqualTo(Map.of("field0", "c0"));
        assertThat(StringByteIterator.getStringMap(rows.get(1))).isEqualTo(Map.of("field0", "e0"));
        Vector<HashMap<String, ByteIterator>> limited = new Vector<>();
        assertThat(first.scan("usertable", "user0", 1, null, limited)).isEqualTo(Status.OK);
        assertThat(limited).hasSize(1);
        assertThat(StringByteIterator.getStringMap(limited.get(0))).containsEntry("field1", "B1");

        assertThat(second.delete("usertable", "user2")).isEqualTo(Status.OK);
        assertThat(first.read("usertable", "user2", null, new HashMap<>())).isEqualTo(Status.NOT_FOUND);
        first.cleanup();
        assertThat(second.read("usertable", "user3", null, new HashMap<>())).isEqualTo(Status.OK);
        second.cleanup();

        // The last cleanup closed the store: it opens again, with what the clients wrote.
        DB again = client(binding, property, dir);
        assertThat(again.read("usertable", "user3", null, new HashMap<>())).isEqualTo(Status.OK);
        assertThat(again.read("usertable", "user2", null, new HashMap<>())).isEqualTo(Status.NOT_FOUND);
        again.cleanup();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bindings")
    void readsAndUpdatesRecordsLargerThanTheReadBufferThenSmallerOnes(String engine, Supplier<DB> binding,
            String property) throws DBException {
        DB db = client(binding, property, dir);
        String big = "y".repeat(5000);
        assertThat(db.insert("usertable", "big", fields("field0", big, "field1", "z"))).isEqualTo(Status.OK);
        assertThat(db.insert("usertable", "small", fields("field0", "s"))).isEqualTo(Status.OK);
        Map<String, ByteIterator> read = new HashMap<>();
        assertThat(db.read("usertable", "big", null, read)).isEqualTo(Status.OK);
        assertThat(StringByteIterator.getStringMap(read)).isEqualTo(Map.of("field0", big, "field1", "z"));
        assertThat(db.update("usertable", "big", fields("field1", "Z"))).isEqualTo(Status.OK);
        Map<String, ByteIterator> updated = new HashMap<>();
        assertThat(db.read("usertable", "big", null, updated)).isEqualTo(Status.OK);
        assertThat(StringByteIterator.getStringMap(updated)).isEqualTo(Map.of("field0", big, "field1", "Z"));
        // The grown buffer still holds the big record's tail: the small record is read by its own length.
        Map<String, ByteIterator> small = new HashMap<>();
        assertThat(db.read("usertable", "small", null, small)).isEqualTo(Status.OK);
        assertThat(StringByteIterator.getStringMap(small)).isEqualTo(Map.of("field0", "s"));
        db.cleanup();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bindings")
    void initWithoutADirectoryNamesTheProperty(String engine, Supplier<DB> binding, String property) {
        DB db = binding.get();
        db.setProperties(new Properties());
        assertThatThrownBy(db::init).isInstanceOf(DBException.class).hasMessageContaining(property);
    }

    static DB client(Supplier<DB> binding, String property, Path dir) throws DBException {
        DB db = binding.get();
        Properties properties = new Properties();
        properties.setProperty(property, dir.toString());
        db.setProperties(properties);
        db.init();
        return db;
    }

    static Map<String, ByteIterator> fields(String... namesAndValues) {
        Map<String, String> fields = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            fields.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return StringByteIterator.getByteIteratorMap(fields);
    }
}
