package io.ferrumdb.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./ferrumdb --db DIR studio}: through the real launcher, as a user starts it. */
class StudioCommandIT {
    private static final Pattern URL = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/\\?token=([A-Za-z0-9_-]+)");

    @TempDir
    Path dir;

    @Test
    void studioServesTheDatabaseUntilStoppedAndThenReleasesIt() throws Exception {
        Path db = dir.resolve("db");
        assertThat(Launcher.ferrumdb(dir, "", "--db", db.toString(), "put", "greeting", "hello").code()).isZero();
        Process p = new ProcessBuilder(Launcher.FERRUMDB.toString(), "--db", db.toString(), "studio", "--port", "0")
                .directory(dir.toFile()).redirectError(dir.resolve("studio.err").toFile()).start();
        try {
            Matcher m = null;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    Matcher candidate = URL.matcher(line);
                    if (candidate.find()) {
                        m = candidate;
                        break;
                    }
                }
                assertThat(m).as("the login URL on stdout; stderr: " + Files.readString(dir.resolve("studio.err")))
                        .isNotNull();
                String base = "http://127.0.0.1:" + m.group(1);
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(base + "/api/info"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(anonymous.statusCode()).isEqualTo(401);
                HttpResponse<String> value = http.send(HttpRequest.newBuilder(URI.create(base + "/api/kv?key=greeting"))
                        .header("X-FerrumDB-Token", m.group(2)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(value.statusCode()).isEqualTo(200);
                assertThat(value.body()).contains("\"text\":\"hello\"");
                p.destroy(); // SIGTERM, as Ctrl+C: the shutdown hook closes Studio and the database
                assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("Studio stopped after SIGTERM").isTrue();
            }
        } finally {
            p.destroyForcibly();
        }
        try (FerrumDB reopened = FerrumDB.open(db)) {
            assertThat(new String(reopened.get("greeting".getBytes(UTF_8)), UTF_8)).isEqualTo("hello");
        }
    }

    @Test
    void badOptionsAreUsageErrors() {
        Launcher.Result r = Launcher.ferrumdb(dir, "", "--db", dir.resolve("db").toString(), "studio", "--bind",
                "example.com");
        assertThat(r.code()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("must be an IP address");
        Launcher.Result help = Launcher.ferrumdb(dir, "", "studio", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("--port", "--bind", "--read-only");
    }
}
