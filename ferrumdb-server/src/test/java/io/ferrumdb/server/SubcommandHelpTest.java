package io.ferrumdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code <CONTAINER> HELP}: the error for an unknown subcommand says "Try CLIENT HELP." (Redis's text), and HELP
 * itself was that same error ("unknown subcommand 'help'. Try CLIENT HELP.").
 */
class SubcommandHelpTest {
    private static final String LAST = "+HELP\r\n+    Prints this help.\r\n";

    @TempDir
    Path dir;

    @Test
    void everyContainerAnswersHelpInRedisShapeListingEachSubcommandItRuns() throws Exception {
        Map<String, CommandSpec> table = CommandTable.build();
        try (TestServer server = new TestServer(dir.resolve("db")); RawClient raw = new RawClient(server.port())) {
            for (String container : new String[] {"client", "config", "command", "function"}) {
                String upper = container.toUpperCase(Locale.ROOT);
                String help = raw.send(upper + " HELP\r\n").readUntil(LAST);
                assertThat(help).as(container).endsWith(LAST)
                        .contains("\r\n+" + upper + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n");
                int lines = help.split("\r\n").length - 1;
                assertThat(help).as(container).startsWith("*" + lines + "\r\n");
                for (String sub : table.get(container).subcommands().keySet()) {
                    assertThat(help).as("%s lists %s", container, sub)
                            .contains("\r\n+" + sub.toUpperCase(Locale.ROOT));
                }
            }
            assertThat(raw.send("CLIENT HELP x\r\n").read(58))
                    .isEqualTo("-ERR wrong number of arguments for 'client|help' command\r\n");
            assertThat(raw.send("CLIENT NOSUCH\r\n").read(52))
                    .isEqualTo("-ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP.\r\n");
        }
    }
}
