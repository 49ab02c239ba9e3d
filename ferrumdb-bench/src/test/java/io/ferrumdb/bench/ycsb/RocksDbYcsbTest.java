package io.ferrumdb.bench.ycsb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.Vector;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;
import site.ycsb.StringByteIterator;

/** The RocksDB baseline answers YCSB's calls as the FerrumDB binding does, or the comparison would be unfair. */
class RocksDbYcsbTest {
    @TempDir
    Path dir;

    @Test
    void operationsThroughTheYcsbApiWithTwoClientsSharingOneHandle() throws DBException {
        DB first = client();
        DB second = client();
        assertThat(first.insert("usertable", "user1", fields("field0", "a0", "field1", "b1"))).isEqualTo(Status.OK);
        assertThat(first.insert("usertable", "user2", fields("field0", "c0", "field1", "d1"))).isEqualTo(Status.OK);

        Map<String, ByteIterator> read = new HashMap<>();
        assertThat(second.read("usertable", "user1", Set.of("field0"), read)).isEqualTo(Status.OK);
        assertThat(StringByteIterator.getStringMap(read)).isEqualTo(Map.of("field0", "a0"));

        assertThat(second.update("usertable", "user1", fields("field1", "B1"))).isEqualTo(Status.OK);
        assertThat(second.update("usertable", "user9", fields("field1", "x"))).isEqualTo(Status.NOT_FOUND);
        Vector<HashMap<String, ByteIterator>> rows = new Vector<>();
        assertThat(first.scan("usertable", "user0", 5, null, rows)).isEqualTo(Status.OK);
        assertThat(rows).hasSize(2);
        assertThat(StringByteIterator.getStringMap(rows.get(0))).isEqualTo(Map.of("field0", "a0", "field1", "B1"));
        assertThat(StringByteIterator.getStringMap(rows.get(1))).isEqualTo(Map.of("field0", "c0", "field1", "d1"));

        assertThat(first.delete("usertable", "user1")).isEqualTo(Status.OK);
        assertThat(second.read("usertable", "user1", null, new HashMap<>())).isEqualTo(Status.NOT_FOUND);
        first.cleanup();
        second.cleanup();

        // Closed by the last cleanup, so it opens again with what was written.
        DB again = client();
        assertThat(again.read("usertable", "user2", null, new HashMap<>())).isEqualTo(Status.OK);
        again.cleanup();
    }

    @Test
    void readsAndUpdatesRecordsLargerThanTheReadBufferThenSmallerOnes() throws DBException {
        DB db = client();
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
        Map<String, ByteIterator> small = new HashMap<>();
        assertThat(db.read("usertable", "small", null, small)).isEqualTo(Status.OK);
        assertThat(StringByteIterator.getStringMap(small)).isEqualTo(Map.of("field0", "s"));
        db.cleanup();
    }

    private DB client() throws DBException {
        DB db = new RocksDbYcsb();
        Properties properties = new Properties();
        properties.setProperty(RocksDbYcsb.DIR_PROPERTY, dir.toString());
        db.setProperties(properties);
        db.init();
        return db;
    }

    private static Map<String, ByteIterator> fields(String... namesAndValues) {
        Map<String, String> fields = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            fields.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return StringByteIterator.getByteIteratorMap(fields);
    }
}
