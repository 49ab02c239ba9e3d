package io.ferrumdb.internal.directory;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The file {@code SERVING} (FORMAT.md, "Directory layout") that a server keeps in the directory it serves (a
 * Redis-protocol server, {@code ferrumdb serve} or {@code ServerMain}, or the MCP server {@code ferrumdb mcp --http}):
 * its pid and where clients reach it, so that the lock message every tool gets ({@link LockRegistry}) says "connect to
 * that server" instead of "serve it with ferrumdb serve". The {@code LOCK} file itself records nothing, and the
 * operating system names its holder only by pid and program ("process 1234 (java)"). Advisory: opening the database
 * ignores the file, a backup does not copy it, and a record left by a server that was killed names a process that no
 * longer holds the lock, so it is not believed. The server writes it through {@link io.ferrumdb.ServingFile}, the
 * public face of this class.
 *
 * @param pid  the serving process
 * @param host the address clients connect to (loopback when the server listens on every interface)
 * @param port its TCP port
 * @param tls  whether clients must speak TLS
 * @param mcp    the URL of the MCP endpoint when the server is {@code ferrumdb mcp --http}; null otherwise
 * @param studio the URL of Studio's pages when the server is {@code ferrumdb studio}; null otherwise
 */
public record ServingRecord(long pid, String host, int port, boolean tls, String mcp, String studio) {
    /** The file's first line: its magic and format version (FORMAT.md, "Directory layout"). */
    static final String FIRST_LINE = "FDBSERVING 1";
    /**
     * The first line of a Studio's record, version 2: version 1 readers take a record without {@code mcp=} for a
     * Redis-protocol server's and would advise redis-cli; a version they do not know they do not believe.
     */
    static final String FIRST_LINE_STUDIO = "FDBSERVING 2";
    private static final Pattern HOLDER_PID = Pattern.compile("\\bprocess (\\d+)\\b");

    /** The record of this process serving the Redis protocol on {@code listening}. */
    public static ServingRecord of(InetSocketAddress listening, boolean tls) {
        InetAddress a = listening.getAddress();
        String host = a == null ? listening.getHostString()
                : a.isAnyLocalAddress() ? "127.0.0.1"
                : a instanceof Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
        return new ServingRecord(ProcessHandle.current().pid(), host, listening.getPort(), tls, null, null);
    }

    /** The record of this process serving MCP over HTTP at {@code endpoint} (http://HOST:PORT/PATH). */
    public static ServingRecord ofMcp(URI endpoint) {
        return new ServingRecord(ProcessHandle.current().pid(), endpoint.getHost(), endpoint.getPort(), false,
                endpoint.toString(), null);
    }

    /** The record of this process serving Studio's pages at {@code pages} (http://HOST:PORT/, without a token). */
    public static ServingRecord ofStudio(URI pages) {
        return new ServingRecord(ProcessHandle.current().pid(), pages.getHost(), pages.getPort(), false, null,
                pages.toString());
    }

    /** Writes the record into {@code directory}, replacing any other (through a temporary file and a rename). */
    public void write(Path directory) throws IOException {
        Path temporary = directory.resolve(FileNames.temporary(FileNames.SERVING));
        Files.writeString(temporary,
                (studio == null ? FIRST_LINE : FIRST_LINE_STUDIO) + "\npid=" + pid + "\nhost=" + host + "\nport="
                        + port + "\ntls=" + tls + "\n" + (mcp == null ? "" : "mcp=" + mcp + "\n")
                        + (studio == null ? "" : "studio=" + studio + "\n"),
                StandardCharsets.UTF_8);
        Files.move(temporary, path(directory), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Deletes the record in {@code directory} if it is this one: a server started after this one closed may have
     * written its own.
     */
    public void removeFrom(Path directory) throws IOException {
        if (read(directory).filter(this::equals).isPresent()) {
            Files.deleteIfExists(path(directory));
        }
    }

    /** The file the record of a server of {@code directory} is kept in. */
    public static Path path(Path directory) {
        return directory.resolve(FileNames.SERVING);
    }

    /** The record in {@code directory}; empty when there is none or it cannot be read as one. */
    public static Optional<ServingRecord> read(Path directory) {
        Map<String, String> fields = new HashMap<>();
        try {
            List<String> lines = Files.readAllLines(path(directory), StandardCharsets.UTF_8);
            if (lines.isEmpty() || !(lines.get(0).equals(FIRST_LINE) || lines.get(0).equals(FIRST_LINE_STUDIO))) {
                return Optional.empty(); // another format version or a foreign file: not believed
            }
            for (String line : lines.subList(1, lines.size())) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    fields.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            return Optional.of(new ServingRecord(Long.parseLong(fields.get("pid")), fields.get("host"),
                    Integer.parseInt(fields.get("port")), Boolean.parseBoolean(fields.get("tls")),
                    fields.get("mcp"), fields.get("studio")))
                    .filter(r -> r.host != null && !r.host.isEmpty())
                    .filter(r -> lines.get(0).equals(FIRST_LINE_STUDIO) == (r.studio != null));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | NumberFormatException e) {
            // A half-written or foreign file: the lock's own message, without the server's address, is still true.
            return Optional.empty();
        }
    }

    /**
     * The server holding {@code directory}'s lock, if its record is there and believable: the holder the operating
     * system names ({@code holder}, as {@link LockHolder} words it) is the record's process, or, where it names
     * none, that process is alive.
     */
    static Optional<ServingRecord> holding(Path directory, String holder) {
        return read(directory).filter(r -> r.holds(holder));
    }

    private boolean holds(String holder) {
        Matcher named = HOLDER_PID.matcher(holder == null ? "" : holder);
        boolean anyNamed = false;
        while (named.find()) {
            anyNamed = true;
            if (Long.parseLong(named.group(1)) == pid) {
                return true;
            }
        }
        return !anyNamed && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** What to do instead of opening the directory. */
    String advice() {
        if (studio != null) {
            return "it is `ferrumdb studio` (pid " + pid + ") at " + studio + ": use it in the browser (through the"
                    + " link with the token it printed at start), or stop it (Ctrl+C) to open the directory here";
        }
        if (mcp != null) {
            return "it is `ferrumdb mcp --http` (pid " + pid + ") serving MCP at " + mcp + ": connect MCP clients "
                    + "to that URL instead of opening the directory (with the header 'Authorization: Bearer TOKEN', "
                    + "TOKEN being the one it printed at start)";
        }
        String address = host + ":" + port;
        String cliHost = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        return "it is `ferrumdb serve` (pid " + pid + ") listening on " + address + (tls ? " with TLS" : "")
                + ": connect to that server instead of opening the directory (e.g. redis-cli -h " + cliHost
                + " -p " + port + (tls ? " --tls --cacert CERT, CERT being the server's certificate or its CA's" : "")
                + ")";
    }
}
