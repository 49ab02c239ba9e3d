package io.ferrumdb.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.FormatVersionException;
import io.ferrumdb.internal.format.Bytes;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@code KEY} file alone (FORMAT.md, "KEY file"): what {@link KeyFile#encode} writes decodes to the same keys,
 * and every damage is refused by {@link KeyFile#decode} with a typed error naming the file and the offset, the
 * checksum checked before the version.
 */
class KeyFileTest {
    private static final Path FILE = Path.of("db", "KEY");

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed * 31 + i);
        }
        return b;
    }

    private static KeyFile.Entry entry(long firstSegment, int seed) {
        return new KeyFile.Entry(firstSegment, bytes(Gcm.NONCE_BYTES, seed), bytes(Gcm.KEY_BYTES + Gcm.TAG_BYTES, seed));
    }

    private static KeyFile passphraseFile(KeyFile.Entry... entries) {
        return new KeyFile(KeyFile.KDF_ARGON2ID, 19 * 1024, 2, 1, bytes(16, 1), bytes(16, 2), bytes(16, 3),
                List.of(entries));
    }

    private static KeyFile rawKeyFile() {
        return new KeyFile(KeyFile.KDF_RAW, 0, 0, 0, bytes(16, 4), bytes(16, 5), bytes(16, 6), List.of(entry(0, 7)));
    }

    /** Rewrites the trailing CRC32C, as a writer of such a (valid-looking) file would. */
    private static void reseal(byte[] b) {
        Bytes.putI32(b, b.length - 4, Bytes.crc32c(b, 0, b.length - 4));
    }

    @Test
    void whatIsEncodedDecodesToTheSameFields() {
        for (KeyFile k : List.of(rawKeyFile(), passphraseFile(entry(0, 8)),
                passphraseFile(entry(0, 8), entry(5, 9), entry(Long.MAX_VALUE, 10)))) {
            byte[] b = k.encode();
            assertThat(b).hasSize(KeyFile.size(k.entries().size()));
            KeyFile back = KeyFile.decode(b, FILE);
            assertThat(back.kdf()).isEqualTo(k.kdf());
            assertThat(List.of(back.memoryKiB(), back.iterations(), back.parallelism()))
                    .isEqualTo(List.of(k.memoryKiB(), k.iterations(), k.parallelism()));
            assertThat(back.salt()).isEqualTo(k.salt());
            assertThat(back.databaseId()).isEqualTo(k.databaseId());
            assertThat(back.keyCheck()).isEqualTo(k.keyCheck());
            assertThat(back.entries()).hasSameSizeAs(k.entries());
            for (int i = 0; i < k.entries().size(); i++) {
                assertThat(back.entries().get(i).firstSegment()).isEqualTo(k.entries().get(i).firstSegment());
                assertThat(back.entries().get(i).nonce()).isEqualTo(k.entries().get(i).nonce());
                assertThat(back.entries().get(i).wrapped()).isEqualTo(k.entries().get(i).wrapped());
            }
            assertThat(back.encode()).isEqualTo(b);
        }
    }

    @Test
    void theAssociatedDataCoversTheHeaderAndTheEntrysFirstSegment() {
        KeyFile k = passphraseFile(entry(0, 8), entry(5, 9));
        byte[] aad = k.associatedData(5);
        assertThat(Arrays.copyOf(aad, KeyFile.HEADER_SIZE)).isEqualTo(Arrays.copyOf(k.encode(), KeyFile.HEADER_SIZE));
        assertThat(Bytes.i64(aad, KeyFile.HEADER_SIZE)).isEqualTo(5);
        assertThat(k.associatedData(0)).isNotEqualTo(aad);
    }

    @Test
    void everyFlippedByteIsCorruptionNeverANewerVersion() {
        byte[] good = passphraseFile(entry(0, 8), entry(3, 9)).encode();
        for (int i = 0; i < good.length; i++) {
            byte[] b = good.clone();
            b[i] ^= 0x40;
            int at = i;
            assertThatThrownBy(() -> KeyFile.decode(b, FILE)).as("byte %d flipped", at)
                    .isInstanceOf(CorruptionException.class).hasMessageContaining(FILE.toString());
        }
    }

    /** Changes made to a valid two-key file and resealed, so that only the named check can refuse them. */
    static Stream<Arguments> sealedDamage() {
        return Stream.of(
                Arguments.of("zero data keys", (Consumer<byte[]>) b -> b[11] = 0, 11L, "does not hold 0 data key"),
                Arguments.of("more keys than the file holds", (Consumer<byte[]>) b -> b[11] = 3, 11L,
                        "does not hold 3 data key"),
                Arguments.of("more than 16 keys", (Consumer<byte[]>) b -> b[11] = 17, 11L, "does not hold 17"),
                Arguments.of("an unknown KDF", (Consumer<byte[]>) b -> b[10] = 3, 10L, "unknown KDF 3"),
                Arguments.of("Argon2id memory below 19 MiB", (Consumer<byte[]>) b -> Bytes.putI32(b, 12, 1024), 12L,
                        "Argon2id parameters out of bounds"),
                Arguments.of("Argon2id memory above 1 GiB", (Consumer<byte[]>) b -> Bytes.putI32(b, 12, 2 << 20),
                        12L, "Argon2id parameters out of bounds"),
                Arguments.of("one Argon2id iteration", (Consumer<byte[]>) b -> Bytes.putI32(b, 16, 1), 12L,
                        "iterations 1"),
                Arguments.of("65 Argon2id iterations", (Consumer<byte[]>) b -> Bytes.putI32(b, 16, 65), 12L,
                        "iterations 65"),
                Arguments.of("no Argon2id parallelism", (Consumer<byte[]>) b -> Bytes.putI32(b, 20, 0), 12L,
                        "parallelism 0"),
                Arguments.of("a raw key with KDF parameters", (Consumer<byte[]>) b -> b[10] = KeyFile.KDF_RAW, 12L,
                        "raw key carries KDF parameters"),
                Arguments.of("a first key not from segment 0", (Consumer<byte[]>) b -> Bytes.putI64(b, 72, 1), 72L,
                        "data key 0 starts at segment 1, not 0"),
                Arguments.of("keys out of order", (Consumer<byte[]>) b -> Bytes.putI64(b, 72 + KeyFile.ENTRY_SIZE, 0),
                        (long) (72 + KeyFile.ENTRY_SIZE), "data key 1 starts at segment 0, not after 0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sealedDamage")
    void aResealedFileWithBadFieldsIsCorruptionNamingTheOffset(String name, Consumer<byte[]> change, long offset,
                                                               String message) {
        byte[] b = passphraseFile(entry(0, 8), entry(3, 9)).encode();
        change.accept(b);
        reseal(b);
        assertThatThrownBy(() -> KeyFile.decode(b, FILE)).isInstanceOf(CorruptionException.class)
                .hasMessageContaining(FILE.toString()).hasMessageContaining(message)
                .satisfies(e -> assertThat(((CorruptionException) e).offset()).isEqualTo(offset));
    }

    @Test
    void anIntactFileOfAnotherVersionIsAVersionErrorAndVersionZeroIsToo() {
        for (int version : new int[] {0, 2, 0xFFFF}) {
            byte[] b = rawKeyFile().encode();
            Bytes.putU16(b, 8, version);
            reseal(b);
            assertThatThrownBy(() -> KeyFile.decode(b, FILE)).as("version %d", version)
                    .isInstanceOf(FormatVersionException.class).hasMessageContaining(FILE.toString())
                    .hasMessageContaining(String.valueOf(version));
        }
    }

    @Test
    void aShortOrEmptyFileIsCorruptionAtOffsetZero() {
        byte[] good = rawKeyFile().encode();
        for (int length : new int[] {0, 10, good.length - 1}) {
            byte[] b = Arrays.copyOf(good, length);
            assertThatThrownBy(() -> KeyFile.decode(b, FILE)).as("%d bytes", length)
                    .isInstanceOf(CorruptionException.class).hasMessageContaining("only " + length + " bytes")
                    .satisfies(e -> assertThat(((CorruptionException) e).offset()).isZero());
        }
    }

    @Test
    void anotherKindOfFileIsRefusedByItsMagic() {
        byte[] b = rawKeyFile().encode();
        b[3] = 'X';
        reseal(b);
        assertThatThrownBy(() -> KeyFile.decode(b, FILE)).isInstanceOf(CorruptionException.class)
                .hasMessageContaining("bad magic");
    }
}
