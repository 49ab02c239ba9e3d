package io.ferrumdb.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How a {@link RespServer} listens and what it allows. Built with {@link #builder()}; {@link Builder#build()}
 * refuses a non-loopback bind address without a password (Redis's protected mode).
 */
public final class ServerConfig {
    /** Redis's default {@code proto-max-bulk-len}: 512 MB. */
    public static final long DEFAULT_MAX_BULK_LENGTH = 512L << 20;
    /** Redis's default {@code client-query-buffer-limit}: 1 GB. */
    public static final long DEFAULT_MAX_QUERY_BYTES = 1L << 30;
    /** Replies a client may leave unread before it is disconnected. */
    public static final long DEFAULT_OUTPUT_BUFFER_LIMIT = 512L << 20;
    /** Redis's default {@code maxclients}, lowered when the process may not open that many files. */
    public static final int DEFAULT_MAX_CLIENTS = 10_000;
    public static final int DATABASES = 16;
    /** Environment variable read by the CLI when no password file is given. */
    public static final String PASSWORD_ENV = "FERRUMDB_REQUIREPASS";

    private final String bindAddress;
    private final int port;
    private final byte[] password;
    private final long maxBulkLength;
    private final long maxQueryBytes;
    private final long outputBufferLimit;
    private final int maxClients;
    private final int ioThreads;
    private final Path tlsCertFile;
    private final Path tlsKeyFile;
    private final Consumer<String> warnings;

    private ServerConfig(Builder b) {
        this.bindAddress = b.bindAddress;
        this.port = b.port;
        this.password = b.password;
        this.maxBulkLength = b.maxBulkLength;
        this.maxQueryBytes = b.maxQueryBytes;
        this.outputBufferLimit = b.outputBufferLimit;
        this.maxClients = b.maxClients;
        this.ioThreads = b.ioThreads;
        this.tlsCertFile = b.tlsCertFile;
        this.tlsKeyFile = b.tlsKeyFile;
        this.warnings = b.warnings;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Reports a problem that does not stop the server ({@link Builder#warnings}). */
    void warn(String warning) {
        warnings.accept(warning);
    }

    public String bindAddress() {
        return bindAddress;
    }

    public int port() {
        return port;
    }

    public boolean requiresPassword() {
        return password != null;
    }

    /** The password bytes (a copy); null when none is required. */
    byte[] password() {
        return password == null ? null : password.clone();
    }

    public long maxBulkLength() {
        return maxBulkLength;
    }

    public long maxQueryBytes() {
        return maxQueryBytes;
    }

    public long outputBufferLimit() {
        return outputBufferLimit;
    }

    /** The most connections served at once, as asked ({@link Builder#maxClients}). */
    public int maxClients() {
        return maxClients;
    }

    public int ioThreads() {
        return ioThreads;
    }

    /** Whether connections speak TLS ({@link Builder#tls}). */
    public boolean tls() {
        return tlsCertFile != null;
    }

    /** The PEM certificate chain served over TLS; null without TLS. */
    public Path tlsCertFile() {
        return tlsCertFile;
    }

    /** The PEM (PKCS#8) private key of {@link #tlsCertFile()}; null without TLS. */
    public Path tlsKeyFile() {
        return tlsKeyFile;
    }

    /** Reads a password from the first line of {@code file} (trailing CR/LF removed). */
    public static byte[] readPasswordFile(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the password file " + file + ": " + e, e);
        }
        int newline = text.indexOf('\n');
        String line = (newline < 0 ? text : text.substring(0, newline)).replaceAll("\r$", "");
        if (line.isEmpty()) {
            throw new IllegalArgumentException("the password file " + file + " is empty");
        }
        return line.getBytes(StandardCharsets.UTF_8);
    }

    public static final class Builder {
        private String bindAddress = "127.0.0.1";
        private int port = 6379;
        private byte[] password;
        private long maxBulkLength = DEFAULT_MAX_BULK_LENGTH;
        private long maxQueryBytes = DEFAULT_MAX_QUERY_BYTES;
        private long outputBufferLimit = DEFAULT_OUTPUT_BUFFER_LIMIT;
        private int maxClients = DEFAULT_MAX_CLIENTS;
        private int ioThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private Path tlsCertFile;
        private Path tlsKeyFile;
        private Consumer<String> warnings = warning -> System.err.println("ferrumdb: warning: " + warning);

        private Builder() {
        }

        public Builder bindAddress(String address) {
            this.bindAddress = Objects.requireNonNull(address, "bindAddress");
            return this;
        }

        /** TCP port, 0 for an ephemeral one ({@link RespServer#port()} tells which). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0-65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /** Clients must AUTH with this password (copied). Empty or null: none. */
        public Builder password(byte[] password) {
            this.password = password == null || password.length == 0 ? null : password.clone();
            return this;
        }

        public Builder maxBulkLength(long bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("proto-max-bulk-len must be at least 1024 bytes, got " + bytes);
            }
            this.maxBulkLength = bytes;
            return this;
        }

        public Builder maxQueryBytes(long bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("client-query-buffer-limit must be at least 1024 bytes, got "
                        + bytes);
            }
            this.maxQueryBytes = bytes;
            return this;
        }

        public Builder outputBufferLimit(long bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("the client output buffer limit must be at least 1024 bytes, "
                        + "got " + bytes);
            }
            this.outputBufferLimit = bytes;
            return this;
        }

        /**
         * Redis's {@code maxclients}: connections beyond it are refused ("max number of clients reached"). The
         * server lowers it, with a warning, to leave 128 of the process's file descriptors to the database.
         */
        public Builder maxClients(int clients) {
            if (clients < 1) {
                throw new IllegalArgumentException("maxclients must be at least 1, got " + clients);
            }
            this.maxClients = clients;
            return this;
        }

        public Builder ioThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("ioThreads must be >= 1, got " + threads);
            }
            this.ioThreads = threads;
            return this;
        }

        /**
         * Serves TLS only (as Redis's {@code tls-port}, on {@link #port}): {@code certFile} holds the PEM
         * certificate chain, {@code keyFile} its unencrypted PEM private key in PKCS#8 form ("BEGIN PRIVATE KEY",
         * what OpenSSL 3 writes). Client certificates are not requested. Both null: plain TCP. The files are read,
         * and refused with the reason, when the server starts.
         */
        public Builder tls(Path certFile, Path keyFile) {
            if ((certFile == null) != (keyFile == null)) {
                throw new IllegalArgumentException("TLS needs both a certificate file and a key file (got only the "
                        + (certFile == null ? "key" : "certificate") + ")");
            }
            this.tlsCertFile = certFile;
            this.tlsKeyFile = keyFile;
            return this;
        }

        /**
         * Where the server reports a problem that does not stop it, one sentence each (such as its {@code SERVING}
         * notice that cannot be written); by default standard error, after "ferrumdb: warning: ".
         */
        public Builder warnings(Consumer<String> sink) {
            this.warnings = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /**
         * Checks the configuration. Protected mode: an address other than loopback needs a password, since anyone
         * on the network could otherwise read and write the database.
         */
        public ServerConfig build() {
            InetAddress address;
            try {
                address = InetAddress.getByName(bindAddress);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("cannot resolve the bind address '" + bindAddress + "'", e);
            }
            if (!address.isLoopbackAddress() && password == null) {
                throw new IllegalArgumentException("protected mode: refusing to listen on " + bindAddress
                        + " without a password; anyone on the network could read and write the database. Give "
                        + "one with --requirepass-file FILE or " + PASSWORD_ENV + ", or bind 127.0.0.1");
            }
            return new ServerConfig(this);
        }
    }

    @Override
    public String toString() {
        return "ServerConfig[bind=" + bindAddress + ", port=" + port + ", password=" + (password != null)
                + ", proto-max-bulk-len=" + maxBulkLength + ", maxclients=" + maxClients + ", ioThreads=" + ioThreads
                + ", tls=" + tls() + "]";
    }
}
