package io.ferrumdb.internal.concurrent;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A count that many threads increment, each in a cell of its own: an increment is a read and an opaque write of the
 * thread's own cell, with no atomic instruction, no fence and no cache line another thread writes; {@link #sum} adds
 * every cell. For counts taken on every call of a hot path: {@code LongAdder}'s compare-and-set (a locked
 * instruction, which also waits for the thread's earlier stores) was 5% of the client threads' time in YCSB D,
 * counting GETs.
 *
 * <p>A cell is written only by its thread, so no increment is lost. Cells of threads that ended are folded into a
 * base when another thread registers (a thread's actions happen before another sees it ended), so the cells kept
 * follow the threads alive, not every thread that ever counted (an ended thread's cell, and the thread object, are
 * kept until the next registration). A sum is weakly consistent, like
 * {@code LongAdder.sum()}: increments made meanwhile may or may not be in it; every one made before it is.
 */
public final class ThreadCount {
    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(Cell.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One thread's count. */
    private static final class Cell {
        /** Held until the cell is folded, so that {@link Thread#isAlive} can tell (and order) its end. */
        final Thread owner;
        /** Written by the owner only (opaque), read by {@link #sum} (opaque). */
        long value;

        Cell(Thread owner) {
            this.owner = owner;
        }
    }

    private final ThreadLocal<Cell> mine = new Mine();
    /** Cells of threads that counted and may still count; guarded by this. */
    private final List<Cell> cells = new ArrayList<>();
    /** What the cells of ended threads counted; guarded by this. */
    private long ended;

    /** Adds one for the calling thread. */
    public void increment() {
        Cell c = mine.get();
        VALUE.setOpaque(c, (long) VALUE.getOpaque(c) + 1);
    }

    /** The count: every increment made before this call, and perhaps some made during it. */
    public synchronized long sum() {
        long sum = ended;
        for (Cell c : cells) {
            sum += (long) VALUE.getOpaque(c);
        }
        return sum;
    }

    /**
     * The calling thread's cell, registered at its first count. A subclass rather than {@code withInitial(this::register)}:
     * every open counts GETs with one (ARCHITECTURE.md, "Start-up cost").
     */
    private final class Mine extends ThreadLocal<Cell> {
        @Override
        protected Cell initialValue() {
            return register();
        }
    }

    private synchronized Cell register() {
        for (Iterator<Cell> it = cells.iterator(); it.hasNext(); ) {
            Cell c = it.next();
            if (!c.owner.isAlive()) {
                ended += (long) VALUE.getOpaque(c);
                it.remove();
            }
        }
        Cell c = new Cell(Thread.currentThread());
        cells.add(c);
        return c;
    }
}
