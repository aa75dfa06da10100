package org.aio4j.reactor.internal;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.function.LongConsumer;
import org.aio4j.AioException;
import org.aio4j.AioFile;
import org.aio4j.engine.AioHandler;
import org.aio4j.internal.Errno;
import org.jspecify.annotations.Nullable;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.Scannable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;

/**
 * Reads a file range as ordered chunks with bounded read-ahead.
 *
 * <p>Per subscription: the file is opened on {@code blockingScheduler}; once the subscriber has requested
 * anything, up to {@code maxInFlight} chunks are read ahead into pooled direct buffers ({@link ChunkPool}); chunks
 * are emitted in file order, never more than requested. Chunks read but not emitted plus reads in flight never
 * exceed {@code maxInFlight}, so at most {@code requested + maxInFlight} chunks are ever read.
 *
 * <p>All state changes happen in one drain loop guarded by a work-in-progress counter (the reactor-core pattern):
 * engine completions only record their result and call {@link ReadSubscription#drain()}, so a completion on the
 * submitting thread (the engine's cached-read fast path) never recurses. Without a signal scheduler the loop runs
 * on whichever thread calls it (the engine's reaper, the requesting thread, or the thread that opened the file);
 * with one, the loop and every signal run on one worker of that scheduler.
 *
 * <p>Cancel and errors: every read in flight is cancelled with the engine, all at once on the stream's own file
 * ({@link AioOps#cancelAll}, {@code aio_cancel(fd, NULL)}); buffers go back to the
 * pool and the file is closed (on {@code blockingScheduler}) only once every op has been reaped; nothing is emitted
 * after cancel: a cancel from another thread waits for an {@code onNext} under way to return (one lock held while a
 * chunk is emitted), so no chunk reaches a subscriber after its {@code cancel()} returned; an error or completion is
 * signalled after the file was closed.
 */
public final class ReadFlux extends Flux<ByteBuffer> implements Scannable {
    static {
        // a chunk that meets a cancel from another thread on its way in may be dropped by an operator through
        // Operators.onNextDropped rather than discarded: the hook gives it back to the pool
        DroppedChunks.install();
    }

    final AioOps ops;
    final Path path;
    final int chunkSize;
    final int maxInFlight;
    final long position;
    final long length;
    final Chunks pool;

    @Nullable
    final Scheduler signalScheduler;

    final Scheduler blockingScheduler;

    @Nullable
    final LongConsumer onSize;

    @Nullable
    final CopySource opened;

    /**
     * A read that opens {@code path} itself (on {@code blockingScheduler}) at each subscription.
     *
     * @param length bytes to read from {@code position}; {@link Long#MAX_VALUE} for "to the end of the file"
     * @param onSize called with the file size once it is open (may be null)
     */
    public ReadFlux(
            AioOps ops,
            Path path,
            int chunkSize,
            int maxInFlight,
            long position,
            long length,
            Chunks pool,
            @Nullable Scheduler signalScheduler,
            Scheduler blockingScheduler,
            @Nullable LongConsumer onSize) {
        this(
                ops,
                path,
                chunkSize,
                maxInFlight,
                position,
                length,
                pool,
                signalScheduler,
                blockingScheduler,
                onSize,
                null);
    }

    /**
     * A read of a copy's source: with {@code opened}, the subscription takes the file that {@link CopySource#open()}
     * opened (subscribe it once, after that call) instead of opening {@code path}; otherwise as the other
     * constructor.
     */
    public ReadFlux(
            AioOps ops,
            Path path,
            int chunkSize,
            int maxInFlight,
            long position,
            long length,
            Chunks pool,
            @Nullable Scheduler signalScheduler,
            Scheduler blockingScheduler,
            @Nullable LongConsumer onSize,
            @Nullable CopySource opened) {
        this.opened = opened;
        this.ops = Objects.requireNonNull(ops, "ops");
        this.path = Objects.requireNonNull(path, "path");
        if (chunkSize <= 0) throw new IllegalArgumentException("chunkSize must be positive: " + chunkSize);
        if (maxInFlight <= 0) throw new IllegalArgumentException("maxInFlight must be positive: " + maxInFlight);
        if (position < 0) throw new IllegalArgumentException("position must not be negative: " + position);
        if (length < 0) throw new IllegalArgumentException("length must not be negative: " + length);
        this.chunkSize = chunkSize;
        this.maxInFlight = maxInFlight;
        this.position = position;
        this.length = length;
        this.pool = Objects.requireNonNull(pool, "pool");
        this.signalScheduler = signalScheduler;
        this.blockingScheduler = Objects.requireNonNull(blockingScheduler, "blockingScheduler");
        this.onSize = onSize;
    }

    @Override
    public void subscribe(CoreSubscriber<? super ByteBuffer> actual) {
        ReadSubscription s = new ReadSubscription(this, actual);
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
    static final int READY = 3;

    /** One read-ahead slot of the ring. Fields other than {@code state} are written by the drain loop only. */
    static final class Slot {
        volatile int state;
        ByteBuffer buffer;
        long position;
        int len;
        int filled;
        long token;
        boolean cancelRequested;
        // written by the handler before the volatile state write
        long result;
        Throwable error;
    }

    static final class ReadSubscription implements org.reactivestreams.Subscription, Scannable, AioHandler<Slot> {
        final ReadFlux parent;
        final CoreSubscriber<? super ByteBuffer> actual;
        final Slot[] slots;

        final Scheduler.@Nullable Worker worker;

        volatile int wip;
        static final AtomicIntegerFieldUpdater<ReadSubscription> WIP =
                AtomicIntegerFieldUpdater.newUpdater(ReadSubscription.class, "wip");

        volatile long requested;
        static final AtomicLongFieldUpdater<ReadSubscription> REQUESTED =
                AtomicLongFieldUpdater.newUpdater(ReadSubscription.class, "requested");

        volatile boolean cancelled;
        volatile Throwable requestError;

        /** Held while a chunk is emitted and while cancel is recorded: see {@link #cancel()}. */
        final Object emitLock = new Object();

        // set by the open task, then openDone (volatile) publishes them
        AioFile file;
        Throwable openError;
        long end;
        volatile boolean openDone;

        // drain-loop state
        long head;
        long tail;
        long nextPos;
        long emitted;
        int inFlight;
        Throwable failure;
        boolean stopping;
        boolean terminated;

        ReadSubscription(ReadFlux parent, CoreSubscriber<? super ByteBuffer> actual) {
            this.parent = parent;
            this.actual = actual;
            this.slots = new Slot[parent.maxInFlight];
            for (int i = 0; i < slots.length; i++) slots[i] = new Slot();
            this.worker = parent.signalScheduler != null ? parent.signalScheduler.createWorker() : null;
            this.nextPos = parent.position;
        }

        void start() {
            if (parent.opened != null) {
                adopt(parent.opened);
                return;
            }
            try {
                parent.blockingScheduler.schedule(this::open);
            } catch (RejectedExecutionException e) {
                openError = e;
                openDone = true;
                drain();
            }
        }

        /** Runs on the blocking scheduler. */
        void open() {
            if (cancelled) {
                openDone = true;
                drain();
                return;
            }
            AioFile f = null;
            try {
                f = AioFile.open(parent.path, StandardOpenOption.READ);
                long size = f.size();
                long p = parent.position;
                long e = parent.length > size - p ? size : p + parent.length;
                end = Math.max(p, e);
                file = f;
                if (parent.onSize != null) parent.onSize.accept(size);
            } catch (Throwable t) { // even a fatal error ends the open: openDone must be published
                if (f != null && file == null) Support.closeQuietly(f);
                openError = t instanceof AioException ? Support.withContext(t, parent.path, -1) : t;
            }
            openDone = true;
            drain();
        }

        /** Takes the file a copy opened before it touched its target (no blocking call here). */
        void adopt(CopySource source) {
            AioFile f = source.take();
            if (f == null) {
                // the copy ended (cancelled) before this read took the file, which was closed then
                openError = AioException.of("open", Errno.ECANCELED.value(), parent.path, -1);
            } else {
                long size = source.size();
                long p = parent.position;
                long e = parent.length > size - p ? size : p + parent.length;
                end = Math.max(p, e);
                file = f;
                if (parent.onSize != null) {
                    try {
                        parent.onSize.accept(size);
                    } catch (Throwable t) {
                        openError = t;
                    }
                }
            }
            openDone = true;
            drain();
        }

        @Override
        public void request(long n) {
            if (n <= 0) { // rule 3.9: an error, after the cleanup
                requestError = Exceptions.nullOrNegativeRequestException(n);
                drain();
                return;
            }
            Operators.addCap(REQUESTED, this, n);
            drain();
        }

        /**
         * Returns once an {@code onNext} under way on another thread has returned (the emit lock): after this call
         * no chunk reaches the subscriber. On the emitting thread itself (a cancel from {@code onNext}) the lock is
         * re-entered at once.
         */
        @Override
        public void cancel() {
            if (!cancelled) {
                synchronized (emitLock) {
                    cancelled = true;
                }
                drain();
            }
        }

        @Override
        public void completed(long result, Slot s) {
            s.result = result;
            s.error = null;
            s.state = COMPLETE;
            drain();
        }

        @Override
        public void failed(AioException error, Slot s) {
            s.error = error;
            s.state = COMPLETE;
            drain();
        }

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
                    // while a chunk is acquired): never leave the loop with the WIP counter raised, or every later
                    // drain would be a no-op and the stream would hang with its file open. The stream ends with the
                    // error instead, after its reads were reaped, its chunks released and its file closed.
                    if (failure == null) failure = t;
                    WIP.getAndIncrement(this); // go round once more: stop and signal the error
                }
                missed = WIP.addAndGet(this, -missed);
                if (missed == 0) break;
            }
        }

        Slot slot(long index) {
            return slots[(int) (index % slots.length)];
        }

        private void step() {
            if (terminated) return;
            reap();
            if (requestError != null && failure == null) failure = requestError;
            // read once: the open may finish (on the blocking scheduler) between two reads, and a second read that
            // saw it done after a first that did not would go on with the unset end (0) and complete a stream
            // whose open failed (MismatchTest.missingFileIsTypedError, seen under load)
            boolean opened = openDone;
            if (cancelled || failure != null || (opened && openError != null)) {
                stop();
                return;
            }
            if (!opened) return;
            // emit in order
            long r = requested;
            while (head < tail) {
                Slot s = slot(head);
                if (s.state != READY) break;
                if (s.filled == 0 || s.position >= end) { // past an end of file found by a short read
                    parent.pool.release(s.buffer);
                    s.buffer = null;
                    s.state = FREE;
                    head++;
                    continue;
                }
                if (emitted == r) break;
                // Under the emit lock, which cancel() takes too: a cancel from another thread either comes first
                // (the chunk stays in its slot and stop() releases it) or waits until this onNext has returned, so
                // a subscriber never has a chunk arrive after its cancel() call returned (operators that cancel
                // upstream first, then clear their state, such as collect, or Spring's ChannelSendOperator, which
                // caches the first buffer, would otherwise drop it unreleased).
                synchronized (emitLock) {
                    if (cancelled) break;
                    ByteBuffer b = s.buffer;
                    int n = (int) Math.min(s.filled, end - s.position);
                    b.limit(n).position(0);
                    s.buffer = null;
                    s.state = FREE;
                    head++;
                    emitted++;
                    actual.onNext(b);
                }
            }
            if (cancelled) return; // the loop comes round again (cancel raised WIP) and stops
            if (head == tail && nextPos >= end) {
                terminated = true;
                finish(null);
                return;
            }
            if (r == 0) return; // no read-ahead before the first request
            while (tail - head < slots.length && nextPos < end) {
                Slot s = slot(tail);
                s.position = nextPos;
                s.len = (int) Math.min(parent.chunkSize, end - nextPos);
                s.filled = 0;
                s.cancelRequested = false;
                s.buffer = parent.pool.acquire(parent.chunkSize);
                tail++;
                nextPos += s.len;
                submit(s);
                // Completed at once (the engine's cached-read fast path) and wanted now: go round (the completion
                // raised WIP) and emit it before reading further, so a consumer that releases at once gets the
                // same chunk back: one chunk of memory in use, as in a plain read loop, instead of maxInFlight.
                if (s.state != SUBMITTED && emitted < r) break;
            }
        }

        private void submit(Slot s) {
            ByteBuffer b = s.buffer;
            b.limit(s.len).position(s.filled);
            s.state = SUBMITTED;
            inFlight++;
            try {
                s.token = parent.ops.read(file, s.position + s.filled, b, s, this);
            } catch (Throwable t) { // fatal ones too: no handler will run, so the op must complete here
                if (s.state == SUBMITTED) { // not submitted: no handler will run
                    s.error = t;
                    s.state = COMPLETE;
                    drain(); // inside the loop: only makes it go round once more
                }
            }
        }

        /** Takes in the completions the handler recorded. */
        private void reap() {
            for (long i = head; i < tail; i++) {
                Slot s = slot(i);
                if (s.state != COMPLETE) continue;
                inFlight--;
                Throwable err = s.error;
                s.error = null;
                if (stopping || err != null) {
                    if (err != null && !stopping && failure == null) {
                        failure = Support.withContext(err, parent.path, s.position + s.filled);
                    }
                    s.state = READY; // released by stop()
                    continue;
                }
                long n = s.result;
                if (n > 0) {
                    s.filled += (int) n;
                    if (s.filled < s.len) {
                        submit(s); // short read: read the rest
                        continue;
                    }
                } else {
                    // end of file before the size seen at open: the file shrank
                    long eof = s.position + s.filled;
                    if (eof < end) end = eof;
                }
                s.state = READY;
            }
        }

        /**
         * Cancel or error: cancel what is in flight, release when everything is reaped, then close and signal.
         *
         * <p>The stream opened the file and owns it, so everything in flight on it is cancelled at once with {@link
         * AioOps#cancelAll} ({@code aio_cancel(fd, NULL)}): a per-op cancel is declined by the engine on glibc when
         * the op shares its fd number with others (glibc's queue-stranding bug), which would leave every queued read
         * to run to the end. No read is submitted once stopping, so one call covers them all.
         */
        private void stop() {
            stopping = true;
            boolean cancelNeeded = false;
            for (long i = head; i < tail; i++) {
                Slot s = slot(i);
                if (s.state == SUBMITTED && !s.cancelRequested) {
                    s.cancelRequested = true;
                    cancelNeeded = true;
                }
            }
            if (cancelNeeded) {
                try {
                    parent.ops.cancelAll(file);
                } catch (Throwable t) {
                    // nothing cancelled: the ops complete normally and are reaped all the same
                }
            }
            if (inFlight != 0 || !openDone) return;
            for (long i = head; i < tail; i++) {
                Slot s = slot(i);
                parent.pool.release(s.buffer);
                s.buffer = null;
                s.state = FREE;
            }
            head = tail;
            terminated = true;
            Throwable err = failure != null ? failure : openError;
            finish(cancelled ? null : err);
        }

        /** Closes the file off this thread, then signals (unless cancelled). */
        private void finish(@Nullable Throwable error) {
            AioFile f = file;
            Runnable signal = () -> signal(error);
            if (f == null) {
                Support.deliver(worker, signal);
                return;
            }
            Support.runOn(parent.blockingScheduler, () -> {
                Support.closeQuietly(f);
                Support.deliver(worker, signal);
            });
        }

        private void signal(@Nullable Throwable error) {
            try {
                if (cancelled) {
                    if (error != null && !(error instanceof org.aio4j.AioCancelledException)) {
                        Operators.onErrorDropped(error, actual.currentContext());
                    }
                    return;
                }
                // rule 3.9 until the terminal signal: a request(n <= 0) that came after the loop ended the stream
                // (from the onNext of the last chunk, or while the file was being closed) turns the completion into
                // the error
                Throwable badRequest = requestError;
                if (error == null && badRequest != null) error = badRequest;
                if (error != null) actual.onError(error);
                else actual.onComplete();
            } finally {
                if (worker != null) worker.dispose();
            }
        }

        @SuppressWarnings("rawtypes")
        @Override
        public Object scanUnsafe(Attr key) {
            if (key == Attr.PARENT) return parent;
            if (key == Attr.ACTUAL) return actual;
            if (key == Attr.CANCELLED) return cancelled;
            if (key == Attr.TERMINATED) return terminated;
            if (key == Attr.REQUESTED_FROM_DOWNSTREAM) return requested;
            if (key == Attr.BUFFERED) return (int) (tail - head);
            if (key == Attr.PREFETCH) return slots.length;
            if (key == Attr.RUN_ON) return worker;
            if (key == Attr.RUN_STYLE) return Attr.RunStyle.ASYNC;
            return null;
        }
    }
}
