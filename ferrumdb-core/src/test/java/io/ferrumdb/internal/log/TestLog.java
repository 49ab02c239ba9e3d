package io.ferrumdb.internal.log;

import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.internal.format.CipherSuite;
import io.ferrumdb.internal.io.FileIO;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A {@link LogWriter} alone over a real {@link SegmentSet} in a test's directory, for the writer's own tests (no key
 * directory: each test records what the writer applies). Closing closes the writer, then the set's files.
 */
final class TestLog implements AutoCloseable {
    final SegmentSet set;
    final LogWriter writer;

    TestLog(Path dir, FileIO io, FsyncPolicy policy, long segmentSize, LogWriter.SealListener sealer) {
        this(dir, io, policy, segmentSize, sealer, UnaryOperator.identity());
    }

    /** {@code factory} wraps the set's segment creation, for a test that holds or counts rolls. */
    TestLog(Path dir, FileIO io, FsyncPolicy policy, long segmentSize, LogWriter.SealListener sealer,
            UnaryOperator<LogWriter.SegmentFactory> factory) {
        SegmentFiles files = new SegmentFiles(io, dir, new byte[16], CipherSuite.PLAINTEXT);
        set = new SegmentSet(files, new SegmentManifest(files, List.of()));
        writer = new LogWriter(0, policy, segmentSize, factory.apply(set::createActive), sealer, () -> { });
    }

    @Override
    public void close() throws Exception {
        try {
            writer.close();
        } finally {
            set.closeAll();
        }
    }
}
