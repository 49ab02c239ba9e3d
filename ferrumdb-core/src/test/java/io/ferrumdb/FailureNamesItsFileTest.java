package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.FaultFileIO.Op;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A FileChannel's I/O errors carry only the OS's words ("No space left on device", "Input/output error"), naming no
 * file. Every failure the engine meets names the file it was writing, with the offset and size where there are
 * some, whichever part met it: the hint an open rebuilds, the segment a put creates, a compaction's output, what
 * repair writes, an fsync. The faults here say only what the OS says ({@link FaultFileIO#pathlessErrors}).
 */
class FailureNamesItsFileTest {
    @TempDir
    Path dir;

    private final FaultFileIO io = new FaultFileIO(17).pathlessErrors(true);

    private Options options() {
        return Options.builder().segmentSize(4096).autoCompaction(false).fsyncPolicy(FsyncPolicy.always())
                .fileIO(io.session()).build();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The failure in a user's words: the OS's, then what was done at which offset, then the file. */
    private void assertNamesFileInDir(Throwable t, String words, String fileSuffix) {
        String described = ProblemWording.describe(t);
        assertThat(described).as(described).containsPattern(Pattern.quote(words) + " \\((writing|fsync)[^)]*\\): "
                + Pattern.quote(dir.toString()) + "/[0-9A-Z]*[^ ]*" + Pattern.quote(fileSuffix));
        assertThat(t.getMessage()).contains(dir.toString());
    }

    /** Five rounds over 20 keys of 300 bytes: about eight sealed 4 KiB segments, each with its hint. */
    @BeforeEach
    void writeSegments() {
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            for (int round = 0; round < 5; round++) {
                for (int k = 0; k < 20; k++) {
                    db.put(bytes("k" + k), new byte[300]);
                }
            }
        }
    }

    private void deleteHints() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".hint")).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void aFullDiskWhileOpenRebuildsAHintNamesTheHintFileAndItsOffset() throws Exception {
        deleteHints();
        io.diskSpace(0);
        assertThatThrownBy(() -> FerrumDB.open(dir, options())).isInstanceOf(FerrumException.class)
                .satisfies(t -> assertNamesFileInDir(t, "No space left on device", ".hint.tmp"))
                .hasMessageContaining("writing ").hasMessageContaining(" bytes at offset 0");
        io.diskSpace(Long.MAX_VALUE);
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            assertThat(db.size()).isEqualTo(20);
        }
    }

    @Test
    void aFullDiskWhenAPutCreatesASegmentNamesTheSegment() {
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            io.diskSpace(0);
            assertThatThrownBy(() -> db.put(bytes("new"), new byte[10]))
                    .isInstanceOf(ReadOnlyDatabaseException.class)
                    .satisfies(t -> assertNamesFileInDir(t, "No space left on device", ".seg"));
        } catch (ReadOnlyDatabaseException closeReportsItToo) {
            assertNamesFileInDir(closeReportsItToo, "No space left on device", ".seg");
        }
    }

    @Test
    void aFullDiskDuringCompactionNamesTheOutput() {
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            io.diskSpace(0);
            assertThatThrownBy(db::compact).isInstanceOf(FerrumException.class)
                    .satisfies(t -> assertNamesFileInDir(t, "No space left on device", ".seg.tmp"));
            io.diskSpace(Long.MAX_VALUE);
        }
    }

    @Test
    void aFullDiskDuringRepairNamesTheFileItWrote() throws Exception {
        deleteHints();
        io.diskSpace(0);
        assertThatThrownBy(() -> FerrumDB.repair(dir, options())).isInstanceOf(FerrumException.class)
                .satisfies(t -> assertNamesFileInDir(t, "No space left on device", ".tmp"));
    }

    @Test
    void aFailedFsyncOfASegmentNamesIt() {
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            io.failOn(Op.FORCE, 1, ".seg");
            assertThatThrownBy(() -> db.put(bytes("k1"), bytes("v")))
                    .isInstanceOf(ReadOnlyDatabaseException.class)
                    .satisfies(t -> assertNamesFileInDir(t, "Input/output error", ".seg"));
        } catch (ReadOnlyDatabaseException closeReportsItToo) {
            assertNamesFileInDir(closeReportsItToo, "Input/output error", ".seg");
        }
    }
}
