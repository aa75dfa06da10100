package org.aio4j.reactor.internal;

import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Function;
import org.aio4j.AioFile;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Opens a file on a blocking-capable scheduler and emits it wrapped by {@code wrap}. A file opened after the
 * subscriber cancelled is closed at once (never leaked); the result is emitted only when requested.
 */
public final class OpenMono<T> extends Mono<T> {
    final Path path;
    final OpenOption[] options;
    final Scheduler blockingScheduler;
    final Function<AioFile, T> wrap;

    public OpenMono(Path path, OpenOption[] options, Scheduler blockingScheduler, Function<AioFile, T> wrap) {
        this.path = Objects.requireNonNull(path, "path");
        this.options = Objects.requireNonNull(options, "options").clone();
        for (OpenOption o : this.options) Objects.requireNonNull(o, "open option");
        this.blockingScheduler = Objects.requireNonNull(blockingScheduler, "blockingScheduler");
        this.wrap = Objects.requireNonNull(wrap, "wrap");
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        OpenSubscription<T> s = new OpenSubscription<>(this, actual);
        actual.onSubscribe(s);
        try {
            blockingScheduler.schedule(s::open);
        } catch (RejectedExecutionException e) {
            s.fail(e);
        }
    }

    static final class OpenSubscription<T> implements Subscription {
        static final int HAS_REQUEST = 1;
        static final int HAS_VALUE = 2;
        static final int CANCELLED = 4;

        final OpenMono<T> parent;
        final CoreSubscriber<? super T> actual;
        AioFile file;
        T value;

        volatile int state;

        @SuppressWarnings("rawtypes")
        static final AtomicIntegerFieldUpdater<OpenSubscription> STATE =
                AtomicIntegerFieldUpdater.newUpdater(OpenSubscription.class, "state");

        OpenSubscription(OpenMono<T> parent, CoreSubscriber<? super T> actual) {
            this.parent = parent;
            this.actual = actual;
        }

        void open() {
            if ((state & CANCELLED) != 0) return;
            AioFile f;
            try {
                f = AioFile.open(parent.path, parent.options);
            } catch (Throwable t) {
                Exceptions.throwIfJvmFatal(t);
                fail(t);
                return;
            }
            file = f;
            try {
                value = parent.wrap.apply(f);
            } catch (Throwable t) {
                Exceptions.throwIfJvmFatal(t);
                Support.closeQuietly(f);
                fail(t);
                return;
            }
            for (; ; ) {
                int s = state;
                if ((s & CANCELLED) != 0) {
                    Support.closeQuietly(f);
                    return;
                }
                if (STATE.compareAndSet(this, s, s | HAS_VALUE)) {
                    if ((s & HAS_REQUEST) != 0) emit();
                    return;
                }
            }
        }

        void fail(Throwable t) {
            for (; ; ) {
                int s = state;
                if ((s & CANCELLED) != 0) return;
                if (STATE.compareAndSet(this, s, s | CANCELLED)) break;
            }
            actual.onError(t);
        }

        private void emit() {
            actual.onNext(value);
            actual.onComplete();
        }

        @Override
        public void request(long n) {
            if (n <= 0) { // rule 3.9
                for (; ; ) {
                    int s = state;
                    if ((s & CANCELLED) != 0) return;
                    if ((s & HAS_VALUE) != 0 && (s & HAS_REQUEST) != 0) return; // already delivered
                    if (STATE.compareAndSet(this, s, s | CANCELLED)) {
                        if ((s & HAS_VALUE) != 0) {
                            Support.runOn(parent.blockingScheduler, () -> Support.closeQuietly(file));
                        }
                        actual.onError(Exceptions.nullOrNegativeRequestException(n));
                        return;
                    }
                }
            }
            for (; ; ) {
                int s = state;
                if ((s & (HAS_REQUEST | CANCELLED)) != 0) return;
                if (STATE.compareAndSet(this, s, s | HAS_REQUEST)) {
                    if ((s & HAS_VALUE) != 0) emit();
                    return;
                }
            }
        }

        @Override
        public void cancel() {
            for (; ; ) {
                int s = state;
                if ((s & CANCELLED) != 0) return;
                if ((s & HAS_VALUE) != 0 && (s & HAS_REQUEST) != 0) return; // already delivered
                if (STATE.compareAndSet(this, s, s | CANCELLED)) {
                    if ((s & HAS_VALUE) != 0) Support.runOn(parent.blockingScheduler, () -> Support.closeQuietly(file));
                    return;
                }
            }
        }
    }
}
