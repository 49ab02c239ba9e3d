package io.ferrumdb.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.Options;
import io.ferrumdb.server.RespServer;
import io.ferrumdb.server.ServerConfig;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 19: {@code ferrumdb serve} "prints one line saying where it listens, and stops cleanly on SIGTERM/Ctrl-C
 * ({@code SHUTDOWN} too), closing the database". The command runs in a child JVM under {@code --fsync never}, so
 * that only the close makes the last writes durable; the SETs it acknowledged are there when the directory is
 * served again, and the close sealed the segment being written with its hint file (a process that ended without
 * closing leaves that segment without one). The exit codes are those of README's table: 143 after SIGTERM, 0 after
 * {@code SHUTDOWN}.
 */
class ServeShutdownTest {
    private static final Pattern LISTENING = Pattern.compile(
            "^FerrumDB \\S+ serving .+ over the Redis protocol on 127\\.0\\.0\\.1:(\\d+) \\(fsync never\\)$");
    private static final int KEYS = 500;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"SIGTERM", "SHUTDOWN"})
    void serveStopsCleanlyClosingTheDatabaseWithEveryAcknowledgedWrite(String stop) throws Exception {
        Path db = tmp.resolve("db");
        Path err = tmp.resolve("serve.err");
        Process serve = ChildCli.start(err, "--db", db.toString(), "--fsync", "never", "serve", "--port", "0");
        try {
            InputStream out = new BufferedInputStream(serve.getInputStream());
            String banner = line(out);
            Matcher listening = LISTENING.matcher(banner);
            assertThat(listening.matches()).as("the one line of where it listens: '%s'; stderr: %s", banner,
                    Files.readString(err)).isTrue();
            try (Socket client = new Socket("127.0.0.1", Integer.parseInt(listening.group(1)))) {
                InputStream replies = new BufferedInputStream(client.getInputStream());
                OutputStream commands = client.getOutputStream();
                for (int i = 0; i < KEYS; i++) {
                    commands.write(command("SET", "key-" + i, "value-" + i));
                }
                commands.flush();
                for (int i = 0; i < KEYS; i++) {
                    assertThat(line(replies)).as("reply to SET key-%d", i).isEqualTo("+OK");
                }
                if (stop.equals("SHUTDOWN")) {
                    commands.write(command("SHUTDOWN"));
                    commands.flush();
                } else {
                    serve.destroy(); // SIGTERM
                }
            }
            assertThat(serve.waitFor(120, TimeUnit.SECONDS)).as("stopped; stderr: %s", Files.readString(err))
                    .isTrue();
            assertThat(serve.exitValue()).as("exit code; stderr: %s", Files.readString(err))
                    .isEqualTo(stop.equals("SHUTDOWN") ? 0 : 143);
        } finally {
            serve.destroyForcibly();
        }
        List<String> files;
        try (Stream<Path> listing = Files.list(db)) {
            files = listing.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(files).as("closed cleanly: every segment sealed with its hint")
                .anyMatch(f -> f.endsWith(".seg"))
                .filteredOn(f -> f.endsWith(".seg")).allMatch(seg -> files.contains(seg.replace(".seg", ".hint")));
        try (RespServer again = RespServer.start(db, Options.defaults(), ServerConfig.builder().port(0).build());
             Socket client = new Socket("127.0.0.1", again.port())) {
            InputStream replies = new BufferedInputStream(client.getInputStream());
            OutputStream commands = client.getOutputStream();
            for (int i = 0; i < KEYS; i++) {
                commands.write(command("GET", "key-" + i));
            }
            commands.flush();
            for (int i = 0; i < KEYS; i++) {
                String value = "value-" + i;
                assertThat(line(replies)).as("GET key-%d", i).isEqualTo("$" + value.length());
                assertThat(line(replies)).as("GET key-%d", i).isEqualTo(value);
            }
        }
    }

    private static byte[] command(String... args) {
        StringBuilder resp = new StringBuilder("*").append(args.length).append("\r\n");
        for (String arg : args) {
            resp.append('$').append(arg.getBytes(UTF_8).length).append("\r\n").append(arg).append("\r\n");
        }
        return resp.toString().getBytes(UTF_8);
    }

    /** One line without its line end ("\r\n" from the server, "\n" on standard output). */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new IOException("the stream ended after '" + line.toString(UTF_8) + "'");
            }
            line.write(b);
        }
        String text = line.toString(UTF_8);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }
}
