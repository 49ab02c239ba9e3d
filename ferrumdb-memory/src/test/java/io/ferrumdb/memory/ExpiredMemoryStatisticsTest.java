package io.ferrumdb.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.MutableClock;
import io.ferrumdb.Options;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BM25's statistics (memory count, average length, document frequencies) leave out memories whose TTL has ended:
 * a namespace that held an expired memory ranks, with the same scores, exactly as one that never held it. Before,
 * the expired memory stayed in the count and the average length until forgotten.
 */
class ExpiredMemoryStatisticsTest {
    private static final List<String> CORPUS = List.of(
            "Production deploys need approval from Ingrid",
            "The staging cluster runs in Frankfurt",
            "Backups of the production database run nightly at two",
            "Ingrid prefers short status reports on Fridays",
            "The deploy pipeline builds containers for every cluster",
            "Invoices go to the finance share each month");
    private static final List<String> QUERIES = List.of("production deploys", "cluster", "Ingrid reports",
            "database backups nightly", "finance invoices month", "deploy cluster production approval");
    /** Long, and sharing terms with most queries: it moves N, the average length and document frequencies. */
    private static final String SHORT_LIVED = "deploy deploy production cluster cluster Ingrid backups database "
            + "finance reports approval staging nightly containers pipeline month invoices share Frankfurt";

    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-06-01T12:00:00Z").toEpochMilli());
    private FerrumDB db;
    private AgentMemory memory;

    @BeforeEach
    void open() {
        db = FerrumDB.open(dir, Options.builder().fsyncPolicy(FsyncPolicy.never()).clock(clock).build());
        memory = AgentMemory.on(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void anExpiredMemoryNoLongerMovesTheRanking() {
        for (String text : CORPUS) {
            remember("with", text, null);
            remember("without", text, null);
        }
        remember("with", SHORT_LIVED, Duration.ofMinutes(1));
        assertThat(ranking("with")).as("the short-lived memory counts while it lives").isNotEqualTo(ranking("without"));

        clock.advance(Duration.ofMinutes(1));
        assertThat(ranking("with")).as("expired, before any write").isEqualTo(ranking("without"));

        // The next writes sweep the expired memory out of the stored statistics.
        remember("with", "A note written after the expiry about the production cluster", null);
        remember("without", "A note written after the expiry about the production cluster", null);
        assertThat(ranking("with")).as("after a remember").isEqualTo(ranking("without"));

        db.close();
        open();
        assertThat(ranking("with")).as("after reopening").isEqualTo(ranking("without"));
    }

    @Test
    void aMemoryForgottenBeforeItsExpiryIsNotLeftOutTwice() {
        for (String text : CORPUS) {
            remember("with", text, null);
            remember("without", text, null);
        }
        String id = remember("with", SHORT_LIVED, Duration.ofMinutes(1)).id();
        assertThat(memory.forget(ForgetRequest.byId("with", id))).containsExactly(id);
        assertThat(ranking("with")).as("forgotten").isEqualTo(ranking("without"));

        clock.advance(Duration.ofMinutes(2));
        assertThat(ranking("with")).as("past the expiry it no longer had").isEqualTo(ranking("without"));
        remember("with", "after", null);
        remember("without", "after", null);
        assertThat(ranking("with")).as("after a remember").isEqualTo(ranking("without"));
    }

    @Test
    void forgettingAMemoryThatExpiredLeavesTheStatisticsAlone() {
        for (String text : CORPUS) {
            remember("with", text, null);
            remember("without", text, null);
        }
        String id = remember("with", SHORT_LIVED, Duration.ofMinutes(1)).id();
        clock.advance(Duration.ofMinutes(1));
        assertThat(memory.forget(ForgetRequest.byId("with", id))).isEmpty();
        remember("with", "after", null);
        remember("without", "after", null);
        assertThat(ranking("with")).isEqualTo(ranking("without"));
    }

    private Remembered remember(String namespace, String text, Duration ttl) {
        return memory.remember(new MemoryInput(namespace, text, List.of(), ttl, null, null));
    }

    /** Every query's results in {@code namespace}: text and exact score, best first. */
    private List<List<String>> ranking(String namespace) {
        return QUERIES.stream().map(q -> memory.recall(new RecallQuery(namespace, q, null, 100, null, null))
                .stream().map(r -> r.memory().text() + " @ " + r.score()).toList()).toList();
    }
}
