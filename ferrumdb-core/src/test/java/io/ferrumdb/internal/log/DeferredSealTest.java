package io.ferrumdb.internal.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.ReadOnlyDatabaseException;
import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.keydir.Key;
import io.ferrumdb.internal.keydir.Location;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under {@code never()} (and {@code periodic()}) the acknowledger seals a rolled segment (hint file, memory map)
 * after the cycle that wrote and fsynced it: appends go on while a seal runs, a {@code rollAndSync} still returns
 * only once its segments are sealed, and a failed seal stops the writer as a failed cycle does.
 */
class DeferredSealTest {
    @TempDir
    Path dir;

    private TestLog log;
    private SegmentSet set;
    private final List<Location> applied = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger sealedEntries = new AtomicInteger();

    private LogWriter open(long segmentSize, LogWriter.SealListener sealer) {
        log = new TestLog(dir, FileIO.nio(), FsyncPolicy.never(), segmentSize, sealer);
        set = log.set;
        return log.writer;
    }

    private void seal(Segment s, HintFile.Builder hint) throws IOException {
        set.seal(s, hint);
        sealedEntries.addAndGet(set.files().readHint(s).size());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (log != null) {
            log.close();
        }
    }

    /**
     * The first seal is held until the test releases it. Meanwhile more than {@link Chunks#MAX_PENDING} bytes are
     * appended across several rolls: with the seal on the cycle they waited for it (and this test hung); and a
     * rollAndSync started meanwhile does not return before the held seal and every later one are done.
     */
    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES) // a deadlock guard, not a duration claim: appends waited forever
    void appendsGoOnWhileASealIsHeldAndRollAndSyncWaitsForEverySeal() throws Exception {
        CountDownLatch sealing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger seals = new AtomicInteger();
        LogWriter w = open(4 << 20, (s, hint) -> {
            if (seals.incrementAndGet() == 1) {
                sealing.countDown();
                await(release);
            }
            seal(s, hint);
        });
        int valueSize = 1000;
        long appended = 0;
        int i = 0;
        while (appended <= Chunks.MAX_PENDING + (8 << 20) || sealing.getCount() > 0) {
            append(w, put("k" + i++, valueSize));
            appended += valueSize;
        }
        assertThat(sealing.getCount()).as("the first seal began").isZero();
        assertThat(set.all().size()).as("rolled past the held seal").isGreaterThan(3);
        CompletableFuture<Void> rolled = CompletableFuture.runAsync(w::rollAndSync);
        assertThatThrownBy(() -> rolled.get(300, TimeUnit.MILLISECONDS))
                .as("rollAndSync returned while a seal before it was held")
                .isInstanceOf(java.util.concurrent.TimeoutException.class);
        release.countDown();
        rolled.get(5, TimeUnit.MINUTES);
        assertThat(sealedEntries.get()).as("every record is in the hint of a sealed segment").isEqualTo(applied.size());
        for (Segment s : set.sealedExcept(-1)) {
            assertThat(s.isSealed()).as(s.toString()).isTrue();
        }
        for (int k = 0; k < applied.size(); k += 997) {
            Location loc = applied.get(k);
            Segment s = set.get(loc.segmentId());
            byte[] record = s.read(loc.offset(), loc.recordSize());
            assertThat(RecordReader.open(s, loc.offset(), record).keyEquals(bytes("k" + k))).as("record %d", k)
                    .isTrue();
        }
    }

    @Test
    void aFailedSealStopsTheWriterAndFailsTheRollAndSyncWaitingForIt() {
        IOException injected = new IOException("injected failure of a seal");
        LogWriter w = open(1 << 20, (s, hint) -> {
            throw injected;
        });
        append(w, put("first", 100));
        assertThatThrownBy(w::rollAndSync).isInstanceOf(ReadOnlyDatabaseException.class).hasCause(injected);
        assertThat(w.failure()).isSameAs(injected);
        assertThatThrownBy(() -> w.append(TestWrites.records(put("later", 10)),
                TestWrites.applier(this::record), false))
                .isInstanceOf(ReadOnlyDatabaseException.class).hasCause(injected);
        assertThatThrownBy(w::sync).isInstanceOf(ReadOnlyDatabaseException.class).hasCause(injected);
    }

    private static void await(CountDownLatch latch) throws IOException {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IOException("interrupted while the test held the seal", e);
        }
    }

    private void append(LogWriter w, Append... appends) {
        TestWrites.await(w.append(TestWrites.records(appends), TestWrites.applier(this::record), false));
    }

    private void record(byte type, Key key, Location location) {
        applied.add(location);
    }

    private static Append put(String key, int valueSize) {
        return new Append(RecordFormat.TYPE_PUT, new Key(bytes(key)), new byte[valueSize], 0);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
