package io.ferrumdb.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.KeyRange;
import io.ferrumdb.KeyValue;
import io.ferrumdb.MaintenanceProgress;
import io.ferrumdb.RangeIterator;
import io.ferrumdb.WriteBatch;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToolsTest {
    @TempDir
    Path tmp;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void infoShowsFormatSegmentsKeysBytesEncryptionAndFsync() {
        Path db = tmp.resolve("db");
        Run.of(db, "", "put", "a", "1");
        Run.of(db, "", "put", "a", "2");
        Run r = Run.of(db, "", "--fsync", "periodic:250ms", "info");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("format version:      2").contains("encryption:          none")
                .contains("fsync policy:        periodic every 250 ms").contains("live keys:           1")
                .contains("segments:            2").contains("live bytes:          30")
                .contains("total bytes:         188").contains("open mode:           read-only")
                // 158 = the overwritten record (30) and two segment headers (2 x 64): said, as a newcomer wondered
                .contains("dead bytes:          158 (superseded and expired records, tombstones, segment headers)")
                .contains("pending compaction:  94 bytes").contains("compaction rate:     0.0 MB/s (0 bytes compacted");
        // The key directory's memory (issue 18's "bytes a key"), a slot and the key's bytes at the least.
        java.util.regex.Matcher keyDir = java.util.regex.Pattern
                .compile("key directory: +(\\d+) bytes in memory \\((\\d+\\.\\d) bytes a live key\\)").matcher(r.out());
        assertThat(keyDir.find()).as(r.out()).isTrue();
        assertThat(Long.parseLong(keyDir.group(1))).isGreaterThanOrEqualTo(24 + 1);
    }

    /** Issue 21: a script calling {@code put} once per command must not leave a segment per command. */
    @Test
    void fortyOneShotPutsLeaveAtMostFiveSegments() throws Exception {
        Path db = tmp.resolve("db");
        for (int i = 0; i < 40; i++) {
            assertThat(Run.of(db, "", "put", "key" + i, "value" + i).code()).isZero();
        }
        try (var files = Files.list(db)) {
            assertThat(files.filter(p -> p.getFileName().toString().endsWith(".seg")).count()).isLessThanOrEqualTo(5);
        }
        assertThat(Run.of(db, "", "count").out().trim()).isEqualTo("40");
        assertThat(Run.of(db, "", "get", "key17").out()).startsWith("value17");
    }

    @Test
    void verifyPassesASoundDatabaseAndNamesTheOffsetOfAFlippedByte() throws Exception {
        Path db = tmp.resolve("db");
        Run.of(db, "", "put", "a", "1");
        try (FerrumDB fdb = FerrumDB.open(db)) {
            fdb.put(b("b"), b("2"));
            fdb.put(b("c"), b("3"));
        }
        Run ok = Run.of(db, "", "verify");
        assertThat(ok.code()).isZero();
        assertThat(ok.out()).contains("checked 2 segment(s), 3 record(s)").contains("OK: no problems found");

        Path second;
        try (var files = Files.list(db)) {
            second = files.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted()
                    .reduce((x, y) -> y).orElseThrow();
        }
        int recordOfC = 64 + 30;
        try (RandomAccessFile f = new RandomAccessFile(second.toFile(), "rw")) {
            f.seek(recordOfC + 28);
            f.write('X');
        }
        Run bad = Run.of(db, "", "verify");
        assertThat(bad.code()).isEqualTo(ExitCode.DATABASE);
        assertThat(bad.out()).contains("DAMAGED " + second.toAbsolutePath() + " at offset " + recordOfC)
                .contains("checksum mismatch").contains("1 problem(s) found");
        assertThat(Files.size(second)).isEqualTo(64 + 30 + 30);

        Run read = Run.of(db, "", "get", "c");
        assertThat(read.code()).isEqualTo(ExitCode.DATABASE);
        assertThat(read.err()).contains("corruption in " + second.toAbsolutePath()).contains("offset " + recordOfC)
                .contains("run 'ferrumdb verify'").doesNotContain("\tat ");
        assertThat(Run.of(db, "", "get", "b").out()).isEqualTo("2");
    }

    @Test
    void verifyOfALockedDatabaseSaysSo() {
        Path db = tmp.resolve("db");
        try (FerrumDB held = FerrumDB.open(db)) {
            Run r = Run.of(db, "", "verify");
            assertThat(r.code()).isEqualTo(ExitCode.DATABASE);
            assertThat(r.err()).contains(held.directory() + " is locked by");
        }
    }

    @Test
    void exportImportRoundTripOfRandomBinaryDataWithTtlsIsExact() throws Exception {
        Path source = tmp.resolve("source");
        Random random = new Random(42);
        Map<String, byte[]> expected = new TreeMap<>();
        try (FerrumDB db = FerrumDB.open(source)) {
            WriteBatch batch = new WriteBatch();
            for (int i = 0; i < 600; i++) {
                byte[] key = random.nextInt(3) == 0 ? b("text:" + i + ":é✓") : randomBytes(random, 1 + random.nextInt(40));
                byte[] value = random.nextInt(3) == 0 ? b("{\"n\":" + i + ",\"s\":\"q\\\"\\n\"}")
                        : randomBytes(random, random.nextInt(300));
                if (random.nextInt(4) == 0) {
                    batch.put(key, value, Duration.ofHours(1 + random.nextInt(100)));
                } else {
                    batch.put(key, value);
                }
            }
            batch.put(new byte[0], new byte[0]);
            db.write(batch);
        }
        Path dump = tmp.resolve("dump.jsonl");
        Run export = Run.of(source, "", "export", "--output", dump.toString());
        assertThat(export.code()).isZero();
        String text = Files.readString(dump);
        assertThat(text).contains("\"encoding\":\"text\"").contains("\"encoding\":\"base64\"")
                .contains("\"expiresAt\":");

        Path target = tmp.resolve("target");
        Run imported = Run.of(target, "", "import", "--input", dump.toString());
        assertThat(imported.code()).as(imported.err()).isZero();
        assertThat(imported.out()).startsWith("imported ");

        try (FerrumDB a = FerrumDB.open(source); FerrumDB bdb = FerrumDB.open(target)) {
            assertThat(bdb.size()).isEqualTo(a.size());
            try (RangeIterator it = a.iterate(KeyRange.all())) {
                while (it.hasNext()) {
                    KeyValue kv = it.next();
                    assertThat(bdb.get(kv.key())).isEqualTo(kv.value());
                    assertThat(bdb.expiresAt(kv.key())).isEqualTo(a.expiresAt(kv.key()));
                }
            }
        }
        Run again = Run.of(target, "", "export");
        assertThat(again.out()).isEqualTo(text);
    }

    @Test
    void importFromStdinSkipsExpiredRecordsAndRejectsBadLinesByNumber() {
        Path db = tmp.resolve("db");
        long future = System.currentTimeMillis() + 3_600_000;
        String input = "{\"key\":\"a\",\"value\":\"1\",\"encoding\":\"text\"}\n"
                + "{\"key\":\"AP8=\",\"value\":\"\",\"encoding\":\"base64\",\"expiresAt\":" + future + "}\n"
                + "{\"key\":\"old\",\"value\":\"x\",\"expiresAt\":1000}\n";
        Run r = Run.of(db, input, "import");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("imported 2 record(s), skipped 1 expired\n");
        try (FerrumDB fdb = FerrumDB.open(db)) {
            assertThat(fdb.expiresAt(new byte[] {0, -1})).isEqualTo(future);
            assertThat(fdb.get(b("old"))).isNull();
        }
        Run bad = Run.of(db, "{\"key\":\"a\",\"value\":\"1\"}\n{\"key\":\"b\",\"valu\":\"2\"}\n", "import");
        assertThat(bad.code()).isEqualTo(ExitCode.USAGE);
        assertThat(bad.err()).contains("line 2: unknown field 'valu'");
        Run notJson = Run.of(db, "{\"key\":\"a\",\"value\":\"1\"}\n\n{oops}\n", "import");
        assertThat(notJson.code()).isEqualTo(ExitCode.USAGE);
        assertThat(notJson.err()).contains("line 3: malformed JSON");
        Run badBase64 = Run.of(db, "{\"key\":\"!!\",\"value\":\"\",\"encoding\":\"base64\"}", "import");
        assertThat(badBase64.err()).contains("line 1: key is not valid base64");
    }

    @Test
    void compactTakesItsThreadsAndRefusesANumberOutOfRange() {
        Path db = tmp.resolve("db");
        StringBuilder script = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            script.append("SET k").append(i % 40).append(" value-").append(i).append('\n');
        }
        assertThat(Run.of(db, script.toString()).code()).isZero();
        Run compact = Run.of(db, "", "compact", "--threads", "3");
        assertThat(compact.code()).as(compact.err()).isZero();
        assertThat(compact.out()).startsWith("compacted ");
        assertThat(Run.of(db, "", "get", "k39").out()).isEqualTo("value-199");
        Run zero = Run.of(db, "", "compact", "--threads", "0");
        assertThat(zero.code()).isEqualTo(ExitCode.USAGE);
        assertThat(zero.err()).contains("--threads must be from 1 to 64, got 0");
    }

    @Test
    void compactReclaimsDeadBytesAndBackupOpensAsItsOwnDatabase() {
        Path db = tmp.resolve("db");
        StringBuilder script = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            script.append("SET k").append(i % 5).append(" value-").append(i).append('\n');
        }
        assertThat(Run.of(db, script.toString()).code()).isZero();
        Run compact = Run.of(db, "", "compact");
        assertThat(compact.code()).as(compact.err()).isZero();
        assertThat(compact.out()).startsWith("compacted ");
        Run verify = Run.of(db, "", "verify");
        assertThat(verify.code()).as(verify.out()).isZero();
        try (FerrumDB fdb = FerrumDB.open(db)) {
            assertThat(fdb.stats().deadBytes()).isLessThan(fdb.stats().liveBytes());
            assertThat(fdb.get(b("k4"))).isEqualTo(b("value-49"));
        }
        Path copy = tmp.resolve("copy");
        Run backup = Run.of(db, "", "backup", copy.toString());
        assertThat(backup.code()).as(backup.err()).isZero();
        assertThat(backup.out()).contains("5 live keys").contains(copy.toString());
        assertThat(Run.of(copy, "", "get", "k3").out()).isEqualTo("value-48");
        Run again = Run.of(db, "", "backup", copy.toString());
        assertThat(again.code()).isEqualTo(ExitCode.USAGE);
        assertThat(again.err()).contains("is not empty");
    }

    @Test
    void progressDrawsRateAndEtaOnATerminalAndNothingElsewhere() {
        AtomicLong now = new AtomicLong();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress bar = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, "records", 1000,
                now::get);
        now.set(1_000_000_000L);
        bar.at(250);
        String drawn = bytes.toString(StandardCharsets.UTF_8);
        assertThat(drawn).contains("25%").contains("250/1000 records").contains("250 records/s")
                .contains("ETA 0:03");
        bar.finish();

        ByteArrayOutputStream quiet = new ByteArrayOutputStream();
        Progress off = new Progress(new PrintStream(quiet, true, StandardCharsets.UTF_8), false, "records", 1000,
                now::get);
        now.addAndGet(1_000_000_000L);
        off.at(500);
        off.finish();
        assertThat(quiet.size()).isZero();
    }

    /** The bar of a job that failed stays, where it stopped, without rate or ETA; one that succeeded is cleared. */
    @Test
    void aStoppedBarKeepsAnHonestLastLineAndAFinishedOneIsCleared() {
        AtomicLong now = new AtomicLong();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress bar = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, "bytes", -1,
                now::get);
        now.set(1_000_000_000L);
        Throwable failure = catchThrowable(() -> bar.follow(progress -> {
            progress.accept(new MaintenanceProgress(0, 8000));
            now.addAndGet(1_000_000_000L);
            progress.accept(new MaintenanceProgress(3000, 8000));
            throw new IllegalStateException("disk gone");
        }));
        assertThat(failure).hasMessage("disk gone");
        String drawn = bytes.toString(StandardCharsets.UTF_8);
        String last = drawn.substring(drawn.lastIndexOf('\r'));
        assertThat(last).isEqualTo("\r[===========                   ]  37% 3000/8000 bytes: stopped\u001b[K\n");

        ByteArrayOutputStream okBytes = new ByteArrayOutputStream();
        Progress ok = new Progress(new PrintStream(okBytes, true, StandardCharsets.UTF_8), true, "bytes", -1,
                now::get);
        now.addAndGet(1_000_000_000L);
        String result = ok.follow(progress -> {
            progress.accept(new MaintenanceProgress(8000, 8000));
            return "done";
        });
        assertThat(result).isEqualTo("done");
        assertThat(okBytes.toString(StandardCharsets.UTF_8)).contains("100% 8000/8000 bytes").endsWith("\r\u001b[K");
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
