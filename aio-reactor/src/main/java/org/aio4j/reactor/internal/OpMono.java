package org.aio4j.reactor.internal;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.aio4j.AioCancelledException;
import org.aio4j.AioException;
import org.aio4j.AioFile;
import org.aio4j.AioFsyncMode;
import org.aio4j.engine.AioHandler;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.Scannable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

/**
 * One engine op as a {@link Mono}: a read or write emits the byte count, an fsync completes empty. The op is
 * submitted at the first request (each subscription submits its own op); cancel asks the engine to cancel that op
 * ({@link AioOps#cancel}, never {@link AioOps#cancelAll}: the file is the caller's and may carry others' ops).
 * Signals arrive on the engine's reaper thread, or on the requesting thread when the engine completed the op at
 * once (cached reads).
 *
 * <p>The buffer belongs to the caller. After a cancel the engine may still be using it until the op is reaped,
 * which a cancelled Mono cannot report: do not reuse a buffer whose op was cancelled.
 */
public final class OpMono<T> extends Mono<T> implements Scannable {
    /** What the op does. */
    public enum Kind {
        READ,
        WRITE,
        FSYNC
    }

    final AioOps ops;
    final AioFile file;
    final Kind kind;
    final long position;

    @Nullable
    final ByteBuffer buffer;

    @Nullable
    final AioFsyncMode mode;

    private OpMono(
            AioOps ops,
            AioFile file,
            Kind kind,
            long position,
            @Nullable ByteBuffer buffer,
            @Nullable AioFsyncMode mode) {
        this.ops = ops;
        this.file = file;
        this.kind = kind;
        this.position = position;
        this.buffer = buffer;
        this.mode = mode;
    }

    /** A read into {@code dst} (direct) at {@code position}, emitting the byte count (0 at end of file). */
    public static Mono<Integer> read(AioOps ops, AioFile file, long position, ByteBuffer dst) {
        return new OpMono<>(ops, file, Kind.READ, checkPosition(position), checkBuffer(dst, "dst"), null);
    }

    /** A write of {@code src} (direct) at {@code position}, emitting the byte count. */
    public static Mono<Integer> write(AioOps ops, AioFile file, long position, ByteBuffer src) {
        return new OpMono<>(ops, file, Kind.WRITE, checkPosition(position), checkBuffer(src, "src"), null);
    }

    /** An fsync that completes empty. */
    public static Mono<Void> fsync(AioOps ops, AioFile file, AioFsyncMode mode) {
        return new OpMono<>(ops, file, Kind.FSYNC, -1, null, Objects.requireNonNull(mode, "mode"));
    }

    private static long checkPosition(long position) {
        if (position < 0) throw new IllegalArgumentException("position must not be negative: " + position);
        return position;
    }

    private static ByteBuffer checkBuffer(ByteBuffer b, String name) {
        Objects.requireNonNull(b, name);
        if (!b.isDirect()) throw new IllegalArgumentException(name + " must be a direct ByteBuffer");
        return b;
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        actual.onSubscribe(new OpSubscription<>(this, actual));
    }

    @SuppressWarnings("rawtypes")
    @Override
    public Object scanUnsafe(Attr key) {
        if (key == Attr.RUN_STYLE) return Attr.RunStyle.ASYNC;
        return null;
    }

    static final class OpSubscription<T> implements Subscription, Scannable, AioHandler<Object> {
        static final int IDLE = 0;
        static final int SUBMITTING = 1;
        static final int SUBMITTED = 2;
        static final int DONE = 3;

        final OpMono<T> parent;
        final CoreSubscriber<? super T> actual;

        volatile int state;

        @SuppressWarnings("rawtypes")
        static final AtomicIntegerFieldUpdater<OpSubscription> STATE =
                AtomicIntegerFieldUpdater.newUpdater(OpSubscription.class, "state");

        volatile int cancelIssued;

        @SuppressWarnings("rawtypes")
        static final AtomicIntegerFieldUpdater<OpSubscription> CANCEL_ISSUED =
                AtomicIntegerFieldUpdater.newUpdater(OpSubscription.class, "cancelIssued");

        volatile boolean cancelled;
        volatile long token;

        OpSubscription(OpMono<T> parent, CoreSubscriber<? super T> actual) {
            this.parent = parent;
            this.actual = actual;
        }

        @Override
        public void request(long n) {
            if (n <= 0) { // rule 3.9
                boolean submitted = state == SUBMITTED;
                if (finish()) {
                    cancelled = true;
                    if (submitted) cancelQuietly();
                    actual.onError(Exceptions.nullOrNegativeRequestException(n));
                }
                return;
            }
            if (cancelled || !STATE.compareAndSet(this, IDLE, SUBMITTING)) return;
            long t;
            try {
                switch (parent.kind) {
                    case READ:
                        t = parent.ops.read(parent.file, parent.position, parent.buffer, null, this);
                        break;
                    case WRITE:
                        t = parent.ops.write(parent.file, parent.position, parent.buffer, null, this);
                        break;
                    default:
                        t = parent.ops.fsync(parent.file, parent.mode, null, this);
                }
            } catch (Throwable e) {
                Exceptions.throwIfJvmFatal(e);
                if (STATE.compareAndSet(this, SUBMITTING, DONE)) {
                    if (!cancelled) actual.onError(context(e));
                }
                return;
            }
            token = t;
            if (STATE.compareAndSet(this, SUBMITTING, SUBMITTED) && cancelled) issueCancel();
        }

        @Override
        public void cancel() {
            if (cancelled) return;
            cancelled = true;
            if (state == SUBMITTED) issueCancel();
        }

        private void issueCancel() {
            if (state == SUBMITTED) cancelQuietly();
        }

        private void cancelQuietly() {
            if (CANCEL_ISSUED.compareAndSet(this, 0, 1)) {
                try {
                    parent.ops.cancel(token);
                } catch (Throwable e) {
                    Exceptions.throwIfJvmFatal(e);
                }
            }
        }

        private Throwable context(Throwable e) {
            Path p = parent.file.path();
            return Support.withContext(e, p, parent.position);
        }

        private boolean finish() {
            for (; ; ) {
                int s = state;
                if (s == DONE) return false;
                if (STATE.compareAndSet(this, s, DONE)) return true;
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public void completed(long result, Object ignored) {
            if (!finish() || cancelled) return;
            if (parent.kind != Kind.FSYNC) actual.onNext((T) Integer.valueOf((int) result));
            actual.onComplete();
        }

        @Override
        public void failed(AioException error, Object ignored) {
            if (!finish()) return;
            if (cancelled) {
                if (!(error instanceof AioCancelledException)) {
                    Operators.onErrorDropped(context(error), actual.currentContext());
                }
                return;
            }
            actual.onError(context(error));
        }

        @SuppressWarnings("rawtypes")
        @Override
        public Object scanUnsafe(Attr key) {
            if (key == Attr.ACTUAL) return actual;
            if (key == Attr.CANCELLED) return cancelled;
            if (key == Attr.TERMINATED) return state == DONE;
            if (key == Attr.RUN_STYLE) return Attr.RunStyle.ASYNC;
            return null;
        }
    }
}
