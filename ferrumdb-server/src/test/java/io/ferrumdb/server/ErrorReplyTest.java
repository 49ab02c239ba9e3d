package io.ferrumdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The text of an engine failure's error reply: words on one line, no Java class names. */
class ErrorReplyTest {
    /** Before: "java.nio.file.NoSuchFileException: /data/0000000002.seg" and "IllegalStateException". */
    @Test
    void anEngineFailureIsWordedOnOneLineWithoutJavaClassNames() {
        assertThat(ClientHandler.describe(new CompletionException(
                new UncheckedIOException(new NoSuchFileException("/data/0000000002.seg")))))
                .isEqualTo("no such file or directory: /data/0000000002.seg");
        NoSuchFileException cause = new NoSuchFileException("/data/MANIFEST");
        assertThat(ClientHandler.describe(new FerrumException("cannot write\r\nthe manifest: " + cause, cause)))
                .isEqualTo("cannot write  the manifest: no such file or directory: /data/MANIFEST");
        assertThat(ClientHandler.describe(new IllegalStateException())).isEqualTo("unexpected failure");
    }
}
