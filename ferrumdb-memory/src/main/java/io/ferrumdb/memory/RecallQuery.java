package io.ferrumdb.memory;

import java.time.Instant;
import java.util.List;

/**
 * What to recall. With {@code text} (or {@code vector}) the best matches come first; with neither, the newest.
 *
 * @param namespace null for {@link MemoryLimits#DEFAULT_NAMESPACE}
 * @param text      null or blank for no text query
 * @param tags      every memory returned carries all of these tags (exact match); null or empty for no filter
 * @param limit     null for {@link MemoryLimits#DEFAULT_RECALL_LIMIT}; at most {@link MemoryLimits#MAX_RECALL_LIMIT}
 * @param since     null, or only memories created at or after this instant
 * @param vector    null, or the client's embedding of the query, compared by cosine similarity
 */
public record RecallQuery(String namespace, String text, List<String> tags, Integer limit, Instant since,
                          float[] vector) {
    /** A text query in the default namespace with the default limit. */
    public static RecallQuery of(String text) {
        return new RecallQuery(null, text, null, null, null, null);
    }
}
