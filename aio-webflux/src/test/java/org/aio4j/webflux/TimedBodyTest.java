package org.aio4j.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;
import reactor.test.scheduler.VirtualTimeScheduler;

/** {@link TimedBody}: the upload timeouts, and no buffer left unreleased whenever it comes. */
class TimedBodyTest {
    private static final NettyDataBufferFactory FACTORY =
            new NettyDataBufferFactory(Unpooled.buffer().alloc());

    private final List<ByteBuf> made = new ArrayList<>();

    private DataBuffer buffer() {
        ByteBuf b = Unpooled.directBuffer(8).writeLong(42);
        synchronized (made) {
            made.add(b);
        }
        return FACTORY.wrap(b);
    }

    private static TimedBody timed(Flux<DataBuffer> source, Duration idle, Duration total, VirtualTimeScheduler vts) {
        return new TimedBody(
                source,
                idle,
                total,
                vts,
                () -> vts.now(TimeUnit.NANOSECONDS),
                t -> new IllegalStateException(t ? "total" : "idle"));
    }

    @Test
    void theIdleTimeoutCutsABodyThatStalls() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        TestPublisher<DataBuffer> source = TestPublisher.create();
        StepVerifier.create(timed(source.flux(), Duration.ofSeconds(1), Duration.ofSeconds(10), vts))
                .then(() -> vts.advanceTimeBy(Duration.ofMillis(900)))
                .then(() -> source.next(buffer()))
                .consumeNextWith(DataBufferUtils::release)
                .then(() -> vts.advanceTimeBy(Duration.ofMillis(900))) // 1.8 s in, 0.9 s after the bytes
                .expectNoEvent(Duration.ZERO)
                .then(() -> vts.advanceTimeBy(Duration.ofMillis(100)))
                .expectErrorMessage("idle")
                .verify(Duration.ofSeconds(5));
        source.assertCancelled();
    }

    @Test
    void theTotalTimeoutCutsABodyThatTrickles() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        TestPublisher<DataBuffer> source = TestPublisher.create();
        StepVerifier.Step<DataBuffer> steps =
                StepVerifier.create(timed(source.flux(), Duration.ofSeconds(1), Duration.ofSeconds(3), vts));
        for (int i = 0; i < 5; i++) { // bytes every 0.5 s: never idle, over the total at 3 s
            steps = steps.then(() -> vts.advanceTimeBy(Duration.ofMillis(500)))
                    .then(() -> source.next(buffer()))
                    .consumeNextWith(DataBufferUtils::release);
        }
        steps.then(() -> vts.advanceTimeBy(Duration.ofMillis(499)))
                .expectNoEvent(Duration.ZERO)
                .then(() -> vts.advanceTimeBy(Duration.ofMillis(1)))
                .expectErrorMessage("total")
                .verify(Duration.ofSeconds(5));
        source.assertCancelled();
    }

    @Test
    void aBodyThatEndsInTimeCompletes() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        StepVerifier.create(timed(Flux.just(buffer(), buffer()), Duration.ofSeconds(1), Duration.ofSeconds(1), vts))
                .consumeNextWith(DataBufferUtils::release)
                .consumeNextWith(DataBufferUtils::release)
                .verifyComplete();
        assertThat(vts.isDisposed()).isFalse();
        allReleased();
    }

    @Test
    void aBufferThatComesAfterTheTimeoutIsReleased() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        TestPublisher<DataBuffer> source = TestPublisher.createNoncompliant(TestPublisher.Violation.DEFER_CANCELLATION);
        StepVerifier.create(timed(source.flux(), Duration.ofSeconds(1), Duration.ofSeconds(10), vts))
                .then(() -> vts.advanceTimeBy(Duration.ofSeconds(1)))
                .expectErrorMessage("idle")
                .verify(Duration.ofSeconds(5));
        source.next(buffer(), buffer()); // in flight while the timer fired
        source.error(new IllegalStateException("late"));
        allReleased();
    }

    @Test
    void aBufferThatComesAfterACancelIsReleased() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        TestPublisher<DataBuffer> source = TestPublisher.createNoncompliant(TestPublisher.Violation.DEFER_CANCELLATION);
        StepVerifier.create(timed(source.flux(), Duration.ofSeconds(1), Duration.ofSeconds(10), vts)
                        .handle((b, sink) -> {
                            DataBufferUtils.release(b);
                            sink.error(new IllegalStateException("too large")); // cancels the body
                        }))
                .then(() -> source.next(buffer()))
                .expectErrorMessage("too large")
                .verify(Duration.ofSeconds(5));
        source.next(buffer(), buffer());
        allReleased();
    }

    /**
     * The race CI found: buffers keep coming on one thread while the timer fires on another. Every buffer is either
     * delivered (and released by the subscriber) or released on arrival; none is dropped.
     */
    @Test
    void buffersRacingTheTimerAreNeverDropped() throws Exception {
        for (int round = 0; round < 2_000; round++) {
            TestPublisher<DataBuffer> source =
                    TestPublisher.createNoncompliant(TestPublisher.Violation.DEFER_CANCELLATION);
            CountDownLatch ended = new CountDownLatch(1);
            new TimedBody(
                            source.flux(),
                            Duration.ofNanos(1 + round % 50 * 1_000),
                            Duration.ofSeconds(10),
                            Schedulers.parallel(),
                            System::nanoTime,
                            t -> new IllegalStateException("idle"))
                    .doOnNext(DataBufferUtils::release)
                    .doFinally(s -> ended.countDown())
                    .onErrorResume(e -> Mono.empty())
                    .subscribe();
            for (int i = 0; i < 20; i++) source.next(buffer());
            assertThat(ended.await(5, TimeUnit.SECONDS)).isTrue();
            source.next(buffer());
        }
        allReleased();
    }

    /**
     * What Reactor Netty does when a client resets the connection just as the handler subscribes to the body: the
     * body calls {@code onSubscribe}, the subscriber cancels in there (the server cancelled the handler), and the body
     * fails all the same. No one waits for that error; it used to go to the {@code onErrorDropped} hook (an ERROR in
     * the log per such client).
     */
    @Test
    void anErrorThatComesAfterACancelIsNotDropped() {
        List<Throwable> dropped = new java.util.concurrent.CopyOnWriteArrayList<>();
        Hooks.onErrorDropped(dropped::add);
        try {
            VirtualTimeScheduler vts = VirtualTimeScheduler.create();
            Flux<DataBuffer> failing = Flux.error(new java.io.IOException("Connection reset by peer"));
            List<Throwable> signalled = new ArrayList<>();
            timed(failing, Duration.ofSeconds(1), Duration.ofSeconds(10), vts).subscribe(new BaseSubscriber<>() {
                @Override
                protected void hookOnSubscribe(Subscription s) {
                    cancel();
                }

                @Override
                protected void hookOnError(Throwable t) {
                    signalled.add(t);
                }
            });
            assertThat(signalled).isEmpty();
            // after a timeout (the body cancelled from here), a late error is ignored too
            TestPublisher<DataBuffer> source =
                    TestPublisher.createNoncompliant(TestPublisher.Violation.DEFER_CANCELLATION);
            StepVerifier.create(timed(source.flux(), Duration.ofSeconds(1), Duration.ofSeconds(10), vts))
                    .then(() -> vts.advanceTimeBy(Duration.ofSeconds(1)))
                    .expectErrorMessage("idle")
                    .verify(Duration.ofSeconds(5));
            source.error(new IllegalStateException("late"));
            assertThat(dropped).isEmpty();
        } finally {
            Hooks.resetOnErrorDropped();
        }
    }

    /** A second terminal signal of the upstream itself (a broken publisher) still goes to the hook. */
    @Test
    void anErrorAfterTheUpstreamCompletedIsStillDropped() {
        List<Throwable> dropped = new java.util.concurrent.CopyOnWriteArrayList<>();
        Hooks.onErrorDropped(dropped::add);
        try {
            VirtualTimeScheduler vts = VirtualTimeScheduler.create();
            TestPublisher<DataBuffer> source =
                    TestPublisher.createNoncompliant(TestPublisher.Violation.CLEANUP_ON_TERMINATE);
            StepVerifier.create(timed(source.flux(), Duration.ofSeconds(1), Duration.ofSeconds(10), vts))
                    .then(source::complete)
                    .verifyComplete();
            source.error(new IllegalStateException("after complete"));
            assertThat(dropped).extracting(Throwable::getMessage).containsExactly("after complete");
        } finally {
            Hooks.resetOnErrorDropped();
        }
    }

    private void allReleased() {
        synchronized (made) {
            assertThat(made).isNotEmpty();
            assertThat(made).allSatisfy(b -> assertThat(b.refCnt()).isZero());
        }
    }
}
