package io.ferrumdb.internal.concurrent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Arrays given back are taken again as they were left, up to the pool's bound; a pool of none keeps nothing. */
class ArrayPoolTest {
    @Test
    void aGivenArrayIsTakenAgainWithItsContents() {
        AtomicInteger made = new AtomicInteger();
        ArrayPool<long[]> pool = new ArrayPool<>(() -> {
            made.incrementAndGet();
            return new long[4];
        }, 2);
        long[] a = pool.take();
        a[3] = 42;
        pool.give(a);

        long[] again = pool.take();

        assertThat(again).isSameAs(a);
        assertThat(again[3]).isEqualTo(42); // not cleared: its user tracks what is valid
        assertThat(made).hasValue(1);
        assertThat(pool.take()).isNotSameAs(a);
        assertThat(made).hasValue(2);
    }

    @Test
    void itKeepsAtMostItsBound() {
        ArrayPool<byte[]> pool = new ArrayPool<>(() -> new byte[8], 2);
        byte[] a = pool.take();
        byte[] b = pool.take();
        byte[] c = pool.take();
        pool.give(a);
        pool.give(b);
        pool.give(c);

        assertThat(pool.kept()).isEqualTo(2);
        assertThat(pool.take()).isSameAs(b);
        assertThat(pool.take()).isSameAs(a);
        assertThat(pool.kept()).isZero();
    }

    @Test
    void aPoolOfNoneAllocatesEveryTime() {
        ArrayPool<byte[]> pool = ArrayPool.none(() -> new byte[8]);
        byte[] a = pool.take();
        pool.give(a);

        assertThat(pool.kept()).isZero();
        assertThat(pool.take()).isNotSameAs(a);
    }
}
