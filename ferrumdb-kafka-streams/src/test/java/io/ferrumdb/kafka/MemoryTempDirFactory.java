package io.ferrumdb.kafka;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * Temporary directories on tmpfs (/dev/shm) when the machine has one. TopologyTestDriver commits after every
 * record, and each commit fsyncs Kafka's checkpoint files and flushes every store: on a shared disk that costs
 * minutes for a few thousand records while the tests are about results, not durability.
 */
final class MemoryTempDirFactory implements TempDirFactory {
    private static final Path SHM = Path.of("/dev/shm");

    @Override
    public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext extension) throws Exception {
        if (Files.isDirectory(SHM) && Files.isWritable(SHM)) {
            return Files.createTempDirectory(SHM, "ferrumdb-kafka-");
        }
        return Files.createTempDirectory("ferrumdb-kafka-");
    }
}
