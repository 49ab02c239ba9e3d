package io.ferrumdb.internal.keydir;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The TTL heap alone, against a sorted list: entries come out by expiry time, each with its own reference. */
class ExpiryQueueTest {
    @Property(tries = 200)
    void popsInExpiryOrderAcrossInterleavedAddsAndPolls(
            @ForAll @Size(max = 300) List<@IntRange(min = 0, max = 50) Integer> expiries,
            @ForAll @IntRange(min = 1, max = 7) int pollEvery) {
        ExpiryQueue queue = new ExpiryQueue();
        List<long[]> model = new ArrayList<>();
        Comparator<long[]> byExpiry = Comparator.comparingLong(e -> e[0]);
        long ref = 1000;
        for (int i = 0; i < expiries.size(); i++) {
            queue.add(expiries.get(i), ref);
            model.add(new long[] {expiries.get(i), ref});
            ref += 8;
            if (i % pollEvery == 0) {
                pollAndCheck(queue, model, byExpiry);
            }
        }
        while (!model.isEmpty()) {
            pollAndCheck(queue, model, byExpiry);
        }
        assertThat(queue.isEmpty()).isTrue();
        assertThat(queue.size()).isZero();
    }

    private static void pollAndCheck(ExpiryQueue queue, List<long[]> model, Comparator<long[]> byExpiry) {
        model.sort(byExpiry);
        long earliest = model.get(0)[0];
        assertThat(queue.size()).isEqualTo(model.size());
        assertThat(queue.peekAt()).isEqualTo(earliest);
        long ref = queue.peekRef();
        // Equal expiries may come out in any order, but the reference must belong to one of them.
        long[] match = model.stream().filter(e -> e[0] == earliest && e[1] == ref).findFirst().orElseThrow(
                () -> new AssertionError("reference " + ref + " is not one with expiry " + earliest));
        model.remove(match);
        queue.poll();
    }
}
