package io.ferrumdb.internal.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.DroppedRange;
import io.ferrumdb.MissingSegmentException;
import io.ferrumdb.internal.format.CipherSuite;
import io.ferrumdb.internal.format.ManifestFile.Listed;
import io.ferrumdb.internal.format.SegmentHeader;
import io.ferrumdb.internal.io.FileIO;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SegmentInventory} alone (issue 17: a test per part): how the directory listing, the MANIFEST and a
 * compaction journal's superseded segments sort the segment files into live, missing, unpublished and unlisted;
 * what {@link SegmentInventory#requireWhole} refuses; and the damage {@link SegmentInventory#changedSinceSealed}
 * sees in a sealed segment whose file is not as the MANIFEST recorded it. Open, verify and repair all take their
 * view of the files from here.
 */
class SegmentInventoryTest {
    private static final byte[] DATABASE = new byte[16];
    private static final byte[] OTHER_DATABASE = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

    @TempDir
    Path dir;

    private final FileIO io = FileIO.nio();
    private final List<Segment> opened = new ArrayList<>();

    @AfterEach
    void closeSegments() throws Exception {
        for (Segment s : opened) {
            s.file().close();
        }
    }

    private SegmentFiles files() {
        return new SegmentFiles(io, dir, DATABASE, CipherSuite.PLAINTEXT);
    }

    /** Creates segment {@code id} of {@code database}, with {@code recordBytes} bytes after its header. */
    private Segment segment(byte[] database, int id, boolean compacted, int recordBytes) throws Exception {
        SegmentFiles f = new SegmentFiles(io, dir, database, CipherSuite.PLAINTEXT);
        Segment s = f.create(id, f.dataPath(id), true, compacted);
        opened.add(s);
        if (recordBytes > 0) {
            s.file().write(SegmentHeader.SIZE, ByteBuffer.wrap(new byte[recordBytes]));
            s.file().force();
        }
        return s;
    }

    private static TreeMap<Integer, Listed> listed(int... ids) {
        TreeMap<Integer, Listed> m = new TreeMap<>();
        for (int id : ids) {
            m.put(id, Listed.unsealed(id));
        }
        return m;
    }

    @Test
    void withoutAManifestEverySegmentFilePresentIsLive() throws Exception {
        segment(DATABASE, 1, false, 100);
        segment(DATABASE, 2, false, 0);
        segment(OTHER_DATABASE, 3, false, 100);
        SegmentInventory inv = SegmentInventory.take(files(), null, Set.of());
        assertThat(inv.live()).containsExactly(1, 2, 3);
        assertThat(inv.missing()).isEmpty();
        assertThat(inv.unpublished()).isEmpty();
        assertThat(inv.unlisted()).isEmpty();
        assertThat(inv.listedByManifest()).isFalse();
        assertThat(inv.listed()).isEmpty();
        assertThatCode(() -> inv.requireWhole(files())).doesNotThrowAnyException();
    }

    @Test
    void theManifestSortsTheFilesIntoLiveMissingUnpublishedAndUnlisted() throws Exception {
        segment(DATABASE, 1, false, 100);
        segment(DATABASE, 3, false, 100);
        segment(DATABASE, 4, false, 100); // records, not listed: copied in from elsewhere
        segment(DATABASE, 5, false, 0); // created just before a crash: nothing after its header
        segment(DATABASE, 6, true, 100); // a compaction output renamed just before a crash
        segment(OTHER_DATABASE, 7, true, 100); // another database's compaction output
        SegmentInventory inv = SegmentInventory.take(files(), listed(1, 2, 3), Set.of());
        assertThat(inv.live()).containsExactly(1, 3);
        assertThat(inv.missing()).containsExactly(2);
        assertThat(inv.unpublished()).containsExactly(5, 6);
        assertThat(inv.unlisted()).containsExactly(4, 7);
        assertThat(inv.listedByManifest()).isTrue();
        assertThat(inv.listed()).containsOnlyKeys(1, 2, 3);
    }

    @Test
    void segmentsAJournalSupersededAreNeitherLiveNorMissingNorStray() throws Exception {
        segment(DATABASE, 1, false, 100);
        segment(DATABASE, 4, false, 100);
        SegmentInventory inv = SegmentInventory.take(files(), listed(1, 2), Set.of(2, 4));
        assertThat(inv.live()).containsExactly(1);
        assertThat(inv.missing()).isEmpty();
        assertThat(inv.unlisted()).isEmpty();
        assertThatCode(() -> inv.requireWhole(files())).doesNotThrowAnyException();
    }

    @Test
    void aMissingSegmentIsRefusedNamingTheManifestAndEveryMissingFile() throws Exception {
        segment(DATABASE, 1, false, 100);
        segment(DATABASE, 4, false, 100);
        SegmentInventory inv = SegmentInventory.take(files(), listed(1, 2, 3), Set.of());
        assertThatThrownBy(() -> inv.requireWhole(files())).isInstanceOfSatisfying(MissingSegmentException.class, e -> {
            assertThat(e.file()).isEqualTo(SegmentManifest.path(dir));
            assertThat(e.missing()).containsExactly(files().dataPath(2), files().dataPath(3));
        });
    }

    @Test
    void anUnlistedSegmentWithRecordsIsRefusedNamingItAndTheWayOut() throws Exception {
        segment(DATABASE, 1, false, 100);
        segment(DATABASE, 4, false, 100);
        segment(DATABASE, 5, false, 0);
        SegmentInventory inv = SegmentInventory.take(files(), listed(1), Set.of());
        assertThatThrownBy(() -> inv.requireWhole(files())).isInstanceOfSatisfying(CorruptionException.class, e -> {
            assertThat(e).isNotInstanceOf(MissingSegmentException.class);
            assertThat(e.file()).isEqualTo(files().dataPath(4));
            assertThat(e.offset()).isZero();
            assertThat(e.problem()).contains("not listed in the MANIFEST").contains("ferrumdb repair");
        });
    }

    @Test
    void aSealedSegmentIsComparedWithWhatTheManifestRecordedAtItsSeal() throws Exception {
        Segment s = segment(DATABASE, 1, false, 1000);
        long sealedLength = SegmentHeader.SIZE + 1000;
        Listed atSeal = new Listed(1, sealedLength, s.header().checksum());
        SegmentFiles f = files();

        SegmentInventory sealed = new SegmentInventory(List.of(1), List.of(), List.of(), List.of(), true,
                Map.of(1, atSeal));
        assertThat(sealed.changedSinceSealed(open(f, 1))).as("as sealed").isNull();

        SegmentInventory unsealed = new SegmentInventory(List.of(1), List.of(), List.of(), List.of(), true,
                Map.of(1, Listed.unsealed(1)));
        s.file().truncate(SegmentHeader.SIZE + 10);
        assertThat(unsealed.changedSinceSealed(open(f, 1))).as("no seal recorded: the writer's segment").isNull();

        DroppedRange cut = sealed.changedSinceSealed(open(f, 1));
        assertThat(cut.kind()).isEqualTo(DroppedRange.Kind.DAMAGED_SEGMENT);
        assertThat(cut.offset()).isEqualTo(SegmentHeader.SIZE + 10);
        assertThat(cut.length()).isEqualTo(1000 - 10);
        assertThat(cut.reason()).contains("cut short after it was sealed").contains("are lost");

        s.file().write(SegmentHeader.SIZE + 10, ByteBuffer.wrap(new byte[1000 - 10 + 7]));
        DroppedRange grown = sealed.changedSinceSealed(open(f, 1));
        assertThat(grown.offset()).isEqualTo(sealedLength);
        assertThat(grown.length()).isEqualTo(7);
        assertThat(grown.reason()).contains("were added after it was sealed");

        s.file().truncate(sealedLength);
        SegmentInventory otherHeader = new SegmentInventory(List.of(1), List.of(), List.of(), List.of(), true,
                Map.of(1, new Listed(1, sealedLength, s.header().checksum() ^ 1)));
        DroppedRange replaced = otherHeader.changedSinceSealed(open(f, 1));
        assertThat(replaced.offset()).isZero();
        assertThat(replaced.length()).isEqualTo(SegmentHeader.SIZE);
        assertThat(replaced.reason()).contains("another file was put in its place");
    }

    private Segment open(SegmentFiles f, int id) throws Exception {
        Segment s = f.open(id, false);
        opened.add(s);
        return s;
    }
}
