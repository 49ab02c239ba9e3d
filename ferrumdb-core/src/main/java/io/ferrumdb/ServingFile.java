package io.ferrumdb;

import io.ferrumdb.internal.directory.ServingRecord;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * A server's notice in the database directory it serves, the file {@code SERVING} (FORMAT.md, "Directory layout"):
 * this process's pid and the address clients reach it on. While it holds the directory's lock, every other process
 * that tries to open the directory gets a {@link DatabaseLockedException} whose message says to connect to that server
 * (e.g. with {@code redis-cli}, or an MCP client) instead. The Redis-protocol server ({@code ferrumdb serve},
 * {@code ServerMain}), the MCP server over HTTP ({@code ferrumdb mcp --http}) and Studio ({@code ferrumdb studio})
 * write it once they listen and delete it before they release the lock.
 *
 * <pre>{@code
 * try (FerrumDB db = FerrumDB.open(dir); ServingFile notice = ServingFile.write(dir, listening, false)) {
 *     ... serve until stopped ...
 * }
 * }</pre>
 *
 * Advisory only: opening the database ignores the file, a backup does not copy it, and a notice left by a killed
 * server names a process that no longer holds the lock, so it is not believed.
 */
public final class ServingFile implements AutoCloseable {
    private final Path directory;
    private final ServingRecord record;

    private ServingFile(Path directory, ServingRecord record) {
        this.directory = directory;
        this.record = record;
    }

    /**
     * Writes the notice of this process serving {@code directory} over the Redis protocol on {@code listening} (a
     * wildcard address is announced as loopback), replacing any older one.
     *
     * @param tls whether clients must speak TLS
     * @throws IOException when the file cannot be written; the lock message then gives its generic advice
     */
    public static ServingFile write(Path directory, InetSocketAddress listening, boolean tls) throws IOException {
        ServingRecord record = ServingRecord.of(listening, tls);
        record.write(directory);
        return new ServingFile(directory, record);
    }

    /**
     * Writes the notice of this process serving {@code directory} over MCP's streamable HTTP transport at
     * {@code endpoint} ({@code http://HOST:PORT/PATH}; {@code ferrumdb mcp --http}), replacing any older one: the
     * lock message then tells a second MCP server, or any other tool, to connect MCP clients to that URL.
     *
     * @throws IOException when the file cannot be written; the lock message then gives its generic advice
     */
    public static ServingFile writeMcp(Path directory, URI endpoint) throws IOException {
        ServingRecord record = ServingRecord.ofMcp(endpoint);
        record.write(directory);
        return new ServingFile(directory, record);
    }

    /**
     * Writes the notice of this process serving Studio on {@code directory}, its pages at {@code pages}
     * ({@code http://HOST:PORT/}, without the token), replacing any older one: the lock message then tells any other
     * tool to use that Studio in the browser or stop it.
     *
     * @throws IOException when the file cannot be written; the lock message then gives its generic advice
     */
    public static ServingFile writeStudio(Path directory, URI pages) throws IOException {
        ServingRecord record = ServingRecord.ofStudio(pages);
        record.write(directory);
        return new ServingFile(directory, record);
    }

    /** The file a server's notice is kept in, in database directory {@code directory}. */
    public static Path path(Path directory) {
        return ServingRecord.path(directory);
    }

    /**
     * Deletes the notice as {@link #close()} does, telling {@code warn} in one sentence, rather than throwing, when it
     * cannot: a notice left behind names a process that ends, so it is not believed afterwards.
     */
    public void withdraw(Consumer<String> warn) {
        try {
            close();
        } catch (IOException e) {
            warn.accept("cannot delete " + path(directory) + " (" + ProblemWording.describe(e) + "); it names this"
                    + " stopped process, so tools will not believe it");
        }
    }

    /** Deletes the notice if it is still this one: a server started after this one stopped may have written its own. */
    @Override
    public void close() throws IOException {
        record.removeFrom(directory);
    }
}
