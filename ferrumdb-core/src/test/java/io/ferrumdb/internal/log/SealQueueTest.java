package io.ferrumdb.internal.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.log.CycleIo.Sealing;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer's queue of segments to seal ({@link SealQueue}): taken whole, in roll order, each with its own hint
 * entries; the active segment queued at close is sealed too but is not the last roll, which rollAndSync checks.
 */
class SealQueueTest {
    @TempDir
    Path dir;

    @Test
    void takesEverySegmentInRollOrderWithItsHintAndEmpties() throws Exception {
        try (TestLog log = new TestLog(dir, FileIO.nio(), FsyncPolicy.never(), 1 << 20, (s, h) -> { })) {
            Segment a = log.set.createActive();
            Segment b = log.set.createActive();
            Segment c = log.set.createActive();
            HintFile.Builder ha = new HintFile.Builder();
            HintFile.Builder hb = new HintFile.Builder();
            HintFile.Builder hc = new HintFile.Builder();
            SealQueue q = new SealQueue();
            assertThat(q.isEmpty()).isTrue();
            assertThat(q.lastRolled()).isNull();

            q.rolled(a, ha);
            q.rolled(b, hb);
            assertThat(q.lastRolled()).isSameAs(b);
            q.closing(c, hc);
            assertThat(q.lastRolled()).as("closing is no roll").isSameAs(b);
            assertThat(q.isEmpty()).isFalse();

            List<Sealing> taken = q.takeAll();
            assertThat(taken).extracting(Sealing::segment).containsExactly(a, b, c);
            assertThat(taken).extracting(Sealing::hint).containsExactly(ha, hb, hc);
            assertThat(q.isEmpty()).isTrue();
            assertThat(q.takeAll()).isEmpty();
            assertThat(q.lastRolled()).as("the last roll is kept after its seal was taken").isSameAs(b);
        }
    }
}
