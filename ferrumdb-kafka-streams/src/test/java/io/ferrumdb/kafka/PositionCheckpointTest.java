package io.ferrumdb.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.query.Position;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The interactive-query position follows the records written through the DSL and is checkpointed on commit. */
class PositionCheckpointTest {
    @TempDir(factory = MemoryTempDirFactory.class)
    Path stateDir;

    @Test
    void positionIsTrackedThroughTheDslAndCheckpointedOnCommit() throws IOException {
        try (TopologyTestDriver driver = driver()) {
            TestInputTopic<String, String> in = driver.createInputTopic("in",
                    Serdes.String().serializer(), Serdes.String().serializer());
            for (int i = 0; i < 5; i++) {
                in.pipeInput("k" + i, "v" + i);
            }
            assertThat(driver.getTimestampedKeyValueStore("t").getPosition())
                    .isEqualTo(Position.fromMap(Map.of("in", Map.of(0, 4L))));
            // The driver commits after every record; the commit callback writes Kafka's offset-checkpoint format.
            Path checkpoint = stateDir.resolve("position").resolve("0_0").resolve("ferrumdb").resolve("t.position");
            assertThat(Files.readAllLines(checkpoint)).contains("in 0 4");
        }
    }

    private TopologyTestDriver driver() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.table("in", Consumed.with(Serdes.String(), Serdes.String()),
                Materialized.<String, String>as(FerrumStores.persistentKeyValueStore("t"))
                        .withKeySerde(Serdes.String()).withValueSerde(Serdes.String()));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "position");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        return new TopologyTestDriver(builder.build(), props);
    }
}
