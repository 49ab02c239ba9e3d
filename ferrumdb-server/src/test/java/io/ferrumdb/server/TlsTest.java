package io.ferrumdb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.FsyncPolicy;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS ({@code --tls-cert-file/--tls-key-file}): a client that trusts the certificate talks to the server over TLS
 * (Lettuce, with host name verification); a plain-text client gets no reply; bad files stop the start with the
 * reason. The certificate is made by {@code openssl} as Redis's own test suite makes its certificates.
 */
class TlsTest {
    @TempDir
    Path dir;
    Path cert;
    Path key;

    @BeforeEach
    void makeCertificate() throws Exception {
        cert = dir.resolve("server.crt");
        key = dir.resolve("server.key");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout", key.toString(), "-out", cert.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("openssl: %s", output).isZero();
    }

    private TestServer tlsServer() {
        return new TestServer(dir.resolve("db"), ServerConfig.builder().port(0).tls(cert, key).build(),
                FsyncPolicy.always());
    }

    @Test
    void trustedClientTalksOverTls() {
        try (TestServer server = tlsServer()) {
            assertThat(server.server.banner()).endsWith(", TLS)");
            RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1")
                    .withPort(server.port()).withSsl(true).withVerifyPeer(true).withTimeout(Duration.ofSeconds(60))
                    .build());
            try {
                client.setOptions(ClientOptions.builder()
                        .sslOptions(SslOptions.builder().jdkSslProvider().trustManager(cert.toFile()).build()).build());
                try (StatefulRedisConnection<String, String> conn = client.connect()) {
                    RedisCommands<String, String> r = conn.sync();
                    assertThat(r.set("k", "v")).isEqualTo("OK");
                    assertThat(r.get("k")).isEqualTo("v");
                    assertThat(r.hset("h", Map.of("f", "1"))).isEqualTo(1);
                    assertThat(r.hincrby("h", "f", 2)).isEqualTo(3);
                }
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
            }
        }
    }

    @Test
    void plainTextClientGetsNoReply() throws IOException {
        try (TestServer server = tlsServer(); Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] reply = in.readNBytes(5);
            // The TLS layer rejects the bytes and closes the connection: no "+PONG".
            assertThat(new String(reply, StandardCharsets.ISO_8859_1)).doesNotContain("PONG");
        }
    }

    @Test
    void badFilesStopTheStartWithTheReason() throws IOException {
        Path notPem = dir.resolve("not.pem");
        Files.writeString(notPem, "not a certificate");
        assertThatThrownBy(() -> new TestServer(dir.resolve("db1"),
                ServerConfig.builder().port(0).tls(notPem, key).build(), FsyncPolicy.always()))
                .isInstanceOf(ServerStartException.class).hasMessageContaining("not.pem");
        assertThatThrownBy(() -> new TestServer(dir.resolve("db2"),
                ServerConfig.builder().port(0).tls(dir.resolve("missing.crt"), key).build(), FsyncPolicy.always()))
                .isInstanceOf(ServerStartException.class).hasMessage("cannot read the TLS file "
                        + dir.resolve("missing.crt"));
        assertThatThrownBy(() -> ServerConfig.builder().tls(cert, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only the certificate");
    }
}
