package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The wording every front end gives a failure: what went wrong and to which file, never a Java class name. */
class ProblemWordingTest {
    @Test
    void aWrappedFileSystemFailureIsWordedWithItsFile() {
        assertThat(ProblemWording.describe(new UncheckedIOException(new NoSuchFileException("/data/0000000001.seg"))))
                .isEqualTo("no such file or directory: /data/0000000001.seg");
        assertThat(ProblemWording.describe(new CompletionException(
                new UncheckedIOException(new AccessDeniedException("/data/LOCK")))))
                .isEqualTo("permission denied: /data/LOCK");
        assertThat(ProblemWording.describe(new FileSystemException("/data/a", "/data/b", "No space left on device")))
                .isEqualTo("No space left on device: /data/a -> /data/b");
    }

    @Test
    void aMessageThatEndsWithItsCauseAsJavaPrintsItEndsWithTheCauseInWords() {
        IOException cause = new NoSuchFileException("/data/MANIFEST");
        assertThat(ProblemWording.describe(new FerrumException("cannot open the database: " + cause, cause)))
                .isEqualTo("cannot open the database: no such file or directory: /data/MANIFEST");
        assertThat(ProblemWording.describe(new UncheckedIOException("writing the hint", cause)))
                .isEqualTo("writing the hint");
    }

    @Test
    void aFailureWithoutAMessageNamesNoClass() {
        assertThat(ProblemWording.describe(new IllegalStateException())).isEqualTo("unexpected failure");
        assertThat(ProblemWording.describe(new IOException())).isEqualTo("I/O error");
        assertThat(ProblemWording.describe(new RuntimeException(new NoSuchFileException("/x"))))
                .isEqualTo("no such file or directory: /x");
        assertThat(ProblemWording.describe(new UncheckedIOException(null, new NoSuchFileException("/y"))))
                .isEqualTo("no such file or directory: /y");
    }

    @Test
    void damageRepairCannotMendSaysWhatToDoFromTheFirstFailureInThatFile() {
        Path key = Path.of("/data/KEY");
        CorruptionException inner = new CorruptionException(key, 40, "checksum mismatch");
        String text = ProblemWording.describe(new CorruptionException(key, 0, "cannot read KEY", inner));
        assertThat(text).startsWith("corruption in /data/KEY at offset 40: checksum mismatch (")
                .contains("cannot rebuild KEY").contains("restore it from a backup");
        // META is rebuilt by repair from the segments' headers: the engine's message says so, nothing is added.
        Path meta = Path.of("/data/META");
        assertThat(ProblemWording.describe(new CorruptionException(meta, 40, "META checksum mismatch")))
                .isEqualTo("corruption in /data/META at offset 40: META checksum mismatch");
        Path segment = Path.of("/data/0000000003.seg");
        assertThat(ProblemWording.describe(new CorruptionException(segment, 7, "bad CRC")))
                .isEqualTo("corruption in /data/0000000003.seg at offset 7: bad CRC");
    }

    @Test
    void aJsonParsersAdviceToChangeItsSettingsBecomesWhatJsonDoesNotAllow() {
        // Jackson 2.18's own messages, as getOriginalMessage() gives them.
        assertThat(ProblemWording.jsonSyntax(
                "Non-standard token 'NaN': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow"))
                .isEqualTo("Non-standard token 'NaN'; JSON has no NaN or Infinity");
        assertThat(ProblemWording.jsonSyntax("Unexpected character ('+' (code 43)) in numeric value: JSON spec does"
                + " not allow numbers to have plus signs: enable `JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS`"
                + " to allow")).isEqualTo("Unexpected character ('+' (code 43)) in numeric value: JSON spec does not"
                + " allow numbers to have plus signs");
        assertThat(ProblemWording.jsonSyntax("Unexpected character ('/' (code 47)): maybe a (non-standard) comment?"
                + " (not recognized as one since Feature 'ALLOW_COMMENTS' not enabled for parser)"))
                .isEqualTo("Unexpected character ('/' (code 47)): maybe a (non-standard) comment? (JSON has no"
                        + " comments)");
        String plain = "Unexpected character ('}' (code 125)): was expecting double-quote to start field name";
        assertThat(ProblemWording.jsonSyntax(plain)).isEqualTo(plain);
        assertThat(ProblemWording.jsonSyntax(null)).isEqualTo("malformed JSON");
    }

    @Test
    void theParsersSourceSettingLeavesAnUnclosedObjectsPlaceAsLineAndColumn() {
        // Jackson 2.18's message for truncated JSON: the place of the unclosed object names a parser setting.
        assertThat(ProblemWording.jsonSyntax("Unexpected end-of-input: expected close marker for Object (start"
                + " marker at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 2,"
                + " column: 7])")).isEqualTo("Unexpected end-of-input: expected close marker for Object (start marker"
                + " at line 2, column 7)");
    }

    /** Every text the JDK's decoders refuse is worded by what is wrong in it, never by the JDK's message. */
    @Test
    void hexAndBase64ThatDoNotDecodeAreWordedByTheirFirstFault() {
        assertThat(ProblemWording.notHex("0aé")).isEqualTo("'é' at position 3 is not a hex digit (0-9, a-f)");
        assertThat(ProblemWording.notHex("\uD83D\uDE00z")).as("positions count characters, not UTF-16 units")
                .isEqualTo("'\uD83D\uDE00' at position 1 is not a hex digit (0-9, a-f)");
        assertThat(ProblemWording.notHex("abc")).isEqualTo("3 digits, an odd number (two hex digits make a byte)");
        for (String bad : new String[] {"A", "=", "AA=", "A===", "AAA==", "AA==AA", "AAAAA", "AB===", "====", "AA=A",
            "AB-C", "AB C"}) {
            IllegalArgumentException refused = org.assertj.core.api.Assertions.catchThrowableOfType(
                    () -> java.util.Base64.getDecoder().decode(bad), IllegalArgumentException.class);
            assertThat(refused).as(bad).isNotNull();
            assertThat(ProblemWording.notBase64(bad)).as(bad).doesNotContain("byte[]").doesNotContain("unit")
                    .doesNotContain("byte array");
        }
        assertThat(ProblemWording.notBase64("AB C")).startsWith("' ' at position 3 is not a base64 character");
        assertThat(ProblemWording.notBase64("AAAAA")).startsWith("5 characters before any padding leave a last group"
                + " of 1");
        assertThat(ProblemWording.notBase64("AAA==")).isEqualTo("the padding (2 '=') must fill the last group of 3"
                + " characters to 4 (base64 comes in groups of 4 characters)");
        assertThat(ProblemWording.notBase64("====")).isEqualTo("'=' at position 1 pads no group: the 0 characters"
                + " before it are whole groups (base64 comes in groups of 4 characters)");
    }

    @Test
    void aDirectoryWhereAFileBelongsIsWordedOneWay() {
        Path dir = Path.of("/data/dump");
        assertThat(ProblemWording.fileProblem(dir, new IOException("Is a directory"))).isEqualTo("/data/dump is a"
                + " directory");
        assertThat(ProblemWording.fileProblem(dir, new java.nio.file.FileSystemException("/data/dump", null,
                "Is a directory"))).isEqualTo("/data/dump is a directory");
        assertThat(ProblemWording.describe(new java.nio.file.FileSystemException("/data/dump", null,
                "Is a directory"))).isEqualTo("/data/dump is a directory");
    }
}
