package io.ferrumdb.internal.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.internal.format.CipherSuite;
import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.keydir.Key;
import io.ferrumdb.internal.keydir.Location;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under {@code never()} and {@code periodic}, a writer racing the flusher over many chunk hand-overs and segment
 * rolls leaves exactly the appended records on disk. The timeouts only turn a hang into a failure, on a thread of
 * their own because close joins the flusher uninterruptibly; nothing here measures time.
 */
class FlusherRaceTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aWriterRacingTheFlusherUnderNeverLeavesExactlyItsRecordsOnDisk() throws Exception {
        writeThenCheckTheDisk(FsyncPolicy.never(), dir.resolve("never"));
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aWriterRacingTheFlusherUnderPeriodicLeavesExactlyItsRecordsOnDisk() throws Exception {
        writeThenCheckTheDisk(FsyncPolicy.periodic(Duration.ofMillis(1)), dir.resolve("periodic"));
    }

    /**
     * One thread appends records of random sizes (single puts, deletes and batches of three) into small segments, so
     * that the flusher takes partial chunks (lingered), full ones and rolled ones while the writer appends; a second
     * thread syncs and reads the newest record back meanwhile. After close every segment is scanned: the records on
     * disk, in segment and file order, must be exactly the model's, with their values.
     */
    private void writeThenCheckTheDisk(FsyncPolicy policy, Path at) throws Exception {
        java.nio.file.Files.createDirectories(at);
        SegmentFiles files = new SegmentFiles(FileIO.nio(), at, new byte[16], CipherSuite.PLAINTEXT);
        SegmentSet set = new SegmentSet(files, new SegmentManifest(files, List.of()));
        Map<Integer, Integer> hintEntries = new ConcurrentHashMap<>();
        LogWriter writer = new LogWriter(0, policy, 256 << 10, set::createActive, (Segment s, HintFile.Builder h) -> {
            set.seal(s, h);
            hintEntries.put(s.id(), h.count());
        }, () -> { });
        List<Append> model = new ArrayList<>();
        AtomicReference<Location> newest = new AtomicReference<>();
        AtomicReference<Throwable> readerFailure = new AtomicReference<>();
        int records = 60_000;
        Thread reader = new Thread(() -> {
            SplittableRandom r = new SplittableRandom(11);
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Location loc = newest.get();
                    if (loc != null) {
                        byte[] buf = new byte[loc.recordSize()];
                        Segment s = set.get(loc.segmentId());
                        if (!writer.readFromMemory(s, loc.offset(), loc.recordSize(), buf, 0, -1)) {
                            s.readInto(loc.offset(), buf, 0, loc.recordSize());
                        }
                        RecordReader.open(s, loc.offset(), buf); // throws unless the record is whole and valid
                    }
                    if (r.nextInt(50) == 0) {
                        writer.sync();
                    } else {
                        Thread.onSpinWait();
                    }
                }
            } catch (Throwable e) {
                readerFailure.set(e);
            }
        }, "test-reader");
        reader.setDaemon(true);
        try {
            reader.start();
            SplittableRandom random = new SplittableRandom(3);
            int i = 0;
            while (i < records) {
                int n = random.nextInt(10) == 0 ? 3 : 1;
                List<Append> batch = new ArrayList<>(n);
                for (int j = 0; j < n; j++, i++) {
                    batch.add(random.nextInt(20) == 0 ? delete(i) : put(i, random.nextInt(400)));
                }
                model.addAll(batch);
                Location[] last = new Location[1];
                assertThat(writer.append(TestWrites.records(batch),
                        TestWrites.applier((type, key, loc) -> last[0] = loc), false)).isNull();
                newest.set(last[0]);
            }
        } finally {
            reader.interrupt();
            reader.join();
            assertThat(writer.close()).isFalse();
        }
        assertThat(readerFailure.get()).isNull();
        assertThat(writer.failure()).isNull();

        List<Segment> segments = new ArrayList<>(set.all());
        segments.sort(Comparator.comparingInt(Segment::id));
        assertThat(segments.size()).as("segments rolled").isGreaterThan(10);
        int m = 0;
        long lastSequence = 0;
        for (Segment s : segments) {
            SegmentScanner.Result scanned = SegmentScanner.scan(s.file(), s.writtenLength(), s.cipher(),
                    SegmentScanner.Mode.STRICT);
            assertThat(scanned.clean()).as("segment %d", s.id()).isTrue();
            assertThat(scanned.records()).isNotEmpty();
            assertThat(hintEntries.get(s.id())).as("hint entries of segment %d", s.id())
                    .isEqualTo(scanned.records().size());
            for (SegmentScanner.Scanned rec : scanned.records()) {
                Append expected = model.get(m++);
                assertThat(rec.sequence()).isEqualTo(++lastSequence);
                assertThat(rec.type()).isEqualTo(expected.type());
                assertThat(rec.key()).isEqualTo(expected.key().bytes());
                byte[] value = RecordReader.open(s, rec.offset(), s.read(rec.offset(), rec.size())).value();
                assertThat(value).isEqualTo(expected.value());
            }
        }
        assertThat(m).as("records on disk").isEqualTo(model.size());
        set.closeAll();
    }

    private static Append put(int i, int valueSize) {
        byte[] value = new byte[valueSize];
        for (int b = 0; b < valueSize; b++) {
            value[b] = (byte) (i * 31 + b);
        }
        return new Append(RecordFormat.TYPE_PUT, new Key(key(i)), value, 0);
    }

    private static Append delete(int i) {
        return new Append(RecordFormat.TYPE_DELETE, new Key(key(i - 1)), new byte[0], 0);
    }

    private static byte[] key(int i) {
        return ("key-" + i).getBytes(StandardCharsets.UTF_8);
    }
}
