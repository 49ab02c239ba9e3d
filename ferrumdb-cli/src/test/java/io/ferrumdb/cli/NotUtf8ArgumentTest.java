package io.ferrumdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An argument whose bytes are not UTF-8 (a binary key typed as {@code $'bin\xff'}) reached the command as
 * "bin\uFFFD", the JVM's replacement, and was stored as those other bytes. Java cannot be handed such bytes as a
 * String, so the command runs in a child JVM started by bash, which passes them as they are.
 */
class NotUtf8ArgumentTest {
    @TempDir
    Path tmp;

    @Test
    void aKeyArgumentThatIsNotUtf8IsRefusedAndNothingIsWritten() throws Exception {
        Path db = tmp.resolve("db");
        Path err = tmp.resolve("err.txt");
        Process child = new ProcessBuilder("bash", "-c", "exec \"$0\" -cp \"$1\" io.ferrumdb.cli.Main --db \"$2\" put"
                + " \"$(printf 'bin\\377')\" v", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                System.getProperty("java.class.path"), db.toString())
                .redirectError(err.toFile()).redirectOutput(tmp.resolve("out.txt").toFile()).start();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).isEqualTo(ExitCode.USAGE);
        assertThat(Files.readString(err, StandardCharsets.UTF_8)).isEqualTo("ferrumdb: argument 4 ('bin\uFFFD') is not"
                + " UTF-8 text, so it could not be stored as given: binary keys and values take --hex or --base64 (or"
                + " put KEY --file FILE)\n");
        assertThat(db).doesNotExist();
    }

    @Test
    void onlyTheProgramsOwnArgumentsAreCheckedAndOnlyWhenTheyAreTheOnesTheJvmDecoded() {
        byte[] cmdline = "java\0-Dx=\u00e9\0-jar\0f.jar\0get\0k\0".getBytes(StandardCharsets.UTF_8);
        assertThat(RawArguments.firstNotUtf8(new String[] {"get", "k"}, cmdline)).isNull();
        byte[] binary = {'j', 0, 'g', 'e', 't', 0, 'b', (byte) 0xFF, 0};
        assertThat(RawArguments.firstNotUtf8(new String[] {"get", "b\uFFFD"}, binary)).isEqualTo("argument 2 ('b\uFFFD')");
        // Arguments that are not the list's last entries (a test's in-process run) are not judged by it.
        assertThat(RawArguments.firstNotUtf8(new String[] {"get", "other"}, binary)).isNull();
        assertThat(RawArguments.firstNotUtf8(new String[] {"a", "b", "c", "d"}, binary)).isNull();
    }
}
