package org.aio4j.engine.internal;

import static org.aio4j.engine.internal.IoUring.*;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.aio4j.AioException;
import org.aio4j.internal.AioAbi;
import org.aio4j.internal.NativeMemory;

/**
 * The io_uring backend (Linux 5.11+): one ring per engine, one SQE per op ({@code IORING_OP_READ}, {@code
 * IORING_OP_WRITE}, {@code IORING_OP_READV}, {@code IORING_OP_WRITEV}, {@code IORING_OP_FSYNC}), {@code user_data} =
 * the slot.
 *
 * <p><b>Threads.</b> Any thread may call {@link #submit}: it writes the SQE and advances the SQ tail under one lock
 * (the SQ has one producer at a time), but it never calls {@code io_uring_enter}. Only the reaper thread enters the
 * kernel: it submits what the SQ holds and waits for completions in the same call ({@code IORING_ENTER_GETEVENTS}
 * with a timeout, {@code IORING_ENTER_EXT_ARG}). So every request belongs to the reaper's task: requests are not
 * cancelled when an application thread that submitted them exits (the kernel cancels a task's requests when it
 * exits), and there is one io-wq worker pool per engine, not one per submitting thread. A submitter wakes a
 * sleeping reaper by writing an eventfd on which the reaper keeps one {@code IORING_OP_READ} in flight (its
 * completion ends the wait); a Dekker pair (the reaper's {@code sleeping} flag against the SQ tail, a full fence on
 * each side) makes sure a new SQE is either seen by the reaper's {@code io_uring_enter} or followed by a wake-up.
 * After a poll that reported completions the reaper does not sleep at once: it spins for up to {@link #SPIN_NANOS}
 * (50 us) on the SQ tail, the CQ tail and {@code woken}, yielding its CPU every few microseconds; a submission
 * meanwhile costs no eventfd write and no wake-up of a sleeping thread (cached 4 KiB reads at queue depth 16:
 * 1.8-2.45x the throughput, docs/benchmarks.md run G6). An idle engine does not spin: only completions start a spin,
 * and a spin that sees nothing ends in a sleep.
 *
 * <p><b>Memory ordering</b> (liburing's {@code io_uring_smp_load_acquire}/{@code store_release}): the SQ tail is
 * stored after a {@link VarHandle#releaseFence()} (the SQE is complete before the kernel can see it), the SQ head
 * and CQ tail are loaded before a {@link VarHandle#acquireFence()} (CQE contents and the buffer's bytes are read
 * after the tail), the CQ head is stored after a release fence (the CQEs were read before the kernel may overwrite
 * them). Offsets come from {@code io_uring_params} as the kernel filled it.
 *
 * <p><b>Sizes.</b> The SQ has at least one entry more than the slots (one SQE per op in flight plus the eventfd
 * read), the CQ twice the SQ: neither can fill, so {@link #submit} never sees a full SQ unless asked for more than
 * 32,767 slots, which the constructor refuses by lowering {@link #capacity()} (the engine's {@code Overflow}
 * applies beyond it). A full SQ would still answer EAGAIN, never drop an op.
 *
 * <p><b>Cancellation</b> is synchronous, {@code IORING_REGISTER_SYNC_CANCEL} (Linux 6.0) with a zero timeout: by
 * {@code user_data} for one op, by fd ({@code IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ALL}) for {@link
 * #cancelAll}. What the kernel can cancel (a request queued in io-wq, or waiting for a poll) completes with
 * ECANCELED; a read or write already issued to the block layer or waiting for the page cache completes normally.
 * There is no queue-stranding bug to guard against ({@link #perOpCancelNeedsGuard()} is false).
 *
 * <p><b>Memory.</b> Buffers belong to the engine until their CQE was reaped, and so does the {@code iovec} array of
 * a READV/WRITEV (the engine allocates it per op and frees it after the report); this backend keeps per slot only an
 * {@code iovec} for the cached-read fast path and a {@code io_uring_sync_cancel_reg}, both used synchronously. The
 * eventfd read's 8-byte buffer is freed only after that read's CQE was reaped ({@link #close}: a write completes it
 * first); the rings are unmapped and the ring fd closed after that.
 */
public final class IoUringBackend implements Backend {
    private static final long WAKE = -1L;
    // Linux errno values (this backend is Linux only)
    private static final int ENOENT = 2, EINTR = 4, EBADF = 9, EAGAIN = 11, EBUSY = 16, EINVAL = 22, ETIME = 62;
    private static final int EALREADY = 114;
    private static final int EFD_CLOEXEC = 0x80000;
    private static final int MAX_SQ = 32768;
    private static final int SLOT_STRIDE = 16 + SYNC_CANCEL_SIZE;
    /**
     * Waits this long or longer (the engine's idle wait, 100 ms) have no timeout: the timed {@code io_uring_enter}
     * has seven arguments and goes through an allocating heap invocation buffer (measured: about 300 bytes per
     * sleep, several KiB per op at O_DIRECT queue depth 16).
     */
    static final long UNTIMED_NANOS = 50_000_000L;

    /** The default of {@link #SPIN_NANOS}, in microseconds (20, 50, 200 and 1,000 were within noise in run G6). */
    static final long DEFAULT_SPIN_MICROS = 50;

    /**
     * How long the reaper spins (reading the SQ tail, the CQ tail and {@code woken}) after a poll that reported
     * completions, before it sleeps in {@code io_uring_enter}: {@code -Daio4j.engine.uringSpinMicros} (0: never spin;
     * always 0 on one CPU). While it spins it is not {@code sleeping}, so a submitter writes no eventfd and the new
     * SQE goes out with the reaper's next {@code io_uring_enter} at once. See docs/benchmarks.md, run G6.
     */
    static final long SPIN_NANOS = Runtime.getRuntime().availableProcessors() < 2
            ? 0
            : Math.max(0, Long.getLong("aio4j.engine.uringSpinMicros", DEFAULT_SPIN_MICROS)) * 1_000L;

    private static final VarHandle SLEEPING;

    static {
        try {
            SLEEPING = MethodHandles.lookup().findVarHandle(IoUringBackend.class, "sleeping", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Posix px;
    private final AioAbi abi;
    private final int capacity;
    private final int ringFd;
    private final int wakeFd;
    private final long ringMem, ringLen, cqMem, cqLen, sqesMem, sqesLen;
    private final long sqHead, sqTail;
    private final int sqMask, sqEntries;
    private final long cqHead, cqTail, cqes;
    private final int cqMask, cqEntries;
    private final long scratch, scratchLen;
    private final long wakeBuf, one, waitArg, waitTs, cancelAllReg;
    private final ReadNow readNow;
    private final int dsync;
    private final boolean[] cancelled;
    private final long[] cqUd;
    private final int[] cqRes;
    private final Object sqLock = new Object();
    private final Object cancelAllLock = new Object();
    private final String mechanism;

    private int tail; // guarded by sqLock
    private volatile int sleeping;
    /** Set by {@link #wakeup}, consumed when {@link #poll} returns: a wake-up before the reaper sleeps is kept. */
    private volatile boolean woken;

    private volatile Thread reaper;
    private boolean wakeArmed; // reaper thread
    /** The last poll reported completions (reaper thread): the next one spins before it sleeps. */
    private boolean busy;
    /** Set by {@link #close} under {@link #cancelAllLock}: the ring fd and the scratch memory are gone. */
    private boolean released;

    /**
     * Sets up a ring for {@code maxInFlight} ops (fewer if above 32,767: see {@link #capacity()}).
     *
     * @param readNow whether reads try {@code preadv2(RWF_NOWAIT)} first (ignored where there is none)
     * @throws UnsupportedOperationException if the kernel refuses the ring (with the {@link AioException} of the
     *     errno as cause); nothing is left open then
     */
    public IoUringBackend(Posix px, AioAbi abi, int maxInFlight, boolean readNow) {
        this.px = px;
        this.abi = abi;
        this.readNow = new ReadNow(px, abi, readNow);
        this.dsync = abi.O_DSYNC;
        int want = Integer.highestOneBit(Math.min(maxInFlight, MAX_SQ - 1) + 1);
        if (want <= Math.min(maxInFlight, MAX_SQ - 1)) want <<= 1;
        int fd = -1, efd = -1;
        long params = 0, ring = 0, rlen = 0, cq = 0, clen = 0, sq = 0, slen = 0, scr = 0, scrLen = 0;
        boolean ok = false;
        try {
            params = NativeMemory.allocate(PARAMS_SIZE);
            // Not IORING_SETUP_COOP_TASKRUN: with it, closes of an engine stalled for the reaper's whole wait
            // (100 ms) now and then here (Linux 6.18), as if the task work of a completion did not end the wait.
            int[] flagSets = {
                IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP | IORING_SETUP_SUBMIT_ALL,
                IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP
            };
            int err = 0;
            for (int flags : flagSets) {
                NativeMemory.zero(params, PARAMS_SIZE);
                NativeMemory.putInt(params + P_FLAGS, flags);
                NativeMemory.putInt(params + P_CQ_ENTRIES, want * 2);
                fd = IoUring.setup(want, params);
                if (fd >= 0) break;
                err = IoUring.setupErrno(fd);
                if (err != EINVAL) break;
            }
            if (fd < 0) throw IoUring.refused(err);
            int features = NativeMemory.getInt(params + P_FEATURES);
            int need = IORING_FEAT_NODROP | IORING_FEAT_EXT_ARG;
            if ((features & need) != need) {
                throw new UnsupportedOperationException("io_uring: the kernel lacks NODROP/EXT_ARG (Linux 5.11+)");
            }
            int sqN = NativeMemory.getInt(params + P_SQ_ENTRIES);
            int cqN = NativeMemory.getInt(params + P_CQ_ENTRIES);
            long so = params + P_SQ_OFF, co = params + P_CQ_OFF;
            int sqRingBytes = NativeMemory.getInt(so + SQ_OFF_ARRAY) + sqN * 4;
            int cqRingBytes = NativeMemory.getInt(co + CQ_OFF_CQES) + cqN * CQE_SIZE;
            boolean single = (features & IORING_FEAT_SINGLE_MMAP) != 0;
            rlen = single ? Math.max(sqRingBytes, cqRingBytes) : sqRingBytes;
            ring = mapped(IoUring.mmap(rlen, fd, IORING_OFF_SQ_RING), "the SQ ring");
            if (single) {
                cq = ring;
            } else {
                clen = cqRingBytes;
                cq = mapped(IoUring.mmap(clen, fd, IORING_OFF_CQ_RING), "the CQ ring");
            }
            slen = (long) sqN * SQE_SIZE;
            sq = mapped(IoUring.mmap(slen, fd, IORING_OFF_SQES), "the SQE array");
            efd = px.eventfd(0, EFD_CLOEXEC);
            if (efd < 0)
                throw new UnsupportedOperationException(
                        AioException.of("eventfd", px.errno()).getMessage());
            int cap = Math.min(maxInFlight, Math.min(sqN - 1, cqN / 2 - 1));
            scrLen = (long) cap * SLOT_STRIDE + 8 + 8 + GETEVENTS_ARG_SIZE + KERNEL_TIMESPEC_SIZE + SYNC_CANCEL_SIZE;
            scr = NativeMemory.allocate(scrLen);
            // everything acquired: fill the fields
            this.capacity = cap;
            this.ringFd = fd;
            this.wakeFd = efd;
            this.ringMem = ring;
            this.ringLen = rlen;
            this.cqMem = single ? 0 : cq;
            this.cqLen = clen;
            this.sqesMem = sq;
            this.sqesLen = slen;
            this.sqHead = ring + NativeMemory.getInt(so + OFF_HEAD);
            this.sqTail = ring + NativeMemory.getInt(so + OFF_TAIL);
            this.sqMask = NativeMemory.getInt(ring + NativeMemory.getInt(so + OFF_RING_MASK));
            this.sqEntries = NativeMemory.getInt(ring + NativeMemory.getInt(so + OFF_RING_ENTRIES));
            long array = ring + NativeMemory.getInt(so + SQ_OFF_ARRAY);
            for (int i = 0; i < sqEntries; i++) NativeMemory.putInt(array + 4L * i, i); // SQE i at index i
            this.cqHead = cq + NativeMemory.getInt(co + OFF_HEAD);
            this.cqTail = cq + NativeMemory.getInt(co + OFF_TAIL);
            this.cqMask = NativeMemory.getInt(cq + NativeMemory.getInt(co + OFF_RING_MASK));
            this.cqEntries = NativeMemory.getInt(cq + NativeMemory.getInt(co + OFF_RING_ENTRIES));
            this.cqes = cq + NativeMemory.getInt(co + CQ_OFF_CQES);
            this.tail = NativeMemory.getInt(sqTail);
            this.scratch = scr;
            this.scratchLen = scrLen;
            long r = scr + (long) cap * SLOT_STRIDE;
            this.wakeBuf = r;
            this.one = r + 8;
            NativeMemory.putLong(one, 1);
            this.waitArg = r + 16;
            this.waitTs = waitArg + GETEVENTS_ARG_SIZE;
            NativeMemory.putLong(waitArg + GETEVENTS_ARG_TS, waitTs);
            this.cancelAllReg = waitTs + KERNEL_TIMESPEC_SIZE;
            this.cancelled = new boolean[cap];
            this.cqUd = new long[cqEntries];
            this.cqRes = new int[cqEntries];
            this.mechanism = "IO_URING(sq " + sqEntries + ", cq " + cqEntries + ", submitted and reaped by the reaper"
                    + " thread)";
            ok = true;
        } finally {
            NativeMemory.free(params, PARAMS_SIZE);
            if (!ok) {
                // never half-open: undo what was acquired
                if (scr != 0) NativeMemory.free(scr, scrLen);
                if (efd >= 0) px.close(efd);
                if (sq != 0) IoUring.munmap(sq, slen);
                if (cq != 0 && cq != ring) IoUring.munmap(cq, clen);
                if (ring != 0) IoUring.munmap(ring, rlen);
                if (fd >= 0) px.close(fd);
            }
        }
    }

    private static long mapped(long addr, String what) {
        if (addr == -1L || addr == 0) {
            throw new UnsupportedOperationException("io_uring: mmap of " + what + " failed: "
                    + AioException.of("mmap", IoUring.errno()).getMessage());
        }
        return addr;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    /** Writes one SQE at the current tail; the caller holds {@link #sqLock} and checked that there is room. */
    private void put(int opcode, int fd, long off, long addr, int len, int opFlags, long userData) {
        long sqe = sqesMem + (long) (tail & sqMask) * SQE_SIZE;
        NativeMemory.putByte(sqe + SQE_OPCODE, (byte) opcode);
        NativeMemory.putByte(sqe + SQE_FLAGS, (byte) 0);
        NativeMemory.putShort(sqe + SQE_IOPRIO, (short) 0);
        NativeMemory.putInt(sqe + SQE_FD, fd);
        NativeMemory.putLong(sqe + SQE_OFF, off);
        NativeMemory.putLong(sqe + SQE_ADDR, addr);
        NativeMemory.putInt(sqe + SQE_LEN, len);
        NativeMemory.putInt(sqe + SQE_OP_FLAGS, opFlags);
        NativeMemory.putLong(sqe + SQE_USER_DATA, userData);
        NativeMemory.putLong(sqe + SQE_BUF_INDEX, 0);
        NativeMemory.putLong(sqe + SQE_BUF_INDEX + 8, 0);
        NativeMemory.putLong(sqe + SQE_BUF_INDEX + 16, 0);
        tail++;
    }

    /** Room in the SQ (caller holds {@link #sqLock}): the kernel's head is loaded with acquire semantics. */
    private int room() {
        int head = NativeMemory.getInt(sqHead);
        VarHandle.acquireFence();
        return sqEntries - (tail - head);
    }

    /** Makes the SQEs written so far visible to the kernel (caller holds {@link #sqLock}). */
    private void publish() {
        VarHandle.releaseFence();
        NativeMemory.putInt(sqTail, tail);
    }

    private void putOp(int slot, int op, int fd, long buf, long len, long offset, int fsyncOp) {
        switch (op) {
            case OP_READ -> put(IORING_OP_READ, fd, offset, buf, (int) len, 0, slot);
            case OP_WRITE -> put(IORING_OP_WRITE, fd, offset, buf, (int) len, 0, slot);
            // buf: the engine's iovec array, len: its entry count (both kept until this slot's CQE is reaped)
            case OP_READV -> put(IORING_OP_READV, fd, offset, buf, (int) len, 0, slot);
            case OP_WRITEV -> put(IORING_OP_WRITEV, fd, offset, buf, (int) len, 0, slot);
            default -> put(IORING_OP_FSYNC, fd, 0, 0, 0, fsyncOp == dsync ? IORING_FSYNC_DATASYNC : 0, slot);
        }
    }

    @Override
    public int submit(int slot, int op, int fd, long buf, long len, long offset, int fsyncOp) {
        cancelled[slot] = false;
        synchronized (sqLock) {
            if (room() <= 0) return EAGAIN;
            putOp(slot, op, fd, buf, len, offset, fsyncOp);
            publish();
        }
        wakeup();
        return 0;
    }

    @Override
    public boolean supportsBatch() {
        return true;
    }

    /** All SQEs under one lock and one tail store; the reaper submits them with one {@code io_uring_enter}. */
    @Override
    public int submitBatch(
            int[] slots, int n, byte[] ops, int[] fds, long[] bufs, long[] lens, long[] offsets, int[] status) {
        int first = 0;
        synchronized (sqLock) {
            int room = room();
            for (int i = 0; i < n; i++) {
                int s = slots[i];
                if (room <= 0) {
                    status[i] = EAGAIN;
                    if (first == 0) first = EAGAIN;
                    continue;
                }
                cancelled[s] = false;
                putOp(s, ops[s], fds[s], bufs[s], lens[s], offsets[s], 0);
                status[i] = 0;
                room--;
            }
            publish();
        }
        wakeup();
        return first;
    }

    /** READV/WRITEV: one SQE for up to {@link IoUring#UIO_MAXIOV} buffers. */
    @Override
    public boolean supportsVector() {
        return true;
    }

    @Override
    public long tryReadNowVector(int fd, long iov, int iovcnt, long total, long offset) {
        return readNow.tryReadv(fd, iov, iovcnt, total, offset);
    }

    @Override
    public boolean supportsReadNow() {
        return readNow.on();
    }

    @Override
    public long tryReadNow(int slot, int fd, long buf, long len, long offset) {
        return readNow.tryRead(scratch + (long) slot * SLOT_STRIDE, fd, buf, len, offset);
    }

    /** {@code IORING_REGISTER_SYNC_CANCEL} with a zero timeout; the kernel's answer (0, a count) or -errno. */
    private int syncCancel(long reg, long userData, int fd, int flags) {
        NativeMemory.zero(reg, SYNC_CANCEL_SIZE);
        NativeMemory.putLong(reg + SC_ADDR, userData);
        NativeMemory.putInt(reg + SC_FD, fd);
        NativeMemory.putInt(reg + SC_FLAGS, flags);
        // timeout {0, 0}: a request already running (EALREADY) is not waited for (ETIME)
        int rc = IoUring.register(ringFd, IORING_REGISTER_SYNC_CANCEL, reg, 1);
        return rc >= 0 ? rc : -IoUring.errno();
    }

    private int cancelAnswer(int rc) {
        if (rc > 0 || rc == 0) return abi.AIO_CANCELED;
        int e = -rc;
        if (e == ENOENT || e == EALREADY || e == ETIME || e == EINTR) return abi.AIO_NOTCANCELED;
        return -1; // EINVAL: no IORING_REGISTER_SYNC_CANCEL before Linux 6.0
    }

    /**
     * Cancels the op of {@code slot} by its {@code user_data}. Called with the slot's engine lock held, so the slot
     * is not reaped and reused meanwhile. ENOENT (not found: already completed, its SQE not yet taken by the kernel,
     * or a request the kernel cannot cancel) and EALREADY/ETIME (running) answer {@code AIO_NOTCANCELED}.
     */
    @Override
    public int cancel(int slot, int fd) {
        int rc = syncCancel(scratch + (long) slot * SLOT_STRIDE + 16, slot, fd, 0);
        int r = cancelAnswer(rc);
        if (r == abi.AIO_CANCELED) cancelled[slot] = true;
        return r;
    }

    @Override
    public int canceledValue() {
        return abi.AIO_CANCELED;
    }

    @Override
    public boolean perOpCancelNeedsGuard() {
        return false;
    }

    /**
     * Cancels every request of this ring on {@code fd} ({@code IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ALL}).
     * Only this ring's requests: other engines and the core {@code Aio} ops are not touched. Which slots were
     * cancelled is not known here, so {@link #isCancelled} stays false for them (the engine's count is a lower
     * bound); each still completes with ECANCELED.
     */
    @Override
    public int cancelAll(int fd) {
        synchronized (cancelAllLock) {
            // engine.cancelAll(file) may come after the engine terminated: no ring (its fd number may be reused)
            if (released) return abi.AIO_ALLDONE;
            int rc = syncCancel(cancelAllReg, 0, fd, IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ALL);
            if (rc == 0) return abi.AIO_ALLDONE;
            return cancelAnswer(rc);
        }
    }

    /** True if a per-op {@link #cancel} of the op now in {@code slot} was accepted by the kernel. */
    @Override
    public boolean isCancelled(int slot) {
        return cancelled[slot];
    }

    /**
     * Submits what the SQ holds, reaps the CQ, and if nothing was there waits in {@code io_uring_enter} (up to
     * {@code timeoutNanos}; a timeout of 50 ms or more, the engine's idle wait, is not bounded) for a completion or
     * a wake-up.
     */
    @Override
    public int poll(CompletionSink sink, long timeoutNanos) {
        if (reaper == null) reaper = Thread.currentThread();
        flush();
        int n = reap(sink);
        if (n > 0) busy = true;
        if (n > 0 || timeoutNanos <= 0) return n;
        if (busy && SPIN_NANOS > 0) {
            n = spin(sink, Math.min(SPIN_NANOS, timeoutNanos));
            if (n >= 0) return n;
            busy = false; // nothing came while spinning: sleep, and do not spin again before new completions
        }
        if (!wakeArmed) armWake();
        long t = Math.max(1_000L, timeoutNanos);
        NativeMemory.putLong(waitTs, t / 1_000_000_000L);
        NativeMemory.putLong(waitTs + 8, t % 1_000_000_000L);
        SLEEPING.setVolatile(this, 1);
        VarHandle.fullFence();
        if (woken) {
            // woken since the last poll returned (the engine may have new work): do not sleep
            SLEEPING.setVolatile(this, 0);
            woken = false;
            flush();
            return reap(sink);
        }
        // Exactly the SQEs there are: io_uring_enter does not wait at all when it submitted fewer than to_submit
        // (measured: an idle reaper spun at 340-900 ms CPU per second when it passed the SQ size here).
        int pending = Math.max(0, NativeMemory.getInt(sqTail) - NativeMemory.getInt(sqHead));
        int rc;
        if (timeoutNanos >= UNTIMED_NANOS) {
            // The engine's idle wait: it has nothing to do until a completion or a wakeup() (every state change
            // that needs the reaper calls wakeup()), so wait without a timeout: six arguments, no allocation.
            rc = IoUring.enter(ringFd, pending, 1, IORING_ENTER_GETEVENTS);
        } else {
            rc = IoUring.enterArg(ringFd, pending, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, waitArg, 24);
        }
        SLEEPING.setVolatile(this, 0);
        woken = false; // consumed: the engine re-checks its state after this poll returns
        if (rc < 0) check(IoUring.errno());
        return reap(sink);
    }

    /**
     * Busy-waits up to {@code nanos} for a new SQE, a CQE or a {@link #wakeup} (reaper thread; {@code sleeping} stays
     * 0, so submitters write no eventfd meanwhile). Returns what {@code poll} should return (the completions
     * reported, possibly 0 after a wake-up), or -1 if nothing came: then the caller sleeps as usual.
     */
    private int spin(CompletionSink sink, long nanos) {
        long end = System.nanoTime() + nanos;
        int spins = 0;
        while (true) {
            Thread.onSpinWait();
            if (woken) {
                // a submission (its SQE goes out now) or other work for the engine: poll returns, busy stays set
                woken = false;
                flush();
                return reap(sink);
            }
            if (NativeMemory.getInt(sqTail) != NativeMemory.getInt(sqHead)
                    || NativeMemory.getInt(cqTail) != NativeMemory.getInt(cqHead)) {
                flush();
                int n = reap(sink);
                if (n > 0) return n;
            }
            if ((++spins & 63) == 0) {
                if (System.nanoTime() - end > 0) return -1;
                // every 256 turns (a few microseconds): let a runnable thread have this CPU (on 2 busy cores the
                // thread that will submit next may be waiting for it)
                if ((spins & 255) == 0) Thread.yield();
            }
        }
    }

    /** Submits the SQEs published so far (reaper thread), without waiting. */
    private void flush() {
        int pending = NativeMemory.getInt(sqTail) - NativeMemory.getInt(sqHead);
        if (pending <= 0) return;
        int rc = IoUring.enter(ringFd, pending, 0, 0);
        if (rc < 0) check(IoUring.errno());
    }

    private static void check(int errno) {
        if (errno == EINTR || errno == EAGAIN || errno == EBUSY || errno == ETIME) return;
        throw new IllegalStateException(AioException.of("io_uring_enter", errno).getMessage());
    }

    /** Keeps one read of the wake-up eventfd in flight (reaper thread). */
    private void armWake() {
        synchronized (sqLock) {
            if (room() <= 0) return; // cannot happen (one entry is reserved); the wait then ends by its timeout
            put(IORING_OP_READ, wakeFd, 0, wakeBuf, 8, 0, WAKE);
            publish();
        }
        wakeArmed = true;
    }

    /** Reports every CQE the CQ holds (reaper thread). */
    private int reap(CompletionSink sink) {
        int head = NativeMemory.getInt(cqHead);
        int t = NativeMemory.getInt(cqTail);
        VarHandle.acquireFence();
        if (head == t) return 0;
        int k = 0;
        while (head != t && k < cqUd.length) {
            long c = cqes + (long) (head & cqMask) * CQE_SIZE;
            cqUd[k] = NativeMemory.getLong(c + CQE_USER_DATA);
            cqRes[k] = NativeMemory.getInt(c + CQE_RES);
            head++;
            k++;
        }
        VarHandle.releaseFence();
        NativeMemory.putInt(cqHead, head);
        int n = 0;
        for (int i = 0; i < k; i++) {
            long ud = cqUd[i];
            if (ud == WAKE) {
                wakeArmed = false;
                continue;
            }
            if (ud < 0 || ud >= capacity) continue; // not ours (cannot happen)
            int res = cqRes[i];
            if (res >= 0) sink.complete((int) ud, res, 0);
            else sink.complete((int) ud, -1, -res);
            n++;
        }
        return n;
    }

    /**
     * Any thread: a reaper sleeping in {@code io_uring_enter} is woken by an eventfd write (at most one per sleep);
     * one about to sleep sees {@code woken} and does not (a Dekker pair: {@code woken} then {@code sleeping} here,
     * {@code sleeping} then {@code woken} in {@link #poll}, a full fence between each).
     */
    @Override
    public void wakeup() {
        if (Thread.currentThread() == reaper) return; // it checks its state before it polls again
        woken = true;
        VarHandle.fullFence();
        if (sleeping == 1 && SLEEPING.compareAndSet(this, 1, 0)) px.write(wakeFd, one, 8);
    }

    @Override
    public String mechanism() {
        return mechanism;
    }

    /**
     * Reaper thread, after every op was reported: completes the eventfd read (a write), reaps its CQE, then unmaps
     * the rings, closes the ring and the eventfd and frees the scratch memory. If that read's CQE does not come
     * before the deadline, everything is kept (leaked on purpose) and false is returned.
     */
    @Override
    public boolean close(long deadlineNanos) {
        if (wakeArmed) {
            px.write(wakeFd, one, 8);
            CompletionSink none = (slot, result, errno) -> {};
            while (wakeArmed) {
                flush();
                reap(none);
                if (!wakeArmed || System.nanoTime() - deadlineNanos > 0) break;
                NativeMemory.putLong(waitTs, 0);
                NativeMemory.putLong(waitTs + 8, 1_000_000L);
                int rc = IoUring.enterArg(ringFd, 0, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, waitArg, 24);
                if (rc < 0 && IoUring.errno() == EBADF) break;
            }
            if (wakeArmed) return false;
        }
        synchronized (cancelAllLock) {
            released = true;
        }
        IoUring.munmap(sqesMem, sqesLen);
        if (cqMem != 0) IoUring.munmap(cqMem, cqLen);
        IoUring.munmap(ringMem, ringLen);
        px.close(ringFd);
        px.close(wakeFd);
        NativeMemory.free(scratch, scratchLen);
        return true;
    }
}
