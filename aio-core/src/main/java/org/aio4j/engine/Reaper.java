package org.aio4j.engine;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.aio4j.engine.internal.Backend;

/**
 * Room "reaper and life cycle" of {@link AioEngine}: the engine's one reaper thread and its open/closing/terminated
 * states. The thread loops on the backend's {@code poll} (completions go to {@link Completions}), then delivers the
 * handed-off completions, resubmits what the {@link Backlog} holds (EAGAIN retries when due, ops waiting for a slot),
 * and about once a second closes the lanes of closed files that are left ({@link Lanes#sweep}; a backstop: a file's
 * lanes are closed by its own close).
 *
 * <p>{@link #close()} only marks the engine closed and wakes the thread: the thread cancels everything ({@link
 * Cancellation#cancelEverything}), keeps reaping until nothing is in flight, entering, retrying, waiting or handed
 * off, and then closes the lanes and the backend (which frees the native slab) and counts {@link #terminated} down.
 * Submitters count themselves in {@link #entering} around their check of {@link #closed}, so no op slips in after
 * the reaper saw the engine empty.
 */
final class Reaper implements Runnable {
    private static final System.Logger LOG = System.getLogger(AioEngine.class.getName());
    private static final AtomicInteger ENGINE_IDS = new AtomicInteger();
    private static final long IDLE_NANOS = 100_000_000L;

    private final Backend backend;
    private final EngineMetrics metrics;
    private final long closeTimeoutNanos;

    /** Threads inside a submit call (counted before they check {@link #closed}). */
    final AtomicInteger entering = new AtomicInteger();

    volatile boolean closed;
    volatile boolean closing;
    private boolean cancelIssued;
    private final CountDownLatch terminated = new CountDownLatch(1);

    // Set by start(), before the thread starts; read by the reaper thread (and the thread by handOff).
    private Completions completions;
    private Backlog backlog;
    private Cancellation cancellation;
    private Lanes lanes;
    private Thread thread;

    Reaper(Backend backend, EngineMetrics metrics, long closeTimeoutNanos) {
        this.backend = backend;
        this.metrics = metrics;
        this.closeTimeoutNanos = closeTimeoutNanos;
    }

    /**
     * Makes the reaper thread (from {@code factory}, else a daemon thread named {@code aio4j-reaper-<name>}) and
     * starts it; called last in the engine's constructor, once every room exists.
     */
    void start(ThreadFactory factory, String name, Completions c, Backlog b, Cancellation x, Lanes l) {
        this.completions = c;
        this.backlog = b;
        this.cancellation = x;
        this.lanes = l;
        String n = "aio4j-reaper-" + (name != null ? name : String.valueOf(ENGINE_IDS.incrementAndGet()));
        Thread t;
        if (factory != null) {
            t = factory.newThread(this);
        } else {
            t = new Thread(this, n);
            t.setDaemon(true);
        }
        this.thread = t;
        t.start();
    }

    /** True on the reaper thread. */
    boolean isReaperThread() {
        return Thread.currentThread() == thread;
    }

    /** True once the reaper has reaped everything after {@link #close()} and released the native resources. */
    boolean isTerminated() {
        return terminated.getCount() == 0;
    }

    boolean awaitTermination(long nanos) throws InterruptedException {
        return terminated.await(nanos, TimeUnit.NANOSECONDS);
    }

    /** See {@link AioEngine#close()} (not called for the shared engine). */
    void close() {
        synchronized (this) {
            if (!closed) {
                closed = true;
                closing = true;
                backend.wakeup();
            }
        }
        // The reaper finishes by itself. A handler running on the submitting thread (the cached-read fast path)
        // must not wait either: the engine cannot terminate while that submission is still on the stack.
        if (Thread.currentThread() == thread || Trampoline.inHandler()) return;
        try {
            if (!terminated.await(closeTimeoutNanos, TimeUnit.NANOSECONDS)) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "aio4j engine: {0} ops still in flight {1} ms after close; their native memory is kept"
                                + " until they complete",
                        metrics.inFlight(),
                        TimeUnit.NANOSECONDS.toMillis(closeTimeoutNanos));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The reaper loop. */
    @Override
    public void run() {
        Completions completions = this.completions;
        Backlog backlog = this.backlog;
        boolean clean = false;
        try {
            long lastSweep = System.nanoTime();
            while (true) {
                if (closing) {
                    if (!cancelIssued) {
                        cancelIssued = true;
                        cancellation.cancelEverything();
                    }
                    if (metrics.inFlight.get() == 0
                            && entering.get() == 0
                            && backlog.retryCount() == 0
                            && backlog.noPending()
                            && completions.noHandOffs()) {
                        clean = true;
                        break;
                    }
                }
                // Retries this thread queued itself (a resubmission in runRetries or drainPending answered EAGAIN
                // again): its own wakeup() is a no-op, so they must be counted before it decides how long to wait.
                // Before, such a retry waited for an unrelated wake-up: up to 100 ms on POSIX AIO, and forever on
                // io_uring, whose idle wait has no timeout (found by SpringFaultPropertiesTest on io_uring).
                backlog.takeRetries();
                long timeout = IDLE_NANOS;
                if (backlog.retryCount() > 0) timeout = Math.max(1_000L, backlog.nextRetryDue() - System.nanoTime());
                if (closing) timeout = Math.min(timeout, 1_000_000L);
                if (!completions.noHandOffs()) timeout = 0;
                backend.poll(completions, timeout);
                completions.runHandOffs();
                backlog.takeRetries();
                if (backlog.retryCount() > 0) backlog.runRetries();
                if (!backlog.noPending()) backlog.drainPending();
                if (lanes.max > 1) {
                    long now = System.nanoTime();
                    if (now - lastSweep > 1_000_000_000L) {
                        lastSweep = now;
                        lanes.sweep(false);
                    }
                }
            }
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "aio4j reaper failed; native memory of ops in flight is kept", t);
        } finally {
            if (clean) {
                lanes.sweep(true);
                if (!backend.close(System.nanoTime() + closeTimeoutNanos)) {
                    LOG.log(System.Logger.Level.WARNING, "aio4j engine: a native resource was kept at close");
                }
            }
            terminated.countDown();
        }
    }
}
