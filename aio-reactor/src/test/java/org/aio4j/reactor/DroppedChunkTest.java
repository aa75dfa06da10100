package org.aio4j.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.aio4j.engine.AioEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Operators;

/**
 * Issue 9.7: a cancel from another thread can meet a chunk whose {@code onNext} is already under way; an operator
 * that then drops it through {@code Operators.onNextDropped} (instead of discarding it) used to lose it: never
 * released, it stayed outstanding in the pool (strongly referenced) for the life of the JVM. Such a chunk goes back
 * to the pool now. The leak probe of {@link #after()} checks that every chunk came back.
 */
class DroppedChunkTest {
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
     * Deterministic: the first chunk is held inside {@code doOnNext} until the {@code Mono}'s subscriber was
     * disposed from another thread; {@code next()} then passes it to the disposed lambda subscriber, which drops
     * it through {@code Operators.onNextDropped}. (The dispose marks the subscriber disposed, then cancels the read,
     * and that cancel waits for the {@code onNext} under way: the {@code doOnNext} waits for the mark, not for the
     * dispose to return.)
     */
    @Test
    void aChunkDroppedByADisposedSubscriberGoesBackToThePool() throws Exception {
        Path f = TestFiles.create(dir.resolve("f"), 8 * 4096, 1);
        for (int i = 0; i < 20; i++) {
            CountDownLatch inOnNext = new CountDownLatch(1);
            java.util.concurrent.atomic.AtomicReference<Disposable> subscriber =
                    new java.util.concurrent.atomic.AtomicReference<>();
            AtomicInteger consumed = new AtomicInteger();
            Disposable d = AioFiles.read(f, ReadOptions.defaults().chunkSize(4096))
                    .doOnNext(b -> {
                        inOnNext.countDown();
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                        while (System.nanoTime() < deadline
                                && (subscriber.get() == null
                                        || !subscriber.get().isDisposed())) {
                            Thread.onSpinWait();
                        }
                    })
                    .next()
                    .subscribe(b -> {
                        consumed.incrementAndGet();
                        AioFiles.release(b);
                    });
            subscriber.set(d);
            assertThat(inOnNext.await(10, TimeUnit.SECONDS)).isTrue();
            Thread disposer = new Thread(d::dispose, "disposer");
            disposer.start();
            disposer.join(TimeUnit.SECONDS.toMillis(30));
            TestFiles.await(
                    () -> AioFiles.outstandingChunks() == probe.chunks(),
                    () -> "the dropped chunk back in the pool, outstanding " + AioFiles.outstandingChunks());
            assertThat(consumed.get()).as("the disposed subscriber got nothing").isZero();
        }
    }

    /**
     * The same with a plain {@link CoreSubscriber} that, like several Reactor operators, drops what arrives after
     * it was cancelled, and a cancel from another thread at random moments of a stream (a stress test of the race).
     */
    @Test
    void chunksDroppedAfterACancelFromAnotherThreadGoBackToThePool() throws Exception {
        Path f = TestFiles.create(dir.resolve("f"), 64 * 4096, 2);
        SplittableRandom rnd = new SplittableRandom(9);
        AtomicInteger dropped = new AtomicInteger();
        for (int i = 0; i < 2000; i++) {
            AtomicInteger seen = new AtomicInteger();
            DroppingSubscriber sub = new DroppingSubscriber(seen, dropped);
            AioFiles.read(f, ReadOptions.defaults().chunkSize(4096).maxInFlight(8))
                    .subscribe(sub);
            int after = rnd.nextInt(0, 8);
            long deadline = System.nanoTime() + 1_000_000_000L;
            while (seen.get() < after && System.nanoTime() < deadline) Thread.onSpinWait();
            sub.cancel();
        }
        TestFiles.await(
                () -> AioFiles.outstandingChunks() == probe.chunks(),
                () -> "every chunk back (" + dropped.get() + " dropped after a cancel), outstanding "
                        + AioFiles.outstandingChunks());
        System.out.printf("chunksDroppedAfterACancel...: %d chunks dropped through onNextDropped%n", dropped.get());
    }

    /** Takes chunks (and releases them) until cancelled; drops what comes later, as a Reactor operator would. */
    static final class DroppingSubscriber implements CoreSubscriber<ByteBuffer> {
        final AtomicInteger seen;
        final AtomicInteger dropped;
        volatile Subscription subscription;
        volatile boolean cancelled;

        DroppingSubscriber(AtomicInteger seen, AtomicInteger dropped) {
            this.seen = seen;
            this.dropped = dropped;
        }

        @Override
        public void onSubscribe(Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        void cancel() {
            cancelled = true;
            subscription.cancel();
        }

        @Override
        public void onNext(ByteBuffer b) {
            // a little work first, so that a cancel can meet a chunk on its way in
            long until = System.nanoTime() + 2_000;
            while (System.nanoTime() < until) Thread.onSpinWait();
            if (cancelled) {
                dropped.incrementAndGet();
                Operators.onNextDropped(b, currentContext());
                return;
            }
            seen.incrementAndGet();
            AioFiles.release(b);
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onComplete() {}
    }
}
