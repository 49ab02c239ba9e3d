package io.ferrumdb.memory;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.MutableClock;
import io.ferrumdb.Options;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Writes the golden memory store {@code src/test/resources/golden/memory-before-expiry-entries} (see the README
 * there): run with the classes of a build before the {@code FF 06} expiry entries, so that its memories with a TTL
 * have none. It uses only calls that build has. On the fixed clock {@link #WRITTEN_AT}:
 * <ul>
 *   <li>{@code without}: the {@link #CORPUS}, no TTL;</li>
 *   <li>{@code with}: the corpus, then {@link #SHORT_LIVED} with a TTL of one minute and {@link #LONG_LIVED} with a
 *   TTL of one hour;</li>
 *   <li>{@code reference}: the corpus, then {@link #LONG_LIVED} without a TTL.</li>
 * </ul>
 * Once a minute has passed, {@code with} must rank as {@code reference}; once an hour has, as {@code without}.
 * Run: {@code java -cp <core, core test-jar, memory, Jackson jars of that build>:<this class>
 * io.ferrumdb.memory.GoldenMemoryStore DIR}.
 */
public final class GoldenMemoryStore {
    static final Instant WRITTEN_AT = Instant.parse("2026-06-01T12:00:00Z");
    static final List<String> CORPUS = List.of(
            "Production deploys need approval from Ingrid",
            "The staging cluster runs in Frankfurt",
            "Backups of the production database run nightly at two",
            "Ingrid prefers short status reports on Fridays",
            "The deploy pipeline builds containers for every cluster",
            "Invoices go to the finance share each month");
    /** Long, and sharing terms with most queries: it moves N, the average length and document frequencies. */
    static final String SHORT_LIVED = "deploy deploy production cluster cluster Ingrid backups database "
            + "finance reports approval staging nightly containers pipeline month invoices share Frankfurt";
    static final String LONG_LIVED = "Ingrid moved the production cluster backups to Frankfurt for the month";

    private GoldenMemoryStore() {
    }

    public static void main(String[] args) {
        MutableClock clock = new MutableClock(WRITTEN_AT.toEpochMilli());
        try (FerrumDB db = FerrumDB.open(Path.of(args[0]), Options.builder().clock(clock).build())) {
            AgentMemory memory = AgentMemory.on(db);
            for (String namespace : List.of("without", "with", "reference")) {
                for (String text : CORPUS) {
                    memory.remember(new MemoryInput(namespace, text, List.of(), null, null, null));
                }
            }
            memory.remember(new MemoryInput("with", SHORT_LIVED, List.of(), Duration.ofMinutes(1), null, null));
            memory.remember(new MemoryInput("with", LONG_LIVED, List.of(), Duration.ofHours(1), null, null));
            memory.remember(new MemoryInput("reference", LONG_LIVED, List.of(), null, null, null));
        }
    }
}
