package io.ferrumdb.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.MutableClock;
import io.ferrumdb.Options;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentMemoryTest {
    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-06-01T12:00:00Z").toEpochMilli());
    private FerrumDB db;
    private AgentMemory memory;

    @BeforeEach
    void open() {
        reopen();
    }

    @AfterEach
    void close() {
        db.close();
    }

    private void reopen() {
        if (db != null) {
            db.close();
        }
        db = FerrumDB.open(dir, Options.builder().fsyncPolicy(FsyncPolicy.never()).clock(clock).build());
        memory = AgentMemory.on(db);
    }

    private Remembered remember(String namespace, String text, String... tags) {
        return memory.remember(new MemoryInput(namespace, text, List.of(tags), null, null, null));
    }

    private List<String> texts(List<RecalledMemory> found) {
        return found.stream().map(r -> r.memory().text()).toList();
    }

    @Test
    void remembersAndReadsBackEveryField() {
        Remembered r = memory.remember(new MemoryInput("work", "Standup is at nine", List.of("meeting", "daily"),
                Duration.ofHours(1), "{\"source\": \"chat\", \"n\": 3}", null));
        assertThat(r.namespace()).isEqualTo("work");
        assertThat(r.createdAt()).isEqualTo(clock.instant());
        assertThat(r.expiresAt()).contains(clock.instant().plus(Duration.ofHours(1)));
        reopen();
        Memory m = memory.get("work", r.id()).orElseThrow();
        assertThat(m.text()).isEqualTo("Standup is at nine");
        assertThat(m.tags()).containsExactly("meeting", "daily");
        assertThat(m.metadataJson()).isEqualTo("{\"source\":\"chat\",\"n\":3}");
        assertThat(m.createdAt()).isEqualTo(r.createdAt());
        assertThat(m.expiresAt()).isEqualTo(r.expiresAt());
    }

    @Test
    void rememberAnswersTheExpiryRecallShowsOnAClockWithNanoseconds() {
        // The system clock has sub-millisecond precision; records keep milliseconds. A newcomer saw remember answer
        // expires_at ...:43.118573581Z and recall show ...:43.118Z for the same memory.
        Path other = dir.resolve("nanos");
        Clock nanos = Clock.fixed(Instant.parse("2026-06-01T12:00:00.123456789Z"), ZoneOffset.UTC);
        try (FerrumDB nanoDb = FerrumDB.open(other, Options.builder().fsyncPolicy(FsyncPolicy.never()).clock(nanos)
                .build())) {
            AgentMemory m = AgentMemory.on(nanoDb);
            Remembered r = m.remember(new MemoryInput(null, "deploys need Ingrid", List.of(), Duration.ofHours(1),
                    null, null));
            assertThat(r.expiresAt()).contains(Instant.parse("2026-06-01T13:00:00.123Z"));
            assertThat(m.get(r.namespace(), r.id()).orElseThrow().expiresAt()).isEqualTo(r.expiresAt());
        }
    }

    @Test
    void idsAreUniqueAndOrderedEvenWhenTheClockStandsStill() {
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ids.add(remember(null, "same instant " + i).id());
        }
        assertThat(ids).doesNotHaveDuplicates().isSorted();
    }

    @Test
    void withoutQueryNewestComeFirstAndLimitAndSinceApply() {
        remember(null, "first");
        clock.advance(Duration.ofMinutes(1));
        Instant middle = clock.instant();
        remember(null, "second");
        clock.advance(Duration.ofMinutes(1));
        remember(null, "third");
        assertThat(texts(memory.recall(new RecallQuery(null, null, null, null, null, null))))
                .containsExactly("third", "second", "first");
        assertThat(texts(memory.recall(new RecallQuery(null, "", null, 2, null, null))))
                .containsExactly("third", "second");
        assertThat(texts(memory.recall(new RecallQuery(null, null, null, null, middle, null))))
                .containsExactly("third", "second");
        assertThat(texts(memory.recall(new RecallQuery(null, "third second first", null, null, middle, null))))
                .containsExactly("third", "second");
    }

    /**
     * An id holds 48 bits of milliseconds (to about the year 10889): a {@code since} past that matched memories
     * created long before it (its shift wrapped, or "long overflow" reached the caller), and one before the
     * epoch beyond a long's milliseconds was the same "long overflow".
     */
    @Test
    void sinceBeyondTheInstantsAnIdHoldsIsNoMatchAndLongBeforeTheEpochIsEveryMemory() {
        remember(null, "coffee order");
        for (String since : List.of("+50000-01-01T00:00:00Z", "+10890-01-01T00:00:00Z", "+1000000000-01-01T00:00:00Z")) {
            Instant at = Instant.parse(since);
            assertThat(memory.recall(new RecallQuery(null, null, null, null, at, null))).as(since).isEmpty();
            assertThat(memory.recall(new RecallQuery(null, "coffee", null, null, at, null))).as(since).isEmpty();
        }
        for (String since : List.of("-1000000000-01-01T00:00:00Z", "1969-12-31T23:59:59Z")) {
            Instant at = Instant.parse(since);
            assertThat(texts(memory.recall(new RecallQuery(null, null, null, null, at, null)))).as(since)
                    .containsExactly("coffee order");
            assertThat(texts(memory.recall(new RecallQuery(null, "coffee", null, null, at, null)))).as(since)
                    .containsExactly("coffee order");
        }
    }

    @Test
    void recencyBreaksTiesBetweenEqualMatches() {
        remember(null, "coffee order");
        clock.advance(Duration.ofSeconds(1));
        remember(null, "coffee order");
        List<RecalledMemory> found = memory.recall(RecallQuery.of("coffee"));
        assertThat(found).hasSize(2);
        assertThat(found.get(0).memory().createdAt()).isAfter(found.get(1).memory().createdAt());
    }

    @Test
    void tagsFilterExactly() {
        remember(null, "Likes tea", "preference");
        remember(null, "Likes tea in the morning", "preference", "morning");
        remember(null, "Tea meeting", "Preference");
        assertThat(texts(memory.recall(new RecallQuery(null, "tea", List.of("preference"), null, null, null))))
                .containsExactlyInAnyOrder("Likes tea", "Likes tea in the morning");
        assertThat(texts(memory.recall(new RecallQuery(null, null, List.of("preference", "morning"), null, null,
                null)))).containsExactly("Likes tea in the morning");
    }

    @Test
    void namespacesAreSeparateAndCounted() {
        remember("alice", "blue is the favourite colour");
        remember("bob", "green is the favourite colour");
        remember("bob", "owns a bicycle");
        assertThat(texts(memory.recall(new RecallQuery("alice", "colour", null, null, null, null))))
                .containsExactly("blue is the favourite colour");
        assertThat(memory.listNamespaces()).containsExactly(new NamespaceCount("alice", 1),
                new NamespaceCount("bob", 2));
    }

    @Test
    void normalisedTokensMatchAcrossCaseAndAccents() {
        remember(null, "Meeting at the Café Müller");
        assertThat(texts(memory.recall(RecallQuery.of("cafe MULLER")))).containsExactly("Meeting at the Café Müller");
    }

    @Test
    void forgetByIdAndByTagsRemovesMemoriesAndTheirPostings() {
        Remembered a = remember(null, "alpha fact", "x");
        remember(null, "beta fact", "x", "y");
        remember(null, "gamma fact", "y");
        assertThat(memory.forget(ForgetRequest.byId(null, a.id()))).containsExactly(a.id());
        assertThat(memory.forget(ForgetRequest.byId(null, a.id()))).isEmpty();
        assertThat(memory.forget(ForgetRequest.byTags(null, List.of("y")))).hasSize(2);
        assertThat(memory.recall(RecallQuery.of("fact"))).isEmpty();
        assertThat(memory.listNamespaces()).isEmpty();
        IndexConsistency.check(db, "default");
        assertThat(db.keys(io.ferrumdb.KeyRange.prefix(new byte[] {(byte) 0xFF, 0x02})).count()).isZero();
    }

    @Test
    void forgetWithIdAndTagsNeedsTheTags() {
        Remembered a = remember(null, "alpha", "x");
        assertThat(memory.forget(new ForgetRequest(null, a.id(), List.of("other")))).isEmpty();
        assertThat(memory.forget(new ForgetRequest(null, a.id(), List.of("x")))).containsExactly(a.id());
    }

    @Test
    void expiredMemoriesAndTheirPostingsDisappearTogether() {
        memory.remember(new MemoryInput(null, "temporary code 4711", List.of("otp"), Duration.ofMinutes(5), null,
                null));
        remember(null, "permanent code");
        assertThat(memory.recall(RecallQuery.of("code"))).hasSize(2);
        clock.advance(Duration.ofMinutes(6));
        assertThat(texts(memory.recall(RecallQuery.of("code")))).containsExactly("permanent code");
        assertThat(memory.recall(new RecallQuery(null, null, List.of("otp"), null, null, null))).isEmpty();
        IndexConsistency.check(db, "default");
    }

    @Test
    void vectorsJoinTheScore() {
        memory.remember(new MemoryInput(null, "the cat sat", null, null, null, new float[] {1, 0, 0}));
        memory.remember(new MemoryInput(null, "a dog barked", null, null, null, new float[] {0, 1, 0}));
        memory.remember(new MemoryInput(null, "no vector here", null, null, null, null));
        List<RecalledMemory> found = memory.recall(new RecallQuery(null, null, null, null, null,
                new float[] {0.1f, 0.9f, 0}));
        assertThat(texts(found)).containsExactly("a dog barked", "the cat sat");
        assertThat(found.get(0).score()).isGreaterThan(0.9);
        // A vector of another dimension is ignored for memories embedded differently, not an error.
        assertThat(memory.recall(new RecallQuery(null, "cat", null, null, null, new float[] {1, 0}))).hasSize(1);
    }

    @Test
    void badInputIsRefusedWithTheFieldNamed() {
        assertField(() -> memory.remember(MemoryInput.of("  ")), "text");
        assertField(() -> memory.remember(new MemoryInput("a b", "x", null, null, null, null)), "namespace");
        assertField(() -> memory.remember(MemoryInput.of("x".repeat(MemoryLimits.MAX_TEXT_BYTES + 1))), "text");
        assertField(() -> memory.remember(new MemoryInput(null, "x", java.util.Collections.nCopies(33, "t"), null,
                null, null)), "tags");
        assertField(() -> memory.remember(new MemoryInput(null, "x", List.of("ok", ""), null, null, null)), "tags[1]");
        assertField(() -> memory.remember(new MemoryInput(null, "x", null, Duration.ZERO, null, null)), "ttl_seconds");
        assertField(() -> memory.remember(new MemoryInput(null, "x", null, null, "[1]", null)), "metadata");
        assertField(() -> memory.remember(new MemoryInput(null, "x", null, null, "{bad", null)), "metadata");
        assertField(() -> memory.remember(new MemoryInput(null, "x", null, null, null, new float[] {Float.NaN})),
                "vector[0]");
        assertField(() -> memory.recall(new RecallQuery(null, "x", null, 1_000_000, null, null)), "limit");
        assertField(() -> memory.forget(new ForgetRequest(null, null, null)), "id");
        assertField(() -> memory.forget(ForgetRequest.byId(null, "../../etc")), "id");
        assertField(() -> memory.get("default", "ZZ"), "id");
        // A lone surrogate was stored as '?': another text than the one given.
        assertField(() -> memory.remember(MemoryInput.of("tea \ud800")), "text");
        assertField(() -> memory.remember(new MemoryInput(null, "x", List.of("ok", "\udfff"), null, null, null)),
                "tags[1]");
        assertField(() -> memory.recall(new RecallQuery(null, "tea \udc00", null, 10, null, null)), "query");
        assertThat(db.size()).isZero();
    }

    @Test
    void writesIssuedWithoutWaitingAreVisibleAtOnceAndShareFsyncs() {
        db.close();
        db = FerrumDB.open(dir, Options.builder().fsyncPolicy(FsyncPolicy.always()).clock(clock).build());
        memory = AgentMemory.on(db);
        long fsyncsBefore = db.stats().fsyncs();
        int n = 60;
        List<PendingWrite<Remembered>> pending = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            pending.add(memory.rememberAsync(new MemoryInput(null, "note " + i + " about tea", List.of("t"), null,
                    null, null)));
        }
        // Recalled before anyone waited for durability.
        assertThat(memory.recall(new RecallQuery(null, "tea", null, 100, null, null))).hasSize(n);
        List<String> ids = pending.stream().map(PendingWrite::await).map(Remembered::id).toList();
        assertThat(ids).doesNotHaveDuplicates().hasSize(n);
        assertThat(db.stats().syncedRecords()).isGreaterThanOrEqualTo(n);
        // Issued back to back without waiting, batches share fsyncs (how many per fsync depends on the disk's speed
        // against the issuing, so only sharing is asserted; waiting for each, as remember does, takes one each).
        assertThat(db.stats().fsyncs() - fsyncsBefore).isLessThan(n);

        PendingWrite<List<String>> forgotten = memory.forgetAsync(new ForgetRequest(null, null, List.of("t")));
        assertThat(forgotten.result()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(memory.recall(new RecallQuery(null, "tea", null, 100, null, null))).isEmpty();
        assertThat(forgotten.await()).hasSize(n);
        reopen();
        assertThat(memory.recall(new RecallQuery(null, "tea", null, 100, null, null))).isEmpty();
    }

    @Test
    void aWriteOnAClosedDatabaseFailsWithTheEngineError() {
        db.close();
        assertThatThrownBy(() -> memory.rememberAsync(MemoryInput.of("late")).await())
                .isInstanceOf(io.ferrumdb.DatabaseClosedException.class);
        assertThatThrownBy(() -> memory.remember(MemoryInput.of("late")))
                .isInstanceOf(io.ferrumdb.DatabaseClosedException.class);
        reopen();
    }

    private static void assertField(Runnable call, String field) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(InvalidMemoryRequestException.class,
                e -> assertThat(e.field()).isEqualTo(field));
    }

    // ---------------------------------------------------------------- BM25 statistics of live memories only
    // A namespace that held an expired memory ranks, with the same scores, exactly as one that never held it.
    // Before, the expired memory stayed in the count and the average length until forgotten.

    private static final List<String> CORPUS = GoldenMemoryStore.CORPUS;
    static final List<String> QUERIES = List.of("production deploys", "cluster", "Ingrid reports",
            "database backups nightly", "finance invoices month", "deploy cluster production approval");
    private static final String SHORT_LIVED = GoldenMemoryStore.SHORT_LIVED;


    @Test
    void anExpiredMemoryNoLongerMovesTheBm25Ranking() {
        rememberCorpusInBoth();
        rememberFor("with", SHORT_LIVED, Duration.ofMinutes(1));
        assertThat(ranking("with")).as("the short-lived memory counts while it lives").isNotEqualTo(ranking("without"));

        clock.advance(Duration.ofMinutes(1));
        assertThat(ranking("with")).as("expired, before any write").isEqualTo(ranking("without"));

        // The next writes sweep the expired memory out of the stored statistics.
        rememberFor("with", "A note written after the expiry about the production cluster", null);
        rememberFor("without", "A note written after the expiry about the production cluster", null);
        assertThat(ranking("with")).as("after a remember").isEqualTo(ranking("without"));

        reopen();
        assertThat(ranking("with")).as("after reopening").isEqualTo(ranking("without"));
    }

    @Test
    void aMemoryForgottenBeforeItsExpiryIsNotLeftOutTwice() {
        rememberCorpusInBoth();
        String id = rememberFor("with", SHORT_LIVED, Duration.ofMinutes(1)).id();
        assertThat(memory.forget(ForgetRequest.byId("with", id))).containsExactly(id);
        assertThat(ranking("with")).as("forgotten").isEqualTo(ranking("without"));

        clock.advance(Duration.ofMinutes(2));
        assertThat(ranking("with")).as("past the expiry it no longer had").isEqualTo(ranking("without"));
        rememberFor("with", "after", null);
        rememberFor("without", "after", null);
        assertThat(ranking("with")).as("after a remember").isEqualTo(ranking("without"));
    }

    @Test
    void forgettingAMemoryThatExpiredLeavesTheStatisticsAlone() {
        rememberCorpusInBoth();
        String id = rememberFor("with", SHORT_LIVED, Duration.ofMinutes(1)).id();
        clock.advance(Duration.ofMinutes(1));
        assertThat(memory.forget(ForgetRequest.byId("with", id))).isEmpty();
        rememberFor("with", "after", null);
        rememberFor("without", "after", null);
        assertThat(ranking("with")).isEqualTo(ranking("without"));
    }

    private Remembered rememberFor(String namespace, String text, Duration ttl) {
        return memory.remember(new MemoryInput(namespace, text, List.of(), ttl, null, null));
    }

    /** The corpus remembered in namespaces "with" and "without", in the same order. */
    private void rememberCorpusInBoth() {
        for (String text : CORPUS) {
            rememberFor("with", text, null);
            rememberFor("without", text, null);
        }
    }

    /** Every query's results in {@code namespace}: text and exact score, best first. */
    private List<List<String>> ranking(String namespace) {
        return QUERIES.stream().map(q -> memory.recall(new RecallQuery(namespace, q, null, 100, null, null))
                .stream().map(r -> r.memory().text() + " @ " + r.score()).toList()).toList();
    }
}
