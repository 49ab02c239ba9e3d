package io.ferrumdb.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.KeyRange;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The invariant the single write batch guarantees: every memory has exactly the postings its text and tags call
 * for, and every posting belongs to a live memory; where no memory ever expired, also the namespace's statistics
 * (BM25's memory count and total length) count exactly the live memories (an expired memory stays counted until
 * it is forgotten).
 */
final class IndexConsistency {
    private IndexConsistency() {
    }

    static void check(FerrumDB db, String namespace) {
        postings(db, namespace);
    }

    /** As {@link #check}, and the statistics count the live memories: for namespaces where none expired. */
    static void checkWithStatistics(FerrumDB db, String namespace) {
        long[] live = postings(db, namespace);
        byte[] stats = db.get(MemoryKeys.stats(namespace));
        long[] counted = stats == null ? new long[] {0, 0}
                : new long[] {ByteBuffer.wrap(stats).getLong(), ByteBuffer.wrap(stats).getLong(8)};
        assertThat(counted).as("statistics (memories, terms) of namespace %s", namespace).containsExactly(live);
    }

    /** Checks the postings; returns the live memories' count and total length in terms. */
    private static long[] postings(FerrumDB db, String namespace) {
        Set<String> expected = new HashSet<>();
        Set<String> ids = new HashSet<>();
        long totalTerms = 0;
        try (var it = db.iterate(MemoryKeys.memories(namespace))) {
            while (it.hasNext()) {
                var kv = it.next();
                String id = MemoryKeys.trailingId(kv.key());
                ids.add(id);
                Memory m = MemoryCodec.decode(namespace, id, kv.value()).memory();
                List<String> terms = Tokenizer.terms(m.text());
                totalTerms += Math.min(terms.size(), 0xFFFF);
                Map<String, Integer> tf = Tokenizer.frequencies(terms);
                tf.forEach((term, n) -> expected.add(hex(MemoryKeys.posting(namespace, term, id, n, terms.size()))));
                m.tags().forEach(tag -> expected.add(hex(MemoryKeys.tag(namespace, tag, id))));
            }
        }
        Set<String> actual = new HashSet<>();
        byte[] ns = MemoryKeys.utf8(namespace);
        for (byte family : new byte[] {0x02, 0x03}) {
            byte[] prefix = new byte[ns.length + 3];
            prefix[0] = (byte) 0xFF;
            prefix[1] = family;
            System.arraycopy(ns, 0, prefix, 2, ns.length);
            actual.addAll(db.keys(KeyRange.prefix(prefix)).map(IndexConsistency::hex).collect(Collectors.toSet()));
        }
        assertThat(actual).as("postings of namespace %s", namespace).isEqualTo(expected);
        return new long[] {ids.size(), totalTerms};
    }

    private static String hex(byte[] key) {
        return java.util.HexFormat.of().formatHex(key);
    }
}
