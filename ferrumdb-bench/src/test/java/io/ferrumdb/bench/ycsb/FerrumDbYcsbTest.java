package io.ferrumdb.bench.ycsb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.Vector;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ferrumdb.FerrumDB;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;
import site.ycsb.StringByteIterator;

class FerrumDbYcsbTest {
    @TempDir
    Path dir;

    @Test
    void operationsThroughTheYcsbApiWithTwoClientsSharingOneHandle() throws DBException {
        DB first = client(dir);
        DB second = client(dir);
        assertThat(FerrumDbYcsb.openReferences(dir)).isEqualTo(2);

        assertThat(first.insert("usertable", "user1", fields("field0", "a0", "field1", "b1"))).isEqualTo(Status.OK);
        assertThat(first.insert("usertable", "user2", fields("field0", "c0", "field1", "d1"))).isEqualTo(Status.OK);
        assertThat(first.insert("usertable", "user3", fields("field0", "e0", "field1", "f1"))).isEqualTo(Status.OK);

        // The second client thread sees the first one's writes: one shared FerrumDB.
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
        assertThat(first.scan("usertable", "user1", 1, null, limited)).isEqualTo(Status.OK);
        assertThat(limited).hasSize(1);
        assertThat(StringByteIterator.getStringMap(limited.get(0))).containsEntry("field1", "B1");

        assertThat(second.delete("usertable", "user2")).isEqualTo(Status.OK);
        assertThat(second.delete("usertable", "user2")).isEqualTo(Status.NOT_FOUND);
        assertThat(first.read("usertable", "user2", null, new HashMap<>())).isEqualTo(Status.NOT_FOUND);

        first.cleanup();
        assertThat(FerrumDbYcsb.openReferences(dir)).isEqualTo(1);
        assertThat(second.read("usertable", "user3", null, new HashMap<>())).isEqualTo(Status.OK);
        second.cleanup();
        assertThat(FerrumDbYcsb.openReferences(dir)).isZero();

        // The last cleanup closed the store: it opens again here, with what the clients wrote.
        try (FerrumDB db = FerrumDB.open(dir)) {
            assertThat(db.size()).isEqualTo(2);
            assertThat(db.get("user2".getBytes(StandardCharsets.UTF_8))).isNull();
        }
    }

    @Test
    void initWithoutADirectoryNamesTheProperty() {
        DB db = new FerrumDbYcsb();
        db.setProperties(new Properties());
        assertThatThrownBy(db::init)
                .isInstanceOf(DBException.class)
                .hasMessageContaining(FerrumDbYcsb.DIR_PROPERTY);
    }

    @Test
    void readsAndUpdatesRecordsLargerThanTheReadBufferThenSmallerOnes() throws DBException {
        DB db = client(dir);
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

    /**
     * YCSB's own Client loads and runs the repository's workload E file (scans and inserts) and F
     * (read-modify-write) against the binding, in a child JVM because Client.main ends with System.exit.
     */
    @Test
    void ycsbClientLoadsAndRunsWorkloadsEndToEnd() throws Exception {
        Path store = dir.resolve("store");
        String output = ycsb("-load", "ycsb-workloads/workloade", store);
        assertThat(output).contains("[OVERALL], Throughput(ops/sec)").contains("[INSERT], Operations, 300")
                .doesNotContain("FAILED");
        String scans = ycsb("-t", "ycsb-workloads/workloade", store);
        assertThat(scans).contains("[SCAN], Return=OK").doesNotContain("FAILED");
        String run = ycsb("-t", "ycsb-workloads/workloadf", store);
        assertThat(run).contains("[READ-MODIFY-WRITE], Operations").contains("[READ], Return=OK")
                .doesNotContain("FAILED").doesNotContain("Return=NOT_FOUND");
        Matcher inserts = Pattern.compile("\\[INSERT\\], Operations, (\\d+)").matcher(scans);
        long inserted = inserts.find() ? Long.parseLong(inserts.group(1)) : 0;
        try (FerrumDB db = FerrumDB.open(store)) {
            // 300 loaded, and each insert of workload E's run (5% of its operations) a new key.
            assertThat(db.size()).isEqualTo(300 + inserted);
        }
    }

    private String ycsb(String phase, String workload, Path store) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                "site.ycsb.Client", phase, "-db", FerrumDbYcsb.class.getName(), "-P", workload,
                "-p", FerrumDbYcsb.DIR_PROPERTY + "=" + store, "-p", "recordcount=300", "-p", "operationcount=200",
                "-p", "fieldcount=3", "-p", "fieldlength=20", "-threads", "2"));
        Path log = dir.resolve("ycsb-" + phase + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("YCSB client finished").isTrue();
        String output = Files.readString(log);
        assertThat(process.exitValue()).as("YCSB exit status, output:%n%s", output).isZero();
        return output;
    }

    private static DB client(Path dir) throws DBException {
        DB db = new FerrumDbYcsb();
        Properties properties = new Properties();
        properties.setProperty(FerrumDbYcsb.DIR_PROPERTY, dir.toString());
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
