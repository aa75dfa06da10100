package org.aio4j.reactor.internal;

import java.nio.ByteBuffer;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.LongConsumer;
import org.aio4j.AioCancelledException;
import org.aio4j.AioException;
import org.aio4j.AioFile;
import org.aio4j.AioFsyncMode;
import org.aio4j.engine.AioHandler;
import org.aio4j.internal.Errno;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.Scannable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.concurrent.Queues;
import reactor.util.context.Context;

/**
 * Writes a stream of buffers at increasing offsets from 0 with up to {@code maxInFlight} writes in flight, and
 * emits the number of bytes written.
 *
 * <p>The file is opened on {@code blockingScheduler}; only then is the source subscribed, with an initial request
 * of {@code maxInFlight} and one more request per buffer fully written, so buffers queued plus writes in flight
 * never exceed the bound. Each buffer is written from its position to its limit; heap buffers are first copied
 * into a pooled direct chunk. <b>Every buffer received is released</b> after it was written (or dropped):
 * {@link ChunkPool#release} gives pooled chunks back and ignores other buffers. With {@code fsync}, one {@code
 * aio_fsync} runs after the last write. The file is closed (on {@code blockingScheduler}) before the result or the
 * error is signalled; on cancel, the writes in flight are cancelled (all at once on the file, {@link
 * AioOps#cancelAll}) and the file is closed once each was reaped.
 *
 * <p>With {@code APPEND} among the open options the kernel ignores the offsets, so writes then go one at a time.
 *
 * <p><b>Kernel copy.</b> When the {@link CopySource} of a copy starts a kernel copy ({@link
 * CopySource#startKernel}), the source is not subscribed: one task on {@code blockingScheduler} (never the
 * subscriber's or the engine's threads) runs the kernel copy in bounded steps, one after the other, and hands each
 * step's position to the drain loop, which reports it as progress. A cancel or an error stops it between two steps
 * (the task checks before each), and the files are closed only after the task has returned. (One task for all the
 * steps rather than one per step: a hand-over to another pooled thread per 16 MiB step cost about 10% of a page-cached
 * copy's time.) When the kernel refuses the pair of files before anything was copied, the task subscribes the source
 * (the read takes the opened source file) and the copy goes on with reads and writes from offset 0. After the last
 * step the optional fsync runs as for written data. The task and its drain-loop side are {@link WriteKernelCopy}.
 */
public final class WriteMono extends Mono<Long> implements Scannable {
    final Publisher<? extends ByteBuffer> source;
    final AioOps ops;
    final Path path;
    /** The path errors name: {@link #path}, or the target of an atomic copy (whose {@link #path} is temporary). */
    final Path reportPath;

    final OpenOption[] openOptions;
    final boolean deleteOnClose;
    final int maxInFlight;
    final boolean fsync;
    final ChunkPool pool;

    @Nullable
    final Scheduler signalScheduler;

    final Scheduler blockingScheduler;

    @Nullable
    final LongConsumer onProgress;

    @Nullable
    final CopySource copySource;

    /**
     * A write of {@code source} to {@code path}.
     *
     * @param onProgress called from the drain loop with the bytes written so far, after each completed write
     */
    public WriteMono(
            Publisher<? extends ByteBuffer> source,
            AioOps ops,
            Path path,
            OpenOption[] openOptions,
            int maxInFlight,
            boolean fsync,
            ChunkPool pool,
            @Nullable Scheduler signalScheduler,
            Scheduler blockingScheduler,
            @Nullable LongConsumer onProgress) {
        this(
                source,
                ops,
                path,
                openOptions,
                maxInFlight,
                fsync,
                pool,
                signalScheduler,
                blockingScheduler,
                onProgress,
                null);
    }

    /**
     * The write of a copy: before it opens {@code path} (the target) it runs {@link CopySource#open()} on {@code
     * blockingScheduler}, so a source that cannot be read fails the copy before the target is created or
     * truncated; when source and target are the same file it emits the source size without opening the target.
     * {@code source} must be the {@link ReadFlux} that takes the opened file; whatever it did not take is closed at
     * the end. One instance per subscription ({@code Mono.defer}).
     */
    public WriteMono(
            Publisher<? extends ByteBuffer> source,
            AioOps ops,
            Path path,
            OpenOption[] openOptions,
            int maxInFlight,
            boolean fsync,
            ChunkPool pool,
            @Nullable Scheduler signalScheduler,
            Scheduler blockingScheduler,
            @Nullable LongConsumer onProgress,
            @Nullable CopySource copySource) {
        this.copySource = copySource;
        this.source = Objects.requireNonNull(source, "source");
        this.ops = Objects.requireNonNull(ops, "ops");
        this.path = Objects.requireNonNull(path, "path");
        this.reportPath = copySource != null && copySource.atomic() != null
                ? copySource.atomic().target()
                : path;
        // As the JDK's channels on Unix: DELETE_ON_CLOSE unlinks the file right after it was opened (the fd keeps
        // it alive until it is closed), SPARSE is a hint that is ignored. AioFile.open knows neither.
        java.util.List<OpenOption> kept = new java.util.ArrayList<>();
        boolean delete = false;
        for (OpenOption o : openOptions) {
            Objects.requireNonNull(o, "open option");
            if (o == StandardOpenOption.DELETE_ON_CLOSE) delete = true;
            else if (o != StandardOpenOption.SPARSE) kept.add(o);
        }
        this.openOptions = kept.toArray(new OpenOption[0]);
        this.deleteOnClose = delete;
        if (maxInFlight <= 0) throw new IllegalArgumentException("maxInFlight must be positive: " + maxInFlight);
        boolean append = false;
        for (OpenOption o : this.openOptions) append |= o == StandardOpenOption.APPEND;
        this.maxInFlight = append ? 1 : maxInFlight;
        this.fsync = fsync;
        this.pool = Objects.requireNonNull(pool, "pool");
        this.signalScheduler = signalScheduler;
        this.blockingScheduler = Objects.requireNonNull(blockingScheduler, "blockingScheduler");
        this.onProgress = onProgress;
    }

    /** {@code error} naming {@link #reportPath} where it named the temporary file of an atomic copy. */
    Throwable reported(Throwable error) {
        if (reportPath == path || !(error instanceof AioException a) || !path.equals(a.path())) return error;
        return a.withContext(reportPath, a.position());
    }

    @Override
    public void subscribe(CoreSubscriber<? super Long> actual) {
        WriteSubscriber s = new WriteSubscriber(this, actual);
        actual.onSubscribe(s);
        s.start();
    }

    @SuppressWarnings("rawtypes")
    @Override
    public Object scanUnsafe(Attr key) {
        if (key == Attr.PREFETCH) return maxInFlight;
        if (key == Attr.RUN_STYLE) return Attr.RunStyle.ASYNC;
        return null;
    }

    static final int FREE = 0;
    static final int SUBMITTED = 1;
    static final int COMPLETE = 2;

    /** One write (or the final fsync) in flight. */
    static final class Op {
        volatile int state;
        boolean isFsync;
        ByteBuffer buffer; // what the engine writes from (pooled copy or the received buffer)
        ByteBuffer received; // what upstream handed over, released after the write
        int start;
        int len;
        int done;
        long position;
        long token;
        boolean cancelRequested;
        long result;
        Throwable error;
    }

    static final class WriteSubscriber implements CoreSubscriber<ByteBuffer>, Subscription, Scannable, AioHandler<Op> {
        final WriteMono parent;
        final CoreSubscriber<? super Long> actual;
        final Op[] ops;
        final Queue<ByteBuffer> queue;

        final Scheduler.@Nullable Worker worker;

        volatile int wip;
        static final AtomicIntegerFieldUpdater<WriteSubscriber> WIP =
                AtomicIntegerFieldUpdater.newUpdater(WriteSubscriber.class, "wip");

        volatile int resultState;
        static final AtomicIntegerFieldUpdater<WriteSubscriber> RESULT_STATE =
                AtomicIntegerFieldUpdater.newUpdater(WriteSubscriber.class, "resultState");
        static final int HAS_REQUEST = 1;
        static final int HAS_VALUE = 2;
        /** A request(n <= 0) came (rule 3.9): the error replaces the value, whenever the write ends. */
        static final int BAD_REQUEST = 4;
        /** The terminal signal (value, error) was claimed: nothing else is signalled. */
        static final int DONE = 8;

        volatile boolean cancelled;
        volatile Throwable requestError;
        volatile Subscription upstream;
        volatile boolean upstreamDone;
        volatile Throwable upstreamError;
        volatile boolean closedForInput; // after this, arriving buffers are released at once

        AioFile file;
        Throwable openError;
        /** A copy's kernel copy, set (before openDone is published) when it started; null otherwise. */
        KernelCopier.Copy kernel;

        /** The kernel copy's task and its state (see {@link WriteKernelCopy}). */
        final WriteKernelCopy kernelOp = new WriteKernelCopy(this);

        long sameFileSize = -1; // a copy onto itself: the size to emit, nothing opened
        volatile boolean openDone;

        // drain-loop state
        long nextPos;
        long written;
        int inFlight;
        Throwable failure;
        boolean stopping;
        boolean terminated;
        boolean upstreamCancelled;
        boolean initialRequested;
        boolean fsyncSubmitted;
        boolean fsyncDone;
        long value;
        boolean kernelMode; // steps go to the kernel, the source is not subscribed (set once in open())
        boolean kernelDone;

        WriteSubscriber(WriteMono parent, CoreSubscriber<? super Long> actual) {
            this.parent = parent;
            this.actual = actual;
            this.ops = new Op[parent.maxInFlight];
            for (int i = 0; i < ops.length; i++) ops[i] = new Op();
            this.queue = Queues.<ByteBuffer>unbounded(Math.max(8, parent.maxInFlight))
                    .get();
            this.worker = parent.signalScheduler != null ? parent.signalScheduler.createWorker() : null;
        }

        void start() {
            try {
                parent.blockingScheduler.schedule(this::open);
            } catch (RejectedExecutionException e) {
                openError = e;
                openDone = true;
                drain();
            }
        }

        /**
         * Runs on the blocking scheduler: a copy's source first, then the target; subscribes the source once the
         * target is open. {@code openDone} is published only after {@code subscribe} returned, so the loop neither
         * requests nor ends the write while the source is being subscribed (a copy's read takes its file in there).
         */
        void open() {
            if (cancelled) {
                openDone = true;
                drain();
                return;
            }
            CopySource src = parent.copySource;
            if (src != null) {
                try {
                    sameFileSize = src.open();
                } catch (Throwable t) { // fatal ones too: openDone must be published
                    openError = t instanceof AioException ? Support.withContext(t, src.path(), -1) : t;
                }
                if (openError != null || sameFileSize >= 0 || cancelled) {
                    openDone = true;
                    drain();
                    return;
                }
            }
            AtomicTarget atomic = src != null ? src.atomic() : null;
            try {
                if (atomic != null) atomic.checkTarget();
                file = AioFile.open(parent.path, parent.openOptions);
            } catch (Throwable t) { // fatal ones too: openDone must be published
                if (atomic != null) openError = atomic.onTarget(t);
                else openError = t instanceof AioException ? Support.withContext(t, parent.path, -1) : t;
            }
            if (file != null && parent.deleteOnClose) Support.deleteQuietly(parent.path);
            if (file != null && !cancelled && src != null) {
                try {
                    kernel = src.startKernel(file);
                } catch (Throwable t) { // could not even tell: copy with reads and writes
                    kernel = null;
                }
                kernelMode = kernel != null;
            }
            if (file != null && !cancelled && !kernelMode) {
                try {
                    parent.source.subscribe(this);
                } catch (Throwable t) {
                    onError(t);
                }
            }
            openDone = true;
            drain();
        }

        // ---- the source side

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (Operators.validate(upstream, s)) {
                upstream = s;
                // No request (or cancel) from here: the drain loop makes every call on the source's subscription,
                // so they are serial (rule 2.7) even while the engine's thread runs the loop for a completion.
                drain();
            }
        }

        @Override
        public void onNext(ByteBuffer b) {
            if (b == null) {
                onError(new NullPointerException("the source emitted a null buffer"));
                return;
            }
            if (upstreamDone || closedForInput) {
                discard(b);
                return;
            }
            queue.offer(b);
            drain();
        }

        @Override
        public void onError(Throwable t) {
            if (upstreamDone) {
                Operators.onErrorDropped(t, actual.currentContext());
                return;
            }
            upstreamError = t;
            upstreamDone = true;
            drain();
        }

        @Override
        public void onComplete() {
            if (upstreamDone) return;
            upstreamDone = true;
            drain();
        }

        // ---- the downstream side

        /**
         * A positive request asks for the value; {@code n <= 0} is answered with {@code onError} (rule 3.9) at every
         * stage until the value was delivered: while the write runs it stops the write (the error comes after the
         * cleanup); once the write has ended and closed its file but the value waits for demand, at once.
         */
        @Override
        public void request(long n) {
            if (n <= 0) {
                badRequest(n);
                return;
            }
            for (; ; ) {
                int s = resultState;
                if ((s & (HAS_REQUEST | DONE)) != 0) return;
                if (RESULT_STATE.compareAndSet(this, s, s | HAS_REQUEST)) {
                    if ((s & HAS_VALUE) != 0) emitValue();
                    return;
                }
            }
        }

        private void badRequest(long n) {
            if (cancelled) return; // rule 3.6
            Throwable e = Exceptions.nullOrNegativeRequestException(n);
            for (; ; ) {
                int s = resultState;
                if ((s & (DONE | BAD_REQUEST)) != 0) return; // signalled already, or an error on its way
                if ((s & HAS_VALUE) != 0 && (s & HAS_REQUEST) != 0) return; // the value was delivered (3.6)
                if ((s & HAS_VALUE) != 0) {
                    // the write has ended and closed its file; the value waits for demand: the error instead
                    if (RESULT_STATE.compareAndSet(this, s, s | BAD_REQUEST | DONE)) {
                        actual.onError(e);
                        return;
                    }
                    continue;
                }
                requestError = e;
                if (RESULT_STATE.compareAndSet(this, s, s | BAD_REQUEST)) {
                    drain(); // the loop stops the write; complete() turns a value that comes anyway into the error
                    return;
                }
            }
        }

        @Override
        public void cancel() {
            if (!cancelled) {
                cancelled = true;
                drain();
            }
        }

        private void complete(long v) {
            value = v;
            for (; ; ) {
                int s = resultState;
                if ((s & DONE) != 0) return;
                if ((s & BAD_REQUEST) != 0) { // the write ended before the loop saw the bad request
                    if (RESULT_STATE.compareAndSet(this, s, s | DONE)) {
                        actual.onError(requestError);
                        return;
                    }
                    continue;
                }
                if (RESULT_STATE.compareAndSet(this, s, s | HAS_VALUE)) {
                    if ((s & HAS_REQUEST) != 0) emitValue();
                    return;
                }
            }
        }

        /** Claims the terminal signal for an error; false when a value or an error was signalled already. */
        private boolean claimError() {
            for (; ; ) {
                int s = resultState;
                if ((s & DONE) != 0 || ((s & HAS_VALUE) != 0 && (s & HAS_REQUEST) != 0)) return false;
                if (RESULT_STATE.compareAndSet(this, s, s | DONE)) return true;
            }
        }

        private void emitValue() {
            if (cancelled) return;
            actual.onNext(value);
            actual.onComplete();
        }

        // ---- engine completions

        @Override
        public void completed(long result, Op op) {
            op.result = result;
            op.error = null;
            op.state = COMPLETE;
            drain();
        }

        @Override
        public void failed(AioException error, Op op) {
            op.error = error;
            op.state = COMPLETE;
            drain();
        }

        // ---- the drain loop

        void drain() {
            if (WIP.getAndIncrement(this) != 0) return;
            Support.deliver(worker, this::drainLoop);
        }

        void drainLoop() {
            int missed = 1;
            for (; ; ) {
                try {
                    step();
                } catch (Throwable t) {
                    // A bug or an error inside the loop, fatal ones included (an OutOfMemoryError for direct memory
                    // while a heap buffer is copied into a chunk): never leave the loop with the WIP counter raised,
                    // or every later drain would be a no-op and the write would hang with its file open. The write
                    // fails with the error instead, after its writes were reaped, its buffers released and its file
                    // closed.
                    if (failure == null) failure = t;
                    WIP.getAndIncrement(this); // go round once more: stop and signal the error
                }
                missed = WIP.addAndGet(this, -missed);
                if (missed == 0) break;
            }
        }

        private void step() {
            if (terminated) {
                cancelUpstream(); // a source that called onSubscribe after the end
                releaseQueue();
                return;
            }
            int more = reap();
            kernelOp.reap();
            if (requestError != null && failure == null && !terminated) failure = requestError;
            Throwable upErr = upstreamError;
            boolean opened = openDone; // read once (see ReadFlux: the open may finish between two reads)
            if (cancelled || failure != null || upErr != null || (opened && openError != null)) {
                stop();
                return;
            }
            if (!opened) return;
            if (sameFileSize >= 0) { // a copy onto itself: nothing to write
                terminated = true;
                closedForInput = true;
                finish(null, sameFileSize);
                return;
            }
            if (kernelMode) {
                kernelOp.step();
                return;
            }
            Op op;
            while ((op = freeOp()) != null) {
                ByteBuffer b = queue.poll();
                if (b == null) break;
                int len = b.remaining();
                if (len == 0) {
                    parent.pool.release(b);
                    more++;
                    continue;
                }
                ByteBuffer buffer;
                int start;
                if (b.isDirect() && !b.isReadOnly()) {
                    buffer = b;
                    start = b.position();
                } else {
                    ByteBuffer copy;
                    try {
                        copy = parent.pool.acquire(len);
                    } catch (Throwable t) { // out of direct memory: b is dropped, the loop stops with the error
                        discard(b);
                        throw t;
                    }
                    copy.put(b.duplicate()).flip();
                    buffer = copy;
                    start = 0;
                }
                op.isFsync = false;
                op.received = b;
                op.buffer = buffer;
                op.start = start;
                op.len = len;
                op.done = 0;
                op.position = nextPos;
                op.cancelRequested = false;
                nextPos += len;
                submit(op);
            }
            Subscription up = upstream;
            if (up != null && !upstreamDone) {
                long n = more;
                if (!initialRequested) { // the first request, once the source has called onSubscribe
                    initialRequested = true;
                    n += ops.length;
                }
                if (n > 0) up.request(n);
            }
            if (upstreamDone && inFlight == 0 && queue.isEmpty()) {
                // The request just above may have run the source's onError synchronously (a Flux.generate that
                // fails on demand): upstreamDone is then set by an error that the check at the top of this step
                // could not see. Read it again: a failed source never completes the write.
                if (upstreamError != null) {
                    stop();
                    return;
                }
                end();
            }
        }

        /** Everything is written: the fsync if asked for, then close and signal. */
        void end() {
            if (parent.fsync && !fsyncDone) {
                if (!fsyncSubmitted) {
                    fsyncSubmitted = true;
                    Op f = ops[0];
                    f.isFsync = true;
                    f.buffer = null;
                    f.received = null;
                    f.position = -1;
                    f.cancelRequested = false;
                    submit(f);
                }
                return;
            }
            terminated = true;
            closedForInput = true;
            finish(null, written);
        }

        @Nullable
        private Op freeOp() {
            for (Op op : ops) if (op.state == FREE) return op;
            return null;
        }

        private void submit(Op op) {
            op.state = SUBMITTED;
            inFlight++;
            try {
                if (op.isFsync) {
                    op.token = parent.ops.fsync(file, AioFsyncMode.O_SYNC, op, this);
                } else {
                    ByteBuffer b = op.buffer;
                    b.limit(op.start + op.len).position(op.start + op.done);
                    op.token = parent.ops.write(file, op.position + op.done, b, op, this);
                }
            } catch (Throwable t) { // fatal ones too: no handler will run, so the op must complete here
                if (op.state == SUBMITTED) {
                    op.error = t;
                    op.state = COMPLETE;
                    drain(); // inside the loop: only makes it go round once more
                }
            }
        }

        /** Takes in completions; returns how many buffers were fully written (each earns one more request). */
        private int reap() {
            int more = 0;
            for (Op op : ops) {
                if (op.state != COMPLETE) continue;
                inFlight--;
                Throwable err = op.error;
                op.error = null;
                if (op.isFsync) {
                    op.isFsync = false;
                    op.state = FREE;
                    if (err != null) {
                        if (!stopping && failure == null) failure = Support.withContext(err, parent.reportPath, -1);
                    } else {
                        fsyncDone = true;
                    }
                    continue;
                }
                if (err == null && !stopping) {
                    long n = op.result;
                    if (n > 0) {
                        op.done += (int) n;
                        written += n;
                        if (parent.onProgress != null) parent.onProgress.accept(written);
                        if (op.done < op.len) {
                            submit(op); // short write: write the rest
                            continue;
                        }
                        more++;
                    } else {
                        err = AioException.of("aio_write", Errno.EIO.value()); // no progress: never loop
                    }
                }
                if (err != null && !stopping && failure == null) {
                    failure = Support.withContext(err, parent.reportPath, op.position + op.done);
                }
                releaseOp(op);
            }
            return more;
        }

        private void releaseOp(Op op) {
            if (op.buffer != null && op.buffer != op.received) parent.pool.release(op.buffer);
            if (op.received != null) parent.pool.release(op.received);
            op.buffer = null;
            op.received = null;
            op.state = FREE;
        }

        /** A buffer that will not be written: a pooled chunk goes back to the pool, others to the discard hook. */
        private void discard(ByteBuffer b) {
            if (!parent.pool.release(b)) Operators.onDiscard(b, actual.currentContext());
        }

        private void releaseQueue() {
            ByteBuffer b;
            while ((b = queue.poll()) != null) discard(b);
        }

        private void stop() {
            if (!stopping) {
                stopping = true;
                kernelOp.stop = true; // a kernel copy's task runs no further step
                closedForInput = true;
                if (failure == null && !cancelled) failure = upstreamError;
            }
            cancelUpstream();
            releaseQueue();
            // The file was opened by this subscriber and is owned by it: cancel everything queued on it at once
            // (aio_cancel(fd, NULL)); a per-op cancel is declined on glibc when ops share the fd number. Nothing is
            // submitted once stopping, so one call covers every write (or the fsync) in flight.
            boolean cancelNeeded = false;
            for (Op op : ops) {
                if (op.state == SUBMITTED && !op.cancelRequested) {
                    op.cancelRequested = true;
                    cancelNeeded = true;
                }
            }
            if (cancelNeeded) {
                try {
                    parent.ops.cancelAll(file);
                } catch (Throwable t) {
                    // nothing cancelled: the writes complete normally and are reaped all the same
                }
            }
            if (inFlight != 0 || !openDone) return;
            terminated = true;
            Throwable err = failure != null ? failure : openError;
            finish(cancelled ? null : err, 0);
        }

        /** Cancels the source unless it ended or was cancelled; drain loop only (rule 2.7). */
        private void cancelUpstream() {
            Subscription up = upstream;
            if (up != null && !upstreamCancelled && !upstreamDone) {
                upstreamCancelled = true;
                up.cancel();
            }
        }

        private void finish(@Nullable Throwable error, long result) {
            AioFile f = file;
            CopySource src = parent.copySource;
            Runnable signal = () -> signal(error, result);
            if (f == null && src == null) {
                Support.deliver(worker, signal);
                return;
            }
            AtomicTarget atomic = src != null && f != null ? src.atomic() : null;
            Support.runOn(parent.blockingScheduler, () -> {
                Support.closeQuietly(f);
                if (src != null) src.closeIfNotTaken(); // the target could not be opened, or a cancel came first
                if (atomic == null) {
                    Support.deliver(worker, signal);
                    return;
                }
                // every write and kernel step has ended: the temporary file goes into place, or away
                Throwable commitError = null;
                if (error == null && !cancelled) {
                    try {
                        atomic.commit();
                    } catch (Throwable t) {
                        commitError = t;
                    }
                }
                if (error != null || cancelled || commitError != null) atomic.remove();
                Throwable e = commitError;
                Support.deliver(worker, e == null ? signal : () -> signal(e, 0));
            });
        }

        private void signal(@Nullable Throwable error, long result) {
            try {
                if (cancelled) {
                    // The source's own error, received before the cancel and held while the file was closed, is
                    // discarded as an async boundary of Reactor's (publishOn) discards an error it has not delivered
                    // yet: the subscriber gave up on the write, and the source reported the error to no one else. It
                    // is not dropped: the default hook logs an ERROR, one per HTTP client that left mid-upload (the
                    // body fails with the server's AbortedException, then the server cancels the handler). Errors
                    // of the write itself still go to the hook.
                    if (error != null && error != upstreamError && !(error instanceof AioCancelledException)) {
                        Operators.onErrorDropped(error, actual.currentContext());
                    }
                    return;
                }
                if (error != null) {
                    if (claimError()) actual.onError(error);
                } else {
                    complete(result);
                }
            } finally {
                if (worker != null) worker.dispose();
            }
        }

        @SuppressWarnings("rawtypes")
        @Override
        public Object scanUnsafe(Attr key) {
            if (key == Attr.PARENT) return upstream;
            if (key == Attr.ACTUAL) return actual;
            if (key == Attr.CANCELLED) return cancelled;
            if (key == Attr.TERMINATED) return terminated;
            if (key == Attr.BUFFERED) return queue.size();
            if (key == Attr.PREFETCH) return ops.length;
            if (key == Attr.RUN_ON) return worker;
            if (key == Attr.RUN_STYLE) return Attr.RunStyle.ASYNC;
            return null;
        }
    }
}
