package io.ferrumdb.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.DatabaseLockedException;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.Options;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A second JVM cannot open a directory this one holds open, is told which, and can once it is closed. */
class LockContentionTest {
    @TempDir
    Path tmp;

    @Test
    void secondProcessGetsDatabaseLockedExceptionNamingTheDirectory() throws Exception {
        Path dir = tmp.resolve("db").toAbsolutePath().normalize();
        try (FerrumDB db = FerrumDB.open(dir)) {
            db.put(new byte[] {1}, new byte[] {1});
            Probe locked = probe(dir);
            assertThat(locked.exitCode).as("child output: %s", locked.output).isEqualTo(LockProbeChild.LOCKED);
            assertThat(locked.output).contains(dir.toString());
            assertThat(db.get(new byte[] {1})).as("the holder is unaffected").containsExactly(1);
        }
        Probe opened = probe(dir);
        assertThat(opened.exitCode).as("child output: %s", opened.output).isEqualTo(LockProbeChild.OPENED);
    }

    /**
     * Finding 1 of issue 16: a failed second open in this JVM used to close its own channel on LOCK, which drops
     * every POSIX lock this process holds on the file, so another process could then open the directory for
     * writing while the first handle still wrote.
     */
    @Test
    void failedSecondOpenInThisJvmKeepsTheDirectoryLockedForOtherProcesses() throws Exception {
        Path dir = tmp.resolve("db").toAbsolutePath().normalize();
        try (FerrumDB db = FerrumDB.open(dir)) {
            db.put(new byte[] {1}, new byte[] {1});
            assertThatThrownBy(() -> FerrumDB.open(dir))
                    .isInstanceOf(DatabaseLockedException.class)
                    .hasMessageContaining(dir.toString())
                    .hasMessageContaining("in this process");
            assertThatThrownBy(() -> FerrumDB.open(dir, Options.builder().readOnly(true).build()))
                    .isInstanceOf(DatabaseLockedException.class);
            assertThatThrownBy(() -> FerrumDB.verify(dir, Options.defaults()))
                    .isInstanceOf(DatabaseLockedException.class);
            Probe locked = probe(dir);
            assertThat(locked.exitCode).as("child output: %s", locked.output).isEqualTo(LockProbeChild.LOCKED);
            assertThat(locked.output).contains(Files.isReadable(Path.of("/proc/locks"))
                    ? "locked by process " + ProcessHandle.current().pid() + " " : "locked by another process");
            db.put(new byte[] {2}, new byte[] {2});
        }
        Probe opened = probe(dir);
        assertThat(opened.exitCode).as("child output: %s", opened.output).isEqualTo(LockProbeChild.OPENED);
    }

    /**
     * The same through a second path to the directory that symbolic-link resolution does not reduce to the first
     * (the directory moved while open, as here, or the same volume mounted at two places): the registry knows the
     * directory by its LOCK file, so the second open is refused from the table, naming the first handle, and no
     * channel on LOCK is closed; a second read-only handle shares the first one's lock, as under one path. Before,
     * the second open opened LOCK itself, met the JVM's OverlappingFileLockException, closed its channel and so
     * dropped this process's lock: another process could then open the database for writing beside the first
     * handle (issue 3: a second open, from this process or another, fails with DatabaseLockedException).
     */
    @ParameterizedTest(name = "first handle opened {0}")
    @ValueSource(strings = {"read-write", "read-only"})
    void aSecondPathToAnOpenDirectoryKeepsItLockedForOtherProcesses(String firstMode) throws Exception {
        Path dir = tmp.resolve("db").toAbsolutePath().normalize();
        Path moved = tmp.resolve("moved").toAbsolutePath().normalize();
        FerrumDB.open(dir).close();
        boolean readOnly = firstMode.equals("read-only");
        Options first = Options.builder().readOnly(readOnly).build();
        try (FerrumDB db = FerrumDB.open(dir, first)) {
            Files.move(dir, moved);
            try {
                assertThatThrownBy(() -> FerrumDB.open(moved))
                        .isInstanceOf(DatabaseLockedException.class)
                        .hasMessageContaining(moved.toString())
                        .hasMessageContaining(readOnly ? "a shared read-only open handle in this process"
                                : "an exclusive open handle in this process");
                if (readOnly) {
                    FerrumDB.open(moved, Options.builder().readOnly(true).build()).close();
                } else {
                    assertThatThrownBy(() -> FerrumDB.open(moved, Options.builder().readOnly(true).build()))
                            .isInstanceOf(DatabaseLockedException.class);
                }
                Probe locked = probe(moved);
                assertThat(locked.exitCode).as("child output: %s", locked.output).isEqualTo(LockProbeChild.LOCKED);
            } finally {
                Files.move(moved, dir);
            }
            assertThat(db.size()).as("the first handle is unaffected").isZero();
        }
        Probe opened = probe(dir);
        assertThat(opened.exitCode).as("child output: %s", opened.output).isEqualTo(LockProbeChild.OPENED);
    }

    /**
     * The refusal names the other process by pid and program name where the operating system tells (Linux
     * /proc/locks), never by its command line; elsewhere it says "another process". A read-only holder excludes a
     * writer but admits readers.
     */
    @ParameterizedTest(name = "holder opened {0}")
    @ValueSource(strings = {"read-write", "read-only"})
    void openRefusedBecauseOfAnotherProcessNamesThatProcess(String holderMode) throws Exception {
        Path dir = tmp.resolve("db").toAbsolutePath().normalize();
        FerrumDB.open(dir).close();
        Path stderr = Files.createTempFile(tmp, "holder", ".err");
        Process holder = ChildJvm.start(LockHoldChild.class, stderr, dir.toString(), holderMode);
        try {
            String first = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertThat(first).as("holder's stderr: %s", Files.readString(stderr)).isEqualTo("open");
            boolean osTells = Files.isReadable(Path.of("/proc/locks"));
            assertThatThrownBy(() -> FerrumDB.open(dir))
                    .isInstanceOfSatisfying(DatabaseLockedException.class, e -> {
                        assertThat(e.directory()).isEqualTo(dir);
                        assertThat(e.getMessage()).contains(dir.toString()).contains("ferrumdb serve")
                                .doesNotContain(LockHoldChild.class.getSimpleName());
                        assertThat(e.holder()).isEqualTo(osTells ? "process " + holder.pid() + " (java)"
                                : "another process (the operating system does not say which; 'fuser "
                                + dir.resolve("LOCK") + "' lists it)");
                    });
            Options readOnly = Options.builder().readOnly(true).build();
            if (holderMode.equals("read-only")) {
                FerrumDB.open(dir, readOnly).close();
            } else {
                assertThatThrownBy(() -> FerrumDB.open(dir, readOnly)).isInstanceOf(DatabaseLockedException.class)
                        .hasMessageContaining(osTells ? "process " + holder.pid() : "another process");
            }
        } finally {
            holder.getOutputStream().close();
            assertThat(holder.waitFor(120, TimeUnit.SECONDS)).as("holder finished").isTrue();
        }
        assertThat(holder.exitValue()).as("holder's stderr: %s", Files.readString(stderr)).isZero();
    }

    /**
     * A holder that announced itself as a server ({@code SERVING}) turns the engine's own message, the one every
     * front end shows, into "connect to that server"; once it stops, its notice is gone with it.
     */
    @Test
    void aHolderThatServesTheDirectoryIsNamedWithItsAddress() throws Exception {
        Path dir = tmp.resolve("db").toAbsolutePath().normalize();
        FerrumDB.open(dir).close();
        Path stderr = Files.createTempFile(tmp, "holder", ".err");
        Process holder = ChildJvm.start(LockHoldChild.class, stderr, dir.toString(), "read-write", "7123");
        try {
            awaitOpen(holder, stderr);
            assertThatThrownBy(() -> FerrumDB.open(dir)).isInstanceOf(DatabaseLockedException.class)
                    .hasMessageContaining("database directory " + dir + " is locked by ")
                    .hasMessageContaining("; it is `ferrumdb serve` (pid " + holder.pid() + ") listening on"
                            + " 127.0.0.1:7123: connect to that server instead of opening the directory"
                            + " (e.g. redis-cli -h 127.0.0.1 -p 7123)")
                    .hasMessageNotContaining("serve it with");
        } finally {
            holder.getOutputStream().close();
            assertThat(holder.waitFor(120, TimeUnit.SECONDS)).as("holder finished").isTrue();
        }
        assertThat(holder.exitValue()).as("holder's stderr: %s", Files.readString(stderr)).isZero();
        assertThat(dir.resolve("SERVING")).as("the notice is gone with its server").doesNotExist();
    }

    /** A notice left by a server that was killed names a process that holds nothing: the holder's advice stays. */
    @Test
    void aStaleServingNoticeIsNotBelieved() throws Exception {
        Path dir = tmp.resolve("db").toAbsolutePath().normalize();
        FerrumDB.open(dir).close();
        Process gone = new ProcessBuilder("true").start();
        assertThat(gone.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Files.writeString(dir.resolve("SERVING"), "FDBSERVING 1\npid=" + gone.pid()
                + "\nhost=127.0.0.1\nport=7124\ntls=false\n");
        Path stderr = Files.createTempFile(tmp, "holder", ".err");
        Process holder = ChildJvm.start(LockHoldChild.class, stderr, dir.toString(), "read-write");
        try {
            awaitOpen(holder, stderr);
            assertThatThrownBy(() -> FerrumDB.open(dir)).isInstanceOf(DatabaseLockedException.class)
                    .hasMessageContaining("serve it with `ferrumdb serve`")
                    .hasMessageNotContaining("7124");
        } finally {
            holder.getOutputStream().close();
            assertThat(holder.waitFor(120, TimeUnit.SECONDS)).as("holder finished").isTrue();
        }
    }

    private static void awaitOpen(Process holder, Path stderr) throws Exception {
        String first = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        assertThat(first).as("holder's stderr: %s", Files.readString(stderr)).isEqualTo("open");
    }

    private record Probe(int exitCode, String output) {
    }

    private Probe probe(Path dir) throws Exception {
        Path stderr = Files.createTempFile(tmp, "probe", ".err");
        Process p = ChildJvm.start(LockProbeChild.class, stderr, dir.toString());
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("probe finished").isTrue();
        return new Probe(p.exitValue(), out + Files.readString(stderr));
    }
}
