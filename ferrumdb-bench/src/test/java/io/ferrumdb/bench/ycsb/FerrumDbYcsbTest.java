package io.ferrumdb.bench.ycsb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

class FerrumDbYcsbTest {
    @TempDir
    Path dir;

    /** What only FerrumDB's binding can show: the shared handle's references, and a delete telling absence. */
    @Test
    void clientThreadsShareOneReferenceCountedHandle() throws DBException {
        DB first = client(dir);
        DB second = client(dir);
        assertThat(FerrumDbYcsb.openReferences(dir)).isEqualTo(2);
        assertThat(first.insert("usertable", "user1", fields("field0", "a0"))).isEqualTo(Status.OK);
        assertThat(first.insert("usertable", "user2", fields("field0", "b0"))).isEqualTo(Status.OK);
        assertThat(second.delete("usertable", "user2")).isEqualTo(Status.OK);
        assertThat(second.delete("usertable", "user2")).isEqualTo(Status.NOT_FOUND);

        first.cleanup();
        assertThat(FerrumDbYcsb.openReferences(dir)).isEqualTo(1);
        assertThat(second.read("usertable", "user1", null, new HashMap<>())).isEqualTo(Status.OK);
        second.cleanup();
        assertThat(FerrumDbYcsb.openReferences(dir)).isZero();

        // The last cleanup closed the store: the engine itself opens it again, with what the clients wrote.
        try (FerrumDB db = FerrumDB.open(dir)) {
            assertThat(db.size()).isEqualTo(1);
            assertThat(db.get("user2".getBytes(StandardCharsets.UTF_8))).isNull();
        }
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

    /**
     * README's command, YCSB's own command line on each of the repository's workload files with no counts given:
     * the files carry the standard ones (without them YCSB 0.17.0 failed with "Cannot parse null string").
     */
    @Test
    void readmesCommandLoadsAndRunsEveryWorkloadFileAsItIs() throws Exception {
        for (String w : List.of("a", "b", "c", "d", "e", "f")) {
            Path store = dir.resolve("readme-" + w);
            assertThat(ycsb(List.of("-load"), "ycsb-workloads/workload" + w, store))
                    .contains("[INSERT], Return=OK, 1000").doesNotContain("FAILED");
            assertThat(ycsb(List.of("-t"), "ycsb-workloads/workload" + w, store))
                    .contains("[OVERALL], Throughput(ops/sec)").doesNotContain("FAILED");
        }
    }

    private String ycsb(String phase, String workload, Path store) throws IOException, InterruptedException {
        return ycsb(List.of(phase, "-p", "recordcount=300", "-p", "operationcount=200", "-p", "fieldcount=3", "-p",
                "fieldlength=20", "-threads", "2"), workload, store);
    }

    /** YCSB's Client with {@code arguments} (the phase first) on {@code workload} and the binding over {@code store}. */
    private String ycsb(List<String> arguments, String workload, Path store) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                "site.ycsb.Client", "-db", FerrumDbYcsb.class.getName(), "-P", workload,
                "-p", FerrumDbYcsb.DIR_PROPERTY + "=" + store));
        command.addAll(arguments);
        String phase = arguments.get(0);
        Path log = dir.resolve("ycsb-" + store.getFileName() + phase + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("YCSB client finished").isTrue();
        String output = Files.readString(log);
        assertThat(process.exitValue()).as("YCSB exit status, output:%n%s", output).isZero();
        return output;
    }

    private static DB client(Path dir) throws DBException {
        return YcsbBindingTest.client(FerrumDbYcsb::new, FerrumDbYcsb.DIR_PROPERTY, dir);
    }

    private static Map<String, ByteIterator> fields(String... namesAndValues) {
        return YcsbBindingTest.fields(namesAndValues);
    }
}
