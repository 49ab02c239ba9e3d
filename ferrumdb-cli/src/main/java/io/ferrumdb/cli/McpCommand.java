package io.ferrumdb.cli;

import io.ferrumdb.mcp.FerrumMcpServer;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "mcp", mixinStandardHelpOptions = true,
        description = "Serves the database to AI agents over the Model Context Protocol on stdin/stdout: tools "
                + "remember, recall, forget, list_namespaces, kv_get, kv_put, kv_delete, kv_scan and doc_find, and "
                + "memories as resources. Register it in an MCP client as: ferrumdb --db DIR mcp. Logs go to "
                + "stderr; runs until the client closes stdin.")
final class McpCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Override
    public Integer call() throws InterruptedException {
        PrintStream protocol = cli.io.out();
        PrintStream previous = System.out;
        // stdout carries JSON-RPC only: anything a library prints to System.out goes to stderr instead.
        System.setOut(cli.io.err());
        try (FerrumMcpServer server = FerrumMcpServer.open(cli.db, cli.options())) {
            server.serveStdio(cli.io.in(), protocol);
        } finally {
            System.setOut(previous);
        }
        return ExitCode.OK;
    }
}
