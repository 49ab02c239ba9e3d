package io.ferrumdb.server;

import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code java -cp ... io.ferrumdb.server.ServerMain DIR PORT [always|everysec|never] [BIND]}: the server without
 * the CLI, for the crash tests (a child JVM to kill -9) and the benchmark scripts. Users run
 * {@code ferrumdb serve}, which also handles passwords and encrypted databases.
 */
public final class ServerMain {
    private ServerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 2 || args.length > 4) {
            System.err.println("usage: ServerMain DIR PORT [always|everysec|never] [BIND]");
            System.exit(2);
        }
        FsyncPolicy fsync = switch (args.length > 2 ? args[2] : "always") {
            case "always" -> FsyncPolicy.always();
            case "everysec" -> FsyncPolicy.periodic(Duration.ofSeconds(1));
            case "never" -> FsyncPolicy.never();
            default -> throw new IllegalArgumentException("fsync must be always, everysec or never: " + args[2]);
        };
        ServerConfig config = ServerConfig.builder().port(Integer.parseInt(args[1]))
                .bindAddress(args.length > 3 ? args[3] : "127.0.0.1").build();
        RespServer server = RespServer.start(Path.of(args[0]), Options.builder().fsyncPolicy(fsync).build(), config);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "ferrumdb-serve-shutdown"));
        System.out.println(server.banner());
        System.out.flush();
        server.awaitClose();
    }
}
