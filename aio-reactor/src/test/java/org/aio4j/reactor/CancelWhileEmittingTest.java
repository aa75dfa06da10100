package org.aio4j.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.aio4j.engine.AioEngine;
import org.aio4j.reactor.spring.AioDataBufferUtils;
import org.aio4j.reactor.spring.LeakTrackingDataBufferFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;

/**
 * A cancel from another thread that meets a chunk on its way to the subscriber (read from the page cache on the
 * thread that opened the file, or requested it, while the subscriber cancels elsewhere).
 *
 * <p>Before the fix the cancel returned at once while that {@code onNext} was still under way, so the chunk reached
 * the subscriber after its {@code cancel()} returned. Operators that cancel upstream first and clean up afterwards
 * ({@code collect}; WebFlux's {@code ChannelSendOperator}, which keeps a body's first buffer) then discarded or kept
 * it after their cleanup: one pooled chunk stayed out ({@code ReactorFaultPropertiesTest}, once: a read cancelled
 * 1 ms in) and the file router leaked one Netty buffer per client lost right after its file was opened (the HTTP
 * benchmark's leak detector). Now the cancel waits for that {@code onNext} to return.
 */
class CancelWhileEmittingTest {
    @TempDir
    Path dir;

    TestFiles.Probe probe;

    @BeforeEach
    void before() {
        AioEngine.shared();
        probe = TestFiles.Probe.take();
    }

    @AfterEach
    void after() {
        probe.assertNoLeaks();
    }

    /**
     * Deterministic: the subscriber's first {@code onNext} lets another thread cancel and then waits (at most 2 s)
     * for that cancel to return. It must not return while the {@code onNext} is under way. (Old code: it returned at
     * once; a busy machine could only hide that, never fail the new code.)
     */
    @Test
    void aCancelFromAnotherThreadReturnsOnlyOnceTheOnNextUnderWayReturned() throws Exception {
        Path f = TestFiles.create(dir.resolve("f"), 64 * 1024, 1);
        ReadOptions options = ReadOptions.defaults().chunkSize(4096).maxInFlight(4);
        LeakTrackingDataBufferFactory factory = new LeakTrackingDataBufferFactory(new DefaultDataBufferFactory(true));
        assertCancelWaitsForOnNext(AioFiles.read(f, options), b -> AioFiles.release((ByteBuffer) b));
        assertCancelWaitsForOnNext(
                AioDataBufferUtils.read(f, factory, options), b -> DataBufferUtils.release((DataBuffer) b));
        factory.checkForLeaks();
    }

    private static void assertCancelWaitsForOnNext(Publisher<?> source, java.util.function.Consumer<Object> release)
            throws Exception {
        CountDownLatch inOnNext = new CountDownLatch(1);
        AtomicBoolean cancelReturned = new AtomicBoolean();
        AtomicBoolean returnedDuringOnNext = new AtomicBoolean();
        CountDownLatch onNextDone = new CountDownLatch(1);
        AtomicReference<Subscription> subscription = new AtomicReference<>();
        source.subscribe(new BaseSubscriber<Object>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                subscription.set(s);
                s.request(1);
            }

            @Override
            protected void hookOnNext(Object chunk) {
                try {
                    inOnNext.countDown();
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                    while (!cancelReturned.get() && System.nanoTime() < deadline) Thread.onSpinWait();
                    returnedDuringOnNext.set(cancelReturned.get());
                } finally {
                    release.accept(chunk);
                    onNextDone.countDown();
                }
            }
        });
        assertThat(inOnNext.await(30, TimeUnit.SECONDS)).as("first chunk").isTrue();
        subscription.get().cancel(); // from this thread: never the one running onNext
        cancelReturned.set(true);
        assertThat(onNextDone.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(returnedDuringOnNext.get())
                .as("cancel() returned while an onNext was under way on another thread")
                .isFalse();
    }

    /**
     * Many reads cancelled from another thread at a random moment within their first half millisecond: before the
     * open ended, right after it (the first read submitted and served from the page cache on the opening thread),
     * or while chunks stream. The consumer is {@code collect}, which cancels upstream first and then drops its
     * container, and has no discard hook: a chunk that came after its cancel was lost. Checked: every pooled chunk
     * back ({@link AioFiles#outstandingChunks()}) and every DataBuffer released.
     */
    @Test
    void readsCancelledRightAfterTheyStartLeakNothing() {
        Path f = TestFiles.create(dir.resolve("f"), 64 * 1024, 2);
        SplittableRandom rnd = new SplittableRandom(7);
        LeakTrackingDataBufferFactory factory = new LeakTrackingDataBufferFactory(new DefaultDataBufferFactory(true));
        for (int i = 0; i < 4_000; i++) {
            ReadOptions options =
                    ReadOptions.defaults().chunkSize(rnd.nextInt(1, 5) * 64).maxInFlight(rnd.nextInt(1, 6));
            Mono<Long> read = (i & 1) == 0
                    ? AioFiles.read(f, options)
                            .collect(AtomicLong::new, (n, b) -> {
                                n.addAndGet(b.remaining());
                                AioFiles.release(b);
                            })
                            .map(AtomicLong::get)
                    : AioDataBufferUtils.read(f, factory, options)
                            .collect(AtomicLong::new, (AtomicLong n, DataBuffer b) -> {
                                n.addAndGet(b.readableByteCount());
                                DataBufferUtils.release(b);
                            })
                            .map(AtomicLong::get);
            Disposable running = read.subscribe();
            long until = System.nanoTime() + rnd.nextInt(0, 500) * 1000L;
            while (System.nanoTime() < until && !running.isDisposed()) Thread.onSpinWait();
            running.dispose();
        }
        TestFiles.await(
                () -> AioFiles.outstandingChunks() == probe.chunks() && factory.unreleased() == 0,
                () -> "chunks out: " + (AioFiles.outstandingChunks() - probe.chunks()) + ", DataBuffers unreleased: "
                        + factory.unreleased());
        factory.checkForLeaks();
        // the reads did run: a completed one reads all of the file
        assertThat(AioFiles.read(f, ReadOptions.defaults())
                        .map(b -> {
                            int n = b.remaining();
                            AioFiles.release(b);
                            return (long) n;
                        })
                        .reduce(0L, Long::sum)
                        .block(Duration.ofSeconds(30)))
                .isEqualTo(64 * 1024L);
    }
}
