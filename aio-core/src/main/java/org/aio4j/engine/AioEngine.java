package org.aio4j.engine;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import org.aio4j.AioFile;
import org.aio4j.AioFsyncMode;
import org.aio4j.engine.internal.Backend;
import org.aio4j.engine.internal.Posix;
import org.aio4j.internal.AioAbi;
import org.aio4j.internal.FdTracker;

/**
 * The completion engine: submits reads, writes and fsyncs with POSIX AIO, reaps every completion on one reaper
 * thread and delivers it to a {@link CompletableFuture} or an {@link AioHandler}, exactly once.
 *
 * <p>Where the code is (for maintainers): this file is the public façade, {@link Batch} and {@link Builder}; the
 * engine itself lives in package-private rooms of {@code org.aio4j.engine}, one concern each:
 *
 * <table>
 *   <caption>Rooms of the engine</caption>
 *   <tr><td>{@code SlotRegistry}</td><td>slots: per-slot arrays (handler, buffer, file, fd...), free list, tokens,
 *       stripe locks</td></tr>
 *   <tr><td>{@code Lanes}</td><td>the {@code dup()}'d fds a file's ops are spread over, closed at the file's close</td></tr>
 *   <tr><td>{@code Submitter}</td><td>submit paths: single op (overflow policy, fd pinning, submit under the fd
 *       lock), vector, batch</td></tr>
 *   <tr><td>{@code FastPath}</td><td>the cached-read fast path ({@code preadv2(RWF_NOWAIT)} on the caller's
 *       thread)</td></tr>
 *   <tr><td>{@code Backlog}</td><td>ops not in flight yet: the overflow queue and the EAGAIN retry list, both
 *       resubmitted by the reaper</td></tr>
 *   <tr><td>{@code Cancellation}</td><td>{@code cancel}, both {@code cancelAll}s, cancel at close; the glibc
 *       head-cancel guard under the fd locks</td></tr>
 *   <tr><td>{@code Completions}</td><td><b>where a completion goes</b>: the slot is freed, the typed error made,
 *       the handler run inline, queued on this thread ({@code Trampoline}) or handed off to the reaper</td></tr>
 *   <tr><td>{@code Reaper}</td><td>the reaper thread and life cycle: poll loop, retries, lane sweep, close,
 *       termination</td></tr>
 *   <tr><td>{@code EngineFactory}</td><td>{@link Builder#build()}: the backend chosen, checked and made (POSIX AIO
 *       with its notification mode and {@code aio_init}, or io_uring), the fast-path decision</td></tr>
 * </table>
 *
 * Per op: {@code AioEngine.read -> Submitter.start -> launch -> FastPath.tryRead | Backend.submit}; then on the
 * reaper {@code Reaper.run -> Backend.poll -> Completions.reaped -> Trampoline.deliver}. The rooms call each other
 * through final fields, with plain calls (no interface or lambda per op).
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
    private static volatile AioEngine shared;

    static { // the aio-test kit's access to Builder.decorate (internal; see BackendDecoration)
        org.aio4j.engine.internal.BackendDecoration.install((b, d) -> b.decorate = d);
    }

    private final Backend backend;
    private final EngineBackend engineBackend;
    private final Notification notification;
    private final int aioInitThreads;
    private final boolean isShared;
    private final EngineMetrics metrics = new EngineMetrics();

    // The rooms (see above), made in dependency order; the reaper thread starts last.
    private final SlotRegistry slots;
    private final Lanes lanes;
    private final Reaper reaper;
    final Completions completions;
    private final Submitter submitter;
    private final Cancellation cancellation;

    /** Made by {@link EngineFactory} (the builder's {@code build()}), which chose and built the backend. */
    AioEngine(Builder b, Backend backend, Notification mode, int aioInitThreads) {
        this.backend = backend;
        this.engineBackend = b.backend;
        this.notification = mode;
        this.aioInitThreads = aioInitThreads;
        this.isShared = b.shared;
        // An explicit lanes(n) applies to every file; otherwise 1 for buffered files, directLanes for O_DIRECT.
        // io_uring runs the requests of one fd in parallel: no lanes.
        boolean posix = b.backend == EngineBackend.POSIX_AIO;
        this.lanes = new Lanes(
                posix && b.lanes > 0 ? b.lanes : 1, !posix ? 1 : b.lanes > 0 ? b.lanes : b.directLanes, metrics);
        this.slots = new SlotRegistry(backend.capacity());
        this.reaper = new Reaper(backend, metrics, b.closeTimeout.toNanos());
        this.completions = new Completions(slots, metrics, backend, reaper);
        // O_DIRECT data is never "cached": the RWF_NOWAIT attempt is a wasted syscall unless explicitly forced.
        FastPath fastPath = new FastPath(backend, slots, metrics, b.fastPath == Boolean.TRUE);
        this.submitter = new Submitter(this, backend, slots, lanes, metrics, completions, fastPath, reaper, b.overflow);
        this.cancellation = new Cancellation(backend, slots, submitter.backlog, lanes, metrics);
        reaper.start(b.threadFactory, b.name, completions, submitter.backlog, cancellation, lanes);
    }

    /**
     * A builder with the defaults: see each method.
     *
     * @return a new builder; {@link Builder#build()} makes the engine
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A process-wide engine with the default settings, created on first use, with a daemon reaper thread. Its
     * {@link #close()} does nothing; it lives as long as the JVM.
     *
     * @return the one shared engine of this JVM
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

    /**
     * The {@link #shared()} engine if it was made already, else null; never makes it (for code that only looks at
     * it, such as its in-flight count, and must not start its threads and binding to do so).
     *
     * @return the shared engine, or null before the first {@link #shared()}
     */
    public static AioEngine sharedIfMade() {
        return shared;
    }

    // ------------------------------------------------------------------------------------------------ futures

    /**
     * Reads up to {@code dst.remaining()} bytes at file offset {@code position} into {@code dst}, starting at
     * {@code dst.position()}. The buffer's position and limit are never changed; the future gives the byte count
     * (0 at end of file).
     *
     * @param file the open file to read from
     * @param position the file offset of the first byte, not negative
     * @param dst a direct, writable buffer that must stay untouched until the future completes
     * @return a future of the byte count read; it fails with the operation's {@link org.aio4j.AioException}
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code dst} is not direct or is read-only, or {@code position < 0}
     * @throws IllegalStateException if the engine is closed
     */
    public CompletableFuture<Integer> read(AioFile file, long position, ByteBuffer dst) {
        Submitter.checkRead(file, position, dst);
        EngineFuture<Integer> f = new EngineFuture<>(this, EngineFuture.INT);
        f.setToken(submitter.start(SlotRegistry.K_READ, file, position, dst, 0, f, EngineFuture.HANDLER));
        return f;
    }

    /**
     * Writes {@code src.remaining()} bytes from {@code src} (from its position; position and limit unchanged) at
     * file offset {@code position}; the future gives the byte count.
     *
     * @param file the open file to write to
     * @param position the file offset of the first byte, not negative
     * @param src a direct buffer that must stay unchanged until the future completes
     * @return a future of the byte count written; it fails with the operation's {@link org.aio4j.AioException}
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code src} is not direct, or {@code position < 0}
     * @throws IllegalStateException if the engine is closed
     */
    public CompletableFuture<Integer> write(AioFile file, long position, ByteBuffer src) {
        Submitter.checkWrite(file, position, src);
        EngineFuture<Integer> f = new EngineFuture<>(this, EngineFuture.INT);
        f.setToken(submitter.start(SlotRegistry.K_WRITE, file, position, src, 0, f, EngineFuture.HANDLER));
        return f;
    }

    /**
     * {@code aio_fsync}: completes when the writes completed before this call are durable.
     *
     * @param file the open file to sync
     * @param mode data and metadata ({@link AioFsyncMode#O_SYNC}) or data only ({@link AioFsyncMode#O_DSYNC})
     * @return a future completed once the data is durable; it fails with the operation's {@link org.aio4j.AioException}
     * @throws NullPointerException if an argument is null
     * @throws IllegalStateException if the engine is closed
     */
    public CompletableFuture<Void> fsync(AioFile file, AioFsyncMode mode) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(mode, "mode");
        EngineFuture<Void> f = new EngineFuture<>(this, EngineFuture.VOID);
        f.setToken(submitter.start(SlotRegistry.K_FSYNC, file, 0, null, mode.value(), f, EngineFuture.HANDLER));
        return f;
    }

    /**
     * Scattering read: buffer {@code i} is filled from file offset {@code position} plus the sizes of the buffers
     * before it. On {@link EngineBackend#IO_URING} one {@code IORING_OP_READV} reads them (one per 1024 buffers
     * or 1 GiB); on {@link EngineBackend#POSIX_AIO} they are read in parallel, one op per buffer (glibc has no
     * vectored AIO). The future gives the byte count of the leading buffers up to the first short one, or the first
     * failure by buffer order.
     *
     * @param file the open file to read from
     * @param position the file offset of the first buffer's first byte, not negative
     * @param dsts direct, writable buffers that must stay untouched until the future completes
     * @return a future of the byte count read into the leading buffers
     * @throws NullPointerException if an argument or element is null
     * @throws IllegalArgumentException if a buffer is not direct or read-only, or {@code position < 0}
     * @throws IllegalStateException if the engine is closed
     */
    public CompletableFuture<Long> readv(AioFile file, long position, ByteBuffer[] dsts) {
        Objects.requireNonNull(dsts, "dsts");
        for (ByteBuffer d : dsts) Submitter.checkRead(file, position, d);
        return submitter.vector(SlotRegistry.K_READ, file, position, dsts);
    }

    /**
     * Gathering write: buffer {@code i} is written at file offset {@code position} plus the sizes of the buffers
     * before it: on {@link EngineBackend#IO_URING} with one {@code IORING_OP_WRITEV} (one per 1024 buffers or 1
     * GiB), on {@link EngineBackend#POSIX_AIO} one op per buffer in parallel; the future gives the byte count of the
     * leading buffers up to the first short one.
     *
     * @param file the open file to write to
     * @param position the file offset of the first buffer's first byte, not negative
     * @param srcs direct buffers that must stay unchanged until the future completes
     * @return a future of the byte count written from the leading buffers
     * @throws NullPointerException if an argument or element is null
     * @throws IllegalArgumentException if a buffer is not direct, or {@code position < 0}
     * @throws IllegalStateException if the engine is closed
     */
    public CompletableFuture<Long> writev(AioFile file, long position, ByteBuffer[] srcs) {
        Objects.requireNonNull(srcs, "srcs");
        for (ByteBuffer s : srcs) Submitter.checkWrite(file, position, s);
        return submitter.vector(SlotRegistry.K_WRITE, file, position, srcs);
    }

    // ------------------------------------------------------------------------------------------------ callbacks

    /**
     * Reads like {@link #read(AioFile, long, ByteBuffer)} and calls {@code handler} once, with no allocation per op.
     *
     * @param <A> the attachment's type
     * @param file the open file to read from
     * @param position the file offset of the first byte, not negative
     * @param dst a direct, writable buffer that must stay untouched until the handler is called
     * @param attachment passed to the handler as it is; may be null
     * @param handler called exactly once, with the byte count or the error
     * @return a token for {@link #cancel(long)}, or 0 if the op already completed on this thread
     */
    public <A> long read(AioFile file, long position, ByteBuffer dst, A attachment, AioHandler<? super A> handler) {
        Submitter.checkRead(file, position, dst);
        Objects.requireNonNull(handler, "handler");
        return submitter.start(SlotRegistry.K_READ, file, position, dst, 0, attachment, handler);
    }

    /**
     * Writes like {@link #write(AioFile, long, ByteBuffer)} and calls {@code handler} once, with no allocation
     * per op.
     *
     * @param <A> the attachment's type
     * @param file the open file to write to
     * @param position the file offset of the first byte, not negative
     * @param src a direct buffer that must stay unchanged until the handler is called
     * @param attachment passed to the handler as it is; may be null
     * @param handler called exactly once, with the byte count or the error
     * @return a token for {@link #cancel(long)}, or 0 if the op already completed on this thread
     */
    public <A> long write(AioFile file, long position, ByteBuffer src, A attachment, AioHandler<? super A> handler) {
        Submitter.checkWrite(file, position, src);
        Objects.requireNonNull(handler, "handler");
        return submitter.start(SlotRegistry.K_WRITE, file, position, src, 0, attachment, handler);
    }

    /**
     * {@code aio_fsync} with a handler ({@code result} 0).
     *
     * @param <A> the attachment's type
     * @param file the open file to sync
     * @param mode data and metadata ({@link AioFsyncMode#O_SYNC}) or data only ({@link AioFsyncMode#O_DSYNC})
     * @param attachment passed to the handler as it is; may be null
     * @param handler called exactly once, with 0 or the error
     * @return a token for {@link #cancel(long)}, or 0 if the op already completed on this thread
     */
    public <A> long fsync(AioFile file, AioFsyncMode mode, A attachment, AioHandler<? super A> handler) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(handler, "handler");
        return submitter.start(SlotRegistry.K_FSYNC, file, 0, null, mode.value(), attachment, handler);
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
     * @return a new batch of this engine
     * @throws IllegalStateException if the engine is closed
     */
    public Batch batch() {
        if (reaper.closed) throw new IllegalStateException("the engine is closed");
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
        /** The ops added (submitted by {@link Submitter#submit}). */
        private final Submitter.BatchOps ops = new Submitter.BatchOps();

        private Batch() {}

        /**
         * Adds a read like {@link AioEngine#read(AioFile, long, ByteBuffer, Object, AioHandler)}.
         *
         * @param <A> the attachment's type
         * @param file the open file to read from
         * @param position the file offset of the first byte, not negative
         * @param dst a direct, writable buffer that must stay untouched until the handler is called
         * @param attachment passed to the handler as it is; may be null
         * @param handler called exactly once after {@link #submit()}, with the byte count or the error
         * @return this batch
         * @throws NullPointerException if an argument other than {@code attachment} is null
         * @throws IllegalArgumentException if {@code dst} is not direct or is read-only, or {@code position < 0}
         * @throws IllegalStateException if the batch was already submitted
         */
        public <A> Batch read(
                AioFile file, long position, ByteBuffer dst, A attachment, AioHandler<? super A> handler) {
            Submitter.checkRead(file, position, dst);
            Objects.requireNonNull(handler, "handler");
            ops.add(SlotRegistry.K_READ, file, position, dst, attachment, handler, null);
            return this;
        }

        /**
         * Adds a write like {@link AioEngine#write(AioFile, long, ByteBuffer, Object, AioHandler)}.
         *
         * @param <A> the attachment's type
         * @param file the open file to write to
         * @param position the file offset of the first byte, not negative
         * @param src a direct buffer that must stay unchanged until the handler is called
         * @param attachment passed to the handler as it is; may be null
         * @param handler called exactly once after {@link #submit()}, with the byte count or the error
         * @return this batch
         * @throws NullPointerException if an argument other than {@code attachment} is null
         * @throws IllegalArgumentException if {@code src} is not direct, or {@code position < 0}
         * @throws IllegalStateException if the batch was already submitted
         */
        public <A> Batch write(
                AioFile file, long position, ByteBuffer src, A attachment, AioHandler<? super A> handler) {
            Submitter.checkWrite(file, position, src);
            Objects.requireNonNull(handler, "handler");
            ops.add(SlotRegistry.K_WRITE, file, position, src, attachment, handler, null);
            return this;
        }

        /**
         * Adds a read like {@link AioEngine#read(AioFile, long, ByteBuffer)}; the future completes after {@link
         * #submit()} (it never completes if the batch is never submitted).
         *
         * @param file the open file to read from
         * @param position the file offset of the first byte, not negative
         * @param dst a direct, writable buffer that must stay untouched until the future completes
         * @return a future of the byte count read
         * @throws NullPointerException if an argument is null
         * @throws IllegalArgumentException if {@code dst} is not direct or is read-only, or {@code position < 0}
         * @throws IllegalStateException if the batch was already submitted
         */
        public CompletableFuture<Integer> read(AioFile file, long position, ByteBuffer dst) {
            Submitter.checkRead(file, position, dst);
            EngineFuture<Integer> f = new EngineFuture<>(AioEngine.this, EngineFuture.INT);
            ops.add(SlotRegistry.K_READ, file, position, dst, f, EngineFuture.HANDLER, f);
            return f;
        }

        /**
         * Adds a write like {@link AioEngine#write(AioFile, long, ByteBuffer)}; the future completes after {@link
         * #submit()}.
         *
         * @param file the open file to write to
         * @param position the file offset of the first byte, not negative
         * @param src a direct buffer that must stay unchanged until the future completes
         * @return a future of the byte count written
         * @throws NullPointerException if an argument is null
         * @throws IllegalArgumentException if {@code src} is not direct, or {@code position < 0}
         * @throws IllegalStateException if the batch was already submitted
         */
        public CompletableFuture<Integer> write(AioFile file, long position, ByteBuffer src) {
            Submitter.checkWrite(file, position, src);
            EngineFuture<Integer> f = new EngineFuture<>(AioEngine.this, EngineFuture.INT);
            ops.add(SlotRegistry.K_WRITE, file, position, src, f, EngineFuture.HANDLER, f);
            return f;
        }

        /**
         * How many ops were added.
         *
         * @return the count of reads and writes added so far
         */
        public int size() {
            return ops.size;
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
            if (ops.submitted) throw new IllegalStateException("the batch was already submitted");
            return submitter.submit(ops);
        }
    }

    // ------------------------------------------------------------------------------------------------ cancel

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
     * @param token the op's token, as a handler form or {@link Batch#submit()} returned it
     * @return true if the op will complete as cancelled; false if it is unknown, done, already running, or not
     *     alone on its fd number (glibc)
     */
    public boolean cancel(long token) {
        return cancellation.cancel(token);
    }

    /**
     * Cancels every op of this engine waiting for a slot, and asks {@link #cancel(long)} for each op in flight (so
     * with glibc, an op that shares its fd number with another request in flight is not cancelled and completes
     * normally). To cancel everything of one file, use {@link #cancelAll(AioFile)}.
     *
     * @return how many will complete as cancelled
     */
    public int cancelAll() {
        return cancellation.cancelAll();
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
     * @param file the file whose queued requests are cancelled, on every fd number the engine uses for it
     * @return how many ops of this engine will complete as cancelled: a lower bound, exact unless an op of the file
     *     was being submitted at that moment (by another thread, or resubmitted by the reaper after EAGAIN), which
     *     may be cancelled without being counted
     * @throws NullPointerException if {@code file} is null
     */
    public int cancelAll(AioFile file) {
        Objects.requireNonNull(file, "file");
        return cancellation.cancelAll(file);
    }

    // ------------------------------------------------------------------------------------------------ state

    /**
     * The live counters of this engine.
     *
     * @return the counters, updated as ops go; the same object for the engine's life
     */
    public EngineMetrics metrics() {
        return metrics;
    }

    /**
     * The notification mode this engine was built with; null with {@link EngineBackend#IO_URING}, where completions
     * come from the ring (notification modes are a POSIX AIO concept).
     *
     * @return the notification mode, or null with io_uring
     */
    public Notification notification() {
        return notification;
    }

    /**
     * The backend this engine uses ({@link Builder#backend(EngineBackend)}).
     *
     * @return {@link EngineBackend#POSIX_AIO} or {@link EngineBackend#IO_URING}
     */
    public EngineBackend backend() {
        return engineBackend;
    }

    /**
     * What the backend actually uses, for example {@code "SIGNAL(signalfd, signal 40, exact)"}.
     *
     * @return a description of the completion mechanism, for logs and health checks
     */
    public String mechanism() {
        return backend.mechanism();
    }

    /**
     * The slot count.
     *
     * @return the most ops this engine has in flight at once
     */
    public int maxInFlight() {
        return slots.capacity;
    }

    /**
     * Lanes (fds) per buffered file: the explicit {@link Builder#lanes(int)}, else 1. See {@link #directLanes()} for
     * files with {@link AioFile#isDirect()}.
     *
     * @return the fd count per buffered file
     */
    public int lanes() {
        return lanes.buffered;
    }

    /**
     * Lanes (fds) per {@code O_DIRECT} file ({@link AioFile#isDirect()}): the explicit {@link Builder#lanes(int)},
     * else {@link Builder#directLanes(int)} (default 12).
     *
     * @return the fd count per {@code O_DIRECT} file
     */
    public int directLanes() {
        return lanes.direct;
    }

    /**
     * The helper thread count this engine passed to glibc's {@code aio_init} when it was built: {@link
     * Builder#aioInit(int, int)}'s, or by default {@link #directLanes()}; 0 if it did not call it (no {@code
     * aio_init} in this C library, or the application had called {@code PosixAio.aioInit} itself). glibc applies it
     * only if it came before the process's first AIO request.
     *
     * @return the thread count passed to {@code aio_init}, or 0
     */
    public int aioInitThreads() {
        return aioInitThreads;
    }

    /**
     * The fd numbers the engine currently spreads {@code file}'s ops over (the file's own fd first); just the file's
     * fd if no lanes were made for it. For tests.
     */
    int[] laneFds(AioFile file) {
        return lanes.fds(file);
    }

    /**
     * True if reads try {@code preadv2(RWF_NOWAIT)} on the calling thread first: on buffered files; on {@code
     * O_DIRECT} files only if {@link Builder#cachedReadFastPath(boolean)} was set to true explicitly.
     *
     * @return true if this engine tries cached reads on the calling thread
     */
    public boolean cachedReadFastPath() {
        return backend.supportsReadNow();
    }

    /**
     * True once {@link #close()} was called.
     *
     * @return true once closing began
     */
    public boolean isClosed() {
        return reaper.closed;
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
        reaper.close();
    }

    /**
     * True once the reaper has reaped everything after {@link #close()} and released the native resources.
     *
     * @return true once every op was reaped and the reaper thread has ended
     */
    public boolean isTerminated() {
        return reaper.isTerminated();
    }

    /**
     * Waits until {@link #isTerminated()}; true if it is.
     *
     * @param timeout the longest wait
     * @return true if the engine terminated within the timeout
     * @throws InterruptedException if this thread is interrupted while it waits
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return reaper.awaitTermination(timeout.toNanos());
    }

    @Override
    public String toString() {
        return "AioEngine[" + mechanism() + ", maxInFlight=" + slots.capacity + ", lanes=" + lanes.buffered
                + ", directLanes=" + lanes.direct + ", " + metrics + "]";
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
        // package-private: read by EngineFactory (the build room) and the constructor
        Notification notification;
        int maxInFlight = 1024;
        Overflow overflow = Overflow.WAIT;
        int lanes; // 0: not set, adaptive (1 buffered, directLanes for O_DIRECT)
        int directLanes = 12;
        Boolean fastPath;
        int aioThreads = -1, aioNum = -1, aioIdleSeconds = -1;
        ThreadFactory threadFactory;
        String signal = "USR1";
        int realtimeSignal;
        Duration suspendSlice = Duration.ofMillis(1);
        Duration closeTimeout = Duration.ofSeconds(5);
        String name;
        EngineBackend backend = EngineBackend.POSIX_AIO;
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
         *
         * @param backend {@link EngineBackend#POSIX_AIO} (the default) or {@link EngineBackend#IO_URING}
         * @return this builder
         */
        public Builder backend(EngineBackend backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
            return this;
        }

        /**
         * The notification mode (see {@link Notification}); POSIX AIO only.
         *
         * @param mode how the reaper learns of completions
         * @return this builder
         */
        public Builder notification(Notification mode) {
            this.notification = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * Slots: ops in flight at once (default 1024). Each slot costs about 200 bytes of native memory. The exact
         * {@link Notification#SIGNAL} form uses at most half of {@code RLIMIT_SIGPENDING} ({@code ulimit -i}) slots, so
         * that its completion signals never fill that limit ({@link AioEngine#maxInFlight()} tells the count used).
         *
         * @param n the slot count, 1 to 1,048,576
         * @return this builder
         */
        public Builder maxInFlight(int n) {
            if (n < 1 || n > (1 << 20)) throw new IllegalArgumentException("maxInFlight must be 1..1048576: " + n);
            this.maxInFlight = n;
            return this;
        }

        /**
         * What happens past {@code maxInFlight} (default {@link Overflow#WAIT}).
         *
         * @param overflow {@link Overflow#WAIT} to queue the op until a slot frees, {@link Overflow#FAIL} to refuse it
         * @return this builder
         */
        public Builder overflow(Overflow overflow) {
            this.overflow = Objects.requireNonNull(overflow, "overflow");
            return this;
        }

        /**
         * fds per file, for every file, buffered or {@code O_DIRECT}: with more than one, the engine {@code dup()}s
         * each file it sees (on its first op) and spreads ops round-robin over the copies, because glibc runs the
         * requests of one fd number one at a time. The copies are closed when the file is closed (in its {@link
         * AioFile#close()}; a copy with an op still in flight when that op was reaped), and at engine close; {@link
         * EngineMetrics#laneFds()} counts those open.
         *
         * <p>Not set (the default), the count adapts per file: 1 for a buffered file (page-cached reads are served by
         * the fast path, and on 2 cores one fd beat 16), {@link #directLanes(int)} for a file with {@link
         * AioFile#isDirect()} (see {@code docs/engine.md} for the measurements).
         *
         * @param lanes fds per file, 1 to 256
         * @return this builder
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
         * {@code n - 1} extra fds from its first op until it is closed ({@link EngineMetrics#laneFds()}).
         *
         * @param lanes fds per {@code O_DIRECT} file and {@code aio_init} threads, 1 to 256
         * @return this builder
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
         *
         * @param on true to try every file first, false to try none
         * @return this builder
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
         * @param threads glibc helper threads, or -1 for the default
         * @param idleSeconds seconds before an idle helper thread exits, or -1 to leave it as it is
         * @return this builder
         * @throws UnsupportedOperationException at {@link #build()} where the C library has no {@code aio_init}
         */
        public Builder aioInit(int threads, int idleSeconds) {
            this.aioThreads = threads;
            this.aioIdleSeconds = idleSeconds;
            return this;
        }

        /**
         * Like {@link #aioInit(int, int)}, also setting {@code aio_num} (expected simultaneous requests).
         *
         * @param threads glibc helper threads, or -1 for the default
         * @param requests the simultaneous requests glibc sizes its tables for, or -1 for glibc's 64
         * @param idleSeconds seconds before an idle helper thread exits, or -1 to leave it as it is
         * @return this builder
         */
        public Builder aioInit(int threads, int requests, int idleSeconds) {
            this.aioNum = requests;
            return aioInit(threads, idleSeconds);
        }

        /**
         * Makes the reaper thread (default: a daemon thread named {@code aio4j-reaper-<name>}).
         *
         * @param factory makes the one reaper thread of the engine
         * @return this builder
         */
        public Builder threadFactory(ThreadFactory factory) {
            this.threadFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * A name for the reaper thread.
         *
         * @param name the engine's name, part of the reaper thread's name
         * @return this builder
         */
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
         *
         * @param name {@code "USR1"} or {@code "USR2"}
         * @return this builder
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
         *
         * @param signo the signal number, 1 to 64
         * @return this builder
         */
        public Builder realtimeSignal(int signo) {
            if (signo < 1 || signo > 64) throw new IllegalArgumentException("not a signal number: " + signo);
            this.realtimeSignal = signo;
            return this;
        }

        /**
         * {@link Notification#SUSPEND}: the longest single {@code aio_suspend} wait (default 1 ms). An op submitted
         * while the reaper waits joins its list at the latest after one slice (sooner if any listed op finishes).
         *
         * @param slice the longest wait, positive
         * @return this builder
         */
        public Builder suspendSlice(Duration slice) {
            if (slice.isNegative() || slice.isZero()) throw new IllegalArgumentException("slice must be positive");
            this.suspendSlice = slice;
            return this;
        }

        /**
         * How long {@link AioEngine#close()} waits for the ops in flight to be reaped (default 5 s).
         *
         * @param timeout the longest wait, not negative
         * @return this builder
         */
        public Builder closeTimeout(Duration timeout) {
            if (timeout.isNegative()) throw new IllegalArgumentException("timeout must not be negative");
            this.closeTimeout = timeout;
            return this;
        }

        /**
         * Builds and starts the engine.
         *
         * @return the started engine; close it when done
         * @throws UnsupportedOperationException where POSIX AIO or the chosen mode is unavailable, or where {@link
         *     EngineBackend#IO_URING} is (the message names the cause: {@link EngineBackend#unavailabilityCause()})
         * @throws IllegalArgumentException if the JVM refuses the {@link #signal(String) signal}, or a notification
         *     mode was set for {@link EngineBackend#IO_URING}
         */
        public AioEngine build() {
            return EngineFactory.build(this);
        }
    }
}
