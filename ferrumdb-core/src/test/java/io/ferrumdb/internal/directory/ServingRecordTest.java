package io.ferrumdb.internal.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServingRecordTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsAndIsBelievedOnlyForTheLocksHolder() throws Exception {
        ServingRecord mine = ServingRecord.of(new InetSocketAddress("0.0.0.0", 7000), true);
        assertThat(mine.host()).as("a wildcard bind is reached on loopback").isEqualTo("127.0.0.1");
        mine.write(dir);
        assertThat(ServingRecord.read(dir)).contains(mine);
        long self = ProcessHandle.current().pid();
        assertThat(ServingRecord.holding(dir, "process " + self + " (java)")).contains(mine);
        assertThat(ServingRecord.holding(dir, "process 1 (systemd), process " + self + " (java)"))
                .contains(mine);
        assertThat(ServingRecord.holding(dir, "process " + (self + 1) + " (java)")).isEmpty();
        // Where the OS names no holder, a live process is believed.
        assertThat(ServingRecord.holding(dir, "another process (the operating system does not say which)"))
                .contains(mine);
        assertThat(mine.advice()).isEqualTo("it is `ferrumdb serve` (pid " + self + ") listening on 127.0.0.1:7000"
                + " with TLS: connect to that server instead of opening the directory (e.g. redis-cli -h 127.0.0.1"
                + " -p 7000 --tls --cacert CERT, CERT being the server's certificate or its CA's)");
    }

    /** {@code ferrumdb mcp --http}: the lock message names its URL for MCP clients, not redis-cli. */
    @Test
    void anMcpServersRecordNamesItsUrl() throws Exception {
        ServingRecord mcp = ServingRecord.ofMcp(java.net.URI.create("http://127.0.0.1:8765/mcp"));
        mcp.write(dir);
        assertThat(Files.readString(dir.resolve(FileNames.SERVING))).endsWith("\nmcp=http://127.0.0.1:8765/mcp\n");
        assertThat(ServingRecord.read(dir)).contains(mcp);
        assertThat(mcp.advice()).isEqualTo("it is `ferrumdb mcp --http` (pid " + ProcessHandle.current().pid()
                + ") serving MCP at http://127.0.0.1:8765/mcp: connect MCP clients to that URL instead of opening"
                + " the directory (with the header 'Authorization: Bearer TOKEN', TOKEN being the one it printed at"
                + " start)");
        // A Redis-protocol server's record (no mcp= line, as every record before) still reads as one.
        Files.writeString(dir.resolve(FileNames.SERVING), "FDBSERVING 1\npid=12\nhost=127.0.0.1\nport=6379\n"
                + "tls=false\n");
        assertThat(ServingRecord.read(dir)).contains(new ServingRecord(12, "127.0.0.1", 6379, false, null, null));
    }

    /**
     * {@code ferrumdb studio}: the lock message names its pages' URL; written as version 2, which version 1 readers
     * do not believe (they would take a record without mcp= for a Redis server's and advise redis-cli).
     */
    @Test
    void aStudiosRecordNamesItsPagesAndIsVersion2() throws Exception {
        ServingRecord studio = ServingRecord.ofStudio(java.net.URI.create("http://127.0.0.1:7474/"));
        studio.write(dir);
        assertThat(Files.readString(dir.resolve(FileNames.SERVING))).startsWith("FDBSERVING 2\n")
                .endsWith("\nstudio=http://127.0.0.1:7474/\n");
        assertThat(ServingRecord.read(dir)).contains(studio);
        assertThat(studio.advice()).isEqualTo("it is `ferrumdb studio` (pid " + ProcessHandle.current().pid()
                + ") at http://127.0.0.1:7474/: use it in the browser (through the link with the token it printed at"
                + " start), or stop it (Ctrl+C) to open the directory here");
    }

    @Test
    void aServerRemovesOnlyItsOwnRecord() throws Exception {
        ServingRecord mine = ServingRecord.of(new InetSocketAddress("::1", 7000), false);
        assertThat(mine.host()).isEqualTo("[0:0:0:0:0:0:0:1]");
        ServingRecord next = new ServingRecord(mine.pid(), mine.host(), 7001, false, null, null);
        next.write(dir);
        mine.removeFrom(dir);
        assertThat(ServingRecord.read(dir)).contains(next);
        next.removeFrom(dir);
        assertThat(dir.resolve(FileNames.SERVING)).doesNotExist();
        next.removeFrom(dir); // nothing left: nothing to do
    }

    @Test
    void aDamagedOrForeignFileIsNoRecord() throws Exception {
        assertThat(ServingRecord.read(dir)).isEmpty();
        Files.writeString(dir.resolve(FileNames.SERVING), "FDBSERVING 1\npid=12x\nhost=127.0.0.1\nport=6379\n");
        assertThat(ServingRecord.read(dir)).isEmpty();
        Files.writeString(dir.resolve(FileNames.SERVING), "FDBSERVING 1\npid=12\nport=6379\n");
        assertThat(ServingRecord.read(dir)).isEmpty();
        Files.writeString(dir.resolve(FileNames.SERVING), "FDBSERVING 3\npid=12\nhost=127.0.0.1\nport=6379\n");
        assertThat(ServingRecord.read(dir)).as("a newer format version").isEmpty();
        Files.writeString(dir.resolve(FileNames.SERVING), "FDBSERVING 2\npid=12\nhost=127.0.0.1\nport=6379\n"
                + "tls=false\n");
        assertThat(ServingRecord.read(dir)).as("version 2 is Studio's: without its URL it is damaged").isEmpty();
        Files.writeString(dir.resolve(FileNames.SERVING), "FDBSERVING 1\npid=12\nhost=127.0.0.1\nport=6379\n"
                + "tls=false\nstudio=http://127.0.0.1:6379/\n");
        assertThat(ServingRecord.read(dir)).as("version 1 readers would take it for a Redis server's").isEmpty();
        Files.writeString(dir.resolve(FileNames.SERVING), "something else entirely");
        assertThat(ServingRecord.holding(dir, "process 12 (java)")).isEmpty();
    }
}
