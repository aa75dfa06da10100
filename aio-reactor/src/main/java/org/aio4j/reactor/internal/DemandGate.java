package org.aio4j.reactor.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * Holds back the requests of the sources it {@linkplain #gate gates} until {@link #open()}: the sources are
 * subscribed at once (so a missing file is reported at once), but read nothing until the real subscriber asks for
 * something. Used under {@code Flux.zip}, which prefetches from its sources as soon as it is subscribed.
 */
public final class DemandGate {
    private boolean open;
    private List<Runnable> waiting = new ArrayList<>();

    /** Opens the gate (idempotent): held requests go upstream now, later ones directly. */
    public void open() {
        List<Runnable> run;
        synchronized (this) {
            if (open) return;
            open = true;
            run = waiting;
            waiting = null;
        }
        for (Runnable r : run) r.run();
    }

    private boolean whenOpen(Runnable r) {
        synchronized (this) {
            if (!open) {
                waiting.add(r);
                return false;
            }
        }
        return true;
    }

    /** {@code source} with its requests held back until this gate opens. */
    public <T> Flux<T> gate(Publisher<T> source) {
        Objects.requireNonNull(source, "source");
        return new Flux<T>() {
            @Override
            public void subscribe(CoreSubscriber<? super T> actual) {
                Flux.from(source).subscribe(new Gated<>(actual, DemandGate.this));
            }
        };
    }

    static final class Gated<T> implements CoreSubscriber<T>, Subscription {
        final CoreSubscriber<? super T> actual;
        final DemandGate gate;
        Subscription upstream;
        volatile boolean passThrough;

        volatile long held;

        @SuppressWarnings("rawtypes")
        static final AtomicLongFieldUpdater<Gated> HELD = AtomicLongFieldUpdater.newUpdater(Gated.class, "held");

        Gated(CoreSubscriber<? super T> actual, DemandGate gate) {
            this.actual = actual;
            this.gate = gate;
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (Operators.validate(upstream, s)) {
                upstream = s;
                actual.onSubscribe(this);
                if (gate.whenOpen(this::flush)) flush();
            }
        }

        private void flush() {
            passThrough = true;
            long r = HELD.getAndSet(this, 0);
            if (r != 0) upstream.request(r);
        }

        @Override
        public void request(long n) {
            if (n <= 0 || passThrough) {
                upstream.request(n);
                return;
            }
            Operators.addCap(HELD, this, n);
            if (passThrough) flush();
        }

        @Override
        public void cancel() {
            upstream.cancel();
        }

        @Override
        public void onNext(T t) {
            actual.onNext(t);
        }

        @Override
        public void onError(Throwable t) {
            actual.onError(t);
        }

        @Override
        public void onComplete() {
            actual.onComplete();
        }
    }
}
