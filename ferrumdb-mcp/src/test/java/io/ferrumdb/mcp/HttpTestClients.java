package io.ferrumdb.mcp;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;

/** The official SDK's client over Streamable HTTP to a test's {@link McpHttpEndpoint}, not yet initialized. */
final class HttpTestClients {
    /**
     * Every wait a minute long, the connection's too: the SDK's default connect timeout (10 s) expired for one of
     * twelve clients connecting at once on a machine at load 22 on 2 CPUs (a CI run), where the tests mean to check
     * answers, not latency.
     */
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private HttpTestClients() {
    }

    /** A client offering the SDK's own protocol versions. */
    static McpSyncClient client(McpHttpEndpoint endpoint, String token) {
        return client(endpoint, token, null);
    }

    /** @param protocolVersions the versions the client offers, or null for the SDK's own */
    static McpSyncClient client(McpHttpEndpoint endpoint, String token, List<String> protocolVersions) {
        HttpClientStreamableHttpTransport.Builder builder = HttpClientStreamableHttpTransport
                .builder("http://127.0.0.1:" + endpoint.port())
                .endpoint(McpHttpEndpoint.PATH)
                .connectTimeout(PATIENCE)
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + token));
        if (protocolVersions != null) {
            builder.supportedProtocolVersions(protocolVersions);
        }
        HttpClientStreamableHttpTransport transport = builder.build();
        return McpClient.sync(transport).requestTimeout(PATIENCE).initializationTimeout(PATIENCE).build();
    }
}
