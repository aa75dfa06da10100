package org.aio4j.reactor.internal;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * Subscribes to {@code source} only at the first {@code request}: for sources that would otherwise start reading
 * ahead as soon as they are subscribed (such as {@code Flux.zip}, which prefetches). A subscriber that cancels
 * first never causes a subscription.
 */
public final class SubscribeOnRequest<T> extends Mono<T> {
    final Mono<T> source;

    public SubscribeOnRequest(Mono<T> source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        actual.onSubscribe(new Inner<>(source, actual));
    }

    static final class Inner<T> extends Operators.DeferredSubscription implements CoreSubscriber<T> {
        final Mono<T> source;
        final CoreSubscriber<? super T> actual;

        volatile int once;

        @SuppressWarnings("rawtypes")
        static final AtomicIntegerFieldUpdater<Inner> ONCE = AtomicIntegerFieldUpdater.newUpdater(Inner.class, "once");

        Inner(Mono<T> source, CoreSubscriber<? super T> actual) {
            this.source = source;
            this.actual = actual;
        }

        @Override
        public void request(long n) {
            if (!isCancelled() && ONCE.compareAndSet(this, 0, 1)) source.subscribe(this);
            super.request(n);
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void onSubscribe(Subscription s) {
            set(s);
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
