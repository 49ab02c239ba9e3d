package io.ferrumdb.memory;

import java.util.List;

/**
 * What to forget: the memory {@code id}, or every memory carrying all of {@code tags}; with both, the memory
 * {@code id} only if it carries all the tags. At least one of them is required.
 *
 * @param namespace null for {@link MemoryLimits#DEFAULT_NAMESPACE}
 */
public record ForgetRequest(String namespace, String id, List<String> tags) {
    public static ForgetRequest byId(String namespace, String id) {
        return new ForgetRequest(namespace, id, null);
    }

    public static ForgetRequest byTags(String namespace, List<String> tags) {
        return new ForgetRequest(namespace, null, tags);
    }
}
