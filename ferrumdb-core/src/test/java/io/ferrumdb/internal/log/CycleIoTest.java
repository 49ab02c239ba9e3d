package io.ferrumdb.internal.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.log.CycleIo.Cycle;
import io.ferrumdb.internal.log.CycleIo.Sealing;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cycle's file work and its outcome ({@link CycleIo#runAndSeal}): under {@code always()} the cycle seals the
 * segments it rolled and a failing seal comes back as a seal failure after the records were fsynced (the fsynced
 * sequence moved); under the other policies the seal is not the cycle's; a failure of the records themselves comes
 * back as the cycle's failure, and nothing counts as fsynced.
 */
class CycleIoTest {
    @TempDir
    Path dir;

    private static Cycle cycle(List<Sealing> sealing, Segment current, long upTo) {
        return new Cycle(List.of(), sealing, List.of(), current, upTo, DurablePositions.of(current, 0), true);
    }

    @Test
    void underAlwaysTheCycleSealsAndASealFailureComesAfterTheRecordsAreDurable() throws Exception {
        List<Segment> sealed = new ArrayList<>();
        IOException hintFailure = new IOException("hint write failed");
        try (TestLog log = new TestLog(dir, FileIO.nio(), FsyncPolicy.never(), 1 << 20, (s, h) -> { })) {
            Segment rolled = log.set.createActive();
            Segment current = log.set.createActive();
            CycleIo io = new CycleIo((s, h) -> {
                sealed.add(s);
                throw hintFailure;
            }, true, 1 << 20, 5);
            assertThat(io.syncedSequence()).as("what the log held at open").isEqualTo(5);

            CycleIo.Outcome outcome = io.runAndSeal(cycle(List.of(new Sealing(rolled, new HintFile.Builder())),
                    current, 9), new DurablePositions(), false);
            assertThat(outcome.failed()).isNull();
            assertThat(outcome.sealFailed()).isSameAs(hintFailure);
            assertThat(sealed).containsExactly(rolled);
            assertThat(io.syncedSequence()).as("fsynced before the seal failed").isEqualTo(9);
        }
    }

    @Test
    void underTheOtherPoliciesTheSealIsNotTheCycles() throws Exception {
        List<Segment> sealed = new ArrayList<>();
        try (TestLog log = new TestLog(dir, FileIO.nio(), FsyncPolicy.never(), 1 << 20, (s, h) -> { })) {
            Segment rolled = log.set.createActive();
            Segment current = log.set.createActive();
            CycleIo io = new CycleIo((s, h) -> sealed.add(s), false, 1 << 20, 0);
            Cycle c = cycle(List.of(new Sealing(rolled, new HintFile.Builder())), current, 3);
            CycleIo.Outcome outcome = io.runAndSeal(c, new DurablePositions(), false);
            assertThat(outcome.failed()).isNull();
            assertThat(outcome.sealFailed()).isNull();
            assertThat(sealed).as("the acknowledger seals them").isEmpty();
            assertThat(io.toSeal(c)).extracting(Sealing::segment).containsExactly(rolled);
            assertThat(io.syncedSequence()).isEqualTo(3);
        }
    }

    @Test
    void aFailureOfTheRecordsIsTheCyclesAndNothingCountsAsFsynced() throws Exception {
        List<Segment> sealed = new ArrayList<>();
        try (TestLog log = new TestLog(dir, FileIO.nio(), FsyncPolicy.never(), 1 << 20, (s, h) -> { })) {
            Segment rolled = log.set.createActive();
            Segment current = log.set.createActive();
            rolled.file().close(); // its final fsync fails
            CycleIo io = new CycleIo((s, h) -> sealed.add(s), true, 1 << 20, 5);
            CycleIo.Outcome outcome = io.runAndSeal(cycle(List.of(new Sealing(rolled, new HintFile.Builder())),
                    current, 9), new DurablePositions(), false);
            assertThat(outcome.failed()).isNotNull();
            assertThat(outcome.sealFailed()).isNull();
            assertThat(outcome.traceRow()).isEqualTo(-1);
            assertThat(sealed).as("no seal after a failed cycle").isEmpty();
            assertThat(io.syncedSequence()).isEqualTo(5);
        }
    }
}
