package org.aio4j.engine.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A lock-free stack of the ints {@code 0..capacity-1} (free slots), allocation-free. The top word carries a
 * version counter in its upper 32 bits so that a pop that raced with a pop and push of the same slot fails its
 * compare-and-set (no ABA).
 */
public final class IntStack {
    private final int[] next;
    private final AtomicLong top = new AtomicLong(); // low 32: index+1 (0 = empty), high 32: version
    private final AtomicInteger size = new AtomicInteger();

    /** A stack holding {@code 0..capacity-1}, 0 on top. */
    public IntStack(int capacity) {
        next = new int[capacity];
        for (int i = capacity - 1; i >= 0; i--) push(i);
    }

    /** Pushes {@code v}, which must not be in the stack. */
    public void push(int v) {
        while (true) {
            long t = top.get();
            next[v] = (int) t - 1;
            long nt = (((t >>> 32) + 1) << 32) | ((v + 1) & 0xFFFFFFFFL);
            if (top.compareAndSet(t, nt)) {
                size.incrementAndGet();
                return;
            }
        }
    }

    /** Pops a value, or -1 when empty. */
    public int pop() {
        while (true) {
            long t = top.get();
            int v = (int) t - 1;
            if (v < 0) return -1;
            int n = next[v];
            long nt = (((t >>> 32) + 1) << 32) | ((n + 1) & 0xFFFFFFFFL);
            if (top.compareAndSet(t, nt)) {
                size.decrementAndGet();
                return v;
            }
        }
    }

    /** Values in the stack now (approximate under concurrency). */
    public int size() {
        return size.get();
    }
}
