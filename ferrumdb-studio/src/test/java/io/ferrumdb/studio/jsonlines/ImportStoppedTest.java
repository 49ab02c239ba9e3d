package io.ferrumdb.studio.jsonlines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ferrumdb.FaultFileIO;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import io.ferrumdb.WriteFault;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An import whose database fails half way (an injected write or fsync failure, a full disk): the error says how
 * many records were imported, and after a reopen the database holds exactly those, or those and the whole batch
 * that was being written (a write that threw landed whole or not at all).
 */
class ImportStoppedTest {
    private static final int RECORDS = 5000;
    private static final int BATCH = 1000;

    @TempDir
    Path dir;

    private static byte[] dump() {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < RECORDS; i++) {
            lines.append(String.format("{\"key\":\"key-%05d\",\"value\":\"value-%d\"}%n", i, i));
        }
        return lines.toString().getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(WriteFault.class)
    void aFailingDatabaseStopsTheImportWithTheCountOfRecordsThatLanded(WriteFault fault) {
        FaultFileIO io = new FaultFileIO(fault.ordinal());
        Options options = Options.builder().fsyncPolicy(FsyncPolicy.always()).autoCompaction(false).build();
        JsonLinesImportStoppedException stopped;
        try (FerrumDB db = FerrumDB.open(dir, io.forOneOpen(options))) {
            int[] batches = {0};
            // Two batches land, then the fault strikes the third.
            stopped = catchThrowableOfType(() -> JsonLinesImport.read(db, new ByteArrayInputStream(dump()), 0,
                    offset -> {
                        if (++batches[0] == 2) {
                            fault.armNext(io);
                        }
                    }), JsonLinesImportStoppedException.class);
            WriteFault.heal(io);
        }
        assertThat(stopped).as("the import stopped with a count").isNotNull();
        assertThat(stopped.imported()).isEqualTo(2 * BATCH);
        assertThat(stopped.getMessage()).contains("after " + stopped.imported() + " record(s) were imported")
                .contains(fault.words());
        try (FerrumDB reopened = FerrumDB.open(dir, options)) {
            long held = reopened.size();
            assertThat(held).as("held after reopen, %s said", stopped.imported())
                    .isIn(stopped.imported(), stopped.imported() + BATCH);
            for (int i = 0; i < held; i++) {
                assertThat(reopened.get(String.format("key-%05d", i).getBytes(StandardCharsets.UTF_8)))
                        .isEqualTo(("value-" + i).getBytes(StandardCharsets.UTF_8));
            }
        }
    }
}
