package org.aio4j.benchmarks;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A closed-loop load generator: {@code queueDepth} 4 KiB reads at random block-aligned offsets are kept in flight;
 * each completion immediately submits the next read of its slot, from whatever thread delivered the completion.
 * The benchmark thread only waits (parked, so it does not steal a core from the I/O threads) until a given number
 * of further completions has been counted. Between two measurements the loop keeps running, so there is no drain
 * and refill at every JMH invocation.
 */
abstract class ClosedLoop implements AutoCloseable {
    /** One in-flight read: its buffer, its random state and the offset it was submitted at. */
    static final class Slot {
        final int index;
        final ByteBuffer buffer;
        long rnd;
        long position;
        /** Driver-specific companion (a Runnable task, an id...). */
        Object tag;

        Slot(int index, ByteBuffer buffer, long seed) {
            this.index = index;
            this.buffer = buffer;
            this.rnd = seed;
        }

        /** Chooses the next random offset and resets the buffer. */
        long next() {
            rnd = BenchData.xorshift(rnd);
            position = BenchData.blockOffset(rnd);
            buffer.clear();
            return position;
        }
    }

    final Slot[] slots;
    private final AtomicLong completed = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile long target = -1;
    private volatile Thread waiter;
    private volatile Throwable failure;
    private volatile boolean stopping;

    ClosedLoop(int queueDepth) {
        if (queueDepth < 1) {
            throw new IllegalArgumentException("queueDepth < 1: " + queueDepth);
        }
        slots = new Slot[queueDepth];
        for (int i = 0; i < queueDepth; i++) {
            slots[i] = new Slot(i, BenchData.alignedDirect(BenchData.BLOCK), 0x9E3779B97F4A7C15L * (i + 1));
        }
    }

    /**
     * Submits the next read of {@code slot} (its offset from {@link Slot#next()}). Completion must be reported with
     * {@link #completed(Slot, long)} or {@link #failed(Slot, Throwable)}; a submit that throws counts as failed.
     */
    abstract void submit(Slot slot) throws Exception;

    /** Releases the driver's resources after every read has completed. */
    abstract void closeResources() throws Exception;

    /** Starts the loop: fills the queue. */
    final void start() {
        for (Slot s : slots) {
            inFlight.incrementAndGet();
            resubmit(s);
        }
    }

    private void resubmit(Slot s) {
        try {
            s.next();
            submit(s);
        } catch (Throwable t) {
            failed(s, t);
        }
    }

    /** Reports a finished read of {@code bytes} bytes and submits the slot's next read. */
    final void completed(Slot s, long bytes) {
        if (bytes != BenchData.BLOCK) {
            failed(s, new IllegalStateException("read of " + BenchData.BLOCK + " at " + s.position + " returned " + bytes));
            return;
        }
        long c = completed.incrementAndGet();
        if (c == target) {
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
        if (stopping) {
            inFlight.decrementAndGet();
        } else {
            resubmit(s);
        }
    }

    /** Reports a failed read; the slot leaves the loop and the benchmark fails. */
    final void failed(Slot s, Throwable t) {
        if (failure == null) {
            failure = t;
        }
        inFlight.decrementAndGet();
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /**
     * Waits until {@code ops} more reads have completed.
     *
     * @return the total count of completions, for the blackhole
     */
    final long awaitCompletions(int ops) throws Exception {
        waiter = Thread.currentThread();
        long t = completed.get() + ops;
        target = t;
        long c;
        while ((c = completed.get()) < t) {
            Throwable f = failure;
            if (f != null) {
                throw new IllegalStateException("benchmark read failed", f);
            }
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(50));
        }
        return c;
    }

    /** Stops resubmitting, waits (bounded) for the reads in flight, then closes the driver. */
    @Override
    public final void close() throws Exception {
        stopping = true;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        if (inFlight.get() > 0) {
            System.err.println("warning: " + inFlight.get() + " reads still in flight after 60 s");
        }
        closeResources();
        Throwable f = failure;
        if (f != null) {
            throw new IllegalStateException("benchmark read failed", f);
        }
    }
}
