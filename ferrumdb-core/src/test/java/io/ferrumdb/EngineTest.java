package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parts of one open database as {@link Engine} wires them, below the facade: a read-only engine has no write
 * side; a writable one writes through its write path and reads through its read path; its close seals what was
 * written, discards an active segment that holds no record, and releases the directory for the next open.
 */
class EngineTest {
    private static final Runnable OPEN = () -> { };

    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private List<String> segmentFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".seg")).sorted().toList();
        }
    }

    @Test
    void aReadOnlyEngineHasNoWriteSide() throws IOException {
        new Engine(dir, Options.defaults(), OPEN).close();
        Engine e = new Engine(dir, Options.builder().readOnly(true).build(), OPEN);
        try {
            assertThat(e.writer).isNull();
            assertThat(e.writes).isNull();
            assertThat(e.reads).isNotNull();
            assertThat(e.liveKeys()).isZero();
        } finally {
            e.close();
        }
    }

    @Test
    void closeSealsWhatWasWrittenDiscardsAnEmptyActiveSegmentAndReleasesTheDirectory() throws IOException {
        Engine e = new Engine(dir, Options.defaults(), OPEN);
        assertThat(segmentFiles()).as("an open that writes nothing creates no segment").isEmpty();
        e.writes.put(bytes("k"), bytes("v"), null);
        assertThat(e.reads.readValue(bytes("k"))).isEqualTo(bytes("v"));
        assertThat(e.liveKeys()).isEqualTo(1);
        e.writer.rollAndSync(true); // seals the segment holding the record and starts an empty one
        assertThat(segmentFiles()).hasSize(2);
        e.close();
        assertThat(segmentFiles()).as("the empty active segment is discarded at close").hasSize(1);

        try (FerrumDB db = FerrumDB.open(dir)) {
            assertThat(db.get(bytes("k"))).isEqualTo(bytes("v"));
        }
    }
}
