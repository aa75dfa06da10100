package org.aio4j.webflux;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.reactivestreams.Subscription;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.context.Context;

/**
 * An upload body cut with an error when no bytes come for the idle timeout or the whole body takes longer than the
 * total timeout, and the place where every buffer that arrives after the body ended is released.
 *
 * <p>Why not {@code Flux.timeout}: its timer fires on another thread than the one the server delivers the body on,
 * and a buffer that arrives while it fires is dropped ({@code onNextDropped}) without being released: a pooled
 * Netty buffer leaked now and then (the leak detector found it in CI). Here the timer, the body's signals and a
 * cancel from downstream are serialized by one monitor; once the body ended (timed out, cancelled, failed or
 * complete) every buffer that still comes is released on arrival, so operators downstream never drop one.
 *
 * <p>One timer runs at a time: it is armed for the earlier of the idle and the total deadline, and when it fires
 * after bytes came meanwhile it is armed again for the rest of the idle time.
 */
final class TimedBody extends Flux<DataBuffer> {
    private final Flux<DataBuffer> source;
    private final long idleNanos;
    private final long totalNanos;
    private final Scheduler timer;
    private final LongSupplier clock;
    private final TimeoutFactory error;

    /** Makes the error a timed-out body ends with. */
    @FunctionalInterface
    interface TimeoutFactory {
        /** {@code total} is true when the total timeout ran out, false for the idle one. */
        RuntimeException timedOut(boolean total);
    }

    TimedBody(
            Flux<DataBuffer> source,
            Duration idle,
            Duration total,
            Scheduler timer,
            LongSupplier clock,
            TimeoutFactory error) {
        this.source = source;
        this.idleNanos = idle.toNanos();
        this.totalNanos = total.toNanos();
        this.timer = timer;
        this.clock = clock;
        this.error = error;
    }

    @Override
    public void subscribe(CoreSubscriber<? super DataBuffer> actual) {
        source.subscribe(new Body(actual, clock.getAsLong()));
    }

    private final class Body implements CoreSubscriber<DataBuffer>, Subscription {
        private final CoreSubscriber<? super DataBuffer> actual;
        private final long deadline;
        // all below guarded by this
        private Subscription upstream;
        private boolean ended;
        /** The upstream was cancelled from here (a cancel from downstream, a timeout): an error may still come. */
        private boolean cancelledUpstream;

        private long lastBytes;
        private Disposable armed;

        Body(CoreSubscriber<? super DataBuffer> actual, long start) {
            this.actual = actual;
            this.deadline = start + totalNanos;
            this.lastBytes = start;
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public synchronized void onSubscribe(Subscription s) {
            if (!Operators.validate(upstream, s)) return;
            upstream = s;
            actual.onSubscribe(this);
            if (!ended) arm(clock.getAsLong());
        }

        /** Arms the timer for the earlier deadline; under the monitor. */
        private void arm(long now) {
            long wait = Math.max(0, Math.min(lastBytes + idleNanos, deadline) - now);
            try {
                armed = timer.schedule(this::fire, wait, TimeUnit.NANOSECONDS);
            } catch (RuntimeException rejected) { // the scheduler was shut down: the body cannot be timed
                end();
                cancelledUpstream = true;
                upstream.cancel();
                actual.onError(Operators.onRejectedExecution(rejected, actual.currentContext()));
            }
        }

        private synchronized void fire() {
            if (ended) return;
            long now = clock.getAsLong();
            boolean total = now - deadline >= 0;
            if (!total && now - (lastBytes + idleNanos) < 0) { // bytes came meanwhile
                arm(now);
                return;
            }
            end();
            cancelledUpstream = true;
            upstream.cancel();
            actual.onError(error.timedOut(total));
        }

        /** Marks the body ended and stops the timer; under the monitor. */
        private void end() {
            ended = true;
            if (armed != null) armed.dispose();
        }

        @Override
        public synchronized void onNext(DataBuffer buffer) {
            if (ended) {
                DataBufferUtils.release(buffer);
                return;
            }
            lastBytes = clock.getAsLong();
            actual.onNext(buffer);
        }

        /**
         * After a cancel from here the upstream may still fail (a cancel is not instantaneous: Reactor Netty fails a
         * request body whose client reset the connection right after the handler subscribed to it, and then cancelled
         * it): no one waits for that error any more, and like Reactor's async boundaries after a cancel it is ignored.
         * Handed to the {@code onErrorDropped} hook (whose default logs an ERROR) it gave one ERROR per client that
         * reset its connection mid-upload. A second terminal signal from the upstream itself still goes to the hook.
         */
        @Override
        public synchronized void onError(Throwable t) {
            if (ended) {
                if (!cancelledUpstream) Operators.onErrorDropped(t, actual.currentContext());
                return;
            }
            end();
            actual.onError(t);
        }

        @Override
        public synchronized void onComplete() {
            if (ended) return;
            end();
            actual.onComplete();
        }

        @Override
        public void request(long n) {
            upstream.request(n);
        }

        @Override
        public void cancel() {
            synchronized (this) {
                end();
                cancelledUpstream = true;
            }
            upstream.cancel();
        }
    }
}
