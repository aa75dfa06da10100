package org.aio4j.engine;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.aio4j.AioException;
import org.aio4j.AioFile;
import org.aio4j.AioFsyncMode;
import org.aio4j.engine.internal.Backend;
import org.aio4j.engine.internal.IntMpscQueue;
import org.aio4j.engine.internal.IntStack;
import org.aio4j.engine.internal.IoUringBackend;
import org.aio4j.engine.internal.JvmSignalWaiter;
import org.aio4j.engine.internal.KeventWaiter;
import org.aio4j.engine.internal.NativePosix;
import org.aio4j.engine.internal.Posix;
import org.aio4j.engine.internal.PosixAioBackend;
import org.aio4j.engine.internal.SemaphoreWaiter;
import org.aio4j.engine.internal.SignalFdWaiter;
import org.aio4j.engine.internal.SuspendWaiter;
import org.aio4j.engine.internal.Symbols;
import org.aio4j.engine.internal.Waiter;
import org.aio4j.internal.AioAbi;
import org.aio4j.internal.AioInit;
import org.aio4j.internal.Errno;
import org.aio4j.internal.FdTracker;
import org.aio4j.internal.NativeLib;
import org.aio4j.internal.NativeMemory;

/**
 * The completion engine: submits reads, writes and fsyncs with POSIX AIO, reaps every completion on one reaper
 * thread and delivers it to a {@link CompletableFuture} or an {@link AioHandler}, exactly once.
 *
 * <pre>{@code
 * try (AioEngine engine = AioEngine.builder().maxInFlight(256).build();
 *      AioFile file = AioFile.open(path)) {
 *     ByteBuffer buf = ByteBuffer.allocateDirect(4096);
 *     int n = engine.read(file, 0, buf).join();     // buf's position and limit are unchanged
 * }
 * }</pre>
 *
 * <h2>Threads</h2>
 * One reaper thread per engine (from the builder's {@link Builder#threadFactory thread factory}; daemon by
 * default) reaps completions and runs handlers and future completions, including dependent stages such as {@code
 * thenApply} that were attached before completion. Keep them short and non-blocking, or hop to an executor. A
 * completion that happens at once (a read served from the page cache on the fast path, an error found before
 * submission) runs on the submitting thread; such completions are never nested on one thread: a completion
 * delivered from inside another handler on the same thread is queued and runs when that handler returns.
 *
 * <h2>Memory</h2>
 * Buffers must be direct. The engine keeps a reference to each buffer until its op was reaped; the caller must not
 * reuse a buffer before its op completed. The hot path allocates nothing that grows with the number of ops: {@code
 * aiocb}s live in a native slab of {@code maxInFlight} slots, ops are found by an integer token. The callback
 * forms allocate nothing per op; the future forms allocate the future.
 *
 * <h2>Cancellation</h2>
 * {@link #cancel(long)} and {@link CompletableFuture#cancel} call {@code aio_cancel(fd, aiocb)} only where that is
 * safe: with glibc, only for an op that is the one request in flight on its fd number (glibc strands the queue
 * behind a cancelled untaken head, see {@link #cancel(long)}); otherwise they return false and the op completes
 * normally. {@link #cancelAll(AioFile)} cancels everything queued on a file's fd numbers with {@code aio_cancel(fd,
 * NULL)}. A cancelled op still completes exactly once, after it was reaped: the handler gets {@link
 * org.aio4j.AioCancelledException}, the future completes as cancelled. A request already running cannot be
 * cancelled and completes normally.
 */
public final class AioEngine implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AioEngine.class.getName());
    private static final byte K_READ = Backend.OP_READ, K_WRITE = Backend.OP_WRITE, K_FSYNC = Backend.OP_FSYNC;
    private static final byte S_FREE = 0, S_SUBMITTED = 1, S_RETRY = 2, S_SUBMITTING = 3;
    private static final int STRIPES = 64;
    static final int MAX_RETRIES = 8;
    static final long RETRY_BASE_NANOS = 50_000L;
    private static final long IDLE_NANOS = 100_000_000L;
    private static final AtomicInteger ENGINE_IDS = new AtomicInteger();
    private static volatile AioEngine shared;

    private final Backend backend;
    private final EngineBackend engineBackend;
    private final Notification notification;
    private final Overflow overflow;
    private final int capacity;
    private final int lanes;
    private final int directLanes;
    private final int maxLanes;
    private final boolean directFastPath;
    private final int aioInitThreads;
    private final long closeTimeoutNanos;
    private final boolean isShared;
    private final EngineMetrics metrics = new EngineMetrics();
    private final Thread reaper;
    private final int eagain = Errno.EAGAIN.value();
    private final int ecanceled = Errno.ECANCELED.value();
    private final int ebadf = Errno.EBADF.value();

    // Registry, indexed by slot. Written by the thread that owns the slot (popped it), read by the reaper after
    // the backend's publication; liveTokens/states/cancelRequested are guarded by the slot's stripe lock.
    private final IntStack free;
    private final int[] gens;
    private final long[] liveTokens;
    private final byte[] states;
    private final boolean[] cancelRequested;
    private final Object[] stripes = new Object[STRIPES];
    private final AioHandler<?>[] handlers;
    private final Object[] attachments;
    private final ByteBuffer[] buffers;
    private final AioFile[] files;
    private final byte[] kinds;
    private final int[] fds;
    private final int[] fsyncOps;
    private final long[] positions;
    private final long[] addrs;
    private final long[] lens;
    private final long[] starts;
    private final int[] attempts;

    // Overflow queue (WAIT) and the reaper's EAGAIN retry list.
    private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
    private final AtomicLong pendingSeq = new AtomicLong();
    private final IntMpscQueue retryQueue;
    private final int[] retrySlots;
    private final long[] retryDue;
    private int retryCount;

    // Lanes: dup'd fds per file.
    private final Map<AioFile, AioFile[]> laneMap = new ConcurrentHashMap<>();
    private final AtomicInteger laneCounter = new AtomicInteger();

    // Life cycle.
    private final AtomicInteger entering = new AtomicInteger();
    private volatile boolean closed;
    private volatile boolean closing;
    private boolean cancelIssued;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final Backend.CompletionSink sink = this::reaped;

    private static final class Pending {
        final byte kind;
        final AioFile file;
        final long position;
        final ByteBuffer buf;
        final int fsyncOp;
        final Object attachment;
        final AioHandler<?> handler;
        final long token;
        final long start;

        Pending(
                byte kind,
                AioFile file,
                long position,
                ByteBuffer buf,
                int fsyncOp,
                Object att,
                AioHandler<?> h,
                long token) {
            this.kind = kind;
            this.file = file;
            this.position = position;
            this.buf = buf;
            this.fsyncOp = fsyncOp;
            this.attachment = att;
            this.handler = h;
            this.token = token;
            this.start = System.nanoTime();
        }
    }

    private AioEngine(Builder b, Backend backend, Notification mode, int aioInitThreads) {
        this.backend = backend;
        this.engineBackend = b.backend;
        this.notification = mode;
        this.overflow = b.overflow;
        this.capacity = backend.capacity();
        // An explicit lanes(n) applies to every file; otherwise 1 for buffered files, directLanes for O_DIRECT.
        // io_uring runs the requests of one fd in parallel: no lanes.
        boolean posix = b.backend == EngineBackend.POSIX_AIO;
        this.lanes = posix && b.lanes > 0 ? b.lanes : 1;
        this.directLanes = !posix ? 1 : b.lanes > 0 ? b.lanes : b.directLanes;
        this.maxLanes = Math.max(lanes, directLanes);
        // O_DIRECT data is never "cached": the RWF_NOWAIT attempt is a wasted syscall unless explicitly forced.
        this.directFastPath = b.fastPath == Boolean.TRUE;
        this.aioInitThreads = aioInitThreads;
        this.closeTimeoutNanos = b.closeTimeout.toNanos();
        this.isShared = b.shared;
        int cap = capacity;
        free = new IntStack(cap);
        gens = new int[cap];
        java.util.Arrays.fill(gens, 1);
        liveTokens = new long[cap];
        states = new byte[cap];
        cancelRequested = new boolean[cap];
        for (int i = 0; i < STRIPES; i++) stripes[i] = new Object();
        handlers = new AioHandler<?>[cap];
        attachments = new Object[cap];
        buffers = new ByteBuffer[cap];
        files = new AioFile[cap];
        kinds = new byte[cap];
        fds = new int[cap];
        fsyncOps = new int[cap];
        positions = new long[cap];
        addrs = new long[cap];
        lens = new long[cap];
        starts = new long[cap];
        attempts = new int[cap];
        retryQueue = new IntMpscQueue(cap);
        retrySlots = new int[cap];
        retryDue = new long[cap];
        ThreadFactory tf = b.threadFactory;
        String name = "aio4j-reaper-" + (b.name != null ? b.name : String.valueOf(ENGINE_IDS.incrementAndGet()));
        Runnable loop = this::reapLoop;
        Thread t;
        if (tf != null) {
            t = tf.newThread(loop);
        } else {
            t = new Thread(loop, name);
            t.setDaemon(true);
        }
        this.reaper = t;
        t.start();
    }

    /** A builder with the defaults: see each method. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A process-wide engine with the default settings, created on first use, with a daemon reaper thread. Its
     * {@link #close()} does nothing; it lives as long as the JVM.
     */
    public static AioEngine shared() {
        AioEngine e = shared;
        if (e == null) {
            synchronized (AioEngine.class) {
                e = shared;
                if (e == null) {
                    Builder b = builder().name("shared").backend(EngineBackend.fromSystemProperty());
                    b.shared = true;
                    shared = e = b.build();
                }
            }
        }
        return e;
    }

    // ------------------------------------------------------------------------------------------------ futures

    /**
     * Reads up to {@code dst.remaining()} bytes at file offset {@code position} into {@code dst}, starting at
     * {@code dst.position()}. The buffer's position and limit are never changed; the future gives the byte count
     * (0 at end of file).
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code dst} is not direct or is read-only, or {@code position < 0}
     * @throws IllegalStateException if the engine is closed
     */
    public CompletableFuture<Integer> read(AioFile file, long position, ByteBuffer dst) {
        checkRead(file, position, dst);
        EngineFuture<Integer> f = new EngineFuture<>(this, EngineFuture.INT);
        f.setToken(start(K_READ, file, position, dst, 0, f, EngineFuture.HANDLER));
        return f;
    }

    /**
     * Writes {@code src.remaining()} bytes from {@code src} (from its position; position and limit unchanged) at
     * file offset {@code position}; the future gives the byte count.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code src} is not direct, or {@code position < 0}
     * @throws IllegalStateException if the engine is closed
     */
    public CompletableFuture<Integer> write(AioFile file, long position, ByteBuffer src) {
        checkWrite(file, position, src);
        EngineFuture<Integer> f = new EngineFuture<>(this, EngineFuture.INT);
        f.setToken(start(K_WRITE, file, position, src, 0, f, EngineFuture.HANDLER));
        return f;
    }

    /**
     * {@code aio_fsync}: completes when the writes completed before this call are durable.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalStateException if the engine is closed
     */
    public CompletableFuture<Void> fsync(AioFile file, AioFsyncMode mode) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(mode, "mode");
        EngineFuture<Void> f = new EngineFuture<>(this, EngineFuture.VOID);
        f.setToken(start(K_FSYNC, file, 0, null, mode.value(), f, EngineFuture.HANDLER));
        return f;
    }

    /**
     * Scattering read: buffer {@code i} is filled from file offset {@code position} plus the sizes of the buffers
     * before it. The buffers are read in parallel (glibc has no vectored AIO); the future gives the byte count of
     * the leading buffers up to the first short one, or the first failure by buffer order.
     *
     * @throws NullPointerException if an argument or element is null
     * @throws IllegalArgumentException if a buffer is not direct or read-only, or {@code position < 0}
     * @throws IllegalStateException if the engine is closed
     */
    public CompletableFuture<Long> readv(AioFile file, long position, ByteBuffer[] dsts) {
        Objects.requireNonNull(dsts, "dsts");
        for (ByteBuffer d : dsts) checkRead(file, position, d);
        return vector(K_READ, file, position, dsts);
    }

    /**
     * Gathering write: buffer {@code i} is written at file offset {@code position} plus the sizes of the buffers
     * before it, in parallel; the future gives the byte count of the leading buffers up to the first short one.
     *
     * @throws NullPointerException if an argument or element is null
     * @throws IllegalArgumentException if a buffer is not direct, or {@code position < 0}
     * @throws IllegalStateException if the engine is closed
     */
    public CompletableFuture<Long> writev(AioFile file, long position, ByteBuffer[] srcs) {
        Objects.requireNonNull(srcs, "srcs");
        for (ByteBuffer s : srcs) checkWrite(file, position, s);
        return vector(K_WRITE, file, position, srcs);
    }

    private CompletableFuture<Long> vector(byte kind, AioFile file, long position, ByteBuffer[] bufs) {
        EngineFuture<Long> f = new EngineFuture<>(this, EngineFuture.LONG);
        if (bufs.length == 0) {
            f.succeed(0);
            return f;
        }
        long[] req = new long[bufs.length];
        long total = 0;
        for (int i = 0; i < bufs.length; i++) {
            req[i] = bufs[i].remaining();
            total += req[i];
        }
        if (position + total < 0) throw new IllegalArgumentException("position + length overflows");
        VectorOp v = new VectorOp(this, f, req);
        f.vector = v;
        long off = position;
        for (int i = 0; i < bufs.length; i++) {
            v.token(i, start(kind, file, off, bufs[i], 0, i, v));
            off += req[i];
        }
        f.submitReturned();
        return f;
    }

    // ------------------------------------------------------------------------------------------------ callbacks

    /**
     * Reads like {@link #read(AioFile, long, ByteBuffer)} and calls {@code handler} once, with no allocation per op.
     *
     * @return a token for {@link #cancel(long)}, or 0 if the op already completed on this thread
     */
    public <A> long read(AioFile file, long position, ByteBuffer dst, A attachment, AioHandler<? super A> handler) {
        checkRead(file, position, dst);
        Objects.requireNonNull(handler, "handler");
        return start(K_READ, file, position, dst, 0, attachment, handler);
    }

    /**
     * Writes like {@link #write(AioFile, long, ByteBuffer)} and calls {@code handler} once, with no allocation
     * per op.
     *
     * @return a token for {@link #cancel(long)}, or 0 if the op already completed on this thread
     */
    public <A> long write(AioFile file, long position, ByteBuffer src, A attachment, AioHandler<? super A> handler) {
        checkWrite(file, position, src);
        Objects.requireNonNull(handler, "handler");
        return start(K_WRITE, file, position, src, 0, attachment, handler);
    }

    /**
     * {@code aio_fsync} with a handler ({@code result} 0).
     *
     * @return a token for {@link #cancel(long)}, or 0 if the op already completed on this thread
     */
    public <A> long fsync(AioFile file, AioFsyncMode mode, A attachment, AioHandler<? super A> handler) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(handler, "handler");
        return start(K_FSYNC, file, 0, null, mode.value(), attachment, handler);
    }

    // ------------------------------------------------------------------------------------------------ batch

    /**
     * A new, empty {@link Batch}: collect reads and writes, then {@link Batch#submit()} them with one {@code
     * lio_listio}.
     *
     * <pre>{@code
     * AioEngine.Batch batch = engine.batch();
     * batch.read(file, 0, buf0, "a", handler).write(file, 4096, buf1, "b", handler);
     * CompletableFuture<Integer> f = batch.read(file, 8192, buf2);
     * batch.submit();   // one lio_listio(LIO_NOWAIT) for all three; each handler/future completes once
     * }</pre>
     *
     * @throws IllegalStateException if the engine is closed
     */
    public Batch batch() {
        if (closed) throw new IllegalStateException("the engine is closed");
        return new Batch();
    }

    /**
     * Reads and writes collected to be submitted together with one {@code lio_listio(LIO_NOWAIT, list, n, NULL)}.
     * Each op completes exactly as if it had been submitted alone ({@link #read(AioFile, long, ByteBuffer, Object,
     * AioHandler)}...): one handler call or future completion, on the reaper thread or, for an op that completes at
     * once, on the thread that calls {@link #submit()}. Not thread-safe; single use. Input is checked when an op is
     * added (same rules as the single-op forms). The batch allocates per batch (its lists, the native {@code
     * aiocb*} list, freed right after the call), not per op beyond the single-op forms.
     *
     * <p>How it is submitted: every op that gets a slot goes into the one {@code lio_listio} call (one call per
     * {@link org.aio4j.PosixAio#MAX_LIST_ENTRIES} ops: glibc puts the list on the calling thread's stack); ops that
     * find no free slot follow the engine's {@link Overflow} policy like a single op ({@link Overflow#WAIT}: queued and
     * submitted one by one when slots free; {@link Overflow#FAIL}: {@link org.aio4j.AioTryAgainException}), and while
     * ops are already waiting for a slot the whole batch queues behind them (FIFO). Reads skip the cached-read fast
     * path. If the call fails (glibc: -1 with EAGAIN/EINVAL, with some entries queued and running), the entries glibc
     * did not queue are found through glibc's private {@code __error_code} (see {@code docs/engine.md}) and each is
     * submitted again alone by the reaper under the engine's EAGAIN policy (backoff from 50 us, at most 8 attempts),
     * so each gets its own outcome: its real errno, or {@link org.aio4j.AioTryAgainException} when glibc stays out of
     * requests. Where the C library has no known way to tell (musl, FreeBSD, macOS), the batch is submitted op by op
     * ({@code aio_read}/{@code aio_write}), with the same outcomes.
     */
    public final class Batch {
        private byte[] kinds = new byte[8];
        private AioFile[] files = new AioFile[8];
        private long[] positions = new long[8];
        private ByteBuffer[] buffers = new ByteBuffer[8];
        private Object[] atts = new Object[8];
        private AioHandler<?>[] handlers = new AioHandler<?>[8];
        private EngineFuture<?>[] futures = new EngineFuture<?>[8];
        private int size;
        private boolean submitted;

        private Batch() {}

        /**
         * Adds a read like {@link AioEngine#read(AioFile, long, ByteBuffer, Object, AioHandler)}.
         *
         * @return this batch
         * @throws NullPointerException if an argument other than {@code attachment} is null
         * @throws IllegalArgumentException if {@code dst} is not direct or is read-only, or {@code position < 0}
         * @throws IllegalStateException if the batch was already submitted
         */
        public <A> Batch read(
                AioFile file, long position, ByteBuffer dst, A attachment, AioHandler<? super A> handler) {
            checkRead(file, position, dst);
            Objects.requireNonNull(handler, "handler");
            add(K_READ, file, position, dst, attachment, handler, null);
            return this;
        }

        /**
         * Adds a write like {@link AioEngine#write(AioFile, long, ByteBuffer, Object, AioHandler)}.
         *
         * @return this batch
         * @throws NullPointerException if an argument other than {@code attachment} is null
         * @throws IllegalArgumentException if {@code src} is not direct, or {@code position < 0}
         * @throws IllegalStateException if the batch was already submitted
         */
        public <A> Batch write(
                AioFile file, long position, ByteBuffer src, A attachment, AioHandler<? super A> handler) {
            checkWrite(file, position, src);
            Objects.requireNonNull(handler, "handler");
            add(K_WRITE, file, position, src, attachment, handler, null);
            return this;
        }

        /**
         * Adds a read like {@link AioEngine#read(AioFile, long, ByteBuffer)}; the future completes after {@link
         * #submit()} (it never completes if the batch is never submitted).
         *
         * @throws NullPointerException if an argument is null
         * @throws IllegalArgumentException if {@code dst} is not direct or is read-only, or {@code position < 0}
         * @throws IllegalStateException if the batch was already submitted
         */
        public CompletableFuture<Integer> read(AioFile file, long position, ByteBuffer dst) {
            checkRead(file, position, dst);
            EngineFuture<Integer> f = new EngineFuture<>(AioEngine.this, EngineFuture.INT);
            add(K_READ, file, position, dst, f, EngineFuture.HANDLER, f);
            return f;
        }

        /**
         * Adds a write like {@link AioEngine#write(AioFile, long, ByteBuffer)}; the future completes after {@link
         * #submit()}.
         *
         * @throws NullPointerException if an argument is null
         * @throws IllegalArgumentException if {@code src} is not direct, or {@code position < 0}
         * @throws IllegalStateException if the batch was already submitted
         */
        public CompletableFuture<Integer> write(AioFile file, long position, ByteBuffer src) {
            checkWrite(file, position, src);
            EngineFuture<Integer> f = new EngineFuture<>(AioEngine.this, EngineFuture.INT);
            add(K_WRITE, file, position, src, f, EngineFuture.HANDLER, f);
            return f;
        }

        /** How many ops were added. */
        public int size() {
            return size;
        }

        private void add(
                byte kind, AioFile file, long pos, ByteBuffer buf, Object att, AioHandler<?> h, EngineFuture<?> f) {
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

        /**
         * Submits every op added, with one {@code lio_listio} where the platform allows (see {@link Batch}). Each
         * op's handler is called, or its future completed, exactly once. An empty batch does nothing.
         *
         * @return one token per op, in the order added, for {@link AioEngine#cancel(long)} (0 for an op that already
         *     completed on this thread)
         * @throws IllegalStateException if the engine is closed (nothing is submitted and no handler is called) or
         *     the batch was already submitted
         */
        public long[] submit() {
            if (submitted) throw new IllegalStateException("the batch was already submitted");
            long[] tokens = new long[size];
            entering.incrementAndGet();
            try {
                if (closed) throw new IllegalStateException("the engine is closed");
                submitted = true;
                if (size > 0) submitBatch(this, tokens);
            } finally {
                entering.decrementAndGet();
            }
            for (int i = 0; i < size; i++) {
                if (futures[i] != null) futures[i].setToken(tokens[i]);
            }
            // drop references: the engine holds what it needs per slot
            java.util.Arrays.fill(buffers, 0, size, null);
            java.util.Arrays.fill(atts, 0, size, null);
            java.util.Arrays.fill(handlers, 0, size, null);
            java.util.Arrays.fill(futures, 0, size, null);
            java.util.Arrays.fill(files, 0, size, null);
            return tokens;
        }
    }

    /** Submits a batch; the caller counted itself in {@link #entering} and checked {@link #closed}. */
    private void submitBatch(Batch b, long[] tokens) {
        int n = b.size;
        int[] slots = new int[n];
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
            if (direct && file.isOpen() && buf.remaining() > 0 && !(overflow == Overflow.WAIT && !pending.isEmpty())) {
                slot = free.pop();
            }
            if (slot < 0) {
                // the single-op path: closed file, empty buffer, overflow policy, or no lio_listio batch here
                tokens[i] = startEntered(kind, file, pos, buf, 0, b.atts[i], b.handlers[i]);
                continue;
            }
            metrics.submitted.increment();
            fill(slot, kind, file, pos, buf, 0, b.atts[i], b.handlers[i], t0);
            int fd = fds[slot];
            FdTracker.acquire(fd);
            // Checked after acquire, as in launch(): a close that saw our count defers the fd close.
            if (!file.isOpen()) {
                reaped(slot, -1, ebadf);
                continue;
            }
            long token = ((long) gens[slot] << 32) | slot;
            synchronized (stripes[slot & (STRIPES - 1)]) {
                liveTokens[slot] = token;
                states[slot] = S_SUBMITTING;
            }
            tokens[i] = token;
            slots[m] = slot;
            index[m] = i;
            m++;
        }
        if (m == 0) return;
        int[] status = new int[m];
        // The fd locks of every fd involved, taken in ascending lock order (a guarded per-op cancel takes a stripe
        // lock, then one fd lock; single submits take one fd lock): no cycle. So, as for single submits, a guarded
        // cancel either counts these ops in FdTracker or runs after the call.
        int[] locks = new int[m];
        for (int j = 0; j < m; j++) locks[j] = FdTracker.lockIndex(fds[slots[j]]);
        java.util.Arrays.sort(locks);
        int nl = 0;
        for (int j = 0; j < m; j++) if (nl == 0 || locks[nl - 1] != locks[j]) locks[nl++] = locks[j];
        batchLocked(locks, nl, 0, slots, m, status);
        boolean retry = false;
        for (int j = 0; j < m; j++) {
            int slot = slots[j];
            long token = tokens[index[j]];
            if (status[j] == 0) {
                submitted(slot, token);
                continue;
            }
            // not queued by lio_listio: the reaper submits it alone (EAGAIN policy), which gives its own errno
            synchronized (stripes[slot & (STRIPES - 1)]) {
                states[slot] = S_RETRY;
            }
            attempts[slot] = 1;
            metrics.retries.increment();
            retryQueue.offer(slot);
            retry = true;
        }
        if (retry) backend.wakeup();
    }

    private void batchLocked(int[] locks, int nl, int i, int[] slots, int m, int[] status) {
        if (i < nl) {
            synchronized (FdTracker.lockAt(locks[i])) {
                batchLocked(locks, nl, i + 1, slots, m, status);
            }
            return;
        }
        backend.submitBatch(slots, m, kinds, fds, addrs, lens, positions, status);
    }

    /**
     * Cancels the op of {@code token} with {@code aio_cancel(fd, aiocb)} where that is safe (or removes it from the
     * overflow queue). Its handler is still called exactly once, after the op was reaped: with {@link
     * org.aio4j.AioCancelledException} if the cancel took effect, otherwise with the op's own outcome.
     *
     * <p>With glibc, a per-op {@code aio_cancel} of a request that heads its fd number's queue and was not yet taken
     * by a helper thread strands every later request on that fd number forever (a glibc bug, see {@code
     * docs/engine.md}). The engine therefore calls it only when the op is the only request in flight on its fd
     * number in the whole process (as counted by {@link FdTracker}, which every aio4j submission path updates);
     * otherwise it does not call it and returns false, and the op completes normally with its real result, as if
     * glibc had answered {@code AIO_NOTCANCELED}. To cancel everything of a file, use {@link
     * #cancelAll(AioFile)}. Residual risk: a request submitted on the same fd number by code outside aio4j between
     * the engine's check and its {@code aio_cancel} can still be stranded (the core {@code Aio} ops submit under the
     * same fd lock, so they cannot).
     *
     * @return true if the op will complete as cancelled; false if it is unknown, done, already running, or not
     *     alone on its fd number (glibc)
     */
    public boolean cancel(long token) {
        if (token == 0) return false;
        if (token < 0) return cancelPending(token);
        int slot = (int) token;
        if (slot < 0 || slot >= capacity) return false;
        synchronized (stripes[slot & (STRIPES - 1)]) {
            if (liveTokens[slot] != token) return false;
            if (states[slot] == S_RETRY) {
                cancelRequested[slot] = true;
                backend.wakeup();
                return true;
            }
            if (states[slot] != S_SUBMITTED) return false; // its submit call is under way
            return cancelSubmitted(slot);
        }
    }

    /**
     * Cancels every op of this engine waiting for a slot, and asks {@link #cancel(long)} for each op in flight (so
     * with glibc, an op that shares its fd number with another request in flight is not cancelled and completes
     * normally). To cancel everything of one file, use {@link #cancelAll(AioFile)}.
     *
     * @return how many will complete as cancelled
     */
    public int cancelAll() {
        int n = 0;
        for (Pending p : pending) if (cancelPending(p.token)) n++;
        for (int slot = 0; slot < capacity; slot++) {
            long t;
            synchronized (stripes[slot & (STRIPES - 1)]) {
                t = liveTokens[slot];
            }
            if (t != 0 && cancel(t)) n++;
        }
        return n;
    }

    /**
     * Cancels every queued request on the fd numbers of {@code file} and of each of its lanes, with {@code
     * aio_cancel(fd, NULL)}, which has no queue-stranding bug: every op of this engine on the file that was still
     * queued completes as cancelled ({@link org.aio4j.AioCancelledException} for a handler, a cancelled future),
     * exactly once, after it was reaped; ops already running complete normally with their real result; ops of the
     * file waiting for a slot or for an EAGAIN retry complete as cancelled too. Ops submitted after this call returns
     * run normally.
     *
     * <p><b>It cancels every request on those fd numbers, including ones submitted outside this engine</b> (another
     * engine, the core {@code Aio} ops, native code sharing the fd): use it when the caller owns the file, for
     * example a stream that opened it and is being cancelled.
     *
     * <pre>{@code
     * AioFile file = AioFile.open(path);           // owned by this stream
     * ... engine.read(file, pos, buf, att, handler) ...
     * engine.cancelAll(file);                      // on cancel: every handler still runs once
     * }</pre>
     *
     * @return how many ops of this engine will complete as cancelled: a lower bound, exact unless an op of the file
     *     was being submitted at that moment (by another thread, or resubmitted by the reaper after EAGAIN), which
     *     may be cancelled without being counted
     * @throws NullPointerException if {@code file} is null
     */
    public int cancelAll(AioFile file) {
        Objects.requireNonNull(file, "file");
        int n = 0;
        for (Pending p : pending) if (p.file == file && cancelPending(p.token)) n++;
        // Pin the fd numbers (FdTracker) so none is closed and reused while we cancel on it; a closed file is
        // skipped (its ops in flight still pin their own fds, collected under the stripe locks).
        AioFile[] ls = maxLanes > 1 ? laneMap.get(file) : null;
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
        if (stripe < STRIPES) {
            synchronized (stripes[stripe]) {
                return cancelAllLocked(file, pinned, np, stripe + 1);
            }
        }
        int[] cancelFds = java.util.Arrays.copyOf(pinned, np + capacity);
        int nf = np;
        boolean retry = false;
        for (int slot = 0; slot < capacity; slot++) {
            if (liveTokens[slot] == 0 || files[slot] != file) continue;
            if (states[slot] == S_RETRY) {
                retry = true;
                continue;
            }
            // a live slot holds its fd in FdTracker until after it is freed, which needs the stripe lock we hold
            int fd = fds[slot];
            boolean seen = false;
            for (int i = 0; i < nf && !seen; i++) seen = cancelFds[i] == fd;
            if (!seen) cancelFds[nf++] = fd;
        }
        for (int i = 0; i < nf; i++) backend.cancelAll(cancelFds[i]);
        int n = 0;
        for (int slot = 0; slot < capacity; slot++) {
            if (liveTokens[slot] == 0 || files[slot] != file) continue;
            if (states[slot] == S_RETRY) {
                cancelRequested[slot] = true;
                n++;
            } else if (states[slot] == S_SUBMITTED && backend.isCancelled(slot)) {
                n++;
            }
        }
        if (retry) backend.wakeup();
        return n;
    }

    private boolean cancelPending(long token) {
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.token == token) {
                if (!pending.remove(p)) return false;
                metrics.queued.decrementAndGet();
                finishUnslotted(p, ecanceled);
                return true;
            }
        }
        return false;
    }

    /** The live counters of this engine. */
    public EngineMetrics metrics() {
        return metrics;
    }

    /**
     * The notification mode this engine was built with; null with {@link EngineBackend#IO_URING}, where completions
     * come from the ring (notification modes are a POSIX AIO concept).
     */
    public Notification notification() {
        return notification;
    }

    /** The backend this engine uses ({@link Builder#backend(EngineBackend)}). */
    public EngineBackend backend() {
        return engineBackend;
    }

    /** What the backend actually uses, for example {@code "SIGNAL(signalfd, signal 40, exact)"}. */
    public String mechanism() {
        return backend.mechanism();
    }

    /** The slot count. */
    public int maxInFlight() {
        return capacity;
    }

    /**
     * Lanes (fds) per buffered file: the explicit {@link Builder#lanes(int)}, else 1. See {@link #directLanes()} for
     * files with {@link AioFile#isDirect()}.
     */
    public int lanes() {
        return lanes;
    }

    /**
     * Lanes (fds) per {@code O_DIRECT} file ({@link AioFile#isDirect()}): the explicit {@link Builder#lanes(int)},
     * else {@link Builder#directLanes(int)} (default 12).
     */
    public int directLanes() {
        return directLanes;
    }

    /**
     * The helper thread count this engine passed to glibc's {@code aio_init} when it was built: {@link
     * Builder#aioInit(int, int)}'s, or by default {@link #directLanes()}; 0 if it did not call it (no {@code
     * aio_init} in this C library, or the application had called {@code PosixAio.aioInit} itself). glibc applies it
     * only if it came before the process's first AIO request.
     */
    public int aioInitThreads() {
        return aioInitThreads;
    }

    /** Lanes this engine would use for {@code file}. */
    private int lanesFor(AioFile file) {
        return file.isDirect() ? directLanes : lanes;
    }

    /**
     * The fd numbers the engine currently spreads {@code file}'s ops over (the file's own fd first); just the file's
     * fd if no lanes were made for it. For tests.
     */
    int[] laneFds(AioFile file) {
        AioFile[] ls = laneMap.get(file);
        if (ls == null) return new int[] {file.fd()};
        int[] r = new int[ls.length];
        for (int i = 0; i < ls.length; i++) r[i] = ls[i].fd();
        return r;
    }

    /**
     * True if reads try {@code preadv2(RWF_NOWAIT)} on the calling thread first: on buffered files; on {@code
     * O_DIRECT} files only if {@link Builder#cachedReadFastPath(boolean)} was set to true explicitly.
     */
    public boolean cachedReadFastPath() {
        return backend.supportsReadNow();
    }

    /** True once {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Cancels what is in flight and queued, waits (up to the builder's close timeout) until every op was reaped and
     * its handler called, frees the native slab and stops the reaper thread. Ops that cannot be cancelled because
     * they are running (a read on a pipe nobody writes, say) keep the reaper alive past the timeout; it then frees
     * everything when they finish, and a warning is logged. Idempotent; a no-op on {@link #shared()}.
     */
    @Override
    public void close() {
        if (isShared) return;
        synchronized (this) {
            if (!closed) {
                closed = true;
                closing = true;
                backend.wakeup();
            }
        }
        // The reaper finishes by itself. A handler running on the submitting thread (the cached-read fast path)
        // must not wait either: the engine cannot terminate while that submission is still on the stack.
        if (Thread.currentThread() == reaper || Trampoline.inHandler()) return;
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

    /** True once the reaper has reaped everything after {@link #close()} and released the native resources. */
    public boolean isTerminated() {
        return terminated.getCount() == 0;
    }

    /** Waits until {@link #isTerminated()}; true if it is. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public String toString() {
        return "AioEngine[" + mechanism() + ", maxInFlight=" + capacity + ", lanes=" + lanes + ", directLanes="
                + directLanes + ", " + metrics + "]";
    }

    // ------------------------------------------------------------------------------------------------ submission

    private static void checkBuffer(ByteBuffer b, long position) {
        Objects.requireNonNull(b, "buffer");
        if (!b.isDirect()) throw new IllegalArgumentException("buffer must be a direct ByteBuffer: " + b);
        if (position < 0) throw new IllegalArgumentException("position must not be negative: " + position);
        if (position + b.remaining() < 0) throw new IllegalArgumentException("position + length overflows");
    }

    private static void checkRead(AioFile file, long position, ByteBuffer dst) {
        Objects.requireNonNull(file, "file");
        checkBuffer(dst, position);
        if (dst.isReadOnly()) throw new IllegalArgumentException("read into a read-only buffer");
    }

    private static void checkWrite(AioFile file, long position, ByteBuffer src) {
        Objects.requireNonNull(file, "file");
        checkBuffer(src, position);
    }

    private static String opName(byte kind) {
        return kind == K_READ ? "aio_read" : kind == K_WRITE ? "aio_write" : "aio_fsync";
    }

    /**
     * The typed exception of a failed op. {@link Backend#NOTIFICATION_LOST}: glibc could not queue the completion
     * signal and overwrote the result with EAGAIN, so not the retry-inviting {@link org.aio4j.AioTryAgainException}
     * but {@link org.aio4j.AioNotificationLostException} (the op may have been performed).
     */
    private AioException failure(byte kind, int errno, java.nio.file.Path path, long position) {
        if (errno == Backend.NOTIFICATION_LOST)
            return AioException.ofSignalledCompletion(opName(kind), eagain, path, position);
        return AioException.of(opName(kind), errno, path, position);
    }

    private long start(
            byte kind, AioFile file, long position, ByteBuffer buf, int fsyncOp, Object att, AioHandler<?> h) {
        entering.incrementAndGet();
        try {
            if (closed) throw new IllegalStateException("the engine is closed");
            return startEntered(kind, file, position, buf, fsyncOp, att, h);
        } finally {
            entering.decrementAndGet();
        }
    }

    /** {@link #start} after the caller counted itself in {@link #entering} and saw the engine open. */
    private long startEntered(
            byte kind, AioFile file, long position, ByteBuffer buf, int fsyncOp, Object att, AioHandler<?> h) {
        {
            metrics.submitted.increment();
            if (!file.isOpen()) {
                finishNow(kind, file, position, ebadf, h, att, System.nanoTime());
                return 0;
            }
            if (buf != null && buf.remaining() == 0) {
                metrics.record(0, true, false);
                Trampoline.deliver(this, h, att, 0, null);
                return 0;
            }
            if (overflow == Overflow.WAIT && !pending.isEmpty())
                return enqueue(kind, file, position, buf, fsyncOp, att, h);
            int slot = free.pop();
            if (slot < 0) {
                if (overflow == Overflow.FAIL) {
                    metrics.submitted.decrement();
                    metrics.rejected.increment();
                    Trampoline.deliver(this, h, att, -1, AioException.of(opName(kind), eagain, file.path(), position));
                    return 0;
                }
                return enqueue(kind, file, position, buf, fsyncOp, att, h);
            }
            fill(slot, kind, file, position, buf, fsyncOp, att, h, System.nanoTime());
            return launch(slot);
        }
    }

    private long enqueue(
            byte kind, AioFile file, long position, ByteBuffer buf, int fsyncOp, Object att, AioHandler<?> h) {
        long token = Long.MIN_VALUE | pendingSeq.incrementAndGet();
        metrics.queued.incrementAndGet();
        pending.add(new Pending(kind, file, position, buf, fsyncOp, att, h, token));
        backend.wakeup();
        return token;
    }

    private void finishNow(byte kind, AioFile file, long position, int errno, AioHandler<?> h, Object att, long t0) {
        metrics.record(t0, false, errno == ecanceled);
        Trampoline.deliver(
                this, h, att, -1, AioException.of(opName(kind), errno, file.path(), kind == K_FSYNC ? -1 : position));
    }

    private void finishUnslotted(Pending p, int errno) {
        finishNow(p.kind, p.file, p.position, errno, p.handler, p.attachment, p.start);
    }

    private void fill(
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
        AioFile lane = lane(file);
        kinds[slot] = kind;
        files[slot] = file;
        fds[slot] = lane.fd();
        positions[slot] = position;
        fsyncOps[slot] = fsyncOp;
        buffers[slot] = buf;
        if (buf != null) {
            addrs[slot] = NativeMemory.addressOf(buf) + buf.position();
            lens[slot] = buf.remaining();
        } else {
            addrs[slot] = 0;
            lens[slot] = 0;
        }
        attachments[slot] = att;
        handlers[slot] = h;
        starts[slot] = t0;
        attempts[slot] = 0;
    }

    /** Starts the op of a filled slot (any thread). Every path ends in exactly one {@link #reaped} call. */
    private long launch(int slot) {
        int fd = fds[slot];
        FdTracker.acquire(fd);
        // Checked after acquire: a close that saw our count defers the fd close; one that did not is visible here.
        if (!files[slot].isOpen()) {
            reaped(slot, -1, ebadf);
            return 0;
        }
        byte kind = kinds[slot];
        if (kind == K_READ && backend.supportsReadNow() && (directFastPath || !files[slot].isDirect())) {
            long r = backend.tryReadNow(slot, fd, addrs[slot], lens[slot], positions[slot]);
            if (r >= 0) {
                metrics.fastPath.increment();
                reaped(slot, r, 0);
                return 0;
            }
        }
        long token = ((long) gens[slot] << 32) | slot;
        Object lock = stripes[slot & (STRIPES - 1)];
        synchronized (lock) {
            liveTokens[slot] = token;
            states[slot] = S_SUBMITTING;
        }
        int rc = submitLocked(slot, kind, fd);
        if (rc == 0) {
            submitted(slot, token);
            return token;
        }
        if (rc == eagain) {
            synchronized (lock) {
                states[slot] = S_RETRY;
            }
            attempts[slot] = 1;
            metrics.retries.increment();
            retryQueue.offer(slot);
            backend.wakeup();
            return token;
        }
        reaped(slot, -1, rc);
        return 0;
    }

    /** The submit call, under the fd's lock (see {@link FdTracker#lock}). */
    private int submitLocked(int slot, byte kind, int fd) {
        synchronized (fdLock(fd)) {
            return backend.submit(slot, kind, fd, addrs[slot], lens[slot], positions[slot], fsyncOps[slot]);
        }
    }

    /** After a successful submit call: the op may now be cancelled (unless it was already reaped). */
    private void submitted(int slot, long token) {
        synchronized (stripes[slot & (STRIPES - 1)]) {
            if (liveTokens[slot] == token && states[slot] == S_SUBMITTING) states[slot] = S_SUBMITTED;
        }
    }

    private static Object fdLock(int fd) {
        return FdTracker.lock(fd);
    }

    /**
     * Per-op {@code aio_cancel} of a submitted op, only where it cannot strand other requests: with glibc, only
     * when the op is the one request in flight on its fd number process-wide ({@link FdTracker}), checked and
     * cancelled under the fd's lock so that no engine submission on that fd slips in between. Otherwise does not
     * call and answers false: the op completes normally. The caller holds the slot's stripe lock.
     */
    private boolean cancelSubmitted(int slot) {
        int fd = fds[slot];
        if (!backend.perOpCancelNeedsGuard()) return backend.cancel(slot, fd) == backend.canceledValue();
        synchronized (fdLock(fd)) {
            if (FdTracker.inFlight(fd) != 1) return false;
            return backend.cancel(slot, fd) == backend.canceledValue();
        }
    }

    /** The end of every slotted op: frees the slot, then calls the handler. */
    private void reaped(int slot, long result, int errno) {
        AioHandler<?> h = handlers[slot];
        Object att = attachments[slot];
        AioFile file = files[slot];
        byte kind = kinds[slot];
        long position = positions[slot];
        long t0 = starts[slot];
        int fd = fds[slot];
        synchronized (stripes[slot & (STRIPES - 1)]) {
            liveTokens[slot] = 0;
            states[slot] = S_FREE;
            cancelRequested[slot] = false;
        }
        // cleared only after the slot is no longer live: cancelAll(file) reads files[] of live slots
        handlers[slot] = null;
        attachments[slot] = null;
        buffers[slot] = null;
        files[slot] = null;
        int g = (gens[slot] + 1) & 0x3FFFFFFF;
        gens[slot] = g == 0 ? 1 : g;
        FdTracker.release(fd);
        metrics.inFlight.decrementAndGet();
        free.push(slot);
        metrics.record(t0, errno == 0, errno == ecanceled);
        AioException ex = errno == 0 ? null : failure(kind, errno, file.path(), kind == K_FSYNC ? -1 : position);
        Trampoline.deliver(this, h, att, result, ex);
    }

    private AioFile lane(AioFile file) {
        if (lanesFor(file) <= 1) return file;
        AioFile[] ls = laneMap.get(file);
        if (ls == null) ls = laneMap.computeIfAbsent(file, this::makeLanes);
        if (ls.length == 1) return ls[0];
        return ls[(laneCounter.getAndIncrement() & 0x7FFFFFFF) % ls.length];
    }

    private AioFile[] makeLanes(AioFile file) {
        int lanes = lanesFor(file);
        AioFile[] ls = new AioFile[lanes];
        ls[0] = file;
        int n = 1;
        for (; n < lanes; n++) {
            try {
                ls[n] = file.dup();
            } catch (AioException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "aio4j: dup for a lane failed, using " + n + " lanes", e);
                break;
            }
        }
        return n == lanes ? ls : java.util.Arrays.copyOf(ls, n);
    }

    private void sweepLanes(boolean all) {
        for (Iterator<Map.Entry<AioFile, AioFile[]>> it = laneMap.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<AioFile, AioFile[]> e = it.next();
            if (all || !e.getKey().isOpen()) {
                it.remove();
                AioFile[] ls = e.getValue();
                for (int i = 1; i < ls.length; i++) ls[i].close(); // deferred while ops are in flight
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ reaper

    private void reapLoop() {
        boolean clean = false;
        try {
            long lastSweep = System.nanoTime();
            while (true) {
                if (closing) {
                    if (!cancelIssued) {
                        cancelIssued = true;
                        cancelEverything();
                    }
                    if (metrics.inFlight.get() == 0
                            && entering.get() == 0
                            && retryCount == 0
                            && pending.isEmpty()
                            && handOffs.isEmpty()) {
                        clean = true;
                        break;
                    }
                }
                long timeout = IDLE_NANOS;
                if (retryCount > 0) timeout = Math.max(1_000L, nextRetryDue() - System.nanoTime());
                if (closing) timeout = Math.min(timeout, 1_000_000L);
                if (!handOffs.isEmpty()) timeout = 0;
                backend.poll(sink, timeout);
                runHandOffs();
                takeRetries();
                if (retryCount > 0) runRetries();
                if (!pending.isEmpty()) drainPending();
                if (maxLanes > 1) {
                    long now = System.nanoTime();
                    if (now - lastSweep > 1_000_000_000L) {
                        lastSweep = now;
                        sweepLanes(false);
                    }
                }
            }
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "aio4j reaper failed; native memory of ops in flight is kept", t);
        } finally {
            if (clean) {
                sweepLanes(true);
                if (!backend.close(System.nanoTime() + closeTimeoutNanos)) {
                    LOG.log(System.Logger.Level.WARNING, "aio4j engine: a native resource was kept at close");
                }
            }
            terminated.countDown();
        }
    }

    /** A completion handed to the reaper by {@link Trampoline} (the budget of inline completions was used). */
    private record HandOff(AioHandler<?> handler, Object attachment, long result, AioException error) {}

    /** Completions handed off by other threads (or the reaper itself), delivered by the reaper in order. */
    private final java.util.concurrent.ConcurrentLinkedQueue<HandOff> handOffs =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    /**
     * Delivers a completion on the reaper thread instead of the current one (see {@link Trampoline}). If the reaper
     * has already ended (the engine terminated meanwhile), delivers it here.
     */
    void handOff(AioHandler<?> handler, Object attachment, long result, AioException error) {
        metrics.handOffs.increment();
        handOffs.add(new HandOff(handler, attachment, result, error));
        if (Thread.currentThread() != reaper) backend.wakeup();
        if (terminated.getCount() == 0) runHandOffs(); // nobody else will
    }

    /** Puts a handed-off completion back in the queue (not counted again), for a later turn of the reaper. */
    void requeue(AioHandler<?> handler, Object attachment, long result, AioException error) {
        handOffs.add(new HandOff(handler, attachment, result, error));
    }

    /** Delivers the completions handed off so far (not those they hand off in turn: the reaper polls in between). */
    private void runHandOffs() {
        for (int n = handOffs.size(); n > 0; n--) {
            HandOff h = handOffs.poll();
            if (h == null) return;
            Trampoline.deliver(this, h.handler(), h.attachment(), h.result(), h.error());
        }
    }

    private void cancelEverything() {
        Pending p;
        while ((p = pending.poll()) != null) {
            metrics.queued.decrementAndGet();
            finishUnslotted(p, ecanceled);
        }
        for (int slot = 0; slot < capacity; slot++) {
            synchronized (stripes[slot & (STRIPES - 1)]) {
                if (liveTokens[slot] == 0) continue;
                if (states[slot] == S_RETRY) cancelRequested[slot] = true;
                else if (states[slot] == S_SUBMITTED) cancelSubmitted(slot);
            }
        }
    }

    private void takeRetries() {
        int slot;
        while ((slot = retryQueue.poll()) >= 0) {
            retrySlots[retryCount] = slot;
            retryDue[retryCount] = System.nanoTime() + (RETRY_BASE_NANOS << (attempts[slot] - 1));
            retryCount++;
        }
    }

    private long nextRetryDue() {
        long d = Long.MAX_VALUE;
        for (int i = 0; i < retryCount; i++) d = Math.min(d, retryDue[i]);
        return d;
    }

    private void runRetries() {
        long now = System.nanoTime();
        for (int i = retryCount - 1; i >= 0; i--) {
            int slot = retrySlots[i];
            boolean cancel;
            synchronized (stripes[slot & (STRIPES - 1)]) {
                cancel = cancelRequested[slot] || closing;
            }
            if (!cancel && retryDue[i] > now) continue;
            retrySlots[i] = retrySlots[--retryCount];
            retryDue[i] = retryDue[retryCount];
            if (cancel) {
                reaped(slot, -1, ecanceled);
                continue;
            }
            long token = 0;
            synchronized (stripes[slot & (STRIPES - 1)]) {
                // a cancel that came after the check above (cancel or cancelAll already answered true)
                if (cancelRequested[slot]) {
                    cancel = true;
                } else {
                    states[slot] = S_SUBMITTING;
                    token = liveTokens[slot];
                }
            }
            if (cancel) {
                reaped(slot, -1, ecanceled);
                continue;
            }
            int rc = submitLocked(slot, kinds[slot], fds[slot]);
            if (rc == 0) {
                submitted(slot, token);
                continue;
            }
            if (rc == eagain && attempts[slot] < MAX_RETRIES) {
                synchronized (stripes[slot & (STRIPES - 1)]) {
                    states[slot] = S_RETRY;
                }
                attempts[slot]++;
                metrics.retries.increment();
                retryQueue.offer(slot);
                continue;
            }
            reaped(slot, -1, rc);
        }
    }

    private void drainPending() {
        while (!pending.isEmpty()) {
            if (closing) {
                Pending p;
                while ((p = pending.poll()) != null) {
                    metrics.queued.decrementAndGet();
                    finishUnslotted(p, ecanceled);
                }
                return;
            }
            int slot = free.pop();
            if (slot < 0) return;
            Pending p = pending.poll();
            if (p == null) {
                free.push(slot);
                return;
            }
            metrics.queued.decrementAndGet();
            fill(slot, p.kind, p.file, p.position, p.buf, p.fsyncOp, p.attachment, p.handler, p.start);
            launch(slot);
        }
    }

    // ------------------------------------------------------------------------------------------------ builder

    /**
     * Configures an {@link AioEngine}. Defaults: {@link Notification#SUSPEND} ({@link Notification#KEVENT} on
     * FreeBSD), {@code maxInFlight} 1024, {@link Overflow#WAIT}, lanes adaptive per file (1 for a buffered file, 12
     * for an O_DIRECT one), cached-read fast path on for buffered files where the kernel has {@code
     * preadv2(RWF_NOWAIT)}, glibc's helper pool sized to {@link #directLanes(int)} threads (unless the application
     * called {@code aio_init} itself), a daemon reaper thread.
     */
    public static final class Builder {
        private Notification notification;
        private int maxInFlight = 1024;
        private Overflow overflow = Overflow.WAIT;
        private int lanes; // 0: not set, adaptive (1 buffered, directLanes for O_DIRECT)
        private int directLanes = 12;
        private Boolean fastPath;
        private int aioThreads = -1, aioNum = -1, aioIdleSeconds = -1;
        private ThreadFactory threadFactory;
        private String signal = "USR1";
        private int realtimeSignal;
        private Duration suspendSlice = Duration.ofMillis(1);
        private Duration closeTimeout = Duration.ofSeconds(5);
        private String name;
        private EngineBackend backend = EngineBackend.POSIX_AIO;
        boolean shared;
        // test hooks
        Posix posix;
        AioAbi abi;
        /** Wraps the backend built (the fault-injecting backend of the tests). */
        java.util.function.UnaryOperator<Backend> decorate;

        private Builder() {}

        /**
         * The backend (default {@link EngineBackend#POSIX_AIO}). With {@link EngineBackend#IO_URING}, {@link
         * #notification(Notification)} must not be set (the ring is the notification: {@link #build()} throws
         * {@link IllegalArgumentException}), and the POSIX AIO settings {@link #lanes(int)}, {@link
         * #directLanes(int)}, {@link #aioInit(int, int)}, {@link #signal(String)}, {@link #realtimeSignal(int)} and
         * {@link #suspendSlice(Duration)} are ignored; {@link #maxInFlight(int)} is capped at 32,767 (the ring's
         * size; {@link AioEngine#maxInFlight()} tells the count used).
         */
        public Builder backend(EngineBackend backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
            return this;
        }

        /** The notification mode (see {@link Notification}); POSIX AIO only. */
        public Builder notification(Notification mode) {
            this.notification = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * Slots: ops in flight at once (default 1024). Each slot costs about 200 bytes of native memory. The exact
         * {@link Notification#SIGNAL} form uses at most half of {@code RLIMIT_SIGPENDING} ({@code ulimit -i}) slots, so
         * that its completion signals never fill that limit ({@link AioEngine#maxInFlight()} tells the count used).
         */
        public Builder maxInFlight(int n) {
            if (n < 1 || n > (1 << 20)) throw new IllegalArgumentException("maxInFlight must be 1..1048576: " + n);
            this.maxInFlight = n;
            return this;
        }

        /** What happens past {@code maxInFlight} (default {@link Overflow#WAIT}). */
        public Builder overflow(Overflow overflow) {
            this.overflow = Objects.requireNonNull(overflow, "overflow");
            return this;
        }

        /**
         * fds per file, for every file, buffered or {@code O_DIRECT}: with more than one, the engine {@code dup()}s
         * each file it sees (on its first op) and spreads ops round-robin over the copies, because glibc runs the
         * requests of one fd number one at a time. The copies are closed when the engine notices the file was closed
         * (within about a second; each stays open until its last op was reaped), and at engine close.
         *
         * <p>Not set (the default), the count adapts per file: 1 for a buffered file (page-cached reads are served by
         * the fast path, and on 2 cores one fd beat 16), {@link #directLanes(int)} for a file with {@link
         * AioFile#isDirect()} (see {@code docs/engine.md} for the measurements).
         */
        public Builder lanes(int lanes) {
            if (lanes < 1 || lanes > 256) throw new IllegalArgumentException("lanes must be 1..256: " + lanes);
            this.lanes = lanes;
            return this;
        }

        /**
         * fds per {@code O_DIRECT} file ({@link AioFile#isDirect()}) when {@link #lanes(int)} is not set (default 12),
         * and the number of glibc helper threads the engine asks for with {@code aio_init} when it is built (unless
         * the application called {@code aio_init} itself, through {@link #aioInit(int, int)} or {@code
         * PosixAio.aioInit}; glibc ignores the count once the process has made an AIO request). Measured here, 4 KiB
         * random O_DIRECT reads at queue depth 64: one lane 6-7k ops/s; 16 lanes with glibc's default 20 threads
         * 17-35k, because glibc then starts and ends about 1,400 helper threads per second; 12 lanes on 12 threads
         * 30-49k, on a par with a 16-thread {@code pread} pool (see {@code docs/engine.md}). Each such file costs
         * {@code n - 1} extra fds while the engine uses it.
         */
        public Builder directLanes(int lanes) {
            if (lanes < 1 || lanes > 256) throw new IllegalArgumentException("directLanes must be 1..256: " + lanes);
            this.directLanes = lanes;
            return this;
        }

        /**
         * Whether reads first try {@code preadv2(..., RWF_NOWAIT)} on the calling thread (default on where the
         * kernel has it): page-cached data returns at once, the rest goes to {@code aio_read}. Not set, {@code
         * O_DIRECT} files ({@link AioFile#isDirect()}) skip it: their data never comes from the page cache, and on
         * Linux 6.18 (measured here) {@code RWF_NOWAIT} on an O_DIRECT fd performs the device read synchronously on
         * the calling thread instead of answering EAGAIN. Set to true, they try it too; set to false, no file does.
         */
        public Builder cachedReadFastPath(boolean on) {
            this.fastPath = on;
            return this;
        }

        /**
         * Calls glibc's {@code aio_init} when the engine is built: {@code threads} helper threads (default: the
         * {@link #directLanes(int)} count; glibc's own default is 20), and {@code idleSeconds} before an idle helper
         * exits (glibc default 1; the first op after that costs milliseconds). Process-wide; the thread count only
         * takes effect before the process's first AIO request. Pass -1 to leave a value at its default (the idle time
         * then stays as it is).
         *
         * @throws UnsupportedOperationException at {@link #build()} where the C library has no {@code aio_init}
         */
        public Builder aioInit(int threads, int idleSeconds) {
            this.aioThreads = threads;
            this.aioIdleSeconds = idleSeconds;
            return this;
        }

        /** Like {@link #aioInit(int, int)}, also setting {@code aio_num} (expected simultaneous requests). */
        public Builder aioInit(int threads, int requests, int idleSeconds) {
            this.aioNum = requests;
            return aioInit(threads, idleSeconds);
        }

        /** Makes the reaper thread (default: a daemon thread named {@code aio4j-reaper-<name>}). */
        public Builder threadFactory(ThreadFactory factory) {
            this.threadFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /** A name for the reaper thread. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * {@link Notification#SIGNAL}: the classic signal used as a wake-up, {@code "USR1"} (default) or {@code
         * "USR2"} (HotSpot on Linux keeps USR2 for itself and refuses it). While such an engine is open it owns the
         * signal: its JVM handler only wakes the reaper and does not call a handler the application installed before
         * (a signal the application raises then only wakes the reaper). When the last engine using the signal
         * closes, the application's handler (or {@code SIG_IGN}) is put back; the default action never is, since a
         * late completion signal would then terminate the JVM: the engine's handler then stays, doing nothing.
         */
        public Builder signal(String name) {
            Objects.requireNonNull(name, "name");
            if (!name.equals("USR1") && !name.equals("USR2")) {
                throw new IllegalArgumentException("signal must be USR1 or USR2: " + name);
            }
            this.signal = name;
            return this;
        }

        /**
         * {@link Notification#SIGNAL}: the real-time signal of the exact ({@code signalfd}) form, used only if it is
         * blocked in every thread of the process at {@link #build()}, i.e. the JVM was launched with it blocked
         * (default SIGRTMIN+6, 40 on glibc). Never installed otherwise.
         */
        public Builder realtimeSignal(int signo) {
            if (signo < 1 || signo > 64) throw new IllegalArgumentException("not a signal number: " + signo);
            this.realtimeSignal = signo;
            return this;
        }

        /**
         * {@link Notification#SUSPEND}: the longest single {@code aio_suspend} wait (default 1 ms). An op submitted
         * while the reaper waits joins its list at the latest after one slice (sooner if any listed op finishes).
         */
        public Builder suspendSlice(Duration slice) {
            if (slice.isNegative() || slice.isZero()) throw new IllegalArgumentException("slice must be positive");
            this.suspendSlice = slice;
            return this;
        }

        /** How long {@link AioEngine#close()} waits for the ops in flight to be reaped (default 5 s). */
        public Builder closeTimeout(Duration timeout) {
            if (timeout.isNegative()) throw new IllegalArgumentException("timeout must not be negative");
            this.closeTimeout = timeout;
            return this;
        }

        /**
         * Builds and starts the engine.
         *
         * @throws UnsupportedOperationException where POSIX AIO or the chosen mode is unavailable, or where {@link
         *     EngineBackend#IO_URING} is (the message names the cause: {@link EngineBackend#unavailabilityCause()})
         * @throws IllegalArgumentException if the JVM refuses the {@link #signal(String) signal}, or a notification
         *     mode was set for {@link EngineBackend#IO_URING}
         */
        public AioEngine build() {
            Posix px = posix;
            AioAbi a = abi;
            if (px == null) {
                NativeLib.ensureAvailable();
                px = NativePosix.INSTANCE;
                a = NativeLib.abi();
            }
            if (backend == EngineBackend.IO_URING) return buildIoUring(px, a);
            Notification mode = notification;
            if (mode == null) mode = a.SIGEV_KEVENT != AioAbi.ABSENT ? Notification.KEVENT : Notification.SUSPEND;
            int initThreads = 0;
            if (aioThreads >= 0 || aioIdleSeconds >= 0 || aioNum >= 0) {
                // the application's own sizing: unset values are the engine's default thread count, glibc's 64
                // requests, and the idle time left as it is (0)
                initThreads = aioThreads >= 0 ? aioThreads : directLanes;
                AioInit.apply(initThreads, aioNum >= 0 ? aioNum : 64, aioIdleSeconds >= 0 ? aioIdleSeconds : 0, true);
            } else if (px == NativePosix.INSTANCE && AioInit.isAvailable() && !AioInit.configuredByApplication()) {
                // Default sizing: as many helper threads as an O_DIRECT file has lanes. More threads than busy fd
                // numbers make glibc start and end helper threads all the time (measured here at QD 64 over 16
                // lanes: about 1,400 thread starts per second with glibc's 20 threads, 400 with 12 threads on 12
                // lanes); see docs/engine.md. glibc ignores the count once the process has made an AIO request.
                initThreads = directLanes;
                AioInit.apply(initThreads, 64, 0, false);
            }
            boolean hasPreadv2 = a.RWF_NOWAIT != AioAbi.ABSENT && NativeLib.hasSymbol("preadv2");
            if (fastPath == Boolean.TRUE && !hasPreadv2) {
                throw new UnsupportedOperationException(
                        "the cached-read fast path needs preadv2(RWF_NOWAIT), which " + a.name + " lacks here");
            }
            boolean fp = fastPath == null ? hasPreadv2 : fastPath;
            int claimed = -1;
            int slots = maxInFlight;
            Waiter w;
            switch (mode) {
                case SUSPEND -> w = new SuspendWaiter(suspendSlice.toNanos());
                case THREAD -> w = new SemaphoreWaiter(Symbols.semPost());
                case KEVENT -> {
                    if (a.SIGEV_KEVENT == AioAbi.ABSENT) {
                        throw new UnsupportedOperationException("KEVENT needs SIGEV_KEVENT (FreeBSD), not " + a);
                    }
                    w = new KeventWaiter();
                }
                case SIGNAL -> {
                    int rt = realtimeSignal > 0 ? realtimeSignal : Symbols.defaultRealtimeSignal();
                    if (posix == null
                            && rt > 0
                            && SignalFdWaiter.blockedInEveryThread(rt)
                            && SignalFdWaiter.claim(rt)) {
                        claimed = rt;
                        w = new SignalFdWaiter(rt);
                        slots = SignalFdWaiter.boundInFlight(maxInFlight); // below RLIMIT_SIGPENDING
                    } else {
                        w = new JvmSignalWaiter(signal, signal.equals("USR1") ? a.SIGUSR1 : a.SIGUSR2);
                    }
                }
                default -> throw new AssertionError(mode);
            }
            Backend backend;
            try {
                backend = new PosixAioBackend(px, a, slots, w, fp);
                if (decorate != null) backend = decorate.apply(backend);
            } catch (RuntimeException | Error e) {
                if (claimed > 0) SignalFdWaiter.unclaim(claimed);
                throw e;
            }
            return new AioEngine(this, backend, mode, initThreads);
        }

        private AioEngine buildIoUring(Posix px, AioAbi a) {
            if (notification != null) {
                throw new IllegalArgumentException("notification(" + notification + ") applies to POSIX_AIO only; an"
                        + " IO_URING engine is notified by its ring (leave notification unset)");
            }
            Throwable cause = EngineBackend.IO_URING.unavailabilityCause();
            if (cause != null) {
                String m = cause.getMessage();
                throw new UnsupportedOperationException(
                        m != null && m.startsWith("io_uring") ? m : "io_uring is unavailable: " + cause, cause);
            }
            boolean hasPreadv2 = a.RWF_NOWAIT != AioAbi.ABSENT && NativeLib.hasSymbol("preadv2");
            if (fastPath == Boolean.TRUE && !hasPreadv2) {
                throw new UnsupportedOperationException(
                        "the cached-read fast path needs preadv2(RWF_NOWAIT), which " + a.name + " lacks here");
            }
            Backend backend = new IoUringBackend(px, a, maxInFlight, fastPath == null ? hasPreadv2 : fastPath);
            if (decorate != null) backend = decorate.apply(backend);
            return new AioEngine(this, backend, null, 0);
        }
    }
}
