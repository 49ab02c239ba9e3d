package io.ferrumdb.internal.keydir;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The ordered index's queue of keys not yet merged, when nobody drains it (the flusher's merge never ran): past
 * {@link OrderedIndex#PENDING_MAX} a scan merges first. Whatever the queue's size, a scan sees every live key once,
 * in order, and no removed one. (The race with the build at open is in {@code KeyDirTest}.)
 */
class OrderedQueueOverflowTest {
    @Test
    void scansStayCompleteAndOrderedWhileTheQueueOverflowsUndrained() {
        KeyDir dir = new KeyDir(true, 0);
        dir.buildOrderedIndex();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 3 * OrderedIndex.PENDING_MAX + 17; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(17));
        TreeSet<String> model = new TreeSet<>();
        int step = 0;
        for (int i : order) {
            dir.put(key(i), new Location(1, 64 + i, 40, 0));
            model.add(name(i));
            if (i % 5 == 0) {
                dir.remove(key(i)); // removed while still queued
                model.remove(name(i));
            }
            if (model.size() % 1500 == 0) {
                // Scans at queue sizes below, around and beyond PENDING_MAX, never draining it in between.
                assertThat(scan(dir, false)).containsExactlyElementsOf(model);
            }
        }
        assertThat(scan(dir, false)).containsExactlyElementsOf(model);
        assertThat(scan(dir, true)).containsExactlyElementsOf(model.descendingSet());
        // A removed key that comes back appears once.
        dir.put(key(0), new Location(2, 64, 40, 0));
        model.add(name(0));
        assertThat(scan(dir, false)).containsExactlyElementsOf(model);
        dir.applyQueuedOrderedChanges();
        assertThat(scan(dir, false)).containsExactlyElementsOf(model);
    }

    private static List<String> scan(KeyDir dir, boolean descending) {
        List<String> out = new ArrayList<>();
        dir.orderedScan(null, null, descending).keys()
                .forEachRemaining(k -> out.add(new String(k.bytes(), StandardCharsets.UTF_8)));
        return out;
    }

    private static String name(int i) {
        return String.format("key-%08d", i);
    }

    private static Key key(int i) {
        return new Key(name(i).getBytes(StandardCharsets.UTF_8));
    }
}
