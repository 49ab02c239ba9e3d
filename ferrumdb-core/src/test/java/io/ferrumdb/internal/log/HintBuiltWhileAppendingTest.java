package io.ferrumdb.internal.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.EncryptedOptions;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import io.ferrumdb.WriteBatch;
import io.ferrumdb.internal.crypto.Keyring;
import io.ferrumdb.internal.crypto.Secret;
import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.format.CipherSuite;
import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.format.MetaFile;
import io.ferrumdb.internal.io.FileIO;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The writer builds each segment's hint while appending, instead of scanning the sealed segment. This checks that
 * what it built is exactly what a scan of the sealed data file finds, record for record, for puts, tombstones,
 * batches (whose members carry no COMMIT flag but the last), expiring records and segment rolls, plaintext and
 * encrypted.
 */
class HintBuiltWhileAppendingTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void everyHintEqualsAScanOfItsSegment(boolean encrypted) throws Exception {
        Options.Builder b = encrypted ? EncryptedOptions.builder() : Options.builder();
        Options options = b.segmentSize(8192).fsyncPolicy(FsyncPolicy.never()).autoCompaction(false).build();
        Random r = new Random(42);
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            for (int i = 0; i < 600; i++) {
                byte[] key = ("k" + r.nextInt(80)).getBytes(StandardCharsets.UTF_8);
                switch (r.nextInt(5)) {
                    case 0 -> db.delete(key);
                    case 1 -> {
                        WriteBatch batch = new WriteBatch();
                        for (int j = 0; j < 1 + r.nextInt(4); j++) {
                            batch.put(("b" + r.nextInt(80)).getBytes(StandardCharsets.UTF_8), new byte[r.nextInt(300)]);
                        }
                        batch.delete(key);
                        db.write(batch);
                    }
                    case 2 -> db.put(key, new byte[r.nextInt(200)], Duration.ofHours(1));
                    default -> db.put(key, new byte[r.nextInt(r.nextInt(20) == 0 ? 5000 : 200)]);
                }
            }
        }
        FileIO io = FileIO.nio();
        SegmentFiles reader = new SegmentFiles(io, dir, new byte[16], CipherSuite.PLAINTEXT);
        MetaFile meta = MetaFile.decode(reader.readAll(dir.resolve(FileNames.META), MetaFile.SIZE), dir);
        CipherSuite ciphers;
        try (Secret secret = encrypted ? Secret.rawKey(EncryptedOptions.testKey()) : null) {
            ciphers = Keyring.open(io, dir, meta, secret, false);
        }
        SegmentFiles files = new SegmentFiles(io, dir, meta.databaseId(), ciphers);
        int segments = 0;
        long records = 0;
        for (Path p : io.list(dir)) {
            long id = FileNames.segmentId(p.getFileName().toString());
            if (id <= 0) {
                continue;
            }
            Segment seg = files.open((int) id, false);
            try {
                List<HintFile.Entry> scanned = SegmentFiles.entries(SegmentScanner.scan(seg.file(),
                        seg.writtenLength(), seg.cipher(), SegmentScanner.Mode.STRICT).records());
                List<HintFile.Entry> hinted = files.readHint(seg);
                assertThat(hinted).as("hint of %s", seg).isNotNull();
                assertThat(describe(hinted)).as("hint of %s", seg).isEqualTo(describe(scanned));
                segments++;
                records += scanned.size();
            } finally {
                seg.close();
            }
        }
        assertThat(segments).as("the load rolled segments").isGreaterThan(5);
        assertThat(records).isGreaterThan(600);
    }

    private static List<String> describe(List<HintFile.Entry> entries) {
        List<String> out = new ArrayList<>();
        for (HintFile.Entry e : entries) {
            out.add(e.type() + " " + new String(e.key(), StandardCharsets.UTF_8) + " size=" + e.recordSize() + " @"
                    + e.offset() + " seq=" + e.sequence() + " exp=" + e.expiresAt());
        }
        return out;
    }
}
