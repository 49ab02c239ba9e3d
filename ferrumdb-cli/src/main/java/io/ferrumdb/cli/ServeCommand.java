package io.ferrumdb.cli;

import io.ferrumdb.server.RespServer;
import io.ferrumdb.server.ServerConfig;
import io.ferrumdb.server.ServerStartException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "serve", mixinStandardHelpOptions = true,
        footerHeading = Cli.EXAMPLES, footer = {
            "  ferrumdb --db /data/app serve --port 6380",
            "  redis-cli -p 6380 SET user:1 Ada      from another terminal"},
        description = "Serves the database over the Redis protocol (RESP2/RESP3), so that redis-cli, redis-py, "
                + "ioredis, node-redis, Jedis and Lettuce can share it. Prints where it listens; stops on "
                + "Ctrl+C, SIGTERM or SHUTDOWN. --fsync always (the default) replies +OK once a write is on disk.")
final class ServeCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Option(names = "--port", paramLabel = "N", defaultValue = "6379",
            description = "TCP port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "IP address to listen on (default: ${DEFAULT-VALUE}). Any other address requires a "
                    + "password (protected mode).")
    String bind;

    @Option(names = "--requirepass-file", paramLabel = "FILE",
            description = "Clients must AUTH with the password on the first line of FILE. Also from the "
                    + "environment variable " + ServerConfig.PASSWORD_ENV + "; never on the command line.")
    Path requirepassFile;

    @Option(names = "--tls-cert-file", paramLabel = "FILE",
            description = "Serve TLS only (as redis-server's tls-port), with this PEM certificate chain. Needs "
                    + "--tls-key-file.")
    Path tlsCertFile;

    @Option(names = "--tls-key-file", paramLabel = "FILE",
            description = "The unencrypted PEM (PKCS#8) private key of --tls-cert-file.")
    Path tlsKeyFile;

    @Override
    public Integer call() throws InterruptedException {
        byte[] password = null;
        try {
            if (requirepassFile != null) {
                password = ServerConfig.readPasswordFile(requirepassFile);
            } else {
                String env = cli.io.env().get(ServerConfig.PASSWORD_ENV);
                if (env != null && !env.isEmpty()) {
                    password = env.getBytes(StandardCharsets.UTF_8);
                }
            }
        } catch (IllegalArgumentException e) {
            throw CliException.usage(Main.message(e));
        }
        ServerConfig config;
        try {
            config = ServerConfig.builder().port(port).bindAddress(bind).password(password)
                    .tls(tlsCertFile, tlsKeyFile)
                    .warnings(warning -> cli.io.err().println("ferrumdb: warning: " + warning)).build();
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        } finally {
            if (password != null) {
                java.util.Arrays.fill(password, (byte) 0);
            }
        }
        RespServer started;
        try {
            started = RespServer.start(cli.db, cli.options(), config);
        } catch (ServerStartException e) {
            throw new CliException(ExitCode.DATABASE, e.getMessage());
        }
        try (RespServer server = started) {
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "ferrumdb-serve-shutdown"));
            cli.io.out().println(server.banner());
            cli.io.out().flush();
            server.awaitClose();
        }
        return ExitCode.OK;
    }
}
