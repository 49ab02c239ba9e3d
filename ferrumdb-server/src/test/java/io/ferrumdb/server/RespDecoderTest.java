package io.ferrumdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RespDecoderTest {
    private boolean authRequired;

    private EmbeddedChannel channel() {
        return new EmbeddedChannel(new RespDecoder(1 << 20, 4 << 20, () -> authRequired));
    }

    private static List<Object> feed(EmbeddedChannel ch, String... chunks) {
        for (String c : chunks) {
            ch.writeInbound(Unpooled.copiedBuffer(c, StandardCharsets.ISO_8859_1));
        }
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            out.add(o);
        }
        return out;
    }

    private static List<String> args(Object request) {
        List<String> out = new ArrayList<>();
        for (byte[] a : ((RespRequest.Command) request).args()) {
            out.add(new String(a, StandardCharsets.ISO_8859_1));
        }
        return out;
    }

    @Test
    void multibulkCommandsSplitAnywhereAndPipelined() {
        String two = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nva\r\nl\r\n*1\r\n$4\r\nPING\r\n";
        for (int split = 1; split < two.length(); split++) {
            List<Object> out = feed(channel(), two.substring(0, split), two.substring(split));
            assertThat(out).hasSize(2);
            assertThat(args(out.get(0))).containsExactly("SET", "k", "va\r\nl");
            assertThat(args(out.get(1))).containsExactly("PING");
        }
    }

    @Test
    void inlineCommandsWithRedisQuoting() {
        List<Object> out = feed(channel(), "set k \"a b\\x41\\n\" 'it\\'s'\r\n", "GET  k\n");
        assertThat(args(out.get(0))).containsExactly("set", "k", "a bA\n", "it's");
        assertThat(args(out.get(1))).containsExactly("GET", "k");
        // Redis (sdssplitargs) wants a space after a closing quote.
        assertThat(feed(channel(), "set k \"v\"x\r\n")).containsExactly(
                new RespRequest.ProtocolError("Protocol error: unbalanced quotes in request"));
    }

    @Test
    void emptyInlineLinesAndZeroCountsAreIgnored() {
        List<Object> out = feed(channel(), "\r\n\r\n*0\r\nPING\r\n");
        List<Object> real = out.stream().filter(o -> !RespDecoder.isEmpty((RespRequest) o)).toList();
        assertThat(real).hasSize(1);
        assertThat(args(real.get(0))).containsExactly("PING");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "*abc\\r\\n|Protocol error: invalid multibulk length",
        "*3000000000\\r\\n|Protocol error: invalid multibulk length",
        "*1\\r\\n+PING\\r\\n|Protocol error: expected '$', got '+'",
        "*1\\r\\n$-1\\r\\n|Protocol error: invalid bulk length",
        "*1\\r\\n$2000000\\r\\n|Protocol error: invalid bulk length",
        "*1\\r\\n$x\\r\\n|Protocol error: invalid bulk length",
        "set \"a\\r\\n|Protocol error: unbalanced quotes in request",
    })
    void malformedInputGivesRedisErrorThenNothingElse(String input, String error) {
        EmbeddedChannel ch = channel();
        List<Object> out = feed(ch, input.replace("\\r\\n", "\r\n"), "*1\r\n$4\r\nPING\r\n");
        assertThat(out).hasSize(1);
        assertThat(out.get(0)).isEqualTo(new RespRequest.ProtocolError(error));
    }

    @Test
    void overlongHeaderAndInlineLinesAreRejectedWithoutBuffering() {
        String noNewline = "x".repeat(RespDecoder.MAX_LINE + 10);
        assertThat(feed(channel(), noNewline)).containsExactly(
                new RespRequest.ProtocolError("Protocol error: too big inline request"));
        assertThat(feed(channel(), "*1" + "1".repeat(RespDecoder.MAX_LINE + 10))).containsExactly(
                new RespRequest.ProtocolError("Protocol error: too big mbulk count string"));
        assertThat(feed(channel(), "*1\r\n$1" + "1".repeat(RespDecoder.MAX_LINE + 10))).containsExactly(
                new RespRequest.ProtocolError("Protocol error: too big bulk count string"));
    }

    @Test
    void unauthenticatedClientsGetSmallLimits() {
        authRequired = true;
        assertThat(feed(channel(), "*11\r\n")).containsExactly(
                new RespRequest.ProtocolError("Protocol error: unauthenticated multibulk length"));
        assertThat(feed(channel(), "*2\r\n$4\r\nAUTH\r\n$16385\r\n")).containsExactly(
                new RespRequest.ProtocolError("Protocol error: unauthenticated bulk length"));
        authRequired = false;
        assertThat(feed(channel(), "*11\r\n")).isEmpty();
    }

    @Test
    void aCommandLargerThanTheQueryLimitIsRejected() {
        EmbeddedChannel ch = new EmbeddedChannel(new RespDecoder(1 << 20, 1_500_000, () -> false));
        String header = "*3\r\n$3\r\nSET\r\n$1000000\r\n" + "a".repeat(1_000_000) + "\r\n$1048576\r\n";
        List<Object> out = feed(ch, header);
        assertThat(out).hasSize(1);
        assertThat(((RespRequest.ProtocolError) out.get(0)).message()).contains("client-query-buffer-limit");
    }
}
