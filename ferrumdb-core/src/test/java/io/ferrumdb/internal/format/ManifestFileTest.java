package io.ferrumdb.internal.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.FormatVersionException;
import io.ferrumdb.internal.format.ManifestFile.Listed;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The MANIFEST file alone, and through it the prologue rule of {@link Magic}: checksum first, then version. */
class ManifestFileTest {
    private static final Path FILE = Path.of("db", "MANIFEST");
    private static final byte[] DB_ID = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] OTHER_ID = "fedcba9876543210".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** The segments {@code ids}, none sealed yet. */
    private static List<Listed> ids(Integer... ids) {
        List<Listed> out = new ArrayList<>();
        for (int id : ids) {
            out.add(Listed.unsealed(id));
        }
        return out;
    }

    /** Rewrites the trailing CRC32C, as a writer of a (hypothetical) valid file would. */
    private static void reseal(byte[] b) {
        Bytes.putI32(b, b.length - 4, Bytes.crc32c(b, 0, b.length - 4));
    }

    @Test
    void roundTripsTheSegmentNumbersAndTheirSeals() {
        List<Listed> mixed = List.of(new Listed(1, 4096, 0x89abcdef), Listed.unsealed(2),
                new Listed(7, SegmentHeader.SIZE, -1), Listed.unsealed(Integer.MAX_VALUE));
        for (List<Listed> list : List.of(ids(), ids(1), ids(1, 2, 7, Integer.MAX_VALUE), mixed)) {
            byte[] b = ManifestFile.encode(DB_ID, list);
            assertThat(b).hasSize(32 + 20 * list.size() + 4);
            assertThat(Bytes.u16(b, 8)).isEqualTo(3);
            assertThat(ManifestFile.decode(b, FILE, DB_ID).values()).containsExactlyElementsOf(list);
        }
    }

    /** Version 2 (database format 2 before seals were recorded), byte by byte as FORMAT.md gives it. */
    @Test
    void aVersionTwoFileListsItsSegmentsAsNotSealed() {
        byte[] b = new byte[32 + 8 * 2 + 4];
        System.arraycopy("FDBMAN01".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, b, 0, 8);
        Bytes.putU16(b, 8, 2);
        Bytes.putI32(b, 12, 2);
        System.arraycopy(DB_ID, 0, b, 16, 16);
        Bytes.putI64(b, 32, 3);
        Bytes.putI64(b, 40, 9);
        reseal(b);
        assertThat(ManifestFile.decode(b, FILE, DB_ID).values()).containsExactly(Listed.unsealed(3),
                Listed.unsealed(9));
    }

    @Test
    void aSealedLengthShorterThanAHeaderIsCorruption() {
        byte[] b = ManifestFile.encode(DB_ID, List.of(new Listed(4, 100, 1)));
        Bytes.putI64(b, 40, SegmentHeader.SIZE - 1);
        reseal(b);
        assertThatThrownBy(() -> ManifestFile.decode(b, FILE, DB_ID))
                .isInstanceOf(CorruptionException.class).hasMessageContaining("sealed length 63")
                .satisfies(e -> assertThat(((CorruptionException) e).offset()).isEqualTo(40));
    }

    @Test
    void everyFlippedByteIsCorruptionNamingTheFile() {
        byte[] good = ManifestFile.encode(DB_ID, ids(3, 4, 9));
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x10;
            // A flipped version byte is damage too: the checksum is checked before the version.
            assertThatThrownBy(() -> ManifestFile.decode(bad, FILE, DB_ID)).as("byte %d", i)
                    .isInstanceOf(CorruptionException.class)
                    .satisfies(e -> assertThat(((CorruptionException) e).file()).isEqualTo(FILE));
        }
    }

    @Test
    void truncatedFilesAreCorruption() {
        byte[] good = ManifestFile.encode(DB_ID, ids(1, 2));
        for (int length = 0; length < good.length; length++) {
            byte[] cut = java.util.Arrays.copyOf(good, length);
            assertThatThrownBy(() -> ManifestFile.decode(cut, FILE, DB_ID)).as("length %d", length)
                    .isInstanceOf(CorruptionException.class);
        }
    }

    @Test
    void anotherDatabasesManifestIsRefused() {
        byte[] theirs = ManifestFile.encode(OTHER_ID, ids(1));
        assertThatThrownBy(() -> ManifestFile.decode(theirs, FILE, DB_ID))
                .isInstanceOf(CorruptionException.class).hasMessageContaining("another database");
    }

    @Test
    void anIntactFileOfANewerVersionIsAVersionErrorNotCorruption() {
        byte[] newer = ManifestFile.encode(DB_ID, ids(1));
        Bytes.putU16(newer, 8, Magic.MANIFEST.version() + 1);
        reseal(newer);
        assertThatThrownBy(() -> ManifestFile.decode(newer, FILE, DB_ID))
                .isInstanceOf(FormatVersionException.class)
                .satisfies(e -> assertThat(((FormatVersionException) e).foundVersion())
                        .isEqualTo(Magic.MANIFEST.version() + 1));
    }

    @Test
    void unorderedOrOversizedSegmentNumbersAreCorruption() {
        byte[] b = ManifestFile.encode(DB_ID, ids(5, 6));
        Bytes.putI64(b, 32, 6);
        reseal(b);
        assertThatThrownBy(() -> ManifestFile.decode(b, FILE, DB_ID))
                .isInstanceOf(CorruptionException.class).hasMessageContaining("unordered segment number 6");
        byte[] big = ManifestFile.encode(DB_ID, ids(5));
        Bytes.putI64(big, 32, Integer.MAX_VALUE + 1L);
        reseal(big);
        assertThatThrownBy(() -> ManifestFile.decode(big, FILE, DB_ID))
                .isInstanceOf(CorruptionException.class)
                .satisfies(e -> assertThat(((CorruptionException) e).offset()).isEqualTo(32));
    }

    @Test
    void aCountThatDoesNotFitTheFileIsCorruption() {
        byte[] b = ManifestFile.encode(DB_ID, ids(5, 6));
        Bytes.putI32(b, 12, 3);
        reseal(b);
        assertThatThrownBy(() -> ManifestFile.decode(b, FILE, DB_ID))
                .isInstanceOf(CorruptionException.class).hasMessageContaining("count 3");
    }
}
