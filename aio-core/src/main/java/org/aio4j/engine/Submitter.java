package org.aio4j.engine;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.aio4j.AioException;
import org.aio4j.AioFile;
import org.aio4j.engine.internal.Backend;
import org.aio4j.engine.internal.IoUring;
import org.aio4j.internal.Errno;
import org.aio4j.internal.FdTracker;

/**
 * Room "submit paths" of {@link AioEngine}: how an accepted op gets a slot and into flight, on the caller's thread.
 *
 * <ul>
 *   <li>Single op ({@link #start}): no slot needed (closed file, empty buffer) completes at once; no free slot follows
 *       the {@link Overflow} policy (the {@link Backlog}'s queue, or {@link org.aio4j.AioTryAgainException}); else
 *       {@link #fill} and {@link #launch}: the fd is pinned in {@code FdTracker}, a read tries the {@link FastPath},
 *       then the backend's submit under the fd's lock (see {@link Cancellation} for why), and EAGAIN goes to the
 *       {@link Backlog}'s retry list.
 *   <li>Vector ({@link #vector}): one READV/WRITEV op per group of buffers where the backend has them (io_uring),
 *       else one op per buffer at its own offset; the parts are joined by a {@link VectorOp}.
 *   <li>Batch ({@link #submit(BatchOps)}): the ops that get a slot go into one {@code lio_listio} under the
 *       locks of all their fds; the rest take the single path; entries the call did not queue are retried alone.
 * </ul>
 *
 * Every slotted op ends in exactly one {@link Completions#reaped} call, whatever path it took.
 */
final class Submitter {
    private static final byte K_READ = SlotRegistry.K_READ, K_READV = SlotRegistry.K_READV;

    private final AioEngine engine;
    private final Backend backend;
    private final SlotRegistry slots;
    private final Lanes lanes;
    private final EngineMetrics metrics;
    private final Completions completions;
    private final FastPath fastPath;
    private final Reaper reaper;
    /** The reaper's count of threads inside a submit call (see {@link Reaper}). */
    private final AtomicInteger entering;

    private final Overflow overflow;
    /** Made here (it resubmits through this room); the engine's other rooms get it from {@link #backlog}. */
    final Backlog backlog;

    private final int eagain = Errno.EAGAIN.value();
    private final int ebadf = Errno.EBADF.value();

    Submitter(
            AioEngine engine,
            Backend backend,
            SlotRegistry slots,
            Lanes lanes,
            EngineMetrics metrics,
            Completions completions,
            FastPath fastPath,
            Reaper reaper,
            Overflow overflow) {
        this.engine = engine;
        this.backend = backend;
        this.slots = slots;
        this.lanes = lanes;
        this.metrics = metrics;
        this.completions = completions;
        this.fastPath = fastPath;
        this.reaper = reaper;
        this.entering = reaper.entering;
        this.overflow = overflow;
        this.backlog = new Backlog(this, slots, completions, metrics, backend, reaper);
    }

    // ------------------------------------------------------------------------------------------------ input

    private static void checkBuffer(ByteBuffer b, long position) {
        Objects.requireNonNull(b, "buffer");
        if (!b.isDirect()) throw new IllegalArgumentException("buffer must be a direct ByteBuffer: " + b);
        if (position < 0) throw new IllegalArgumentException("position must not be negative: " + position);
        if (position + b.remaining() < 0) throw new IllegalArgumentException("position + length overflows");
    }

    static void checkRead(AioFile file, long position, ByteBuffer dst) {
        Objects.requireNonNull(file, "file");
        checkBuffer(dst, position);
        if (dst.isReadOnly()) throw new IllegalArgumentException("read into a read-only buffer");
    }

    static void checkWrite(AioFile file, long position, ByteBuffer src) {
        Objects.requireNonNull(file, "file");
        checkBuffer(src, position);
    }

    // ------------------------------------------------------------------------------------------------ single op

    long start(byte kind, AioFile file, long position, ByteBuffer buf, int fsyncOp, Object att, AioHandler<?> h) {
        entering.incrementAndGet();
        try {
            if (reaper.closed) throw new IllegalStateException("the engine is closed");
            return startEntered(kind, file, position, buf, fsyncOp, att, h);
        } finally {
            entering.decrementAndGet();
        }
    }

    /** {@link #start} after the caller counted itself in {@code entering} and saw the engine open. */
    private long startEntered(
            byte kind, AioFile file, long position, ByteBuffer buf, int fsyncOp, Object att, AioHandler<?> h) {
        metrics.submitted.increment();
        if (!file.isOpen()) {
            completions.finishNow(kind, file, position, ebadf, h, att, System.nanoTime());
            return 0;
        }
        if (buf != null && buf.remaining() == 0) {
            metrics.record(0, true, false);
            Trampoline.deliver(completions, h, att, 0, null);
            return 0;
        }
        if (overflow == Overflow.WAIT && !backlog.pending.isEmpty())
            return backlog.enqueue(kind, file, position, buf, fsyncOp, att, h);
        int slot = slots.free.pop();
        if (slot < 0) {
            if (overflow == Overflow.FAIL) {
                reject(kind, file, position, att, h);
                return 0;
            }
            return backlog.enqueue(kind, file, position, buf, fsyncOp, att, h);
        }
        fill(slot, kind, file, position, buf, fsyncOp, att, h, System.nanoTime());
        return launch(slot);
    }

    /** {@link Overflow#FAIL} with no free slot: {@link org.aio4j.AioTryAgainException} at once, counted rejected. */
    private void reject(byte kind, AioFile file, long position, Object att, AioHandler<?> h) {
        metrics.submitted.decrement();
        metrics.rejected.increment();
        Trampoline.deliver(
                completions, h, att, -1, AioException.of(Completions.opName(kind), eagain, file.path(), position));
    }

    /** Writes an op into a free slot, choosing its lane. */
    void fill(
            int slot,
            byte kind,
            AioFile file,
            long position,
            ByteBuffer buf,
            int fsyncOp,
            Object att,
            AioHandler<?> h,
            long t0) {
        metrics.slotTaken();
        AioFile lane = lanes.lane(file);
        slots.fill(slot, kind, file, lane.fd(), position, buf, fsyncOp, att, h, t0);
    }

    /** Starts the op of a filled slot (any thread). Every path ends in exactly one {@link Completions#reaped} call. */
    long launch(int slot) {
        SlotRegistry s = slots;
        int fd = s.fds[slot];
        FdTracker.acquire(fd);
        // Checked after acquire: a close that saw our count defers the fd close; one that did not is visible here.
        if (!s.files[slot].isOpen()) {
            completions.reaped(slot, -1, ebadf);
            return 0;
        }
        byte kind = s.kinds[slot];
        if (kind == K_READ || kind == K_READV) {
            long r = kind == K_READ ? fastPath.tryRead(slot, fd) : fastPath.tryReadVector(slot, fd);
            if (r >= 0) {
                completions.reaped(slot, r, 0);
                return 0;
            }
        }
        long token = s.token(slot);
        s.submitting(slot, token);
        int rc = submitLocked(slot, kind, fd);
        if (rc == 0) {
            s.submitted(slot, token);
            return token;
        }
        if (rc == eagain) {
            backlog.retryLater(slot);
            backend.wakeup();
            return token;
        }
        completions.reaped(slot, -1, rc);
        return 0;
    }

    /** The submit call, under the fd's lock (see {@link FdTracker#lock} and {@link Cancellation#cancelSubmitted}). */
    int submitLocked(int slot, byte kind, int fd) {
        SlotRegistry s = slots;
        synchronized (FdTracker.lock(fd)) {
            return backend.submit(slot, kind, fd, s.addrs[slot], s.lens[slot], s.positions[slot], s.fsyncOps[slot]);
        }
    }

    // ------------------------------------------------------------------------------------------------ vector

    /** The most bytes one vectored op carries (the kernel caps a transfer at {@code MAX_RW_COUNT}, 2 GiB - 4 KiB). */
    static final long MAX_VECTOR_BYTES = 1L << 30;

    /**
     * readv/writev at consecutive offsets (the arguments were checked). Where the backend has vectored ops
     * ({@link Backend#supportsVector()}: io_uring's READV/WRITEV), the buffers go in groups of at most {@link
     * IoUring#UIO_MAXIOV} buffers and {@link #MAX_VECTOR_BYTES} bytes (one group unless the vector is that large),
     * one op per group; otherwise (POSIX AIO) one op per buffer. A {@link VectorOp} joins the parts.
     */
    CompletableFuture<Long> vector(byte kind, AioFile file, long position, ByteBuffer[] bufs) {
        EngineFuture<Long> f = new EngineFuture<>(engine, EngineFuture.LONG);
        if (bufs.length == 0) {
            f.succeed(0);
            return f;
        }
        int n = bufs.length;
        long[] req = new long[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            req[i] = bufs[i].remaining();
            total += req[i];
        }
        if (position + total < 0) throw new IllegalArgumentException("position + length overflows");
        if (!backend.supportsVector()) {
            VectorOp v = new VectorOp(engine, f, req);
            f.vector = v;
            long off = position;
            for (int i = 0; i < n; i++) {
                v.token(i, start(kind, file, off, bufs[i], 0, i, v));
                off += req[i];
            }
            f.submitReturned();
            return f;
        }
        // group boundaries: group g is bufs[ends[g-1] .. ends[g]-1]
        int[] ends = new int[n];
        long[] greq = new long[n];
        int groups = 0;
        int first = 0;
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            if (i > first && (i - first == IoUring.UIO_MAXIOV || bytes + req[i] > MAX_VECTOR_BYTES)) {
                ends[groups] = i;
                greq[groups++] = bytes;
                first = i;
                bytes = 0;
            }
            bytes += req[i];
        }
        ends[groups] = n;
        greq[groups++] = bytes;
        VectorOp v = new VectorOp(engine, f, java.util.Arrays.copyOf(greq, groups));
        f.vector = v;
        byte vkind = kind == K_READ ? SlotRegistry.K_READV : SlotRegistry.K_WRITEV;
        long off = position;
        first = 0;
        for (int g = 0; g < groups; g++) {
            // a copy: the slot keeps the buffers reachable whatever the caller does with its array
            ByteBuffer[] part = java.util.Arrays.copyOfRange(bufs, first, ends[g]);
            v.token(g, startVector(vkind, file, off, part, greq[g], g, v));
            off += greq[g];
            first = ends[g];
        }
        f.submitReturned();
        return f;
    }

    /** One vectored op ({@link SlotRegistry#K_READV} or {@link SlotRegistry#K_WRITEV}): {@link #start}'s rules. */
    private long startVector(
            byte kind, AioFile file, long position, ByteBuffer[] bufs, long bytes, Object att, AioHandler<?> h) {
        entering.incrementAndGet();
        try {
            if (reaper.closed) throw new IllegalStateException("the engine is closed");
            metrics.submitted.increment();
            if (!file.isOpen()) {
                completions.finishNow(kind, file, position, ebadf, h, att, System.nanoTime());
                return 0;
            }
            if (bytes == 0) {
                metrics.record(0, true, false);
                Trampoline.deliver(completions, h, att, 0, null);
                return 0;
            }
            if (overflow == Overflow.WAIT && !backlog.pending.isEmpty())
                return backlog.enqueue(kind, file, position, null, bufs, 0, att, h);
            int slot = slots.free.pop();
            if (slot < 0) {
                if (overflow == Overflow.FAIL) {
                    reject(kind, file, position, att, h);
                    return 0;
                }
                return backlog.enqueue(kind, file, position, null, bufs, 0, att, h);
            }
            fillVector(slot, kind, file, position, bufs, att, h, System.nanoTime());
            return launch(slot);
        } finally {
            entering.decrementAndGet();
        }
    }

    /** Writes a vectored op into a free slot (its iovec array is allocated there and freed when it was reaped). */
    void fillVector(
            int slot, byte kind, AioFile file, long position, ByteBuffer[] bufs, Object att, AioHandler<?> h, long t0) {
        metrics.slotTaken();
        AioFile lane = lanes.lane(file);
        slots.fillVector(slot, kind, file, lane.fd(), position, bufs, att, h, t0);
    }

    // ------------------------------------------------------------------------------------------------ batch

    /** The ops of an {@link AioEngine.Batch}, in the order added. Not thread-safe. */
    static final class BatchOps {
        byte[] kinds = new byte[8];
        AioFile[] files = new AioFile[8];
        long[] positions = new long[8];
        ByteBuffer[] buffers = new ByteBuffer[8];
        Object[] atts = new Object[8];
        AioHandler<?>[] handlers = new AioHandler<?>[8];
        EngineFuture<?>[] futures = new EngineFuture<?>[8];
        int size;
        boolean submitted;

        void add(byte kind, AioFile file, long pos, ByteBuffer buf, Object att, AioHandler<?> h, EngineFuture<?> f) {
            if (submitted) throw new IllegalStateException("the batch was already submitted");
            if (size == kinds.length) {
                int c = size * 2;
                kinds = java.util.Arrays.copyOf(kinds, c);
                files = java.util.Arrays.copyOf(files, c);
                positions = java.util.Arrays.copyOf(positions, c);
                buffers = java.util.Arrays.copyOf(buffers, c);
                atts = java.util.Arrays.copyOf(atts, c);
                handlers = java.util.Arrays.copyOf(handlers, c);
                futures = java.util.Arrays.copyOf(futures, c);
            }
            kinds[size] = kind;
            files[size] = file;
            positions[size] = pos;
            buffers[size] = buf;
            atts[size] = att;
            handlers[size] = h;
            futures[size] = f;
            size++;
        }
    }

    /** {@link AioEngine.Batch#submit()}: the batch was not submitted before. */
    long[] submit(BatchOps b) {
        int size = b.size;
        long[] tokens = new long[size];
        entering.incrementAndGet();
        try {
            if (reaper.closed) throw new IllegalStateException("the engine is closed");
            b.submitted = true;
            if (size > 0) submitBatch(b, tokens);
        } finally {
            entering.decrementAndGet();
        }
        for (int i = 0; i < size; i++) {
            if (b.futures[i] != null) b.futures[i].setToken(tokens[i]);
        }
        // drop references: the engine holds what it needs per slot
        java.util.Arrays.fill(b.buffers, 0, size, null);
        java.util.Arrays.fill(b.atts, 0, size, null);
        java.util.Arrays.fill(b.handlers, 0, size, null);
        java.util.Arrays.fill(b.futures, 0, size, null);
        java.util.Arrays.fill(b.files, 0, size, null);
        return tokens;
    }

    /** Submits a batch; the caller counted itself in {@code entering} and checked {@code closed}. */
    private void submitBatch(BatchOps b, long[] tokens) {
        SlotRegistry s = slots;
        int n = b.size;
        int[] slotList = new int[n];
        int[] index = new int[n];
        int m = 0;
        boolean direct = backend.supportsBatch();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            AioFile file = b.files[i];
            byte kind = b.kinds[i];
            ByteBuffer buf = b.buffers[i];
            long pos = b.positions[i];
            int slot = -1;
            if (direct
                    && file.isOpen()
                    && buf.remaining() > 0
                    && !(overflow == Overflow.WAIT && !backlog.pending.isEmpty())) {
                slot = s.free.pop();
            }
            if (slot < 0) {
                // the single-op path: closed file, empty buffer, overflow policy, or no lio_listio batch here
                tokens[i] = startEntered(kind, file, pos, buf, 0, b.atts[i], b.handlers[i]);
                continue;
            }
            metrics.submitted.increment();
            fill(slot, kind, file, pos, buf, 0, b.atts[i], b.handlers[i], t0);
            int fd = s.fds[slot];
            FdTracker.acquire(fd);
            // Checked after acquire, as in launch(): a close that saw our count defers the fd close.
            if (!file.isOpen()) {
                completions.reaped(slot, -1, ebadf);
                continue;
            }
            long token = s.token(slot);
            s.submitting(slot, token);
            tokens[i] = token;
            slotList[m] = slot;
            index[m] = i;
            m++;
        }
        if (m == 0) return;
        int[] status = new int[m];
        // The fd locks of every fd involved, taken in ascending lock order (a guarded per-op cancel takes a stripe
        // lock, then one fd lock; single submits take one fd lock): no cycle. So, as for single submits, a guarded
        // cancel either counts these ops in FdTracker or runs after the call.
        int[] locks = new int[m];
        for (int j = 0; j < m; j++) locks[j] = FdTracker.lockIndex(s.fds[slotList[j]]);
        java.util.Arrays.sort(locks);
        int nl = 0;
        for (int j = 0; j < m; j++) if (nl == 0 || locks[nl - 1] != locks[j]) locks[nl++] = locks[j];
        batchLocked(locks, nl, 0, slotList, m, status);
        boolean retry = false;
        for (int j = 0; j < m; j++) {
            int slot = slotList[j];
            long token = tokens[index[j]];
            if (status[j] == 0) {
                s.submitted(slot, token);
                continue;
            }
            // not queued by lio_listio: the reaper submits it alone (EAGAIN policy), which gives its own errno
            backlog.retryLater(slot);
            retry = true;
        }
        if (retry) backend.wakeup();
    }

    private void batchLocked(int[] locks, int nl, int i, int[] slotList, int m, int[] status) {
        if (i < nl) {
            synchronized (FdTracker.lockAt(locks[i])) {
                batchLocked(locks, nl, i + 1, slotList, m, status);
            }
            return;
        }
        SlotRegistry s = slots;
        backend.submitBatch(slotList, m, s.kinds, s.fds, s.addrs, s.lens, s.positions, status);
    }
}
