package org.aio4j.webflux;

import org.reactivestreams.Subscription;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * A response body whose {@code cancel()} returns only after a buffer under way to the server has arrived there: the
 * body's {@code onNext} and the server's {@code cancel} are serialized by one monitor, and a buffer that comes after
 * the cancel is released on arrival instead of being passed on.
 *
 * <p>Why: WebFlux's {@code ChannelSendOperator} keeps the first buffer of a body until the connection subscribes to
 * it. When the client goes away, its cancel first cancels the body, then releases the buffer it kept. A first buffer
 * that was already on its way (the body checked for a cancel, then emitted, on another thread: a read served from the
 * page cache right after the file was opened) arrived after that release, was kept, and was never written nor
 * released: one pooled Netty buffer leaked per client lost at that moment (the HTTP benchmark's leak detector found
 * it). With this fence the cancel waits for that {@code onNext} to return, so the buffer is kept before the release
 * runs; one that comes later is released here.
 */
final class FencedBody extends Flux<DataBuffer> {
    private final Flux<DataBuffer> source;

    FencedBody(Flux<DataBuffer> source) {
        this.source = source;
    }

    @Override
    public void subscribe(CoreSubscriber<? super DataBuffer> actual) {
        source.subscribe(new Fence(actual));
    }

    private static final class Fence implements CoreSubscriber<DataBuffer>, Subscription {
        private final CoreSubscriber<? super DataBuffer> actual;
        private Subscription upstream;
        // guarded by this
        private boolean cancelled;

        Fence(CoreSubscriber<? super DataBuffer> actual) {
            this.actual = actual;
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (!Operators.validate(upstream, s)) return;
            upstream = s;
            actual.onSubscribe(this);
        }

        @Override
        public synchronized void onNext(DataBuffer buffer) {
            if (cancelled) {
                DataBufferUtils.release(buffer);
                return;
            }
            actual.onNext(buffer);
        }

        @Override
        public void onError(Throwable t) {
            actual.onError(t);
        }

        @Override
        public void onComplete() {
            actual.onComplete();
        }

        @Override
        public void request(long n) {
            upstream.request(n);
        }

        /** Waits for an {@code onNext} under way on another thread (re-entered at once from the same thread). */
        @Override
        public void cancel() {
            synchronized (this) {
                cancelled = true;
            }
            upstream.cancel();
        }
    }
}
