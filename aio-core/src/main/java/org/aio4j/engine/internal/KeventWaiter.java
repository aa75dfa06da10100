package org.aio4j.engine.internal;

import org.aio4j.engine.internal.Backend.CompletionSink;
import org.aio4j.internal.NativeMemory;

/**
 * {@code KEVENT} (FreeBSD): sigevents say {@code SIGEV_KEVENT} with the engine's kqueue, {@code EV_ONESHOT} and the
 * slot as udata; the reaper waits in {@code kevent} and reaps exactly the ops it names. An {@code EVFILT_USER}
 * event is the wake-up. Layout: FreeBSD 12+ {@code struct kevent} (64 bytes: ident, filter, flags, fflags, data,
 * udata, ext[4]). Tested with a fake binding only; untested on a real FreeBSD.
 */
public final class KeventWaiter extends Waiter {
    static final int KEVENT_SIZE = 64;
    static final short EVFILT_AIO = -3, EVFILT_USER = -11;
    static final short EV_ADD = 0x1, EV_ONESHOT = 0x10, EV_CLEAR = 0x20;
    static final int NOTE_TRIGGER = 0x01000000;
    static final long WAKE_IDENT = 0x61696f34L;
    private static final int BATCH = 64;

    private PosixAioBackend b;
    private int kq = -1;
    private long events, change, ts;
    private boolean closed;

    @Override
    protected void init(PosixAioBackend b) {
        this.b = b;
        kq = b.px.kqueue();
        if (kq < 0) throw new IllegalStateException("kqueue failed, errno " + b.px.errno());
        events = NativeMemory.allocate((long) KEVENT_SIZE * BATCH);
        change = NativeMemory.allocate(KEVENT_SIZE);
        ts = NativeMemory.allocate(16);
        kev(change, WAKE_IDENT, EVFILT_USER, (short) (EV_ADD | EV_CLEAR), 0);
        if (b.px.kevent(kq, change, 1, 0, 0, 0) < 0) {
            int e = b.px.errno();
            b.px.close(kq);
            NativeMemory.free(events, (long) KEVENT_SIZE * BATCH);
            NativeMemory.free(change, KEVENT_SIZE);
            NativeMemory.free(ts, 16);
            throw new IllegalStateException("kevent(EVFILT_USER) failed, errno " + e);
        }
        kev(change, WAKE_IDENT, EVFILT_USER, (short) 0, NOTE_TRIGGER);
    }

    static void kev(long at, long ident, short filter, short flags, int fflags) {
        NativeMemory.zero(at, KEVENT_SIZE);
        NativeMemory.putLong(at, ident);
        NativeMemory.putShort(at + 8, filter);
        NativeMemory.putShort(at + 10, flags);
        NativeMemory.putInt(at + 12, fflags);
    }

    @Override
    protected void initSigevent(long sev, int slot) {
        var l = b.abi.sigevent;
        NativeMemory.putInt(sev + l.notifyField(), b.abi.SIGEV_KEVENT);
        NativeMemory.putInt(sev + l.notifyKqueue(), kq);
        NativeMemory.putLong(sev + l.value(), slot);
        NativeMemory.putShort(sev + l.keventFlags(), EV_ONESHOT);
    }

    @Override
    protected boolean await(PosixAioBackend b, CompletionSink sink, long timeoutNanos) {
        timespec(ts, timeoutNanos);
        int got = b.px.kevent(kq, 0, 0, events, BATCH, ts);
        int reaped = 0;
        for (int i = 0; i < got; i++) {
            long ev = events + (long) i * KEVENT_SIZE;
            if (NativeMemory.getShort(ev + 8) == EVFILT_AIO) {
                reaped += b.exactDone((int) NativeMemory.getLong(ev + 24), sink);
            }
        }
        countExact(reaped);
        return false;
    }

    @Override
    protected synchronized void wakeup() {
        if (!closed) b.px.kevent(kq, change, 1, 0, 0, 0);
    }

    @Override
    protected synchronized boolean close(long deadlineNanos) {
        closed = true;
        b.px.close(kq);
        NativeMemory.free(events, (long) KEVENT_SIZE * BATCH);
        NativeMemory.free(change, KEVENT_SIZE);
        NativeMemory.free(ts, 16);
        return true;
    }

    /** FreeBSD's AIO runs in the kernel: no user-space helper reads the slab after an op was reaped. */
    @Override
    protected void barrier(PosixAioBackend b) {}

    @Override
    protected String name() {
        return "KEVENT(kqueue " + kq + ", EVFILT_AIO, untested on a real FreeBSD)";
    }
}
