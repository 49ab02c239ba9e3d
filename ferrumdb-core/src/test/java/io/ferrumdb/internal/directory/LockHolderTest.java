package io.ferrumdb.internal.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading a lock's holders from {@code /proc/locks} and {@code /proc/PID/comm}, against a /proc of the test's own
 * (the child-JVM test in io.ferrumdb.process checks the real one).
 */
class LockHolderTest {
    private static final long SELF = 100;

    @TempDir
    Path tmp;

    @Test
    void lockLinesOfOtherFilesAndWaitersAreNotHolders() {
        assertThat(LockHolder.holderPid("1: POSIX  ADVISORY  WRITE 4242 08:01:1234 0 EOF", "08:01:1234"))
                .contains(4242L);
        assertThat(LockHolder.holderPid("1: POSIX  ADVISORY  WRITE 4242 08:01:12345 0 EOF", "08:01:1234"))
                .isEmpty();
        assertThat(LockHolder.holderPid("1: -> POSIX  ADVISORY  WRITE 77 08:01:1234 0 EOF", "08:01:1234"))
                .isEmpty();
        assertThat(LockHolder.holderPid("2: OFDLCK ADVISORY  WRITE -1 08:01:1234 0 EOF", "08:01:1234"))
                .isEmpty();
        assertThat(LockHolder.holderPid("3: FLOCK  ADVISORY  WRITE 4242", "08:01:1234")).isEmpty();
    }

    @Test
    void namesTheHolderByPidAndProgramNameOnly() throws Exception {
        comm(4242, "python3\n");
        assertThat(holders("1: POSIX  ADVISORY  WRITE 4242 fe:07:99 0 EOF",
                "2: POSIX  ADVISORY  WRITE 4242 DEV 0 EOF",
                "2: -> POSIX  ADVISORY  WRITE 77 DEV 0 EOF"))
                .contains("process 4242 (python3)");
    }

    @Test
    void severalReadOnlyHoldersAreAllNamedAndThisProcessIsNot() throws Exception {
        comm(4242, "python3\n");
        comm(4343, "node\n");
        assertThat(holders("1: POSIX  ADVISORY  READ  " + SELF + " DEV 0 EOF",
                "2: POSIX  ADVISORY  READ  4242 DEV 0 EOF",
                "3: POSIX  ADVISORY  READ  4343 DEV 0 EOF"))
                .contains("process 4242 (python3), process 4343 (node)");
    }

    @Test
    void aHolderWhoseNameCannotBeReadIsNamedByPidAndControlCharactersAreNotShown() throws Exception {
        comm(4343, "\u001b[2Jevil\n");
        assertThat(holders("1: POSIX  ADVISORY  WRITE 4242 DEV 0 EOF", "2: POSIX  ADVISORY  WRITE 4343 DEV 0 EOF"))
                .contains("process 4242, process 4343 (?[2Jevil)");
    }

    @Test
    void noHolderIsNamedWhenTheOperatingSystemDoesNotTell() throws Exception {
        assertThat(holders("1: OFDLCK ADVISORY  WRITE -1 DEV 0 EOF")).as("open-file-description lock").isEmpty();
        assertThat(LockHolder.of(tmp.resolve("LOCK"), tmp.resolve("no-proc"), SELF)).as("no /proc/locks").isEmpty();
        assertThat(LockHolder.of(tmp.resolve("gone"), proc(), SELF)).as("the file vanished").isEmpty();
    }

    /** The holders of a lock file in {@code tmp} when /proc/locks has {@code locks}, DEV standing for its device. */
    private Optional<String> holders(String... locks) throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("unix"),
                "device and inode need the unix attribute view");
        Path file = Files.writeString(tmp.resolve("LOCK"), "");
        String device = LockHolder.device(file);
        Files.write(proc().resolve("locks"), Stream.of(locks).map(line -> line.replace("DEV", device)).toList(),
                StandardCharsets.US_ASCII);
        return LockHolder.of(file, proc(), SELF);
    }

    private Path proc() throws Exception {
        return Files.createDirectories(tmp.resolve("proc"));
    }

    private void comm(long pid, String name) throws Exception {
        Files.writeString(Files.createDirectories(proc().resolve(Long.toString(pid))).resolve("comm"), name);
    }
}
