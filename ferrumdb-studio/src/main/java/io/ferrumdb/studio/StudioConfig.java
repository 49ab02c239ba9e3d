package io.ferrumdb.studio;

import io.ferrumdb.Options;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How to start a {@link Studio}. Build with {@link #builder(Path)}.
 *
 * <p>Defaults and why: bind to 127.0.0.1 (a console that can read and delete everything must not be reachable
 * from the network unless the user asks for it), port 7474, writes enabled.
 */
public final class StudioConfig {
    public static final int DEFAULT_PORT = 7474;

    private final Path databaseDir;
    private final Options options;
    private final InetAddress bindAddress;
    private final int port;
    private final boolean readOnly;
    private final PrintStream console;

    private StudioConfig(Builder b) {
        this.databaseDir = b.databaseDir;
        this.options = b.options;
        this.bindAddress = b.bindAddress;
        this.port = b.port;
        this.readOnly = b.readOnly;
        this.console = b.console;
    }

    /** A builder for a Studio over the database in {@code databaseDir}. */
    public static Builder builder(Path databaseDir) {
        return new Builder(databaseDir);
    }

    public Path databaseDir() {
        return databaseDir;
    }

    /** The options the database is opened with; read-only mode adds {@code readOnly(true)}. */
    public Options options() {
        return readOnly ? options.toBuilder().readOnly(true).build() : options;
    }

    public InetAddress bindAddress() {
        return bindAddress;
    }

    /** The TCP port; 0 picks a free one (see {@link Studio#port()}). */
    public int port() {
        return port;
    }

    public boolean readOnly() {
        return readOnly;
    }

    /** Where warnings go (a non-loopback bind). */
    public PrintStream console() {
        return console;
    }

    public static final class Builder {
        private final Path databaseDir;
        private Options options = Options.defaults();
        private InetAddress bindAddress = InetAddress.getLoopbackAddress();
        private int port = DEFAULT_PORT;
        private boolean readOnly;
        private PrintStream console = System.err;

        private Builder(Path databaseDir) {
            this.databaseDir = Objects.requireNonNull(databaseDir, "databaseDir");
        }

        public Builder options(Options options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * The address to listen on. Anything but a loopback address exposes the console to the network (over
         * plain HTTP); {@link Studio#start} then prints a warning.
         */
        public Builder bindAddress(InetAddress address) {
            this.bindAddress = Objects.requireNonNull(address, "bindAddress");
            return this;
        }

        /**
         * The address to listen on, as an IP literal ({@code 127.0.0.1}, {@code ::1}, {@code [::1]},
         * {@code 0.0.0.0}) or {@code localhost}. Host names are refused: one would be resolved once, here, and
         * could name another address later.
         *
         * @throws IllegalArgumentException when {@code address} is not one of those
         */
        public Builder bindAddress(String address) {
            Objects.requireNonNull(address, "bindAddress");
            if (address.equals("localhost")) {
                return bindAddress(InetAddress.getLoopbackAddress());
            }
            String literal = address.startsWith("[") && address.endsWith("]")
                    ? address.substring(1, address.length() - 1) : address;
            if (!literal.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
                throw new IllegalArgumentException("the bind address must be an IP address such as 127.0.0.1 or ::1 "
                        + "(or localhost), got '" + address + "'");
            }
            try {
                return bindAddress(InetAddress.getByName(literal));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("'" + address + "' is not a valid IP address", e);
            }
        }

        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /** Opens the database read-only and refuses every write endpoint. */
        public Builder readOnly(boolean readOnly) {
            this.readOnly = readOnly;
            return this;
        }

        public Builder console(PrintStream console) {
            this.console = Objects.requireNonNull(console, "console");
            return this;
        }

        public StudioConfig build() {
            return new StudioConfig(this);
        }
    }
}
