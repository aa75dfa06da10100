package org.aio4j.engine.internal;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded multi-producer, single-consumer queue of non-negative ints, allocation-free. The capacity must be at
 * least the number of values that can be queued at once (the engine queues each slot at most once between two
 * polls, so the slot count is enough).
 */
public final class IntMpscQueue {
    private final AtomicIntegerArray ring;
    private final int mask;
    private final AtomicLong tail = new AtomicLong();
    private long head; // consumer only

    /** A queue for up to {@code minCapacity} values (rounded up to a power of two). */
    public IntMpscQueue(int minCapacity) {
        int cap = Integer.highestOneBit(Math.max(2, minCapacity - 1)) << 1;
        ring = new AtomicIntegerArray(cap);
        for (int i = 0; i < cap; i++) ring.set(i, -1);
        mask = cap - 1;
    }

    /** Any thread. */
    public void offer(int v) {
        long t = tail.getAndIncrement();
        ring.set((int) (t & mask), v);
    }

    /** Consumer only: the next value, or -1 if none is visible yet. */
    public int poll() {
        int i = (int) (head & mask);
        int v = ring.get(i);
        if (v < 0) return -1;
        ring.lazySet(i, -1);
        head++;
        return v;
    }

    /** True if no value has been offered beyond those polled (may be stale). */
    public boolean isEmpty() {
        return tail.get() == head && ring.get((int) (head & mask)) < 0;
    }
}
