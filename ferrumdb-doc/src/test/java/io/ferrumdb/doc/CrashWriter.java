package io.ferrumdb.doc;

import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

/**
 * The child process of {@link CrashTest}: writes, replaces and deletes documents of a collection with indexes
 * (one unique), and creates and drops an index now and then, until it is killed.
 */
public final class CrashWriter {
    static final String[] CITIES = {"London", "Paris", "Oslo", "Lima", "Pune"};

    private CrashWriter() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        Random random = new Random(Long.parseLong(args[1]));
        DocumentStore store = DocumentStore.open(dir, Options.builder().fsyncPolicy(FsyncPolicy.never())
                .segmentSize(256 << 10).build());
        DocumentCollection c = store.collection("c");
        c.createIndex("city");
        c.createIndex("tags");
        c.createUniqueIndex("email");
        // One document made durable before "ready" (no email: it cannot meet the unique index): a round killed before
        // any later write reached the OS (a JVM just started on a busy machine may not run for the whole pause)
        // still leaves documents to check.
        c.put("ready", "{\"city\":\"" + CITIES[0] + "\",\"tags\":[],\"age\":30}");
        store.sync();
        System.out.println("ready");
        System.out.flush();
        while (true) {
            String id = "d" + random.nextInt(300);
            int op = random.nextInt(100);
            try {
                if (op < 60) {
                    c.put(id, document(random));
                } else if (op < 75) {
                    c.delete(id);
                } else if (op < 90) {
                    c.put(id, document(random), Duration.ofHours(1));
                } else if (op < 91) {
                    if (c.listIndexes().stream().anyMatch(i -> i.path().equals("age"))) {
                        c.dropIndex("age");
                    } else {
                        c.createIndex("age");
                    }
                } else {
                    c.put(id, Json.parseDocument(document(random)));
                }
            } catch (UniqueIndexViolationException expected) {
                // Random emails collide by design; the refused write changes nothing.
            }
        }
    }

    private static String document(Random random) {
        StringBuilder tags = new StringBuilder();
        for (int i = random.nextInt(4); i > 0; i--) {
            tags.append(tags.length() == 0 ? "" : ",").append("\"t").append(random.nextInt(8)).append('"');
        }
        String age = random.nextBoolean() ? String.valueOf(random.nextInt(90)) : random.nextInt(90) + ".5";
        String email = random.nextInt(4) == 0 ? "" : ",\"email\":\"e" + random.nextInt(500) + "\"";
        return "{\"city\":\"" + CITIES[random.nextInt(CITIES.length)] + "\",\"tags\":[" + tags + "],\"age\":" + age
                + email + ",\"pad\":\"" + "p".repeat(random.nextInt(200)) + "\"}";
    }
}
