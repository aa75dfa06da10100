package org.aio4j;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.aio4j.internal.AioAbi;
import org.aio4j.internal.Errno;
import org.aio4j.internal.FdTracker;
import org.aio4j.internal.LibC;
import org.aio4j.internal.NativeLib;
import org.aio4j.internal.NativeMemory;

/**
 * The common core of every operation: one native block holding the {@code aiocb}(s), the state machine and the
 * rules of the safety contract (see {@link Aio}).
 *
 * <p>Native block layout: {@code parts} aiocbs; for a Linux/macOS vectored group then the group's own sigevent
 * (handed to {@code lio_listio}) and its {@code aiocb*} list; for a FreeBSD native vectored op the iovec array.
 * The block is allocated at construction and freed by {@link #close()} when NEW, or when the op is reaped (unless
 * {@link PosixAio#aioSuspend} has it pinned, then when the last pin goes).
 *
 * <p>In-flight ops are kept in {@link InFlightOps}, a static strong set: an op the user dropped or failed to close
 * while the C library still owns its memory stays reachable (with its buffers and notification closure) until it is
 * reaped, and is never freed early. Such an op is a leak, reported by {@link PosixAio#opsInFlight()}.
 */
abstract sealed class AbstractAio implements Aio permits AioRead, AioWrite, AioFsync, AioReadv, AioWritev {
    enum Kind {
        READ("aio_read", true),
        WRITE("aio_write", false),
        FSYNC("aio_fsync", false),
        READV("aio_readv", true),
        WRITEV("aio_writev", false);

        final String op;
        final boolean reads;

        Kind(String op, boolean reads) {
            this.op = op;
            this.reads = reads;
        }

        boolean vectored() {
            return this == READV || this == WRITEV;
        }
    }

    enum State {
        NEW,
        /** Reserved by a {@link PosixAio#lioListio} call in progress. */
        SUBMITTING,
        IN_PROGRESS,
        /** aio_error said complete; not reaped yet. */
        DONE,
        RETURNED,
        CLOSED
    }

    /** Submission order ({@link InFlightOps}), set by {@link #track()}. */
    private volatile long seq;

    private static final int EINPROGRESS = Errno.EINPROGRESS.value();

    final Kind kind;
    final int fd;
    final long offset;
    final int prio;
    final AioFsyncMode mode;
    /** Strong references until reaped: the C library reads or writes their memory. */
    private final ByteBuffer[] buffers;

    private final long[] lengths;
    private final long totalBytes;
    /** Number of aiocbs. */
    final int parts;
    /** Linux/macOS vectored group submitted with one lio_listio. */
    final boolean group;
    /** FreeBSD aio_readv/aio_writev. */
    final boolean nativeVectored;

    private final AioAbi abi;
    private final long block;
    private final long blockSize;
    private final long groupSigevent;
    private final long groupList;

    private SigevNotify notify;
    /** The notification closure, reachable as long as this op. */
    @SuppressWarnings("unused")
    private Object notifyKeepAlive;

    private State state = State.NEW;
    private int finalError;
    private int pins;
    private boolean freed;
    private PosixAio.ListEvent listEvent;

    AbstractAio(Kind kind, int fd, long offset, ByteBuffer[] bufs, int prio, SigevNotify notify, AioFsyncMode mode) {
        Objects.requireNonNull(notify, "sigevNotify");
        if (fd < 0) throw new IllegalArgumentException("fd must not be negative: " + fd);
        if (offset < 0) throw new IllegalArgumentException("offset must not be negative: " + offset);
        if (prio < 0) throw new IllegalArgumentException("priority must not be negative: " + prio);
        long total = 0;
        long[] lens = new long[bufs == null ? 0 : bufs.length];
        if (kind != Kind.FSYNC) {
            Objects.requireNonNull(bufs, "buffers");
            if (bufs.length == 0) throw new IllegalArgumentException("at least one buffer is needed");
            for (int i = 0; i < bufs.length; i++) {
                ByteBuffer b = bufs[i];
                String name = bufs.length == 1 && !kind.vectored() ? "buffer" : "buffer " + i;
                Objects.requireNonNull(b, name);
                if (!b.isDirect()) {
                    throw new IllegalArgumentException(name + " is a heap buffer: POSIX AIO needs a fixed native "
                            + "address, use ByteBuffer.allocateDirect");
                }
                if (kind.reads && b.isReadOnly()) {
                    throw new IllegalArgumentException(
                            "Can't read into an immutable buffer: " + name + " is read-only");
                }
                lens[i] = b.remaining();
                total += lens[i];
            }
            if (offset + total < 0) throw new IllegalArgumentException("offset + length overflows: " + offset);
        }
        this.abi = NativeLib.abi();
        this.kind = kind;
        this.fd = fd;
        this.offset = offset;
        this.prio = prio;
        this.mode = mode;
        this.buffers = bufs == null ? new ByteBuffer[0] : bufs.clone();
        this.lengths = lens;
        this.totalBytes = total;
        this.notify = notify;
        this.nativeVectored = kind.vectored() && abi.LIO_READV != AioAbi.ABSENT;
        this.group = kind.vectored() && !nativeVectored;
        this.parts = group ? bufs.length : 1;
        int cbSize = abi.aiocb.size();
        long size = (long) parts * cbSize;
        long sevOff = size;
        if (group) size += abi.sigevent.size() + 8L * parts;
        long iovOff = size;
        if (nativeVectored) size += (long) abi.sizeofIovec * bufs.length;
        this.blockSize = size;
        if (notify instanceof SigevNotify.SigevKevent && abi.SIGEV_KEVENT == AioAbi.ABSENT) {
            throw new UnsupportedOperationException("SIGEV_KEVENT does not exist on " + abi.name);
        }
        this.block = NativeMemory.allocate(size);
        try {
            this.groupSigevent = group ? block + sevOff : 0;
            this.groupList = group ? block + sevOff + abi.sigevent.size() : 0;
            long off = offset;
            for (int i = 0; i < parts; i++) {
                long cb = cb(i);
                NativeMemory.putInt(cb + abi.aiocb.fildes(), fd);
                NativeMemory.putLong(cb + abi.aiocb.offset(), group ? off : offset);
                if (group) {
                    NativeMemory.putLong(cb + abi.aiocb.buf(), address(buffers[i]));
                    NativeMemory.putLong(cb + abi.aiocb.nbytes(), lengths[i]);
                    NativeMemory.putLong(groupList + 8L * i, cb);
                    off += lengths[i];
                } else if (nativeVectored) {
                    long iov = block + iovOff;
                    for (int j = 0; j < buffers.length; j++) {
                        NativeMemory.putLong(iov + (long) abi.sizeofIovec * j, address(buffers[j]));
                        NativeMemory.putLong(iov + (long) abi.sizeofIovec * j + 8, lengths[j]);
                    }
                    NativeMemory.putLong(cb + abi.aiocb.buf(), iov);
                    NativeMemory.putLong(cb + abi.aiocb.nbytes(), buffers.length);
                } else if (kind != Kind.FSYNC) {
                    NativeMemory.putLong(cb + abi.aiocb.buf(), address(buffers[0]));
                    NativeMemory.putLong(cb + abi.aiocb.nbytes(), lengths[0]);
                }
            }
            writeNotification(notify);
            resetForSubmission();
        } catch (RuntimeException | Error e) {
            NativeMemory.free(block, size);
            throw e;
        }
    }

    private static long address(ByteBuffer b) {
        return NativeMemory.addressOf(b) + b.position();
    }

    /** Address of aiocb {@code i}. */
    final long cb(int i) {
        return block + (long) i * abi.aiocb.size();
    }

    /** Test hook: the address of aiocb {@code part} while the native block exists. */
    final synchronized long aiocbAddress(int part) {
        if (freed) throw new IllegalStateException("native memory already freed");
        return cb(Objects.checkIndex(part, parts));
    }

    private void writeNotification(SigevNotify n) {
        if (group) {
            for (int i = 0; i < parts; i++) {
                Sigevents.write(cb(i) + abi.aiocb.sigevent(), SigevNotify.none());
            }
            notifyKeepAlive = Sigevents.write(groupSigevent, n);
        } else {
            notifyKeepAlive = Sigevents.write(cb(0) + abi.aiocb.sigevent(), n);
        }
    }

    /** glibc overwrites aio_lio_opcode and aio_reqprio: write them again before every submission. */
    final void resetForSubmission() {
        int opcode = switch (kind) {
            case READ -> abi.LIO_READ;
            case WRITE -> abi.LIO_WRITE;
            case READV -> nativeVectored ? abi.LIO_READV : abi.LIO_READ;
            case WRITEV -> nativeVectored ? abi.LIO_WRITEV : abi.LIO_WRITE;
            case FSYNC -> abi.LIO_NOP;
        };
        for (int i = 0; i < parts; i++) {
            NativeMemory.putInt(cb(i) + abi.aiocb.lioOpcode(), opcode);
            NativeMemory.putInt(cb(i) + abi.aiocb.reqprio(), prio);
        }
    }

    // ---- Aio ----

    @Override
    public final void submit() throws AioException {
        // the fd lock first (see FdTracker#lock): the order number taken by track() is the order in glibc's queue
        synchronized (FdTracker.lock(fd)) {
            synchronized (this) {
                submitLocked();
            }
        }
    }

    private void submitLocked() throws AioException {
        requireNew("submit()");
        resetForSubmission();
        LibC c = NativeLib.libc();
        FdTracker.acquire(fd);
        track();
        int rc;
        int err = 0;
        try {
            rc = switch (kind) {
                case READ -> c.aio_read(cb(0));
                case WRITE -> c.aio_write(cb(0));
                case FSYNC -> c.aio_fsync(mode.value(), cb(0));
                case READV, WRITEV ->
                    nativeVectored
                            ? (kind == Kind.READV
                                    ? NativeLib.gnu().aio_readv(cb(0))
                                    : NativeLib.gnu().aio_writev(cb(0)))
                            : c.lio_listio(abi.LIO_NOWAIT, groupList, parts, groupSigevent);
            };
            if (rc != 0) err = NativeLib.errno();
        } catch (RuntimeException | Error e) {
            untrack();
            FdTracker.release(fd);
            throw e;
        }
        if (rc == 0) {
            state = State.IN_PROGRESS;
            return;
        }
        if (group && anyPartQueued()) {
            // lio_listio queued part of the group: its memory is in use, so the op is in progress.
            state = State.IN_PROGRESS;
            throw AioException.ofLioListio(err, java.util.List.of(this), java.util.List.of());
        }
        untrack();
        FdTracker.release(fd);
        throw AioException.of(kind.op, err);
    }

    @Override
    public final synchronized int error() {
        switch (state) {
            case NEW ->
                throw new IllegalStateException(
                        "error() before submit(): the operation was not submitted yet; call submit() or "
                                + "PosixAio.lioListio first");
            case SUBMITTING ->
                throw new IllegalStateException(
                        "the operation is being submitted by PosixAio.lioListio on another thread; call error() after "
                                + "lioListio returned");
            case CLOSED -> throw new IllegalStateException("the operation was closed");
            case RETURNED -> {
                return finalError;
            }
            default -> {
                if (healing != null) return EINPROGRESS;
                int e = nativeError();
                if (e != EINPROGRESS) state = State.DONE;
                return e;
            }
        }
    }

    /** EINPROGRESS while any part runs, else the first part's error (0 if none). Needs the native block. */
    private int nativeError() {
        LibC c = NativeLib.libc();
        int first = 0;
        boolean running = false;
        for (int i = 0; i < parts; i++) {
            int e = c.aio_error(cb(i));
            if (e < 0) e = NativeLib.errno();
            if (e == EINPROGRESS) running = true;
            else if (e != 0 && first == 0) first = e;
        }
        return running ? EINPROGRESS : first;
    }

    /** After a failed lio_listio: does aio_error show any part queued (EINPROGRESS or complete)? */
    final boolean anyPartQueued() {
        LibC c = NativeLib.libc();
        for (int i = 0; i < parts; i++) {
            int e = c.aio_error(cb(i));
            if (e >= 0) return true;
        }
        return false;
    }

    @Override
    public final synchronized long aioReturn() throws AioException {
        switch (state) {
            case NEW ->
                throw new IllegalStateException(
                        "aioReturn() before submit(): submit the operation and wait for its completion first");
            case SUBMITTING ->
                throw new IllegalStateException(
                        "the operation is being submitted by PosixAio.lioListio on another thread");
            case RETURNED ->
                throw new IllegalStateException(
                        "aioReturn() was already called: an operation is reaped exactly once; create a new operation "
                                + "for another request");
            case CLOSED -> throw new IllegalStateException("the operation was closed");
            default -> {}
        }
        int e = healing != null ? EINPROGRESS : nativeError();
        if (e == EINPROGRESS) {
            throw new IllegalStateException("the operation is still in progress: poll error() until it is not "
                    + "EINPROGRESS, or wait with PosixAio.aioSuspend, then call aioReturn()");
        }
        long total = reapParts();
        if (total < 0 && e == 0) e = (int) -total;
        finish(e);
        if (e != 0) {
            // a completion signal glibc could not queue (RLIMIT_SIGPENDING) overwrites the result with EAGAIN: the
            // op may have been performed, so not the retry-inviting AioTryAgainException
            throw notify instanceof SigevNotify.SigevSignal
                    ? AioException.ofSignalledCompletion(kind.op, e, null, -1)
                    : AioException.of(kind.op, e);
        }
        return total;
    }

    /** aio_return on every part; the bytes up to and including the first short part, or -errno. */
    private long reapParts() {
        LibC c = NativeLib.libc();
        long total = 0;
        boolean counting = true;
        int err = 0;
        for (int i = 0; i < parts; i++) {
            long r = c.aio_return(cb(i));
            if (r < 0) {
                if (err == 0) err = NativeLib.errno();
                counting = false;
            } else if (counting) {
                total += r;
                long expected = group ? lengths[i] : totalBytes;
                if (r < expected) counting = false;
            }
        }
        return err != 0 && total == 0 ? -err : total;
    }

    /** The op was reaped: release the fd, the list sigevent and the native memory. */
    private void finish(int e) {
        state = State.RETURNED;
        finalError = e;
        untrack();
        FdTracker.release(fd);
        if (listEvent != null) {
            listEvent.release();
            listEvent = null;
        }
        freeIfUnpinned();
    }

    private void freeIfUnpinned() {
        if (!freed && pins == 0) {
            freed = true;
            NativeMemory.free(block, blockSize);
        }
    }

    @Override
    public final AioCancelStat cancel() throws AioException {
        // Under the fd lock no aio4j request joins this fd's queue while the guard decides, and the order numbers
        // of our ops on it are their real queue order (both taken under this lock). The heal runs under it too.
        synchronized (FdTracker.lock(fd)) {
            AioCancelStat result;
            boolean heal;
            synchronized (this) {
                unproven = false;
                result = cancelLocked();
                heal = unproven;
            }
            if (heal) healLaterOps();
            return result;
        }
    }

    /** Set by {@link #cancelPart} when a cancel's safety could not be proven (guarded by this). */
    private boolean unproven;

    private AioCancelStat cancelLocked() throws AioException {
        if (healing != null) {
            cancelRequestedWhileHealing = true; // the parts being healed stay cancelled
            return AioCancelStat.AIO_CANCELED;
        }
        switch (state) {
            case NEW ->
                throw new IllegalStateException(
                        "cancel() before submit(): there is nothing to cancel; just close() the operation");
            case SUBMITTING ->
                throw new IllegalStateException(
                        "the operation is being submitted by PosixAio.lioListio on another thread");
            case CLOSED -> throw new IllegalStateException("the operation was closed");
            case RETURNED -> {
                return AioCancelStat.AIO_ALLDONE;
            }
            default -> {}
        }
        LibC c = NativeLib.libc();
        boolean canceled = false;
        boolean notCanceled = false;
        // Last part first: while an earlier part of this op is still queued ahead of part i, part i is provably not
        // the head of the fd's queue. Cancelling the first part first could make it an untaken head whose removal
        // strands the later parts (glibc bug), which the rules below may then refuse to cancel.
        for (int i = parts - 1; i >= 0; i--) {
            // a part no longer queued cannot strand anything: ask glibc directly (AIO_ALLDONE, or EBADF...)
            int r = c.aio_error(cb(i)) != EINPROGRESS ? nativeCancel(c, i) : cancelPart(c, i);
            AioCancelStat s = AioCancelStat.fromNative(r);
            if (s == AioCancelStat.AIO_CANCELED) canceled = true;
            else if (s == AioCancelStat.AIO_NOTCANCELED) notCanceled = true;
        }
        return notCanceled
                ? AioCancelStat.AIO_NOTCANCELED
                : canceled ? AioCancelStat.AIO_CANCELED : AioCancelStat.AIO_ALLDONE;
    }

    /**
     * aio_cancel of part {@code i}, only where it cannot strand other requests (glibc bug, see {@link
     * Aio#cancel()}): when the part is provably not the head of its fd's queue, because an earlier request of
     * ours on the same fd number, of no lower priority, is still in the queue before and after the call; or when it
     * is the only request on its fd number. Otherwise answers AIO_NOTCANCELED without calling: the part will
     * complete normally. Returns the native value.
     */
    private int cancelPart(LibC c, int i) throws AioException {
        if (!GLIBC) return nativeCancel(c, i);
        // 1. an earlier part of this op still queued is ahead of part i
        for (int j = 0; j < i; j++) {
            if (c.aio_error(cb(j)) == EINPROGRESS) {
                int r = nativeCancel(c, i);
                if (r == abi.AIO_CANCELED && c.aio_error(cb(j)) != EINPROGRESS) markUnproven();
                return r;
            }
        }
        // 2. an earlier op of ours on the same fd number
        ConcurrentSkipListMap<Long, AbstractAio> same = InFlightOps.onFd(fd);
        if (same != null) {
            for (AbstractAio y : same.headMap(seq, false).descendingMap().values()) {
                if (y.prio > prio || !y.tryPin()) continue;
                try {
                    int part = y.pendingPart();
                    if (part < 0) continue;
                    int r = nativeCancel(c, i);
                    if (r == abi.AIO_CANCELED && c.aio_error(y.cb(part)) != EINPROGRESS) markUnproven();
                    return r;
                } finally {
                    y.unpin();
                }
            }
        }
        // 3. alone on the fd number: no request behind it to strand
        if (FdTracker.inFlight(fd) == 1) {
            int r = nativeCancel(c, i);
            if (r == abi.AIO_CANCELED && FdTracker.inFlight(fd) != 1) markUnproven();
            return r;
        }
        return abi.AIO_NOTCANCELED;
    }

    private void markUnproven() {
        unproven = true;
        UNPROVEN_CANCELS.incrementAndGet();
    }

    /**
     * After a cancel whose safety could not be proven: glibc may have stranded the requests behind it. Each of our
     * other ops on the fd number gets every still-queued part cancelled and submitted again at once (a running
     * part answers AIO_NOTCANCELED and is left alone), which puts a stranded request back on glibc's run list. The
     * user sees the op complete normally; its notification may fire an extra time for the cancelled attempt, and a
     * part that cannot be submitted again completes with ECANCELED. Requests of others on the same fd number (the
     * engine's) cannot be healed here. Runs under the fd lock (no submission on the fd number meanwhile, and no op
     * of ours is halfway through a {@code lio_listio} call); takes one op's lock at a time, none while holding
     * another.
     */
    void healLaterOps() {
        ConcurrentSkipListMap<Long, AbstractAio> same = InFlightOps.onFd(fd);
        if (same == null) return;
        // phase 1: cancel every queued part, so that glibc's list for the fd empties; phase 2: submit them again.
        // Submitting one while others are still stranded would queue it behind them.
        java.util.List<AbstractAio> held = new java.util.ArrayList<>();
        for (AbstractAio z : same.values()) {
            if (z != this && z.healCancel()) held.add(z);
        }
        for (AbstractAio z : held) z.healResubmit();
    }

    /** Parts cancelled by {@link #healCancel()} and waiting for {@link #healResubmit()} (guarded by this). */
    private boolean[] healing;

    private boolean cancelRequestedWhileHealing;

    private synchronized boolean healCancel() {
        if (state != State.IN_PROGRESS && state != State.DONE) return false;
        LibC c = NativeLib.libc();
        boolean any = false;
        for (int j = 0; j < parts; j++) {
            long p = cb(j);
            if (c.aio_error(p) != EINPROGRESS) continue;
            if (c.aio_cancel(fd, p) != abi.AIO_CANCELED) continue;
            c.aio_return(p);
            if (healing == null) healing = new boolean[parts];
            healing[j] = true;
            any = true;
        }
        if (any) state = State.IN_PROGRESS;
        return any;
    }

    private synchronized void healResubmit() {
        boolean[] h = healing;
        healing = null;
        if (h == null) return;
        if (cancelRequestedWhileHealing) {
            cancelRequestedWhileHealing = false;
            return; // the user cancelled meanwhile: those parts stay ECANCELED
        }
        LibC c = NativeLib.libc();
        resetForSubmission();
        // submitted again (under the fd lock, held by the caller): now behind every request queued so far
        retrack();
        for (int j = 0; j < parts; j++) {
            if (!h[j]) continue;
            long p = cb(j);
            int rc;
            switch (kind) {
                case READ -> rc = c.aio_read(p);
                case WRITE -> rc = c.aio_write(p);
                case FSYNC -> rc = c.aio_fsync(mode.value(), p);
                case READV -> rc = nativeVectored ? NativeLib.gnu().aio_readv(p) : c.aio_read(p);
                default -> rc = nativeVectored ? NativeLib.gnu().aio_writev(p) : c.aio_write(p);
            }
            if (rc == 0) HEALED.incrementAndGet();
            else HEAL_FAILURES.incrementAndGet(); // the part completes with ECANCELED
        }
    }

    /** Parts submitted again by {@link #healLaterOps()}, and those that could not be (for tests). */
    static final AtomicLong HEALED = new AtomicLong(), HEAL_FAILURES = new AtomicLong();

    private int nativeCancel(LibC c, int i) throws AioException {
        int r = c.aio_cancel(fd, cb(i));
        if (r < 0) throw AioException.of("aio_cancel", NativeLib.errno());
        return r;
    }

    /** Index of a part still in glibc's queue (EINPROGRESS), or -1. Call pinned. */
    private int pendingPart() {
        LibC c = NativeLib.libc();
        for (int j = 0; j < parts; j++) {
            if (c.aio_error(cb(j)) == EINPROGRESS) return j;
        }
        return -1;
    }

    /** Like {@link #pin()} but false instead of an exception for an op that is not in progress. */
    private synchronized boolean tryPin() {
        if (state != State.IN_PROGRESS && state != State.DONE) return false;
        pins++;
        return true;
    }

    /** glibc: per-op aio_cancel needs the guard of {@link #cancelPart}. */
    private static final boolean GLIBC =
            NativeLib.isAvailable() && NativeLib.abi().name.contains("glibc");

    /**
     * Cancels whose safety could not be proven after the fact (the predecessor finished during the call): the queue
     * behind may be stranded. For tests and diagnostics.
     */
    static final AtomicLong UNPROVEN_CANCELS = new AtomicLong();

    @Override
    public final int fd() {
        return fd;
    }

    @Override
    public final synchronized boolean inProgress() {
        return state == State.SUBMITTING || state == State.IN_PROGRESS || state == State.DONE;
    }

    @Override
    public final int priority() {
        return prio;
    }

    @Override
    public final synchronized void setSigevNotify(SigevNotify sigevNotify) {
        Objects.requireNonNull(sigevNotify, "sigevNotify");
        switch (state) {
            case NEW -> {}
            case RETURNED, CLOSED ->
                throw new IllegalStateException(
                        "the operation was already reaped or closed: operations are single-use, create a new one");
            default ->
                throw new IllegalStateException("Can't change notification settings for an in-progress operation");
        }
        writeNotification(sigevNotify);
        this.notify = sigevNotify;
    }

    @Override
    public final synchronized SigevNotify sigevNotify() {
        return notify;
    }

    @Override
    public final synchronized void close() {
        switch (state) {
            case NEW -> {
                state = State.CLOSED;
                freeIfUnpinned();
            }
            case RETURNED -> state = State.CLOSED;
            case CLOSED -> {}
            default ->
                throw new IllegalStateException("in-progress operation closed (" + this + "): it was "
                        + "submitted and not reaped. Wait for its completion (error(), PosixAio.aioSuspend) and call "
                        + "aioReturn(); until then its native memory and buffers stay allocated and reachable.");
        }
    }

    // ---- helpers for PosixAio ----

    /**
     * Registers the op as in flight (before its submit call), in submission order. Called under the fd lock ({@link
     * FdTracker#lock}), with the submit call in the same critical section.
     */
    final void track() {
        seq = InFlightOps.nextSeq();
        InFlightOps.add(this, fd, seq);
    }

    /** A new order number for an op submitted again by a heal (caller holds the fd lock and this). */
    private void retrack() {
        long old = seq;
        seq = InFlightOps.nextSeq();
        InFlightOps.reorder(this, fd, old, seq);
    }

    /** The op is reaped, or its submission failed. */
    final void untrack() {
        InFlightOps.remove(this, fd, seq);
    }

    /** Reserves a NEW op for a lio_listio call. */
    final synchronized void reserveForList() {
        requireNew("PosixAio.lioListio");
        resetForSubmission();
        state = State.SUBMITTING;
    }

    /** The lio_listio call did not queue this op (or never happened). */
    final synchronized void unreserve() {
        if (state == State.SUBMITTING) state = State.NEW;
    }

    /** The lio_listio call queued this op. */
    final synchronized void listed(PosixAio.ListEvent ev) {
        state = State.IN_PROGRESS;
        if (ev != null) {
            ev.retain();
            listEvent = ev;
        }
    }

    /** Writes the addresses of this op's aiocbs at {@code list + 8 * index}; returns the next index. */
    final int writeAiocbs(long list, int index) {
        for (int i = 0; i < parts; i++) NativeMemory.putLong(list + 8L * (index + i), cb(i));
        return index + parts;
    }

    /**
     * For aio_suspend: pins the native block so that it outlives the call; returns false (and pins nothing) if the
     * op is already reaped or closed, i.e. complete.
     */
    final synchronized boolean pin() {
        switch (state) {
            case NEW ->
                throw new IllegalStateException(
                        "PosixAio.aioSuspend on an operation that was not submitted: submit it first (" + this + ")");
            case SUBMITTING ->
                throw new IllegalStateException(
                        "PosixAio.aioSuspend on an operation being submitted by lioListio on another thread");
            case RETURNED, CLOSED -> {
                return false;
            }
            default -> {
                pins++;
                return true;
            }
        }
    }

    final synchronized void unpin() {
        pins--;
        if (state == State.RETURNED || state == State.CLOSED) freeIfUnpinned();
    }

    /**
     * Pinned ops only: writes the addresses of the parts still in progress at {@code list + 8 * index} and returns
     * the next index; returns -1 if the op has completed (no part in progress).
     */
    final synchronized int writePendingAiocbs(long list, int index) {
        if (state == State.RETURNED || state == State.CLOSED || state == State.DONE) return -1;
        if (healing != null) return index; // being healed on another thread: not complete, nothing to wait on
        LibC c = NativeLib.libc();
        int n = index;
        for (int i = 0; i < parts; i++) {
            if (c.aio_error(cb(i)) == EINPROGRESS) {
                if (list != 0) NativeMemory.putLong(list + 8L * n, cb(i));
                n++;
            }
        }
        return n == index ? -1 : n;
    }

    private void requireNew(String what) {
        switch (state) {
            case NEW -> {}
            case SUBMITTING, IN_PROGRESS, DONE ->
                throw new IllegalStateException(
                        what + ": the operation was already submitted; reap it with aioReturn() and create a new "
                                + "operation to submit again");
            case RETURNED ->
                throw new IllegalStateException(
                        what + ": the operation was already submitted and reaped; operations are single-use, create a "
                                + "new one");
            case CLOSED -> throw new IllegalStateException(what + ": the operation was closed");
        }
    }

    final synchronized State state() {
        return state;
    }

    /** Number of buffers (0 for fsync). */
    final int bufferCount() {
        return buffers.length;
    }

    /** Total bytes requested (0 for fsync). */
    final long totalBytes() {
        return totalBytes;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[fd=" + fd
                + (kind == Kind.FSYNC ? ", mode=" + mode : ", offset=" + offset + ", nbytes=" + totalBytes) + ", state="
                + state + "]";
    }
}
