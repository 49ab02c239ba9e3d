package io.ferrumdb.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * On random corpora over a small vocabulary (so terms repeat and lengths vary): a memory that contains every
 * query term ranks above every memory that contains only some, and the index stays consistent.
 */
class AllTermsRankProperties {
    private static final List<String> WORDS = List.of("alpha", "bravo", "charlie", "delta", "echo", "foxtrot",
            "golf", "hotel", "india", "juliet");

    @Provide
    Arbitrary<List<String>> corpus() {
        Arbitrary<String> text = Arbitraries.of(WORDS).list().ofMinSize(1).ofMaxSize(12)
                .map(words -> String.join(" ", words));
        return text.list().ofMinSize(1).ofMaxSize(40);
    }

    @Provide
    Arbitrary<List<String>> query() {
        return Arbitraries.of(WORDS).set().ofMinSize(2).ofMaxSize(3).map(List::copyOf);
    }

    @Property(tries = 40)
    void allTermsOutrankSomeTerms(@ForAll("corpus") List<String> texts, @ForAll("query") List<String> query)
            throws IOException {
        Path dir = Files.createTempDirectory("memory-rank");
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().fsyncPolicy(FsyncPolicy.never()).build())) {
            AgentMemory memory = AgentMemory.on(db);
            texts.forEach(t -> memory.remember(MemoryInput.of(t)));
            List<RecalledMemory> found = memory.recall(new RecallQuery(null, String.join(" ", query), null,
                    MemoryLimits.MAX_RECALL_LIMIT, null, null));
            boolean seenPartial = false;
            for (RecalledMemory r : found) {
                Set<String> words = new HashSet<>(List.of(r.memory().text().split(" ")));
                boolean all = words.containsAll(query);
                assertThat(all && seenPartial).as("a memory with all of %s after one with some: %s", query, found)
                        .isFalse();
                seenPartial |= !all;
            }
            long expected = texts.stream().filter(t -> List.of(t.split(" ")).stream().anyMatch(query::contains))
                    .count();
            assertThat(found).hasSize((int) Math.min(expected, MemoryLimits.MAX_RECALL_LIMIT));
            IndexConsistency.check(db, MemoryLimits.DEFAULT_NAMESPACE);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
