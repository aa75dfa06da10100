package org.aio4j.webflux;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The checks that run after a response was sent (did the file grow meanwhile: {@code FileHandlers.checkGrowth}),
 * batched: a check is queued, and one task on {@code boundedElastic} runs every queued check {@link #DELAY_MS} ms
 * after the first of a batch was queued. A task per response woke a blocking thread per request, about 1.5 extra
 * context switches per 8 KiB GET measured under load (docs/benchmarks.md, "HTTP file serving"); batched, the
 * wake-up happens at most once per {@link #DELAY_MS} ms. A check only logs, so running it a little later changes
 * nothing for the client. At most {@link #MAX_QUEUED} checks wait; more are dropped and counted ({@link
 * #dropped()}), so a burst cannot grow the queue without bound.
 */
final class AfterSendChecks {
    /** How long after the first check of a batch the batch runs. */
    static final long DELAY_MS = 50;

    /** Checks waiting at most; beyond, new ones are dropped. */
    static final int MAX_QUEUED = 4096;

    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicInteger dropped = new AtomicInteger();
    private final Scheduler scheduler;

    AfterSendChecks(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    /** The router's instance: batches run on {@code boundedElastic} (the checks make blocking file-system calls). */
    static final AfterSendChecks SHARED = new AfterSendChecks(Schedulers.boundedElastic());

    /** Queues {@code check} to run with the next batch; any thread, never blocks. */
    void later(Runnable check) {
        if (queued.incrementAndGet() > MAX_QUEUED) {
            queued.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        queue.offer(check);
        if (scheduled.compareAndSet(false, true)) {
            scheduler.schedule(this::drain, DELAY_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** Checks dropped because {@link #MAX_QUEUED} were waiting (diagnostics, tests). */
    int dropped() {
        return dropped.get();
    }

    private void drain() {
        // cleared before the queue is read: a check queued while this batch runs schedules the next batch itself
        scheduled.set(false);
        Runnable check;
        while ((check = queue.poll()) != null) {
            queued.decrementAndGet();
            try {
                check.run();
            } catch (RuntimeException e) {
                // a check only logs; one that fails must not keep the others from running
            }
        }
    }
}
