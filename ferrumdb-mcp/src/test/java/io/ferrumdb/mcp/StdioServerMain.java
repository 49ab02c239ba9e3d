package io.ferrumdb.mcp;

import io.ferrumdb.Options;
import java.io.PrintStream;
import java.nio.file.Path;

/** The server as a child process for the tests: {@code StdioServerMain DIR}. Announces its pid on stderr. */
public final class StdioServerMain {
    private StdioServerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        PrintStream protocol = System.out;
        System.setOut(System.err);
        System.err.println("pid=" + ProcessHandle.current().pid());
        try (FerrumMcpServer server = FerrumMcpServer.open(Path.of(args[0]), Options.defaults())) {
            server.serveStdio(System.in, protocol);
        }
    }
}
