package io.ferrumdb.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FaultFileIO;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.FerrumException;
import io.ferrumdb.Options;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Simulated power loss under agent memory, through the core's fault-injecting file system: memories are
 * remembered and forgotten until power is lost at a random I/O call; after reopen the memories are exactly the
 * acknowledged ones (plus or minus the one operation in flight, as a whole), recall finds each by its unique term,
 * and the index agrees with the memories posting by posting.
 */
class PowerLossTest {
    private static final boolean SOAK = Boolean.getBoolean("ferrumdb.soak");

    @TempDir
    Path tmp;

    @Test
    void acknowledgedMemoriesAndTheirIndexSurvivePowerLoss() {
        long base = Long.getLong("ferrumdb.seed", System.nanoTime());
        int checked = 0;
        for (int i = 0; i < (SOAK ? 200 : 8); i++) {
            checked += runSeed(base + i);
        }
        assertThat(checked).as("memories that survived a power loss and were checked").isPositive();
    }

    private int runSeed(long seed) {
        String where = "seed " + seed + " (-Dferrumdb.seed=" + seed + ")";
        Random r = new Random(seed);
        FaultFileIO io = new FaultFileIO(seed).tail(FaultFileIO.Tail.values()[r.nextInt(3)]);
        Path dir = tmp.resolve("s" + seed);
        Options options = Options.builder().segmentSize(4096).build();
        Map<String, String> acknowledged = new HashMap<>(); // id -> text
        int checked = 0;
        int counter = 0;
        for (int round = 0; round < 3; round++) {
            String rememberInFlight = null;
            String forgetInFlight = null;
            int crashesBefore = io.crashes();
            FerrumDB db = FerrumDB.open(dir, io.forOneOpen(options));
            try {
                AgentMemory memory = AgentMemory.on(db);
                FaultFileIO.Op op = FaultFileIO.Op.values()[r.nextInt(FaultFileIO.Op.values().length)];
                io.crashOn(op, 1 + r.nextInt(op == FaultFileIO.Op.WRITE || op == FaultFileIO.Op.FORCE ? 80 : 4));
                for (int n = 0; n < 200 && io.crashes() == crashesBefore; n++) {
                    if (!acknowledged.isEmpty() && r.nextInt(5) == 0) {
                        forgetInFlight = List.copyOf(acknowledged.keySet()).get(r.nextInt(acknowledged.size()));
                        memory.forget(ForgetRequest.byId(null, forgetInFlight));
                        acknowledged.remove(forgetInFlight);
                        forgetInFlight = null;
                    } else {
                        rememberInFlight = "unique" + counter++ + " shared words tag";
                        Remembered done = memory.remember(new MemoryInput(null, rememberInFlight,
                                List.of("t" + r.nextInt(3)), null, null, null));
                        acknowledged.put(done.id(), rememberInFlight);
                        rememberInFlight = null;
                    }
                }
            } catch (FerrumException e) {
                assertThat(io.crashes()).as("%s: a write failed without a power loss: %s", where, e)
                        .isGreaterThan(crashesBefore);
            }
            io.disarm();
            if (io.crashes() == crashesBefore) {
                io.crash();
            }
            try {
                db.close();
            } catch (FerrumException expected) {
                // Power was lost under the database; what it acknowledged is checked after reopen.
            }
            try (FerrumDB reopened = FerrumDB.open(dir, io.forOneOpen(options))) {
                AgentMemory memory = AgentMemory.on(reopened);
                Map<String, String> actual = new HashMap<>();
                for (String id : memory.ids(null)) {
                    actual.put(id, memory.get(null, id).orElseThrow().text());
                }
                Set<String> texts = Set.copyOf(actual.values());
                Set<String> ackTexts = Set.copyOf(acknowledged.values());
                String extra = rememberInFlight;
                String gone = forgetInFlight == null ? null : acknowledged.get(forgetInFlight);
                assertThat(texts).as("%s round %d: memories after power loss", where, round).satisfiesAnyOf(
                        t -> assertThat(t).isEqualTo(ackTexts),
                        t -> assertThat(extra).isNotNull().satisfies(x -> assertThat(t).isEqualTo(
                                union(ackTexts, x))),
                        t -> assertThat(gone).isNotNull().satisfies(g -> assertThat(t).isEqualTo(
                                ackTexts.stream().filter(a -> !a.equals(g)).collect(Collectors.toSet()))));
                IndexConsistency.checkWithStatistics(reopened, MemoryLimits.DEFAULT_NAMESPACE);
                for (Map.Entry<String, String> m : actual.entrySet()) {
                    String term = m.getValue().split(" ")[0];
                    assertThat(memory.recall(RecallQuery.of(term))).as("%s: recall of %s", where, term)
                            .first().satisfies(found -> assertThat(found.memory().id()).isEqualTo(m.getKey()));
                }
                acknowledged.clear();
                acknowledged.putAll(actual);
                checked += actual.size();
            }
        }
        return checked;
    }

    private static Set<String> union(Set<String> set, String extra) {
        Set<String> out = new java.util.HashSet<>(set);
        out.add(extra);
        return out;
    }
}
