package org.aio4j.benchmarks;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A closed-loop load generator with one submitting thread, like {@code fio}'s submit/reap loop: {@code queueDepth}
 * 4 KiB reads at random block-aligned offsets are kept in flight. A completion, on whatever thread the candidate
 * delivers it (a pool thread, the engine's reaper, or the submitting thread itself when a read completes at once),
 * hands its slot back through a preallocated lock-free ring; the submitting thread (the JMH thread) takes finished
 * slots, counts them and submits each slot's next read. When nothing has finished it parks, so it does not steal a
 * core from the I/O threads on a small machine. Between two JMH invocations the reads stay in flight: there is no
 * drain and refill.
 *
 * <p>Nothing here allocates per op, so {@code -prof gc} bytes/op are the candidate's own.
 */
abstract class ClosedLoop implements AutoCloseable {
    /** One read: its buffer, its random state, the offset it was submitted at and its outcome. */
    static final class Slot {
        final int index;
        final ByteBuffer buffer;
        long rnd;
        long position;
        long result;
        Throwable error;
        /** Driver-specific companion (a Runnable task...). */
        Object tag;

        Slot(int index, ByteBuffer buffer, long seed) {
            this.index = index;
            this.buffer = buffer;
            this.rnd = seed;
        }

        /** Chooses the next random offset and resets the buffer. */
        void next() {
            rnd = BenchData.xorshift(rnd);
            position = BenchData.blockOffset(rnd);
            buffer.clear();
        }
    }

    final Slot[] slots;
    private final IntRing finished;
    private volatile boolean sleeping;
    private Thread submitter;
    private int inFlight;
    private long total;

    ClosedLoop(int queueDepth) {
        if (queueDepth < 1) {
            throw new IllegalArgumentException("queueDepth < 1: " + queueDepth);
        }
        slots = new Slot[queueDepth];
        for (int i = 0; i < queueDepth; i++) {
            slots[i] = new Slot(i, BenchData.alignedDirect(BenchData.BLOCK), 0x9E3779B97F4A7C15L * (i + 1));
        }
        finished = new IntRing(queueDepth);
    }

    /**
     * Submits the read of {@code slot} at {@code slot.position} into {@code slot.buffer}. Its end must be reported
     * with {@link #completed(Slot, long)} or {@link #failed(Slot, Throwable)}, from any thread, at most once.
     */
    abstract void submit(Slot slot) throws Exception;

    /** Releases the driver's resources after every read has completed. */
    abstract void closeResources() throws Exception;

    /** Fills the queue; called by the thread that will call {@link #awaitCompletions}. */
    final void start() {
        submitter = Thread.currentThread();
        for (Slot s : slots) {
            submitNext(s);
        }
    }

    private void submitNext(Slot s) {
        s.next();
        s.error = null;
        inFlight++;
        try {
            submit(s);
        } catch (Throwable t) {
            failed(s, t);
        }
    }

    /** Any thread: a read finished with {@code bytes} bytes. */
    final void completed(Slot s, long bytes) {
        s.result = bytes;
        handBack(s);
    }

    /** Any thread: a read failed. */
    final void failed(Slot s, Throwable t) {
        s.result = -1;
        s.error = t;
        handBack(s);
    }

    private void handBack(Slot s) {
        finished.offer(s.index);
        if (sleeping) {
            LockSupport.unpark(submitter);
        }
    }

    private int take(long deadlineNanos) {
        while (true) {
            int i = finished.poll();
            if (i >= 0) {
                return i;
            }
            sleeping = true;
            try {
                i = finished.poll();
                if (i >= 0) {
                    return i;
                }
                if (System.nanoTime() - deadlineNanos > 0) {
                    return -1;
                }
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(10));
            } finally {
                sleeping = false;
            }
        }
    }

    /**
     * Counts {@code ops} finished reads, submitting the next read of each.
     *
     * @return the total count, for the blackhole
     * @throws IllegalStateException if a read failed, returned other than 4096 bytes, or nothing finished for 60 s
     */
    final long awaitCompletions(int ops) {
        for (int done = 0; done < ops; done++) {
            int i = take(System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
            if (i < 0) {
                throw new IllegalStateException("no read finished for 60 s (" + inFlight + " in flight)");
            }
            Slot s = slots[i];
            inFlight--;
            check(s);
            total++;
            submitNext(s);
        }
        return total;
    }

    private static void check(Slot s) {
        if (s.error != null) {
            throw new IllegalStateException("read at " + s.position + " failed", s.error);
        }
        if (s.result != BenchData.BLOCK) {
            throw new IllegalStateException("read at " + s.position + " returned " + s.result);
        }
    }

    /** Waits (bounded) for the reads in flight, then closes the driver. */
    @Override
    public final void close() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (inFlight > 0) {
            if (take(deadline) < 0) {
                System.err.println("warning: " + inFlight + " reads still in flight after 60 s");
                break;
            }
            inFlight--;
        }
        closeResources();
    }

    /**
     * A bounded multi-producer, single-consumer ring of ints (Vyukov's array queue), preallocated: never allocates.
     * Capacity is at least the number of slots, so it is never full.
     */
    static final class IntRing {
        private final int mask;
        private final int[] values;
        private final AtomicLongArray sequence;
        private final AtomicLong tail = new AtomicLong();
        private long head;

        IntRing(int minCapacity) {
            int capacity = Integer.highestOneBit(Math.max(2, minCapacity) * 2 - 1);
            mask = capacity - 1;
            values = new int[capacity];
            sequence = new AtomicLongArray(capacity);
            for (int i = 0; i < capacity; i++) {
                sequence.set(i, i);
            }
        }

        void offer(int v) {
            long t;
            while (true) {
                t = tail.get();
                long s = sequence.getAcquire((int) (t & mask));
                if (s == t) {
                    if (tail.compareAndSet(t, t + 1)) {
                        break;
                    }
                } else if (s < t) {
                    throw new IllegalStateException("ring full");
                }
                Thread.onSpinWait();
            }
            values[(int) (t & mask)] = v;
            sequence.setRelease((int) (t & mask), t + 1);
        }

        /** The next value, or -1 if none is ready. Single consumer only. */
        int poll() {
            long h = head;
            int i = (int) (h & mask);
            if (sequence.getAcquire(i) != h + 1) {
                return -1;
            }
            int v = values[i];
            sequence.setRelease(i, h + mask + 1);
            head = h + 1;
            return v;
        }
    }
}
