package org.aio4j.engine.internal;

import java.util.concurrent.locks.LockSupport;
import org.aio4j.engine.internal.Backend.CompletionSink;
import org.aio4j.internal.NativeMemory;

/**
 * {@code SUSPEND}: sigevents say {@code SIGEV_NONE}; the reaper waits in {@code aio_suspend} over its list. New
 * ops cannot wake an {@code aio_suspend} already waiting, so it waits at most one slice, and with nothing in
 * flight the reaper parks and a submitter unparks it (the "parked reaper with self-wake" of the platform notes).
 */
public final class SuspendWaiter extends Waiter {
    /**
     * The most entries of one {@code aio_suspend} call: glibc puts 40 bytes per entry on the reaper's stack, so the
     * cap that is safe on a 256 KiB thread stack ({@link org.aio4j.PosixAio#MAX_LIST_ENTRIES}).
     */
    static final int MAX_WAIT = org.aio4j.PosixAio.MAX_LIST_ENTRIES;

    private final long sliceNanos;
    private long ts;
    private PosixAioBackend b;
    private volatile boolean parked;
    private volatile boolean wake;

    public SuspendWaiter(long sliceNanos) {
        this.sliceNanos = Math.max(1_000L, sliceNanos);
    }

    @Override
    protected void init(PosixAioBackend b) {
        this.b = b;
        ts = NativeMemory.allocate(16);
    }

    @Override
    protected void initSigevent(long sev, int slot) {
        NativeMemory.putInt(sev + b.abi.sigevent.notifyField(), b.abi.SIGEV_NONE);
    }

    @Override
    protected void published() {
        if (parked) unparkReaper();
    }

    @Override
    protected boolean await(PosixAioBackend b, CompletionSink sink, long timeoutNanos) {
        if (b.n == 0) {
            parked = true;
            if (!wake && b.publishedEmpty()) LockSupport.parkNanos(this, timeoutNanos);
            parked = false;
            // Consumed only after the wait: a wake-up that arrives earlier skips the park instead of being lost.
            // The engine looks at its queues after every poll, so clearing it here loses nothing.
            wake = false;
            return false;
        }
        timespec(ts, Math.min(timeoutNanos, sliceNanos));
        // glibc's aio_suspend puts 40 bytes per entry on the caller's stack: wait on at most MAX_WAIT (1024)
        // entries; the scan after every wait checks all of them, and the slice bounds the delay for the rest.
        b.px.aio_suspend(b.listAddr, Math.min(b.n, MAX_WAIT), ts);
        return true;
    }

    @Override
    protected void wakeup() {
        wake = true;
        if (parked) unparkReaper();
    }

    @Override
    protected void barrier(PosixAioBackend b) {
        NativeMemory.putLong(b.listAddr, 0);
        timespec(ts, 0);
        b.px.aio_suspend(b.listAddr, 1, ts);
    }

    @Override
    protected boolean close(long deadlineNanos) {
        NativeMemory.free(ts, 16);
        ts = 0;
        return true;
    }

    @Override
    protected String name() {
        return "SUSPEND(aio_suspend, slice " + sliceNanos / 1000 + "us)";
    }
}
