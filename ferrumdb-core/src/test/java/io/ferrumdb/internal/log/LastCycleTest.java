package io.ferrumdb.internal.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * {@link WriteFailure}'s last cycle after a failure that left the files sound (a segment that could not be created):
 * due once, only for acknowledged records, never after another failure, and its own failure (or the one that
 * cancelled it) reported by close although the first failure was told.
 */
class LastCycleTest {
    private final WriteFailure stopped = new WriteFailure();
    private final IOException create = new IOException("could not create 0000000004.seg");

    @Test
    void aSoundFailureGetsOneLastCycleAndItsSuccessLosesNothing() {
        stopped.setLeavingFilesSound(create, true);
        stopped.set(create); // again, as the writer's failLocked records it
        stopped.exception(true); // the put that met it was told
        assertThat(stopped.takeDrain(true)).isTrue();
        assertThat(stopped.takeDrain(true)).as("once").isFalse();
        stopped.cycleEnded(null);
        assertThat(stopped.drained()).isTrue();
        assertThat(stopped.takeUntold()).isNull();
    }

    @Test
    void withNothingToWriteEveryAcknowledgedWriteIsDurableAlready() {
        stopped.setLeavingFilesSound(create, true);
        assertThat(stopped.takeDrain(false)).isFalse();
        assertThat(stopped.drained()).isTrue();
    }

    @Test
    void theLastCyclesFailureIsReportedByCloseThoughTheFirstWasTold() {
        stopped.setLeavingFilesSound(create, true);
        stopped.exception(true);
        assertThat(stopped.takeDrain(true)).isTrue();
        IOException full = new IOException("No space left on device");
        stopped.set(full);
        stopped.cycleEnded(full);
        assertThat(stopped.drained()).isFalse();
        assertThat(stopped.takeUntold()).isSameAs(full);
        assertThat(stopped.takeUntold()).isNull();
    }

    @Test
    void aLaterFailureCancelsTheLastCycleAndIsReported() {
        stopped.setLeavingFilesSound(create, true);
        stopped.exception(true);
        IOException fsync = new IOException("fsync failed");
        stopped.set(fsync); // the cycle running when the creation failed: never retried
        assertThat(stopped.takeDrain(true)).isFalse();
        assertThat(stopped.drained()).isFalse();
        assertThat(stopped.takeUntold()).isSameAs(fsync);
    }

    @Test
    void noLastCycleUnderAlwaysOrAfterAnotherFailure() {
        stopped.setLeavingFilesSound(create, false); // always(): nothing pending was acknowledged
        assertThat(stopped.takeDrain(true)).isFalse();

        WriteFailure other = new WriteFailure();
        other.set(new IOException("fsync failed"));
        other.setLeavingFilesSound(create, true);
        assertThat(other.takeDrain(true)).isFalse();
        assertThat(other.cause()).hasMessage("fsync failed");
    }
}
