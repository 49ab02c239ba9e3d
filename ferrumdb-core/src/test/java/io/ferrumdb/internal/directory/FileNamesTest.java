package io.ferrumdb.internal.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Segment and hint names: ten zero-padded digits, as {@code %010d} wrote them before (FORMAT.md, "Files"). */
class FileNamesTest {
    @ParameterizedTest
    @ValueSource(longs = {0, 1, 9, 10, 42, 123_456_789, 999_999_999, 1_000_000_000, 9_999_999_999L,
            12_345_678_901L, Long.MAX_VALUE})
    void namesAreTheIdInTenZeroPaddedDigits(long id) {
        assertThat(FileNames.segment(id)).isEqualTo(String.format("%010d.seg", id));
        assertThat(FileNames.hint(id)).isEqualTo(String.format("%010d.hint", id));
    }

    /** Repair's folder for damaged files: the name README and earlier releases give, in UTC to the millisecond. */
    @Test
    void theDamagedFolderIsNamedByTheUtcTime() {
        Instant at = Instant.parse("2026-12-08T01:02:03.456Z");
        assertThat(FileNames.damagedFolder(at, 1)).isEqualTo("damaged-20261208T010203.456Z");
        assertThat(FileNames.damagedFolder(at, 2)).isEqualTo("damaged-20261208T010203.456Z-2");
    }
}
