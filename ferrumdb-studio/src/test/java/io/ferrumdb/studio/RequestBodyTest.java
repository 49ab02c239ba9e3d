package io.ferrumdb.studio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The pull-based request body: back-pressure signals, order of bytes, end, abort, malformed chunks, release. */
class RequestBodyTest {
    private final AtomicInteger pressureChanges = new AtomicInteger();
    private final AtomicInteger continues = new AtomicInteger();
    private final RequestBody body = new RequestBody(pressureChanges::incrementAndGet, continues::incrementAndGet);
    private final List<ByteBuf> offered = new ArrayList<>();

    private HttpContent piece(int size, byte fill) {
        byte[] bytes = new byte[size];
        java.util.Arrays.fill(bytes, fill);
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        offered.add(buf);
        return new DefaultHttpContent(buf);
    }

    @Test
    void theConnectionIsToldToStopAboveTheWaterMarkAndToGoOnOnceRead() throws IOException {
        int piece = 256 << 10;
        int pieces = RequestBody.HIGH_WATER_BYTES / piece;
        for (int i = 0; i < pieces; i++) {
            body.offer(piece(piece, (byte) i));
        }
        assertThat(body.full()).as("exactly at the mark").isFalse();
        assertThat(pressureChanges).hasValue(0);
        body.offer(piece(piece, (byte) pieces));
        assertThat(body.full()).isTrue();
        assertThat(pressureChanges).hasValue(1);
        body.offer(new DefaultLastHttpContent());
        assertThat(body.complete()).isTrue();

        byte[] first = body.readNBytes(piece);
        assertThat(first).containsOnly((byte) 0);
        assertThat(continues).as("the 100 Continue hook runs once, at the first read").hasValue(1);
        assertThat(body.full()).isFalse();
        assertThat(pressureChanges).as("told to read again").hasValue(2);
        for (int i = 1; i <= pieces; i++) {
            assertThat(body.readNBytes(piece)).as("piece " + i).containsOnly((byte) i);
        }
        assertThat(body.read()).isEqualTo(-1);
        assertThat(continues).hasValue(1);
        assertThat(offered).allMatch(b -> b.refCnt() == 0, "every piece released once read");
    }

    @Test
    void aMalformedChunkFailsTheReaderWithATypedError() {
        body.offer(piece(10, (byte) 1));
        DefaultLastHttpContent bad = new DefaultLastHttpContent();
        bad.setDecoderResult(DecoderResult.failure(new NumberFormatException("invalid chunk size: zz")));
        body.offer(bad);
        assertThatThrownBy(() -> body.readAllBytes()).isInstanceOf(RequestBody.MalformedBodyException.class)
                .hasMessageContaining("the request body is malformed").hasMessageContaining("zz");
    }

    @Test
    void anAbortFailsAWaitingReaderAndReleasesWhatWasBuffered() throws Exception {
        body.offer(piece(100, (byte) 7));
        assertThat(body.readNBytes(50)).containsOnly((byte) 7);
        Thread reader = new Thread(() -> {
            try {
                body.readAllBytes();
            } catch (IOException expected) {
                return;
            }
            throw new AssertionError("the read should have failed");
        });
        AtomicInteger failures = new AtomicInteger();
        reader.setUncaughtExceptionHandler((t, e) -> failures.incrementAndGet());
        reader.start();
        // A thread started on a busy machine may not run for seconds: bounded generously, not timed.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (reader.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(reader.getState()).as("the reader waits for more of the body").isEqualTo(Thread.State.WAITING);
        body.abort(new Exchange.ClientGoneException("gone"));
        reader.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(reader.isAlive()).as("the reader ended after the abort").isFalse();
        assertThat(failures).hasValue(0);
        assertThat(offered).allMatch(b -> b.refCnt() == 0, "released on abort");
    }

    @Test
    void aBodyThatArrivedWholeStaysReadableAfterTheConnectionCloses() throws IOException {
        body.offer(piece(10, (byte) 3));
        body.offer(new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[] {4, 4})));
        body.abort(new Exchange.ClientGoneException("gone"));
        assertThat(body.readAllBytes()).containsExactly(3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4);
    }

    @Test
    void piecesOfferedAfterTheExchangeEndedAreReleased() {
        body.discard();
        HttpContent late = piece(10, (byte) 1);
        body.offer(late);
        assertThat(late.refCnt()).isZero();
    }
}
