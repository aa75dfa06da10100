package org.aio4j.engine;

import java.util.Iterator;
import org.aio4j.AioFile;
import org.aio4j.engine.internal.Backend;
import org.aio4j.internal.Errno;
import org.aio4j.internal.FdTracker;

/**
 * Room "cancellation" of {@link AioEngine}: {@link AioEngine#cancel(long)}, both {@code cancelAll}s, and the cancel
 * of everything at close. A cancelled op is not completed here: it still ends in {@link Completions#reaped} once
 * reaped (or, waiting in the {@link Backlog}, in {@link Backlog#finishUnslotted}), so it completes exactly once.
 *
 * <p>The glibc head-cancel guard ({@link #cancelSubmitted}): a per-op {@code aio_cancel} of a request that heads its
 * fd number's queue and was not yet taken by a helper thread strands every later request on that fd number (see
 * {@code docs/engine.md}). Where the backend says so ({@link Backend#perOpCancelNeedsGuard()}), the engine cancels an
 * op only when it is the one request in flight on its fd number process-wide ({@link FdTracker}), checked and
 * cancelled under the fd's lock, the lock every submit call also holds ({@link Submitter#submitLocked}).
 *
 * <p>Lock order: a stripe lock ({@link SlotRegistry#stripe}) before an fd lock; {@link #cancelAll(AioFile)} takes
 * every stripe in index order; a batch takes its fd locks in ascending order. No cycle.
 */
final class Cancellation {
    private final Backend backend;
    private final SlotRegistry slots;
    private final Backlog backlog;
    private final Lanes lanes;
    private final EngineMetrics metrics;
    private final int ecanceled = Errno.ECANCELED.value();

    Cancellation(Backend backend, SlotRegistry slots, Backlog backlog, Lanes lanes, EngineMetrics metrics) {
        this.backend = backend;
        this.slots = slots;
        this.backlog = backlog;
        this.lanes = lanes;
        this.metrics = metrics;
    }

    /** {@link AioEngine#cancel(long)}. */
    boolean cancel(long token) {
        if (token == 0) return false;
        if (token < 0) return cancelPending(token);
        SlotRegistry s = slots;
        int slot = (int) token;
        if (slot < 0 || slot >= s.capacity) return false;
        synchronized (s.stripe(slot)) {
            if (s.liveTokens[slot] != token) return false;
            if (s.states[slot] == SlotRegistry.S_RETRY) {
                s.cancelRequested[slot] = true;
                backend.wakeup();
                return true;
            }
            if (s.states[slot] != SlotRegistry.S_SUBMITTED) return false; // its submit call is under way
            return cancelSubmitted(slot);
        }
    }

    /** {@link AioEngine#cancelAll()}. */
    int cancelAll() {
        SlotRegistry s = slots;
        int n = 0;
        for (Backlog.Pending p : backlog.pending) if (cancelPending(p.token)) n++;
        for (int slot = 0; slot < s.capacity; slot++) {
            long t;
            synchronized (s.stripe(slot)) {
                t = s.liveTokens[slot];
            }
            if (t != 0 && cancel(t)) n++;
        }
        return n;
    }

    /** {@link AioEngine#cancelAll(AioFile)}. */
    int cancelAll(AioFile file) {
        int n = 0;
        for (Backlog.Pending p : backlog.pending) if (p.file == file && cancelPending(p.token)) n++;
        // Pin the fd numbers (FdTracker) so none is closed and reused while we cancel on it; a closed file is
        // skipped (its ops in flight still pin their own fds, collected under the stripe locks).
        AioFile[] ls = lanes.existing(file);
        int[] pinned = new int[1 + (ls != null ? ls.length : 0)];
        int np = 0;
        np = pin(file, pinned, np);
        if (ls != null) for (int i = 1; i < ls.length; i++) np = pin(ls[i], pinned, np);
        try {
            n += cancelAllLocked(file, pinned, np, 0);
        } finally {
            for (int i = 0; i < np; i++) FdTracker.release(pinned[i]);
        }
        return n;
    }

    private static int pin(AioFile f, int[] pinned, int np) {
        int fd = f.fd();
        FdTracker.acquire(fd);
        if (!f.isOpen()) {
            FdTracker.release(fd);
            return np;
        }
        for (int i = 0; i < np; i++) {
            if (pinned[i] == fd) {
                FdTracker.release(fd);
                return np;
            }
        }
        pinned[np] = fd;
        return np + 1;
    }

    /**
     * Takes every stripe lock (in index order; {@link #cancel} takes one stripe, then an fd lock: no cycle), so no
     * slot is freed or newly marked submitted while the fds are cancelled and the cancelled ops counted.
     */
    private int cancelAllLocked(AioFile file, int[] pinned, int np, int stripe) {
        SlotRegistry s = slots;
        if (stripe < SlotRegistry.STRIPES) {
            synchronized (s.stripeAt(stripe)) {
                return cancelAllLocked(file, pinned, np, stripe + 1);
            }
        }
        int capacity = s.capacity;
        int[] cancelFds = java.util.Arrays.copyOf(pinned, np + capacity);
        int nf = np;
        boolean retry = false;
        for (int slot = 0; slot < capacity; slot++) {
            if (s.liveTokens[slot] == 0 || s.files[slot] != file) continue;
            if (s.states[slot] == SlotRegistry.S_RETRY) {
                retry = true;
                continue;
            }
            // a live slot holds its fd in FdTracker until after it is freed, which needs the stripe lock we hold
            int fd = s.fds[slot];
            boolean seen = false;
            for (int i = 0; i < nf && !seen; i++) seen = cancelFds[i] == fd;
            if (!seen) cancelFds[nf++] = fd;
        }
        for (int i = 0; i < nf; i++) backend.cancelAll(cancelFds[i]);
        int n = 0;
        for (int slot = 0; slot < capacity; slot++) {
            if (s.liveTokens[slot] == 0 || s.files[slot] != file) continue;
            if (s.states[slot] == SlotRegistry.S_RETRY) {
                s.cancelRequested[slot] = true;
                n++;
            } else if (s.states[slot] == SlotRegistry.S_SUBMITTED && backend.isCancelled(slot)) {
                n++;
            }
        }
        if (retry) backend.wakeup();
        return n;
    }

    /** Removes a waiting op from the overflow queue and completes it as cancelled; false if it is no longer there. */
    private boolean cancelPending(long token) {
        for (Iterator<Backlog.Pending> it = backlog.pending.iterator(); it.hasNext(); ) {
            Backlog.Pending p = it.next();
            if (p.token == token) {
                if (!backlog.pending.remove(p)) return false;
                metrics.queued.decrementAndGet();
                backlog.finishUnslotted(p, ecanceled);
                return true;
            }
        }
        return false;
    }

    /**
     * Per-op {@code aio_cancel} of a submitted op, only where it cannot strand other requests: with glibc, only
     * when the op is the one request in flight on its fd number process-wide ({@link FdTracker}), checked and
     * cancelled under the fd's lock so that no engine submission on that fd slips in between. Otherwise does not
     * call and answers false: the op completes normally. The caller holds the slot's stripe lock.
     */
    private boolean cancelSubmitted(int slot) {
        int fd = slots.fds[slot];
        if (!backend.perOpCancelNeedsGuard()) return backend.cancel(slot, fd) == backend.canceledValue();
        synchronized (FdTracker.lock(fd)) {
            if (FdTracker.inFlight(fd) != 1) return false;
            return backend.cancel(slot, fd) == backend.canceledValue();
        }
    }

    /** At close, on the reaper thread: cancels what waits for a slot, what waits for a retry, and what is in flight. */
    void cancelEverything() {
        SlotRegistry s = slots;
        backlog.cancelPending();
        for (int slot = 0; slot < s.capacity; slot++) {
            synchronized (s.stripe(slot)) {
                if (s.liveTokens[slot] == 0) continue;
                if (s.states[slot] == SlotRegistry.S_RETRY) s.cancelRequested[slot] = true;
                else if (s.states[slot] == SlotRegistry.S_SUBMITTED) cancelSubmitted(slot);
            }
        }
    }
}
