package org.aio4j.engine.internal;

import java.util.concurrent.locks.LockSupport;
import org.aio4j.engine.internal.Backend.CompletionSink;

/**
 * One notification mode of {@link PosixAioBackend}: what each slot's sigevent says (written once per slot), how
 * the reaper waits, and how another thread wakes it.
 */
public abstract class Waiter {
    /** The reaper thread, recorded by its first poll. */
    protected volatile Thread reaper;

    private int exactReaped;

    /** Allocates native resources; called once by the backend's constructor, before any sigevent is written. */
    protected void init(PosixAioBackend b) {}

    /** Writes the sigevent of one slot (once per slot, for the life of the slab). */
    protected abstract void initSigevent(long sigevent, int slot);

    /** Before a submit call on {@code slot} (any thread). */
    protected void beforeSubmit(int slot) {}

    /** The submit call for {@code slot} failed: no notification will come. */
    protected void submitFailed(int slot) {}

    /** A submitted op was handed to the reaper (any thread). */
    protected void published() {}

    /** Start of a poll round (reaper). */
    protected void clearWake() {}

    /**
     * Waits for completions (reaper). Exact modes reap through {@link PosixAioBackend#exactDone} and count with
     * {@link #countExact}; the return value asks the backend to scan every op in flight.
     */
    protected abstract boolean await(PosixAioBackend b, CompletionSink sink, long timeoutNanos);

    /**
     * True if an op's completion {@code EAGAIN} may be the C library's report of a notification it could not
     * deliver rather than the op's own outcome (glibc overwrites the result when {@code sigqueue} of a real-time
     * signal fails; {@link PosixAioBackend} then reports {@link Backend#NOTIFICATION_LOST}). False by default:
     * {@code SIGEV_NONE} notifies nothing; a classic signal is never refused ({@code SIGUSR1} is at most pending once,
     * and the kernel drops only its info); glibc 2.36 ignores a failed {@code pthread_create} for {@code
     * SIGEV_THREAD} (it tests {@code < 0}), so that notification is lost without touching the result.
     */
    protected boolean notificationFailureOverwritesResult() {
        return false;
    }

    /** True if the last {@link #await} was ended by a completion notification (not a timeout or wake-up). */
    protected boolean wokenByCompletion() {
        return false;
    }

    /** Any thread: ends a waiting {@link #await} soon. */
    protected abstract void wakeup();

    /**
     * Reaper, before the slab is freed (every op reaped): waits until the C library no longer reads it. A second
     * guard on glibc, where every op was reaped after {@code aio_error} (which takes glibc's request mutex) returned a
     * final value, so no helper still reads the slab (see {@code docs/engine.md}): {@code aio_suspend} on an all-null
     * list takes that mutex too, so it returns only after any notification still running has finished.
     */
    protected void barrier(PosixAioBackend b) {
        long ts = org.aio4j.internal.NativeMemory.allocate(16);
        try {
            org.aio4j.internal.NativeMemory.putLong(b.listAddr, 0);
            timespec(ts, 0);
            b.px.aio_suspend(b.listAddr, 1, ts);
        } finally {
            org.aio4j.internal.NativeMemory.free(ts, 16);
        }
    }

    /** Reaper: frees the native resources; false if some were kept on purpose. */
    protected boolean close(long deadlineNanos) {
        return true;
    }

    /** A short name for {@link Backend#mechanism()}. */
    protected abstract String name();

    protected final void countExact(int reaped) {
        exactReaped += reaped;
    }

    final int takeExact() {
        int r = exactReaped;
        exactReaped = 0;
        return r;
    }

    protected final void unparkReaper() {
        Thread t = reaper;
        if (t != null) LockSupport.unpark(t);
    }

    static void timespec(long ts, long nanos) {
        org.aio4j.internal.NativeMemory.putLong(ts, nanos / 1_000_000_000L);
        org.aio4j.internal.NativeMemory.putLong(ts + 8, nanos % 1_000_000_000L);
    }
}
