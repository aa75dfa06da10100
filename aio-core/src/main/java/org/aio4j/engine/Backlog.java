package org.aio4j.engine;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.aio4j.AioFile;
import org.aio4j.engine.internal.Backend;
import org.aio4j.engine.internal.IntMpscQueue;
import org.aio4j.internal.Errno;

/**
 * Room "backlog" of {@link AioEngine}: the ops accepted but not in flight, both resubmitted by the reaper.
 *
 * <ul>
 *   <li>The overflow queue ({@link Overflow#WAIT}): ops that found no free slot, FIFO, with a negative token ({@code
 *       Long.MIN_VALUE | seq}); {@link #drainPending} gives them slots as slots free. {@link Cancellation} removes
 *       them from {@link #pending}.
 *   <li>The EAGAIN retry list: a submit call refused with EAGAIN ({@link Submitter#launch}, or an entry {@code
 *       lio_listio} did not queue) keeps its slot in state {@code S_RETRY} and is submitted again alone by {@link
 *       #runRetries}, after a backoff from {@link #RETRY_BASE_NANOS} doubling per attempt, at most {@link
 *       #MAX_RETRIES} attempts; then it completes with its errno.
 * </ul>
 */
final class Backlog {
    static final int MAX_RETRIES = 8;
    static final long RETRY_BASE_NANOS = 50_000L;

    /** An op waiting for a slot. */
    static final class Pending {
        final byte kind;
        final AioFile file;
        final long position;
        final ByteBuffer buf;
        /** The buffers of a vectored op ({@link SlotRegistry#K_READV}, {@link SlotRegistry#K_WRITEV}), else null. */
        final ByteBuffer[] vector;

        final int fsyncOp;
        final Object attachment;
        final AioHandler<?> handler;
        final long token;
        final long start;

        Pending(
                byte kind,
                AioFile file,
                long position,
                ByteBuffer buf,
                ByteBuffer[] vector,
                int fsyncOp,
                Object att,
                AioHandler<?> h,
                long token) {
            this.kind = kind;
            this.file = file;
            this.position = position;
            this.buf = buf;
            this.vector = vector;
            this.fsyncOp = fsyncOp;
            this.attachment = att;
            this.handler = h;
            this.token = token;
            this.start = System.nanoTime();
        }
    }

    private final Submitter submitter;
    private final SlotRegistry slots;
    private final Completions completions;
    private final EngineMetrics metrics;
    private final Backend backend;
    private final Reaper reaper;
    private final int eagain = Errno.EAGAIN.value();
    private final int ecanceled = Errno.ECANCELED.value();

    /** The overflow queue. */
    final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();

    private final AtomicLong pendingSeq = new AtomicLong();
    /** Slots handed to the retry list by any thread; the reaper moves them into its own list. */
    private final IntMpscQueue retryQueue;
    // The reaper's retry list: slot and due time.
    private final int[] retrySlots;
    private final long[] retryDue;
    private int retryCount;

    Backlog(Submitter submitter, SlotRegistry slots, Completions c, EngineMetrics metrics, Backend b, Reaper r) {
        this.submitter = submitter;
        this.slots = slots;
        this.completions = c;
        this.metrics = metrics;
        this.backend = b;
        this.reaper = r;
        int cap = slots.capacity;
        retryQueue = new IntMpscQueue(cap);
        retrySlots = new int[cap];
        retryDue = new long[cap];
    }

    /** Queues an op for a slot ({@link Overflow#WAIT}); returns its (negative) token. */
    long enqueue(byte kind, AioFile file, long position, ByteBuffer buf, int fsyncOp, Object att, AioHandler<?> h) {
        return enqueue(kind, file, position, buf, null, fsyncOp, att, h);
    }

    /** Queues a vectored op ({@code vector} not null) or a single one for a slot; returns its (negative) token. */
    long enqueue(
            byte kind,
            AioFile file,
            long position,
            ByteBuffer buf,
            ByteBuffer[] vector,
            int fsyncOp,
            Object att,
            AioHandler<?> h) {
        long token = Long.MIN_VALUE | pendingSeq.incrementAndGet();
        metrics.queued.incrementAndGet();
        pending.add(new Pending(kind, file, position, buf, vector, fsyncOp, att, h, token));
        backend.wakeup();
        return token;
    }

    /** True if no op waits for a slot. */
    boolean noPending() {
        return pending.isEmpty();
    }

    /** Completes a waiting op (removed from {@link #pending} by the caller) with {@code errno}. */
    void finishUnslotted(Pending p, int errno) {
        completions.finishNow(p.kind, p.file, p.position, errno, p.handler, p.attachment, p.start);
    }

    /** Completes every op waiting for a slot as cancelled. */
    void cancelPending() {
        Pending p;
        while ((p = pending.poll()) != null) {
            metrics.queued.decrementAndGet();
            finishUnslotted(p, ecanceled);
        }
    }

    /**
     * Puts a slot whose submit call answered EAGAIN (first attempt) on the retry list; the caller wakes the reaper.
     */
    void retryLater(int slot) {
        slots.retrying(slot);
        slots.attempts[slot] = 1;
        metrics.retries.increment();
        retryQueue.offer(slot);
    }

    // ------------------------------------------------------------------------------------------------ reaper side

    int retryCount() {
        return retryCount;
    }

    void takeRetries() {
        int slot;
        while ((slot = retryQueue.poll()) >= 0) {
            retrySlots[retryCount] = slot;
            retryDue[retryCount] = System.nanoTime() + (RETRY_BASE_NANOS << (slots.attempts[slot] - 1));
            retryCount++;
        }
    }

    long nextRetryDue() {
        long d = Long.MAX_VALUE;
        for (int i = 0; i < retryCount; i++) d = Math.min(d, retryDue[i]);
        return d;
    }

    void runRetries() {
        SlotRegistry s = slots;
        long now = System.nanoTime();
        for (int i = retryCount - 1; i >= 0; i--) {
            int slot = retrySlots[i];
            boolean cancel;
            synchronized (s.stripe(slot)) {
                cancel = s.cancelRequested[slot] || reaper.closing;
            }
            if (!cancel && retryDue[i] > now) continue;
            retrySlots[i] = retrySlots[--retryCount];
            retryDue[i] = retryDue[retryCount];
            if (cancel) {
                completions.reaped(slot, -1, ecanceled);
                continue;
            }
            long token = 0;
            synchronized (s.stripe(slot)) {
                // a cancel that came after the check above (cancel or cancelAll already answered true)
                if (s.cancelRequested[slot]) {
                    cancel = true;
                } else {
                    s.states[slot] = SlotRegistry.S_SUBMITTING;
                    token = s.liveTokens[slot];
                }
            }
            if (cancel) {
                completions.reaped(slot, -1, ecanceled);
                continue;
            }
            int rc = submitter.submitLocked(slot, s.kinds[slot], s.fds[slot]);
            if (rc == 0) {
                s.submitted(slot, token);
                continue;
            }
            if (rc == eagain && s.attempts[slot] < MAX_RETRIES) {
                s.retrying(slot);
                s.attempts[slot]++;
                metrics.retries.increment();
                retryQueue.offer(slot);
                continue;
            }
            completions.reaped(slot, -1, rc);
        }
    }

    void drainPending() {
        while (!pending.isEmpty()) {
            if (reaper.closing) {
                cancelPending();
                return;
            }
            int slot = slots.free.pop();
            if (slot < 0) return;
            Pending p = pending.poll();
            if (p == null) {
                slots.free.push(slot);
                return;
            }
            metrics.queued.decrementAndGet();
            if (p.vector != null) {
                submitter.fillVector(slot, p.kind, p.file, p.position, p.vector, p.attachment, p.handler, p.start);
            } else {
                submitter.fill(slot, p.kind, p.file, p.position, p.buf, p.fsyncOp, p.attachment, p.handler, p.start);
            }
            submitter.launch(slot);
        }
    }
}
