package io.ferrumdb.studio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StudioMainTest {
    private static final PrintStream CONSOLE = System.err;

    private static StudioConfig parse(String... args) {
        return StudioMain.parse(args, CONSOLE, Map.of(), () -> {
            throw new AssertionError("no prompt expected");
        });
    }

    @Test
    void defaultsAreLoopbackPort7474AndWritable() {
        StudioConfig c = parse(new String[] {"--db", "somewhere"});
        assertThat(c.databaseDir()).isEqualTo(Path.of("somewhere"));
        assertThat(c.bindAddress().isLoopbackAddress()).isTrue();
        assertThat(c.port()).isEqualTo(7474);
        assertThat(c.readOnly()).isFalse();
        assertThat(c.options().readOnly()).isFalse();
        assertThat(parse().databaseDir()).isEqualTo(Path.of("ferrumdb-data"));
    }

    @Test
    void optionsAreParsed() throws Exception {
        StudioConfig c = parse(new String[] {"--db", "d", "--port", "0", "--bind", "[::1]", "--read-only"});
        assertThat(c.port()).isZero();
        assertThat(c.bindAddress()).isEqualTo(InetAddress.getByName("::1"));
        assertThat(c.readOnly()).isTrue();
        assertThat(c.options().readOnly()).isTrue();
        assertThat(parse(new String[] {"--bind", "0.0.0.0"}).bindAddress().isAnyLocalAddress())
                .isTrue();
        assertThat(parse(new String[] {"--bind", "localhost"}).bindAddress().isLoopbackAddress())
                .isTrue();
        assertThat(parse(new String[] {"--help"})).isNull();
    }

    @Test
    void badArgumentsAreNamed() {
        String[][] cases = {
            {"--port", "x"}, {"--port", "70000"}, {"--bind", "example.com"}, {"--bind", "1.2.3.999"}, {"--db"},
            {"--what"},
        };
        String[] messages = {"--port must be a number", "between 0 and 65535", "must be an IP address",
            "not a valid IP address", "--db needs a value", "unknown argument '--what'"};
        for (int i = 0; i < cases.length; i++) {
            String[] args = cases[i];
            assertThatThrownBy(() -> parse(args)).as(String.join(" ", args))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(messages[i]);
        }
    }
}
