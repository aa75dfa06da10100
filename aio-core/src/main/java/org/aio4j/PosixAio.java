package org.aio4j;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.aio4j.internal.Errno;
import org.aio4j.internal.FdTracker;
import org.aio4j.internal.NativeLib;
import org.aio4j.internal.NativeMemory;

/**
 * The free functions of POSIX AIO ({@code aio_cancel} on a whole fd, {@code aio_suspend}, {@code lio_listio},
 * glibc's {@code aio_init}) and whether POSIX AIO is available at all. Mirrors the free functions of nix's {@code
 * sys::aio}.
 *
 * <pre>{@code
 * if (!PosixAio.isAvailable()) throw new IllegalStateException("no POSIX AIO", PosixAio.unavailabilityCause());
 * }</pre>
 */
public final class PosixAio {
    private static final int EINPROGRESS = Errno.EINPROGRESS.value();
    private static final int EINTR = Errno.EINTR.value();
    private static final int EAGAIN = Errno.EAGAIN.value();
    private static final int EIO = Errno.EIO.value();

    /**
     * The most {@code aiocb}s aio4j passes to one {@code aio_suspend} or {@code lio_listio} call: 1024. glibc puts
     * arrays sized by the list length on the calling thread's stack ({@code aio_suspend}: a 32-byte {@code struct
     * waitlist} and an 8-byte pointer per entry; {@code lio_listio}: an 8-byte pointer per entry, plus a waitlist
     * entry with {@code LIO_WAIT}), without a bound: 30,000 entries overflow a 1 MiB Java thread stack and kill the
     * JVM with SIGSEGV. 1024 entries take at most 40 KiB of stack, which leaves room on a 256 KiB thread stack
     * ({@code -Xss256k}). {@link #aioSuspend} refuses longer lists, {@link #lioListio} splits them into several
     * calls where that keeps its meaning (see there), a vectored op takes at most this many buffers, and the engine
     * ({@code org.aio4j.engine}) splits its batches and waits the same way.
     */
    public static final int MAX_LIST_ENTRIES = 1024;

    private PosixAio() {}

    /** Refuses more than {@link #MAX_LIST_ENTRIES} buffers for a vectored op (null passes: checked later). */
    static java.nio.ByteBuffer[] checkVectorLength(java.nio.ByteBuffer[] bufs) {
        if (bufs != null && bufs.length > MAX_LIST_ENTRIES) {
            throw new IllegalArgumentException("a vectored op takes at most " + MAX_LIST_ENTRIES
                    + " buffers (PosixAio.MAX_LIST_ENTRIES: on Linux/macOS they are submitted as one lio_listio list, "
                    + "which glibc puts on the calling thread's stack), got " + bufs.length);
        }
        return bufs;
    }

    /**
     * True when the C library's AIO functions and a layout table for this platform were found.
     *
     * @return true when operations can be submitted on this platform
     */
    public static boolean isAvailable() {
        return NativeLib.isAvailable();
    }

    /**
     * Why POSIX AIO is unavailable, or null when it is available.
     *
     * @return the error met while loading the C library or choosing its layout table, or null
     */
    public static Throwable unavailabilityCause() {
        return NativeLib.unavailabilityCause();
    }

    /**
     * Operations submitted and not yet reaped, process-wide. They, their native memory and their buffers are kept
     * reachable until reaped, even when dropped or refused by {@link Aio#close()}; a count that does not return to
     * its earlier value after your operations finished is a leak.
     *
     * @return the count of operations submitted and not reaped, in this process
     */
    public static int opsInFlight() {
        return InFlightOps.count();
    }

    /**
     * Cancels every outstanding request on {@code fd} ({@code aio_cancel(fd, NULL)}). Cancelled operations still
     * complete with {@code ECANCELED} and must be reaped. This is also the way out of the glibc bug described at
     * {@link Aio#cancel()}: requests stranded behind a cancelled one then complete with {@code ECANCELED}.
     *
     * <pre>{@code
     * w.submit();
     * if (PosixAio.aioCancelAll(file.fd()) == AioCancelStat.AIO_NOTCANCELED) {
     *     while (w.error() == Errno.EINPROGRESS.value()) Thread.sleep(10);
     * }
     * try { w.aioReturn(); } catch (AioException ignored) { } // must reap, the result does not matter
     * }</pre>
     *
     * @param fd the file descriptor whose requests are cancelled
     * @return what {@code aio_cancel} did: all cancelled, some still running, or all already done
     * @throws AioException EBADF for a bad fd
     */
    public static AioCancelStat aioCancelAll(int fd) throws AioException {
        int r = NativeLib.libc().aio_cancel(fd, 0);
        if (r < 0) throw AioException.of("aio_cancel", NativeLib.errno());
        return AioCancelStat.fromNative(r);
    }

    /**
     * Waits until at least one of {@code ops} has completed, or {@code timeout} has passed ({@code null}: forever).
     * Returns at once if one of them has already completed (including ones already reaped). An interrupted wait
     * ({@code EINTR}, for example by a completion signal) is resumed with the time left. For a vectored group
     * "completed" means every part has.
     *
     * <pre>{@code
     * w.submit();
     * PosixAio.aioSuspend(List.of(w), null);
     * assert w.aioReturn() == 12;
     * }</pre>
     *
     * @param ops the submitted operations to wait for, at least one
     * @param timeout the longest wait, or null to wait until one completes
     * @throws AioTryAgainException ({@code EAGAIN}) when the timeout passed first
     * @throws AioException another errno of {@code aio_suspend}
     * @throws IllegalArgumentException for an empty list, a negative timeout, or more than {@link
     *     #MAX_LIST_ENTRIES} aiocbs (a vectored group on Linux/macOS counts one per buffer): glibc would put arrays
     *     of that length on this thread's stack. Wait on a part of the list at a time, or poll {@link Aio#error()}.
     * @throws IllegalStateException if an op was never submitted
     */
    public static void aioSuspend(List<? extends Aio> ops, Duration timeout) throws AioException {
        Objects.requireNonNull(ops, "ops");
        if (ops.isEmpty()) throw new IllegalArgumentException("aioSuspend needs at least one operation");
        if (timeout != null && timeout.isNegative()) throw new IllegalArgumentException("negative timeout");
        long aiocbs = 0;
        for (Aio a : ops) aiocbs += ((AbstractAio) Objects.requireNonNull(a, "op")).parts;
        if (aiocbs > MAX_LIST_ENTRIES) {
            throw new IllegalArgumentException("aioSuspend waits on at most " + MAX_LIST_ENTRIES
                    + " aiocbs per call (PosixAio.MAX_LIST_ENTRIES: glibc puts arrays of the list's length on the "
                    + "calling thread's stack), got " + aiocbs + ": wait on a part of the list at a time");
        }
        long deadline = timeout == null ? 0 : System.nanoTime() + saturatedNanos(timeout);
        List<AbstractAio> pinned = new ArrayList<>(ops.size());
        try {
            for (Aio a : ops) {
                AbstractAio op = (AbstractAio) Objects.requireNonNull(a, "op");
                if (!op.pin()) return; // reaped: complete
                pinned.add(op);
            }
            while (true) {
                int count = 0;
                for (AbstractAio op : pinned) {
                    int n = op.writePendingAiocbs(0, count);
                    if (n < 0) return; // complete
                    count = n;
                }
                if (count == 0) { // every op is being healed (see Aio#cancel) on another thread: a moment
                    if (timeout != null && deadline - System.nanoTime() <= 0) {
                        throw AioException.of("aio_suspend", EAGAIN);
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(50_000);
                    continue;
                }
                long list = NativeMemory.allocate(8L * count);
                long ts = 0;
                int rc;
                int err = 0;
                try {
                    int index = 0;
                    for (AbstractAio op : pinned) {
                        int n = op.writePendingAiocbs(list, index);
                        if (n < 0 || n - index > count - index) return; // completed meanwhile
                        index = n;
                    }
                    if (timeout != null) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) throw AioException.of("aio_suspend", EAGAIN);
                        ts = NativeMemory.allocate(NativeLib.abi().sizeofTimespec);
                        NativeMemory.putLong(ts, left / 1_000_000_000L);
                        NativeMemory.putLong(ts + 8, left % 1_000_000_000L);
                    }
                    rc = NativeLib.libc().aio_suspend(list, index, ts);
                    if (rc != 0) err = NativeLib.errno();
                } finally {
                    NativeMemory.free(list, 8L * count);
                    if (ts != 0) NativeMemory.free(ts, NativeLib.abi().sizeofTimespec);
                }
                if (rc == 0 || err == EINTR) continue; // re-check: a group completes only with its last part
                throw AioException.of("aio_suspend", err);
            }
        } finally {
            for (AbstractAio op : pinned) op.unpin();
        }
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 2;
        }
    }

    /**
     * Submits several reads and writes with one {@code lio_listio} call, from a real native {@code aiocb*} array.
     * With {@link LioMode#LIO_WAIT} it returns when every op has completed (each must still be reaped); with {@link
     * LioMode#LIO_NOWAIT} it returns once they are queued, and {@code sigevNotify} (if not none) is delivered once
     * when all of them have completed. The list's sigevent stays allocated until every listed op is reaped. Each
     * op's own notification is delivered too. {@link AioFsync} cannot be listed; neither can a vectored group
     * ({@link AioReadv}, {@link AioWritev} on Linux/macOS) that has its own notification.
     *
     * <p>Wait for all of them in the call:
     *
     * <pre>{@code
     * AioWrite w = new AioWrite(file.fd(), 2, wbuf, 0, SigevNotify.none());
     * PosixAio.lioListio(LioMode.LIO_WAIT, List.of(w), SigevNotify.none());
     * assert w.aioReturn() == 12; // complete: no need to wait
     * }</pre>
     *
     * <p>Submit many with one call, and wait for each:
     *
     * <pre>{@code
     * PosixAio.lioListio(LioMode.LIO_NOWAIT, List.of(w), SigevNotify.none());
     * while (w.error() == Errno.EINPROGRESS.value()) Thread.sleep(10);
     * assert w.aioReturn() == 12;
     * }</pre>
     *
     * <p>Be told once when all of them are done (here with SIGUSR2, which the JVM lets you handle):
     *
     * <pre>{@code
     * AtomicBoolean signaled = new AtomicBoolean();
     * sun.misc.Signal.handle(new sun.misc.Signal("USR2"), s -> signaled.set(true));
     * PosixAio.lioListio(LioMode.LIO_NOWAIT, List.of(w), SigevNotify.signal(NativeLib.abi().SIGUSR2, 0));
     * while (!signaled.get()) Thread.sleep(10);
     * assert w.aioReturn() == 12; // the notification means every op is complete
     * }</pre>
     *
     * <p>Errors or resource limits can make {@code lio_listio} fail with {@code EIO}, {@code EAGAIN} or {@code
     * EINTR} after queueing some of the ops: that is a {@link LioListioException}, which says which ops were queued
     * (in progress, reap them) and which were not (still NEW).
     *
     * <p>Long lists: one {@code lio_listio} call takes at most {@link #MAX_LIST_ENTRIES} aiocbs (a vectored group on
     * Linux/macOS counts one per buffer), since glibc puts arrays of the list's length on the calling thread's
     * stack. A longer list with {@link LioMode#LIO_NOWAIT} and {@link SigevNotify#none()} is submitted with several
     * calls in list order, each of at most that many aiocbs and never splitting an op; if one call fails, the later
     * ones are not made and their ops are reported as not queued in the {@link LioListioException}. A longer list
     * with {@link LioMode#LIO_WAIT} or with a list notification is refused: one notification (or one wait) for the
     * whole list cannot be kept across several calls.
     *
     * @param mode {@link LioMode#LIO_WAIT} to return once every op has completed, {@link LioMode#LIO_NOWAIT} to return
     * once they are queued
     * @param ops the reads and writes to submit, each NEW, none twice
     * @param sigevNotify the notification once every op of the list has completed ({@link SigevNotify#none()} for
     * none); each op's own notification still applies
     * @throws LioListioException when the call fails; see there
     * @throws IllegalArgumentException for an {@link AioFsync}, a duplicate, a vectored group with its own
     *     notification, or more than {@link #MAX_LIST_ENTRIES} aiocbs with {@link LioMode#LIO_WAIT} or a list
     *     notification
     * @throws IllegalStateException if an op is not NEW
     */
    public static void lioListio(LioMode mode, List<? extends Aio> ops, SigevNotify sigevNotify) throws AioException {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(ops, "ops");
        Objects.requireNonNull(sigevNotify, "sigevNotify");
        Set<AbstractAio> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<AbstractAio> list = new ArrayList<>(ops.size());
        int parts = 0;
        for (Aio a : ops) {
            AbstractAio op = (AbstractAio) Objects.requireNonNull(a, "op");
            if (op.kind == AbstractAio.Kind.FSYNC) {
                throw new IllegalArgumentException("lio_listio has no fsync opcode: submit AioFsync on its own");
            }
            if (op.group && !(op.sigevNotify() instanceof SigevNotify.SigevNone)) {
                throw new IllegalArgumentException(op + " is a group of aiocbs whose own notification lio_listio "
                        + "cannot deliver: give it SigevNotify.none() or submit() it on its own");
            }
            if (!seen.add(op)) throw new IllegalArgumentException("listed twice: " + op);
            // (each call of a split list takes whole ops; vectored ops are capped in their constructors)
            if (op.parts > MAX_LIST_ENTRIES) throw new IllegalArgumentException("more than 1024 aiocbs: " + op);
            list.add(op);
            parts += op.parts;
        }
        if (parts > MAX_LIST_ENTRIES && mode == LioMode.LIO_NOWAIT && !(sigevNotify instanceof SigevNotify.SigevNone)) {
            throw new IllegalArgumentException("lio_listio takes at most " + MAX_LIST_ENTRIES
                    + " aiocbs per call (PosixAio.MAX_LIST_ENTRIES: glibc puts arrays of the list's length on the "
                    + "calling thread's stack), got " + parts + ": a longer LIO_NOWAIT list is split into several "
                    + "calls only with SigevNotify.none(), since one list notification cannot span several calls");
        }
        int reserved = 0;
        try {
            for (AbstractAio op : list) {
                op.reserveForList();
                reserved++;
            }
        } finally {
            if (reserved < list.size()) {
                for (int i = 0; i < reserved; i++) list.get(i).unreserve();
            }
        }
        // the fd locks of every fd number involved, ascending: each op's order number (track) and its place in
        // glibc's queue are taken in one critical section, as for submit(); see FdTracker#lock
        int[] locks = new int[list.size()];
        for (int i = 0; i < locks.length; i++) locks[i] = FdTracker.lockIndex(list.get(i).fd);
        Arrays.sort(locks);
        int nl = 0;
        for (int i = 0; i < locks.length; i++) if (nl == 0 || locks[nl - 1] != locks[i]) locks[nl++] = locks[i];
        // LIO_WAIT is queued as LIO_NOWAIT under the locks and waited for after them: a wait under an fd lock would
        // hold up every aio4j submission and cancel on those fd numbers (POSIX ignores the list notification there),
        // and a waited list can be split into several calls like any other
        boolean wait = mode == LioMode.LIO_WAIT;
        List<Aio> queued = new ArrayList<>();
        AioException failure = listLocked(locks, nl, 0, list, parts, wait ? SigevNotify.none() : sigevNotify, queued);
        if (wait) {
            awaitAll(queued);
            // LIO_WAIT: EIO when an op failed (glibc and POSIX); each op still holds its own error for aioReturn
            if (failure == null) {
                for (Aio op : queued) {
                    if (op.error() != 0) throw AioException.ofLioListio(EIO, queued, List.of());
                }
            }
        }
        if (failure != null) throw failure;
    }

    /** Waits until every op has completed (LIO_WAIT's promise), resuming after interrupts by signals. */
    private static void awaitAll(List<Aio> ops) throws AioException {
        for (Aio op : ops) {
            while (op.error() == EINPROGRESS) {
                try {
                    aioSuspend(List.of(op), null);
                } catch (AioException e) {
                    if (e.errno() != EINTR && e.errno() != EAGAIN) throw e;
                }
            }
        }
    }

    /**
     * The lio_listio calls (LIO_NOWAIT, at most {@link #MAX_LIST_ENTRIES} aiocbs each) under the fd locks; adds the
     * queued ops to {@code queued}; returns the failure to throw, or null.
     */
    private static AioException listLocked(
            int[] locks, int nl, int li, List<AbstractAio> list, int parts, SigevNotify sigevNotify, List<Aio> queued) {
        if (li < nl) {
            synchronized (FdTracker.lockAt(locks[li])) {
                return listLocked(locks, nl, li + 1, list, parts, sigevNotify, queued);
            }
        }
        int capacity = Math.max(1, Math.min(parts, MAX_LIST_ENTRIES));
        ListEvent ev = null;
        long array = 0;
        int rc = 0;
        int err = 0;
        // list[0..queuedOps) went into calls that returned 0; list[from..to) is the last call's (failed if rc != 0)
        int queuedOps = 0;
        int from = 0;
        int to = 0;
        try {
            if (!(sigevNotify instanceof SigevNotify.SigevNone)) ev = new ListEvent(sigevNotify);
            array = NativeMemory.allocate(8L * capacity);
            do { // at least one call: an empty list still gets its list notification from glibc
                from = to;
                int index = 0;
                while (to < list.size() && index + list.get(to).parts <= MAX_LIST_ENTRIES) {
                    index = list.get(to).writeAiocbs(array, index);
                    to++;
                }
                for (int i = from; i < to; i++) {
                    AbstractAio op = list.get(i);
                    FdTracker.acquire(op.fd);
                    op.track();
                }
                try {
                    rc = NativeLib.libc()
                            .lio_listio(LioMode.LIO_NOWAIT.value(), array, index, ev == null ? 0 : ev.address);
                    if (rc != 0) err = NativeLib.errno();
                } catch (RuntimeException | Error e) {
                    for (int i = from; i < to; i++) {
                        AbstractAio op = list.get(i);
                        op.untrack();
                        FdTracker.release(op.fd);
                    }
                    to = from;
                    throw e;
                }
                if (rc == 0) queuedOps = to;
            } while (rc == 0 && to < list.size());
        } catch (RuntimeException | Error e) {
            // earlier calls of a split list succeeded: those ops are in progress
            for (int i = 0; i < list.size(); i++) {
                if (i < queuedOps) list.get(i).listed(ev);
                else list.get(i).unreserve();
            }
            if (ev != null) ev.release();
            throw e;
        } finally {
            NativeMemory.free(array, 8L * capacity);
        }
        List<Aio> notQueued = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            AbstractAio op = list.get(i);
            if (i < queuedOps || (i >= from && i < to && op.anyPartQueued())) {
                op.listed(ev);
                queued.add(op);
            } else if (i >= from && i < to) { // in the failed call, not queued
                op.unreserve();
                op.untrack();
                FdTracker.release(op.fd);
                notQueued.add(op);
            } else { // after the failed call: never handed to lio_listio
                op.unreserve();
                notQueued.add(op);
            }
        }
        if (ev != null) ev.release(); // the call's own reference
        return rc != 0 ? AioException.ofLioListio(err, queued, notQueued) : null;
    }

    /**
     * Configures glibc's AIO thread pool ({@code aio_init}, a GNU extension): at most {@code threads} helper
     * threads, about {@code num} simultaneous requests, and helper threads exit after {@code idleTimeSeconds}
     * idle. Process-wide; the thread and request counts take effect only before the process's first AIO request
     * (the idle time always; 0 leaves it as it is). glibc's defaults are 20, 64 and 1. Once called, the completion
     * engine no longer sizes the pool itself (see {@code AioEngine.Builder#directLanes}).
     *
     * <pre>{@code
     * PosixAio.aioInit(4, 64, 5); // before any I/O: 4 threads, keep them 5 s
     * }</pre>
     *
     * <p>{@code struct aioinit} (glibc {@code <aio.h>}, 32 bytes): {@code int aio_threads, aio_num, aio_locks,
     * aio_usedba, aio_debug, aio_numusers, aio_idle_time, aio_reserved}.
     *
     * @param threads the most helper threads glibc starts, at least 1
     * @param num the count of simultaneous requests glibc sizes its tables for, at least 1
     * @param idleTimeSeconds seconds an idle helper thread waits before it exits; 0 leaves the current value
     * @throws UnsupportedOperationException where the C library has no {@code aio_init} (everything but glibc)
     * @throws IllegalArgumentException for a value below 1 (0 for the idle time)
     */
    public static void aioInit(int threads, int num, int idleTimeSeconds) {
        org.aio4j.internal.AioInit.apply(threads, num, idleTimeSeconds, true);
    }

    /**
     * The sigevent of one lio_listio call, shared by the ops it queued: freed when the last of them is reaped (an
     * op that is never reaped keeps it forever, never freed early).
     */
    static final class ListEvent {
        final long address;
        private final int size;
        /** The notification closure, if any: reachable while the sigevent is. */
        @SuppressWarnings("unused")
        private final Object keepAlive;

        private final AtomicInteger refs = new AtomicInteger(1);

        ListEvent(SigevNotify notify) {
            this.size = NativeLib.abi().sigevent.size();
            this.address = NativeMemory.allocate(size);
            try {
                this.keepAlive = Sigevents.write(address, notify);
            } catch (RuntimeException | Error e) {
                NativeMemory.free(address, size);
                throw e;
            }
        }

        void retain() {
            refs.incrementAndGet();
        }

        void release() {
            if (refs.decrementAndGet() == 0) NativeMemory.free(address, size);
        }
    }
}
