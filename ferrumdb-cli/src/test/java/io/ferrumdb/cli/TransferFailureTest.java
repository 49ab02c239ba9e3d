package io.ferrumdb.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.Options;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code export} and {@code import} stopped half way by a failing disk, a damaged record or a broken input: the
 * exit code is not 0, the message names the file and says how far it got, and no cut export looks complete.
 */
class TransferFailureTest {
    private static final int RECORDS = 3000;

    @TempDir
    Path tmp;

    private Path filled() {
        return TestDatabases.filled(tmp.resolve("db"), RECORDS, 60);
    }

    private static Run runWithOutput(OutputStream stdout, InputStream stdin, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, stdin, new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(), Terminals.NONE, null);
        return new Run(code, new byte[0], err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anExportToAStandardOutputThatFillsUpExitsNonZero() {
        Path db = filled();
        Run r = runWithOutput(new FailingOutput(50_000, FailingOutput.FULL_DISK), new ByteArrayInputStream(new byte[0]), "--db", db.toString(),
                "export");
        assertThat(r.code()).isEqualTo(ExitCode.DATABASE);
        assertThat(r.err()).contains("cannot write standard output").contains("the export is incomplete");
    }

    @Test
    void aGetIntoAStandardOutputThatFillsUpExitsNonZero() {
        Path db = filled();
        Run r = runWithOutput(new FailingOutput(10, FailingOutput.FULL_DISK), new ByteArrayInputStream(new byte[0]), "--db", db.toString(),
                "get", "key-00001");
        assertThat(r.code()).isEqualTo(ExitCode.DATABASE);
        assertThat(r.err()).contains("cannot write standard output");
    }

    /** The entry point in a JVM of its own, its standard output as {@code configure} sets it. */
    private static Process ferrumdb(ProcessBuilder.Redirect stdout, String... args) throws IOException {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(command).redirectOutput(stdout).start();
        p.getOutputStream().close();
        return p;
    }

    @Test
    void aReaderThatStopsEarlyEndsTheCommandQuietly() throws Exception {
        // As 'ferrumdb export | head -1': about 300 KB, more than a pipe holds, so a write meets the closed pipe.
        Process p = ferrumdb(ProcessBuilder.Redirect.PIPE, "--db", filled().toString(), "export");
        try (InputStream out = p.getInputStream()) {
            assertThat(out.read()).isEqualTo('{');
        }
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        assertThat(err).isEmpty();
    }

    @Test
    void anExportToAFullStandardOutputNamesTheError() throws Exception {
        java.io.File full = new java.io.File("/dev/full");
        assumeTrue(full.exists(), "needs /dev/full (Linux)");
        Process p = ferrumdb(ProcessBuilder.Redirect.to(full), "--db", filled().toString(), "export");
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isEqualTo(ExitCode.DATABASE);
        assertThat(err).contains("cannot write standard output (No space left on device): the export is incomplete");
    }

    @Test
    void anExportToAFullDeviceNamesIt() {
        Path full = Path.of("/dev/full");
        assumeTrue(Files.exists(full), "needs /dev/full (Linux)");
        Run r = Run.of(filled(), "", "export", "-o", full.toString());
        assertThat(r.code()).isEqualTo(ExitCode.DATABASE);
        assertThat(r.err()).contains("cannot write the export file: /dev/full: No space left on device")
                .contains("the export stopped after").contains("/dev/full holds a cut export");
    }

    @Test
    void getOutputFollowsExportsRuleAFullDiskIsAnIoErrorAMissingFolderBadInput() throws Exception {
        Path full = Path.of("/dev/full");
        assumeTrue(Files.exists(full), "needs /dev/full (Linux)");
        Path db = filled();
        Run r = Run.of(db, "", "get", "key-00001", "-o", full.toString());
        assertThat(r.code()).isEqualTo(ExitCode.DATABASE);
        assertThat(r.err()).contains("cannot write the value: /dev/full: No space left on device")
                .contains("/dev/full holds a cut value");

        Run nowhere = Run.of(db, "", "get", "key-00001", "-o", tmp.resolve("missing/value").toString());
        assertThat(nowhere.code()).isEqualTo(ExitCode.USAGE);
        assertThat(nowhere.err()).contains("cannot write the value: no such file or directory");

        Path target = tmp.resolve("value");
        Run written = Run.of(db, "", "get", "key-00001", "-o", target.toString());
        assertThat(written.code()).as(written.err()).isZero();
        assertThat(Files.readString(target)).isEqualTo("value-1" + "-".repeat(60));
        assertThat(tmp.resolve("value" + PartialFile.SUFFIX)).doesNotExist();
    }

    @Test
    void anExportStoppedByADamagedRecordLeavesThePreviousFileAndNoPartialOne() throws Exception {
        Path db = filled();
        Path segment;
        try (Stream<Path> s = Files.list(db)) {
            segment = s.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
        }
        VerifyDamageTest.flip(segment, Files.size(segment) * 2 / 3);
        Path dump = tmp.resolve("dump.jsonl");
        Files.writeString(dump, "yesterday's export\n");
        Run r = Run.of(db, "", "export", "-o", dump.toString());
        assertThat(r.code()).isEqualTo(ExitCode.DATABASE);
        assertThat(r.err()).contains(segment.toString());
        assertThat(Files.readString(dump)).as("a cut export never takes the file's name")
                .isEqualTo("yesterday's export\n");
        assertThat(tmp.resolve("dump.jsonl" + PartialFile.SUFFIX)).doesNotExist();

        Path fresh = tmp.resolve("fresh.jsonl");
        Run again = Run.of(db, "", "export", "-o", fresh.toString());
        assertThat(again.code()).isEqualTo(ExitCode.DATABASE);
        assertThat(fresh).doesNotExist();
        assertThat(tmp.resolve("fresh.jsonl" + PartialFile.SUFFIX)).doesNotExist();
    }

    @Test
    void aCompleteExportReplacesTheFileAndLeavesNoPartialOne() throws Exception {
        Path db = filled();
        Path dump = tmp.resolve("dump.jsonl");
        Files.writeString(dump, "yesterday's export\n");
        Run r = Run.of(db, "", "export", "-o", dump.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readAllLines(dump)).hasSize(RECORDS);
        assertThat(tmp.resolve("dump.jsonl" + PartialFile.SUFFIX)).doesNotExist();
    }

    /** Input that breaks off with an I/O error (a dropped connection, a failing disk) after {@code limit} bytes. */
    private static InputStream breakingAfter(byte[] data, int limit) {
        return new InputStream() {
            private int at;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (at >= limit) {
                    throw new IOException("Connection reset");
                }
                int n = Math.min(len, limit - at);
                System.arraycopy(data, at, b, off, n);
                at += n;
                return n;
            }
        };
    }

    @Test
    void anImportStoppedByAnInputErrorSaysHowManyRecordsLanded() throws Exception {
        Path dump = tmp.resolve("dump.jsonl");
        assertThat(Run.of(filled(), "", "export", "-o", dump.toString()).code()).isZero();
        byte[] data = Files.readAllBytes(dump);
        Path target = tmp.resolve("target");
        Run r = runWithOutput(new ByteArrayOutputStream(), breakingAfter(data, data.length * 3 / 4), "--db",
                target.toString(), "import");
        assertThat(r.code()).isEqualTo(ExitCode.DATABASE);
        Matcher m = Pattern.compile("after (\\d+) record\\(s\\) were imported").matcher(r.err());
        assertThat(m.find()).as(r.err()).isTrue();
        assertThat(r.err()).contains("Connection reset");
        long landed = Long.parseLong(m.group(1));
        assertThat(landed).isGreaterThan(RECORDS / 2);
        try (FerrumDB d = FerrumDB.open(target, Options.builder().readOnly(true).build())) {
            assertThat(d.size()).as("the count said is what the database holds").isEqualTo(landed);
        }
    }
}
