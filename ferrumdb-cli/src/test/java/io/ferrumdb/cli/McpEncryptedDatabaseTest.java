package io.ferrumdb.cli;

import static io.ferrumdb.cli.McpStdio.answer;
import static io.ferrumdb.cli.McpStdio.send;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20, "the global options apply (passphrase for encrypted databases)": {@code ferrumdb --passphrase-file F
 * mcp} in a child JVM keeps its memories encrypted, refuses to serve without the passphrase (exit 4), and recalls
 * them with it.
 */
class McpEncryptedDatabaseTest {
    private static final String SECRET = "zanzibar7731";

    @TempDir
    Path tmp;

    @Test
    void memoriesAreEncryptedAndServedOnlyWithThePassphrase() throws Exception {
        Path db = tmp.resolve("db");
        Path passphrase = tmp.resolve("passphrase");
        Files.writeString(passphrase, "correct horse battery staple\n");
        String remembered = session(db, McpStdio.toolCall(2, "remember",
                "{\"text\":\"the vault code is " + SECRET + "\",\"tags\":[\"vault\"]}"), "--passphrase-file",
                passphrase.toString());
        assertThat(remembered).contains("Remembered ");

        List<Path> files;
        try (Stream<Path> listing = Files.walk(db)) {
            files = listing.filter(Files::isRegularFile).toList();
        }
        assertThat(files).isNotEmpty();
        for (Path file : files) {
            assertThat(new String(Files.readAllBytes(file), UTF_8)).as(file.toString()).doesNotContain(SECRET)
                    .doesNotContain("vault");
        }

        Path err = tmp.resolve("nopass.err");
        Process refused = ChildCli.start(err, "--db", db.toString(), "mcp");
        refused.getOutputStream().close();
        assertThat(refused.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(refused.exitValue()).as("stderr: %s", Files.readString(err)).isEqualTo(4);
        assertThat(Files.readString(err)).contains("is encrypted").contains("--passphrase-file");

        String recalled = session(db, McpStdio.toolCall(2, "recall", "{\"query\":\"vault code\"}"),
                "--passphrase-file", passphrase.toString());
        assertThat(recalled).contains(SECRET);
    }

    /** Starts {@code ferrumdb --db DB OPTIONS mcp}, initializes, sends {@code call} (id 2), closes stdin. */
    private String session(Path db, String call, String... options) throws IOException, InterruptedException {
        Path err = Files.createTempFile(tmp, "mcp", ".err");
        String[] args = Stream.concat(Stream.of("--db", db.toString()), Stream.concat(Stream.of(options),
                Stream.of("mcp"))).toArray(String[]::new);
        McpStdio.Session session = McpStdio.Session.start(err, args);
        Process mcp = session.process();
        try {
            OutputStream in = session.in();
            BufferedReader out = session.out();
            send(in, call);
            String answer = answer(out, 2);
            in.close(); // the client leaves: the server closes the database and ends
            assertThat(mcp.waitFor(120, TimeUnit.SECONDS)).as("exited; stderr: %s", Files.readString(err)).isTrue();
            assertThat(mcp.exitValue()).as("stderr: %s", Files.readString(err)).isZero();
            return answer;
        } finally {
            mcp.destroyForcibly();
        }
    }
}
