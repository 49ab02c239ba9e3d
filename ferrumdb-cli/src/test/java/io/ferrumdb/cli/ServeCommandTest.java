package io.ferrumdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `ferrumdb serve` refuses a half or unreadable TLS configuration before listening, naming the problem. */
class ServeCommandTest {
    @TempDir
    Path dir;

    @Test
    void tlsNeedsBothFiles() {
        Run run = Run.of(dir.resolve("db"), "", "serve", "--port", "0", "--tls-cert-file",
                dir.resolve("server.crt").toString());
        assertThat(run.code()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).contains("TLS needs both a certificate file and a key file (got only the certificate)");
    }

    @Test
    void unreadableTlsFileStopsTheStart() {
        Path cert = dir.resolve("missing.crt");
        Run run = Run.of(dir.resolve("db"), "", "serve", "--port", "0", "--tls-cert-file", cert.toString(),
                "--tls-key-file", dir.resolve("missing.key").toString());
        assertThat(run.code()).isEqualTo(ExitCode.DATABASE);
        assertThat(run.err()).contains("cannot read the TLS file " + cert);
        assertThat(run.out()).doesNotContain("over the Redis protocol");
    }
}
