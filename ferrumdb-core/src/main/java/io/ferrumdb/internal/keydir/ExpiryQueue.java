package io.ferrumdb.internal.keydir;

import java.util.Arrays;

/**
 * Keys with a TTL, by expiry time: a binary min-heap over two primitive arrays (expiry, the key's slot header,
 * which {@link KeyDir#purgeExpired} finds the key by), so a TTL costs 16 bytes and no object. An entry may be stale (the key was overwritten or removed since); the
 * consumer checks the directory when it pops it. Not thread-safe: the key directory's mutation lock guards it.
 */
final class ExpiryQueue {
    private long[] at = new long[16];
    private long[] refs = new long[16];
    private int size;

    void add(long expiresAt, long ref) {
        if (size == at.length) {
            at = Arrays.copyOf(at, size * 2);
            refs = Arrays.copyOf(refs, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (at[parent] <= expiresAt) {
                break;
            }
            at[i] = at[parent];
            refs[i] = refs[parent];
            i = parent;
        }
        at[i] = expiresAt;
        refs[i] = ref;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The earliest expiry; only when not empty. */
    long peekAt() {
        return at[0];
    }

    /** The earliest entry's key (its slot header); only when not empty. */
    long peekRef() {
        return refs[0];
    }

    void poll() {
        size--;
        long lastAt = at[size];
        long lastRef = refs[size];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && at[child + 1] < at[child]) {
                child++;
            }
            if (at[child] >= lastAt) {
                break;
            }
            at[i] = at[child];
            refs[i] = refs[child];
            i = child;
        }
        at[i] = lastAt;
        refs[i] = lastRef;
    }

    int size() {
        return size;
    }
}
