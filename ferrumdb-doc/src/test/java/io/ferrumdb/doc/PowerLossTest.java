package io.ferrumdb.doc;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FaultFileIO;
import io.ferrumdb.FerrumException;
import io.ferrumdb.Options;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Simulated power loss under the document layer, through the core's fault-injecting file system (published in its
 * test-jar): documents with a secondary and a unique index are written and deleted until power is lost at a random
 * I/O call; after reopen every acknowledged document is there with its acknowledged content (the one write in
 * flight may or may not have landed, as a whole), and every index agrees with the documents entry by entry.
 */
class PowerLossTest {
    private static final boolean SOAK = Boolean.getBoolean("ferrumdb.soak");
    private static final String[] CITIES = {"Lima", "Oslo", "Pune", "Kyiv"};

    @TempDir
    Path tmp;

    @Test
    void acknowledgedDocumentsAndTheirIndexesSurvivePowerLoss() {
        long base = Long.getLong("ferrumdb.seed", System.nanoTime());
        int documentsChecked = 0;
        for (int i = 0; i < (SOAK ? 200 : 8); i++) {
            documentsChecked += runSeed(base + i);
        }
        assertThat(documentsChecked).as("documents that survived a power loss and were checked").isPositive();
    }

    /** One write: a document's new content, or null for a delete. */
    private record Write(String id, String json) {
    }

    /** Runs one seed; returns how many documents it checked after its power losses. */
    private int runSeed(long seed) {
        int checked = 0;
        String where = "seed " + seed + " (-Dferrumdb.seed=" + seed + ")";
        Random r = new Random(seed);
        FaultFileIO io = new FaultFileIO(seed).tail(FaultFileIO.Tail.values()[r.nextInt(3)]);
        Path dir = tmp.resolve("s" + seed);
        Options options = Options.builder().segmentSize(4096).build();
        Map<String, String> acknowledged = new HashMap<>();
        for (int round = 0; round < 3; round++) {
            Write inFlight = null;
            int crashesBefore = io.crashes();
            DocumentStore store = DocumentStore.open(dir, io.forOneOpen(options));
            try {
                DocumentCollection c = store.collection("people");
                c.createIndex("city");
                c.createUniqueIndex("email");
                FaultFileIO.Op op = FaultFileIO.Op.values()[r.nextInt(FaultFileIO.Op.values().length)];
                io.crashOn(op, 1 + r.nextInt(op == FaultFileIO.Op.WRITE || op == FaultFileIO.Op.FORCE ? 80 : 4));
                for (int n = 0; n < 300 && io.crashes() == crashesBefore; n++) {
                    String id = "p" + r.nextInt(40);
                    inFlight = r.nextInt(5) == 0 ? new Write(id, null) : new Write(id, "{\"city\":\""
                            + CITIES[r.nextInt(CITIES.length)] + "\",\"email\":\"" + id + "@x\",\"n\":" + n + "}");
                    if (inFlight.json() == null) {
                        c.delete(id);
                        acknowledged.remove(id);
                    } else {
                        c.put(id, inFlight.json());
                        acknowledged.put(id, inFlight.json());
                    }
                    inFlight = null;
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
                store.close();
            } catch (FerrumException expected) {
                // The store lost power under its feet; what it acknowledged before is checked after reopen.
            }
            try (DocumentStore reopened = DocumentStore.open(dir, io.forOneOpen(options))) {
                DocumentCollection c = reopened.collection("people");
                Map<String, String> actual = new HashMap<>();
                for (Document d : c.find(Filter.all())) {
                    actual.put(d.id(), d.json());
                }
                Map<String, String> withInFlight = new HashMap<>(acknowledged);
                if (inFlight != null) {
                    if (inFlight.json() == null) {
                        withInFlight.remove(inFlight.id());
                    } else {
                        withInFlight.put(inFlight.id(), inFlight.json());
                    }
                }
                assertThat(actual).as("%s round %d: documents after power loss", where, round)
                        .satisfiesAnyOf(a -> assertThat(a).isEqualTo(acknowledged),
                                a -> assertThat(a).isEqualTo(withInFlight));
                acknowledged.clear();
                acknowledged.putAll(actual);
                checked += actual.size();
                assertThat(c.verifyIndexes()).as("%s round %d: index entries", where, round).isEmpty();
                for (String city : CITIES) {
                    Filter f = Filter.eq("city", city);
                    assertThat(c.find(f)).as("%s: indexed query equals a scan", where)
                            .isEqualTo(c.find(Filter.not(Filter.not(f))));
                }
            }
        }
        return checked;
    }
}
