package io.ferrumdb.internal.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/**
 * The acknowledger's start and its question whether it started require the writer's lock (the writer starts it
 * with the flusher at its first work, and its close asks under the lock whether to wait for them): asserted.
 */
class AcknowledgerLockTest {
    private final ReentrantLock writerLock = new ReentrantLock();
    private final CycleIo io = new CycleIo((segment, hint) -> { }, true, 1 << 20, 0);
    private final Acknowledger acknowledger = new Acknowledger(() -> { }, io, (e, held) -> { }, writerLock);

    @Test
    void startingAndAskingRequireTheWritersLock() throws Exception {
        Thread flusher = new Thread(() -> { });
        assertThatThrownBy(acknowledger::started).isInstanceOf(AssertionError.class)
                .hasMessageContaining("writer's lock");
        assertThatThrownBy(() -> acknowledger.startWith(flusher)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("writer's lock");
        writerLock.lock();
        try {
            assertThat(acknowledger.started()).isFalse();
            acknowledger.startWith(flusher);
            assertThat(acknowledger.started()).isTrue();
        } finally {
            writerLock.unlock();
        }
        acknowledger.finish();
        acknowledger.thread().join(30_000);
        flusher.join(30_000);
        assertThat(acknowledger.thread().isAlive()).isFalse();
    }
}
