package io.ferrumdb.cli;

import io.ferrumdb.mcp.FerrumMcpServer;
import io.ferrumdb.mcp.McpHttpEndpoint;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "mcp", mixinStandardHelpOptions = true,
        footerHeading = Cli.EXAMPLES, footer = {
            "  ferrumdb --db /data/memory mcp        stdio: the command an MCP client starts",
            "  ferrumdb --db /data/memory mcp --http --port 8931"},
        // The first line is a whole sentence: 'ferrumdb --help' lists each command with its first line only.
        description = {"Serves the database to AI agents over the Model Context Protocol: tools remember, recall, "
                + "forget, list_namespaces, kv_get, kv_put, kv_delete, kv_scan and doc_find, and memories as "
                + "resources.",
            "By default over stdin/stdout (register it in an MCP client as: ferrumdb --db DIR mcp), "
                + "running until the client closes stdin. With --http, over the streamable HTTP transport on "
                + "127.0.0.1 only, behind a secret bearer token printed at start, until Ctrl+C, at:",
            // The address is a line of its own: inside a sentence, the help's wrapping broke it after "127.".
            "  http://127.0.0.1:PORT/mcp",
            "Logs go to stderr."})
final class McpCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Option(names = "--http", description = "Serve the MCP streamable HTTP transport (address above) instead of "
            + "stdio. Every request needs 'Authorization: Bearer <token>' with the token printed at start (it "
            + "changes on every start).")
    boolean http;

    @Option(names = "--port", paramLabel = "N",
            description = "TCP port for --http (default: 0, a free port; the start line says which).")
    Integer port;

    @Override
    public Integer call() throws InterruptedException {
        if (!http) {
            if (port != null) {
                throw CliException.usage("--port is only for --http: the default transport is stdio");
            }
            return serveStdio();
        }
        return serveHttp(port == null ? 0 : port);
    }

    private int serveStdio() throws InterruptedException {
        PrintStream protocol = cli.io.out();
        PrintStream previous = System.out;
        // stdout carries JSON-RPC only: anything a library prints to System.out goes to stderr instead.
        System.setOut(cli.io.err());
        try (FerrumMcpServer server = FerrumMcpServer.open(cli.db, cli.options())) {
            // Ctrl+C or SIGTERM (a client stopping its server) runs this while stdin is still open: without it the
            // JVM ended with the database unclosed (under --fsync never or periodic the last writes could be lost).
            Thread hook = new Thread(server::close, "ferrumdb-mcp-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                server.serveStdio(cli.io.in(), protocol);
            } finally {
                // Closed before the hook is removed: a signal may come as stdin ends (a parent that stops the
                // process also closes its stdin), and a JVM whose shutdown finds no hook halts in the middle of
                // this close. With the hook still there, it waits for this close to end (FerrumDB.close).
                server.close();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the JVM is shutting down: the hook's close returns once the one above has ended
                }
            }
        } finally {
            System.setOut(previous);
        }
        return ExitCode.OK;
    }

    private int serveHttp(int tcpPort) throws InterruptedException {
        if (tcpPort < 0 || tcpPort > 65_535) {
            throw CliException.usage("--port " + tcpPort + " is outside 0..65535");
        }
        try (FerrumMcpServer server = FerrumMcpServer.open(cli.db, cli.options());
             McpHttpEndpoint endpoint = server.serveHttp(tcpPort)) {
            // Ctrl+C (SIGTERM) runs this: the database closes here, not after the JVM has stopped waiting.
            Thread hook = new Thread(() -> {
                endpoint.close();
                server.close();
            }, "ferrumdb-mcp-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            cli.io.out().print(endpoint.banner());
            cli.io.out().flush();
            endpoint.awaitClose();
        }
        return ExitCode.OK;
    }
}
