package io.ferrumdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.doc.DocumentStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A standard output whose reader went away ({@code ferrumdb keys | head}) ends the command at once and quietly,
 * as SIGPIPE ends a C program: the command does not go on walking the whole database into a pipe nobody reads.
 * The pipe is played by a {@link FailingOutput} that takes a few kilobytes, then fails every write as a closed pipe
 * does, and counts the writes tried.
 */
class ReaderGoneTest {
    private static final int RECORDS = 20_000;

    @TempDir
    Path tmp;

    private Path filled() {
        return TestDatabases.filled(tmp.resolve("db"), RECORDS, 0);
    }

    private static void assertEndedQuietlyAtTheFirstFailedWrite(Path db, String stdin, String... command) {
        FailingOutput pipe = new FailingOutput(4096, FailingOutput.BROKEN_PIPE);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] args = new String[command.length + 2];
        args[0] = "--db";
        args[1] = db.toString();
        System.arraycopy(command, 0, args, 2, command.length);
        int code = Main.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                StandardOutput.over(pipe), new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(),
                Terminals.NONE, null);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(code).isEqualTo(ExitCode.OK);
        // Without the fix every further line met the closed pipe again: thousands of writes.
        assertThat(pipe.failedWrites()).as("writes tried after the pipe closed").isEqualTo(1);
    }

    @Test
    void keysStopsAtTheFirstWriteToAClosedPipe() {
        assertEndedQuietlyAtTheFirstFailedWrite(filled(), "", "keys");
    }

    @Test
    void exportStopsAtTheFirstWriteToAClosedPipe() {
        assertEndedQuietlyAtTheFirstFailedWrite(filled(), "", "export");
    }

    @Test
    void docFindStopsAtTheFirstWriteToAClosedPipe() {
        Path db = tmp.resolve("docs");
        try (DocumentStore docs = DocumentStore.open(db)) {
            for (int i = 0; i < 2000; i++) {
                docs.collection("users").put("u" + i, "{\"name\":\"user " + i + "\",\"age\":" + (i % 90) + "}");
            }
        }
        assertEndedQuietlyAtTheFirstFailedWrite(db, "", "doc", "find", "users");
    }

    @Test
    void aPipedReplEndsWhenItsAnswersAreNoLongerRead() {
        // Each KEYS answer is about 200 KB: the first fills the pipe; the session must not run the others.
        assertEndedQuietlyAtTheFirstFailedWrite(filled(), "KEYS\nKEYS\nKEYS\nKEYS\n");
    }
}
