package io.ferrumdb.cli;

import io.ferrumdb.studio.Studio;
import io.ferrumdb.studio.StudioConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "studio", mixinStandardHelpOptions = true,
        footerHeading = Cli.EXAMPLES, footer = {
            "  ferrumdb --db /data/app studio        then open the URL it prints",
            "  ferrumdb --db /data/app studio --port 8080 --read-only"},
        description = "Starts FerrumDB Studio, the web console, on the database and prints the URL to open "
                + "(it carries a secret token that changes on every start). Serves until Ctrl+C.")
final class StudioCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Option(names = "--port", paramLabel = "N", defaultValue = "7474",
            description = "TCP port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "IP address to listen on (default: ${DEFAULT-VALUE}). Any other address exposes the "
                    + "console to the network over plain HTTP and prints a warning.")
    String bind;

    @Option(names = "--read-only", description = "Open the database read-only and disable every write.")
    boolean readOnly;

    @Override
    public Integer call() throws InterruptedException {
        StudioConfig config = StudioConfig.builder(cli.db).options(cli.options()).port(port).bindAddress(bind)
                .readOnly(readOnly).console(cli.io.err()).build();
        try (Studio studio = Studio.start(config)) {
            Thread hook = new Thread(studio::close, "ferrumdb-studio-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            cli.io.out().print(studio.banner());
            cli.io.out().flush();
            studio.awaitClose();
        }
        return ExitCode.OK;
    }
}
