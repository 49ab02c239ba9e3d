package io.ferrumdb.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FaultFileIO;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Simulated power loss under the state store, through the core's fault-injecting file system (its test-jar), with
 * the store's default {@code fsync never()}: Kafka Streams flushes the store before it checkpoints a changelog
 * offset, and TopologyTestDriver commits after every record, so every record whose {@code pipeInput} returned
 * must be in the store after power is lost at a random I/O call and the application restarts on the same state
 * directory; the record in flight may or may not be.
 */
class PowerLossTest {
    @TempDir(factory = MemoryTempDirFactory.class)
    Path stateDir;

    @Test
    void everyCommittedRecordSurvivesPowerLoss() {
        long base = Long.getLong("ferrumdb.seed", System.nanoTime());
        int checked = 0;
        for (int i = 0; i < 3; i++) {
            checked += runSeed(base + i);
        }
        assertThat(checked).as("records checked after a power loss").isPositive();
    }

    private int runSeed(long seed) {
        String where = "seed " + seed + " (-Dferrumdb.seed=" + seed + ")";
        Random r = new Random(seed);
        FaultFileIO io = new FaultFileIO(seed).tail(FaultFileIO.Tail.values()[r.nextInt(3)]);
        String app = "powerloss-" + Long.toHexString(seed);
        Map<String, String> committed = new HashMap<>();
        KeyValue<String, String> inFlight = null;
        TopologyTestDriver driver = driver(app, io);
        io.crashOn(FaultFileIO.Op.FORCE, 1 + r.nextInt(40));
        try {
            TestInputTopic<String, String> in = driver.createInputTopic("in",
                    Serdes.String().serializer(), Serdes.String().serializer());
            for (int n = 0; n < 200 && io.crashes() == 0; n++) {
                inFlight = KeyValue.pair("k" + r.nextInt(30), "v" + n);
                in.pipeInput(inFlight.key, inFlight.value);
                committed.put(inFlight.key, inFlight.value);
                inFlight = null;
            }
        } catch (RuntimeException e) {
            assertThat(io.crashes()).as("%s: processing failed without a power loss: %s", where, e).isPositive();
        }
        io.disarm();
        if (io.crashes() == 0) {
            io.crash();
        }
        try {
            driver.close();
        } catch (RuntimeException expected) {
            // The store lost power under its feet; what was committed before is checked after the restart.
        }
        try (TopologyTestDriver restarted = driver(app, io)) {
            KeyValueStore<String, String> store = restarted.getKeyValueStore("t");
            Map<String, String> actual = new HashMap<>();
            try (KeyValueIterator<String, String> it = store.all()) {
                it.forEachRemaining(kv -> actual.put(kv.key, kv.value));
            }
            Map<String, String> withInFlight = new HashMap<>(committed);
            if (inFlight != null) {
                withInFlight.put(inFlight.key, inFlight.value);
            }
            assertThat(actual).as("%s: the store after power loss", where)
                    .satisfiesAnyOf(a -> assertThat(a).isEqualTo(committed),
                            a -> assertThat(a).isEqualTo(withInFlight));
            return actual.size();
        }
    }

    private TopologyTestDriver driver(String app, FaultFileIO io) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.table("in", Consumed.with(Serdes.String(), Serdes.String()),
                Materialized.<String, String>as(FerrumStores.persistentKeyValueStore("t",
                                io.forOneOpen(FerrumStores.defaultOptions())))
                        .withKeySerde(Serdes.String()).withValueSerde(Serdes.String()));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, app);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        return new TopologyTestDriver(builder.build(), props);
    }
}
