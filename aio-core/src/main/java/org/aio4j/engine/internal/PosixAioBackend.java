package org.aio4j.engine.internal;

import org.aio4j.PosixAio;
import org.aio4j.internal.AioAbi;
import org.aio4j.internal.Errno;
import org.aio4j.internal.NativeMemory;

/**
 * The POSIX AIO backend: a native slab with one {@code aiocb} (plus one {@code iovec} for the cached-read fast
 * path) per slot, the reaper's list of ops in flight (kept as a native {@code aiocb*} array for {@code
 * aio_suspend}), and a {@link Waiter} that implements the notification mode.
 *
 * <p>Memory rules (see {@code docs/engine.md}): a slot's {@code aiocb} is rewritten only after {@code aio_error}
 * said its previous op finished and {@code aio_return} reaped it. glibc's helper stores the result, reads the
 * sigevent to notify (and on a failed notification overwrites the result) inside one critical section of its request
 * mutex, and {@code aio_error} takes that mutex: once it returned a final value the helper no longer touches the
 * {@code aiocb}, in every notification mode. Its sigevent is written once anyway, when the slab is made. An op joins the reaper's list only after its submit call returned 0, by way
 * of a queue that the reaper drains (an unsubmitted zeroed {@code aiocb} reads as complete).
 */
public final class PosixAioBackend implements Backend {
    final Posix px;
    final AioAbi abi;
    private final int capacity;
    private final int stride;
    private final int iovOffset;
    private final long slab;
    private final long slabBytes;
    private final int einprogress;
    private final int eagain;
    /** The cached-read fast path (shared with the io_uring backend). */
    private final ReadNow readNow;

    private final int ecanceled;
    private final boolean cancelNeedsGuard;
    /** An op's completion EAGAIN may be a notification glibc could not deliver (see {@link Waiter}). */
    private final boolean lostIsEagain;
    /** glibc-private {@code offsetof(struct aiocb, __error_code)}, or -1: no {@code lio_listio} batch. */
    private final int errorCodeOffset;
    /** Written to {@code __error_code} before {@code lio_listio}; no errno and not EINPROGRESS. */
    static final int NOT_QUEUED = 0xA104_BA7C;

    // Reaper-owned list of ops in flight.
    private final int[] list;
    private final int[] pos;
    private final boolean[] early;
    int n;
    final long listAddr;
    private final IntMpscQueue published;
    private final Waiter waiter;
    private boolean recheck;

    /**
     * @param readNow whether to try {@code preadv2(RWF_NOWAIT)} first for reads (ignored where there is none)
     */
    public PosixAioBackend(Posix px, AioAbi abi, int capacity, Waiter waiter, boolean readNow) {
        this.px = px;
        this.abi = abi;
        this.capacity = capacity;
        this.waiter = waiter;
        int cb = (abi.aiocb.size() + 15) & ~15;
        this.iovOffset = cb;
        this.stride = (cb + Math.max(16, abi.sizeofIovec) + 63) & ~63;
        this.slabBytes = (long) stride * capacity;
        this.einprogress = Errno.EINPROGRESS.value();
        this.eagain = Errno.EAGAIN.value();
        this.readNow = new ReadNow(px, abi, readNow);
        this.ecanceled = Errno.ECANCELED.value();
        // glibc's per-op aio_cancel strands the requests behind an untaken head (rt/aio_cancel.c +
        // __aio_remove_request); musl, FreeBSD and macOS do not queue by fd that way.
        this.cancelNeedsGuard = abi.name.contains("glibc");
        this.lostIsEagain = waiter.notificationFailureOverwritesResult();
        this.errorCodeOffset = abi.GLIBC_AIOCB_ERROR_CODE_OFFSET;
        this.list = new int[capacity];
        this.pos = new int[capacity];
        this.early = new boolean[capacity];
        java.util.Arrays.fill(pos, -1);
        this.published = new IntMpscQueue(capacity);
        long s = 0, l = 0;
        try {
            s = NativeMemory.allocate(slabBytes);
            l = NativeMemory.allocate(8L * capacity);
            waiter.init(this);
            for (int i = 0; i < capacity; i++) {
                waiter.initSigevent(s + (long) i * stride + abi.aiocb.sigevent(), i);
            }
        } catch (RuntimeException | Error e) {
            NativeMemory.free(s, slabBytes);
            NativeMemory.free(l, 8L * capacity);
            throw e;
        }
        this.slab = s;
        this.listAddr = l;
    }

    long aiocb(int slot) {
        return slab + (long) slot * stride;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    private long prepare(int slot, int op, int fd, long buf, long len, long offset) {
        long cb = aiocb(slot);
        AioAbi.AiocbLayout l = abi.aiocb;
        NativeMemory.putInt(cb + l.fildes(), fd);
        // glibc overwrites aio_lio_opcode and aio_reqprio: reset both on every reuse.
        NativeMemory.putInt(cb + l.lioOpcode(), op == OP_WRITE ? abi.LIO_WRITE : op == OP_READ ? abi.LIO_READ : 0);
        NativeMemory.putInt(cb + l.reqprio(), 0);
        NativeMemory.putLong(cb + l.buf(), buf);
        NativeMemory.putLong(cb + l.nbytes(), len);
        NativeMemory.putLong(cb + l.offset(), offset);
        return cb;
    }

    @Override
    public boolean supportsBatch() {
        return errorCodeOffset >= 0;
    }

    /**
     * {@code lio_listio(LIO_NOWAIT, list, n, NULL)}, split into calls of at most {@link PosixAio#MAX_LIST_ENTRIES}
     * entries: glibc puts an array of the list's length on the calling thread's stack (8 bytes per entry), so a batch
     * of 200,000 ops (the builder allows {@code maxInFlight} up to 2^20) overflowed a 1 MiB thread stack with
     * SIGSEGV. Each call's entries are reported independently; a failed call does not stop the later ones. glibc
     * gives no per-entry answer when a call fails (-1 with EAGAIN/EINVAL/EIO: some entries may be queued and
     * running), so before the call each entry's private {@code __error_code} is set to {@link #NOT_QUEUED}, a value
     * no errno has: glibc's {@code __aio_enqueue_request} writes {@code EINPROGRESS} there for every entry it queues
     * (and later 0 or the op's errno), and an entry it refused either keeps the sentinel (request pool exhausted:
     * EAGAIN) or gets the refusal's errno (bad {@code aio_reqprio}: EINVAL; no helper thread could be started). Only
     * an entry still holding the sentinel is reported as not queued; any other entry joins the reaper's list: a
     * queued one is reaped normally, a refused one reads as complete with glibc's errno (glibc holds no reference to
     * it, so reaping it with {@code aio_return} is harmless). glibc's {@code lio_listio} (GLIBC_2_4 and later) does
     * not touch {@code aio_sigevent} in {@code LIO_NOWAIT} mode (only the 2.1-2.3 compat symbol forced {@code
     * SIGEV_NONE}), so the sigevents written once per slot stay valid. The list is native, freed after the calls
     * (glibc keeps pointers to the aiocbs, not to the list). Returns 0, or the errno of the first call that failed.
     */
    @Override
    public int submitBatch(
            int[] slots, int n, byte[] ops, int[] fds, long[] bufs, long[] lens, long[] offsets, int[] status) {
        if (errorCodeOffset < 0) throw new UnsupportedOperationException("no lio_listio batch on " + abi.name);
        int chunk = Math.max(1, Math.min(n, PosixAio.MAX_LIST_ENTRIES));
        long listBytes = 8L * chunk;
        long lst;
        try {
            lst = NativeMemory.allocate(listBytes);
        } catch (RuntimeException | OutOfMemoryError e) {
            // nothing was submitted: the engine submits each op alone (no allocation there)
            java.util.Arrays.fill(status, 0, n, eagain);
            return eagain;
        }
        try {
            int first = 0;
            for (int start = 0; start < n; start += chunk) {
                int end = Math.min(n, start + chunk);
                for (int i = start; i < end; i++) {
                    int s = slots[i];
                    long cb = prepare(s, ops[s], fds[s], bufs[s], lens[s], offsets[s]);
                    NativeMemory.putInt(cb + errorCodeOffset, NOT_QUEUED);
                    waiter.beforeSubmit(s);
                    NativeMemory.putLong(lst + 8L * (i - start), cb);
                }
                int rc = px.lio_listio(abi.LIO_NOWAIT, lst, end - start, 0L);
                int e = rc == 0 ? 0 : px.errno();
                if (rc != 0 && e == 0) e = eagain;
                for (int i = start; i < end; i++) {
                    int s = slots[i];
                    if (rc == 0 || NativeMemory.getInt(aiocb(s) + errorCodeOffset) != NOT_QUEUED) {
                        status[i] = 0;
                        published.offer(s);
                    } else {
                        status[i] = e;
                        waiter.submitFailed(s);
                    }
                }
                waiter.published();
                if (first == 0) first = e;
            }
            return first;
        } finally {
            NativeMemory.free(lst, listBytes);
        }
    }

    @Override
    public int submit(int slot, int op, int fd, long buf, long len, long offset, int fsyncOp) {
        long cb = prepare(slot, op, fd, buf, len, offset);
        waiter.beforeSubmit(slot);
        int rc;
        if (op == OP_READ) rc = px.aio_read(cb);
        else if (op == OP_WRITE) rc = px.aio_write(cb);
        else rc = px.aio_fsync(fsyncOp, cb);
        if (rc != 0) {
            int e = px.errno();
            waiter.submitFailed(slot);
            return e != 0 ? e : eagain;
        }
        published.offer(slot);
        waiter.published();
        return 0;
    }

    @Override
    public boolean supportsReadNow() {
        return readNow.on();
    }

    @Override
    public long tryReadNow(int slot, int fd, long buf, long len, long offset) {
        return readNow.tryRead(aiocb(slot) + iovOffset, fd, buf, len, offset);
    }

    @Override
    public int cancel(int slot, int fd) {
        return px.aio_cancel(fd, aiocb(slot));
    }

    @Override
    public int canceledValue() {
        return abi.AIO_CANCELED;
    }

    @Override
    public boolean perOpCancelNeedsGuard() {
        return cancelNeedsGuard;
    }

    @Override
    public int cancelAll(int fd) {
        return px.aio_cancel(fd, 0L);
    }

    @Override
    public boolean isCancelled(int slot) {
        return px.aio_error(aiocb(slot)) == ecanceled;
    }

    @Override
    public int poll(CompletionSink sink, long timeoutNanos) {
        if (waiter.reaper == null) waiter.reaper = Thread.currentThread();
        waiter.clearWake();
        int r = drain(sink);
        if (r > 0) return r;
        long t = recheck ? Math.min(timeoutNanos, 50_000L) : timeoutNanos;
        boolean scan = waiter.await(this, sink, t);
        r = drain(sink);
        r += waiter.takeExact();
        if (scan && n > 0) {
            int s = scanAll(sink);
            recheck = s == 0 && waiter.wokenByCompletion();
            r += s;
        } else {
            recheck = false;
        }
        return r;
    }

    /** Moves published slots into the list; reaps those whose completion was already seen. */
    private int drain(CompletionSink sink) {
        int r = 0;
        int slot;
        while ((slot = published.poll()) >= 0) {
            add(slot);
            if (early[slot]) {
                early[slot] = false;
                r += reapSlot(slot, sink);
            }
        }
        return r;
    }

    boolean publishedEmpty() {
        return published.isEmpty();
    }

    private void add(int slot) {
        list[n] = slot;
        pos[slot] = n;
        NativeMemory.putLong(listAddr + 8L * n, aiocb(slot));
        n++;
    }

    private void removeAt(int i) {
        int slot = list[i];
        int last = list[--n];
        if (i != n) {
            list[i] = last;
            pos[last] = i;
            NativeMemory.putLong(listAddr + 8L * i, aiocb(last));
        }
        NativeMemory.putLong(listAddr + 8L * n, 0);
        pos[slot] = -1;
    }

    /** Checks every op in flight; reaps the finished ones. */
    int scanAll(CompletionSink sink) {
        int r = 0;
        for (int i = n - 1; i >= 0; i--) {
            int slot = list[i];
            long cb = aiocb(slot);
            int e = px.aio_error(cb);
            if (e == einprogress) continue;
            r += reap(i, slot, cb, e, sink);
        }
        return r;
    }

    /**
     * An exact notification (signalfd, kevent) named {@code slot}: reaps it now if it is in the list, otherwise
     * remembers it for when its submitter publishes it.
     */
    int exactDone(int slot, CompletionSink sink) {
        if (slot < 0 || slot >= capacity) return 0;
        if (pos[slot] >= 0) return reapSlot(slot, sink);
        early[slot] = true;
        return 0;
    }

    private int reapSlot(int slot, CompletionSink sink) {
        long cb = aiocb(slot);
        int e = px.aio_error(cb);
        if (e == einprogress) return 0; // not ours after all (a stale notification): the scan will find it
        return reap(pos[slot], slot, cb, e, sink);
    }

    private int reap(int i, int slot, long cb, int e, CompletionSink sink) {
        long ret = px.aio_return(cb);
        int err = e;
        if (e < 0) err = px.errno(); // aio_error failed: report its errno
        else if (e == 0 && ret < 0) err = px.errno();
        else if (e == eagain && lostIsEagain) err = NOTIFICATION_LOST; // glibc overwrote the result (may be done)
        removeAt(i);
        sink.complete(slot, err == 0 ? ret : -1, err);
        return 1;
    }

    /** Ops in the reaper's list (reaper thread). */
    public int listed() {
        return n;
    }

    @Override
    public void wakeup() {
        waiter.wakeup();
    }

    @Override
    public String mechanism() {
        return waiter.name();
    }

    @Override
    public boolean close(long deadlineNanos) {
        // glibc sets the result and notifies under its request mutex, and every op was reaped after aio_error (which
        // takes that mutex) returned a final value, so no helper still reads this slab. A second guard, in every
        // mode: aio_suspend takes that mutex too, so a call on an all-null list returns only after any notification
        // still running has finished.
        waiter.barrier(this);
        boolean ok = waiter.close(deadlineNanos);
        NativeMemory.free(listAddr, 8L * capacity);
        NativeMemory.free(slab, slabBytes);
        return ok;
    }
}
