package org.aio4j.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.aio4j.engine.AioEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;

/**
 * Issue 16.4, rule 3.9: {@code request(n)} with {@code n <= 0} is answered with {@code onError(IllegalArgumentException)}
 * at every stage of a read, a write and a copy, until the terminal signal was delivered. The subscriber is a raw
 * {@link CoreSubscriber}: Reactor wraps plain {@code Subscriber}s in a {@code StrictSubscriber} that checks 3.9
 * itself, which would hide the operators' own handling.
 */
class NonPositiveRequestTest {
    static final int CHUNK = 4096;
    static final int CHUNKS = 10;

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

    /** Records the signals of one subscription; chunks are released as they arrive. */
    static final class Recorder<T> implements CoreSubscriber<T> {
        volatile Subscription subscription;
        final AtomicInteger nexts = new AtomicInteger();
        final AtomicInteger completes = new AtomicInteger();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        final CountDownLatch terminated = new CountDownLatch(1);
        final Consumer<Subscription> onSubscribe;
        final BiConsumer<Recorder<T>, T> onNext;

        Recorder(Consumer<Subscription> onSubscribe, BiConsumer<Recorder<T>, T> onNext) {
            this.onSubscribe = onSubscribe;
            this.onNext = onNext != null ? onNext : (r, t) -> {};
        }

        Recorder() {
            this(s -> {}, (r, t) -> {});
        }

        static <T> Recorder<T> subscribe(Publisher<T> p, Recorder<T> r) {
            p.subscribe(r);
            return r;
        }

        @Override
        public void onSubscribe(Subscription s) {
            subscription = s;
            onSubscribe.accept(s);
        }

        @Override
        public void onNext(T t) {
            nexts.incrementAndGet();
            if (t instanceof ByteBuffer) AioFiles.release((ByteBuffer) t);
            onNext.accept(this, t);
        }

        @Override
        public void onError(Throwable t) {
            error.set(t);
            terminated.countDown();
        }

        @Override
        public void onComplete() {
            completes.incrementAndGet();
            terminated.countDown();
        }

        /** Waits for the terminal signal and asserts it is the 3.9 error. */
        void assertIllegalArgument(String stage) throws InterruptedException {
            assertThat(terminated.await(10, TimeUnit.SECONDS))
                    .as("%s: a terminal signal", stage)
                    .isTrue();
            assertThat(error.get()).as("%s: onError", stage).isInstanceOf(IllegalArgumentException.class);
            assertThat(completes.get()).as("%s: no onComplete", stage).isZero();
        }
    }

    private Path source() {
        Path f = dir.resolve("source");
        if (!Files.exists(f)) TestFiles.create(f, (long) CHUNKS * CHUNK, 1);
        return f;
    }

    private Flux<ByteBuffer> read() {
        return AioFiles.read(source(), ReadOptions.defaults().chunkSize(CHUNK).maxInFlight(2));
    }

    /** Waits until the files under the test directory are all closed, then a little more (the signal follows). */
    private void awaitClosed() throws InterruptedException {
        TestFiles.await(() -> TestFiles.openFdsUnder(dir) == 0, () -> "files closed: " + TestFiles.fdTargets());
        Thread.sleep(50);
    }

    @Test
    void readAtEveryStage() throws Exception {
        for (long n : new long[] {0, -1}) {
            // in onSubscribe, before the file is open
            Recorder<ByteBuffer> r = Recorder.subscribe(read(), new Recorder<>(s -> s.request(n), (x, b) -> {}));
            r.assertIllegalArgument("read, in onSubscribe");
            assertThat(r.nexts.get()).isZero();

            // the file open, nothing requested yet
            r = Recorder.subscribe(read(), new Recorder<>());
            TestFiles.await(() -> TestFiles.openFdsUnder(dir) == 1, () -> "file open");
            r.subscription.request(n);
            r.assertIllegalArgument("read, open and idle");
            assertThat(r.nexts.get()).isZero();

            // in the middle, after 3 chunks
            r = Recorder.subscribe(read(), new Recorder<>(s -> s.request(3), (x, b) -> {}));
            Recorder<ByteBuffer> mid = r;
            TestFiles.await(() -> mid.nexts.get() == 3, () -> "3 chunks");
            r.subscription.request(n);
            r.assertIllegalArgument("read, after 3 chunks");
            assertThat(r.nexts.get()).isEqualTo(3);

            // inside the onNext of the last chunk: the completion is already on its way
            r = Recorder.subscribe(read(), new Recorder<>(s -> s.request(Long.MAX_VALUE), (x, b) -> {
                if (x.nexts.get() == CHUNKS) x.subscription.request(n);
            }));
            r.assertIllegalArgument("read, in the last onNext");
            assertThat(r.nexts.get()).isEqualTo(CHUNKS);

            // after onComplete: a no-op (rule 3.6)
            r = Recorder.subscribe(read(), new Recorder<>(s -> s.request(Long.MAX_VALUE), (x, b) -> {}));
            assertThat(r.terminated.await(10, TimeUnit.SECONDS)).isTrue();
            r.subscription.request(n);
            Thread.sleep(20);
            assertThat(r.error.get()).as("read, after onComplete").isNull();
            assertThat(r.completes.get()).isEqualTo(1);
            awaitClosed();
        }
    }

    @Test
    void writeAtEveryStage() throws Exception {
        Path out = dir.resolve("out");
        for (long n : new long[] {0, -1}) {
            // in onSubscribe, before the file is open
            Recorder<Long> r = Recorder.subscribe(
                    AioFiles.write(Flux.just(ByteBuffer.allocate(100)), out), new Recorder<>(s -> s.request(n), null));
            r.assertIllegalArgument("write, in onSubscribe");

            // while writing: the source has more to come
            r = Recorder.subscribe(
                    AioFiles.write(Flux.just(ByteBuffer.allocate(100)).concatWith(Flux.never()), out),
                    new Recorder<>());
            TestFiles.await(
                    () -> Files.exists(out) && size(out) == 100 && TestFiles.openFdsUnder(dir) == 1,
                    () -> "first buffer written");
            r.subscription.request(n);
            r.assertIllegalArgument("write, source still open");
            assertThat(r.nexts.get()).isZero();
            awaitClosed();

            // the write finished and closed its file; the value waits for a request
            r = Recorder.subscribe(AioFiles.write(Flux.just(ByteBuffer.allocate(100)), out), new Recorder<>());
            awaitClosed();
            r.subscription.request(n);
            r.subscription.request(1);
            r.assertIllegalArgument("write, finished, value not requested");
            assertThat(r.nexts.get()).as("no value after the error").isZero();

            // after the value: a no-op
            r = Recorder.subscribe(
                    AioFiles.write(Flux.just(ByteBuffer.allocate(100)), out), new Recorder<>(s -> s.request(1), null));
            assertThat(r.terminated.await(10, TimeUnit.SECONDS)).isTrue();
            r.subscription.request(n);
            Thread.sleep(20);
            assertThat(r.error.get()).as("write, after the value").isNull();
            assertThat(r.nexts.get()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void copyAtEveryStage(boolean kernel) throws Exception {
        Path src = TestFiles.create(dir.resolve("big"), 4L << 20, 2);
        CopyOptions opts = CopyOptions.defaults()
                .replaceExisting(true)
                .chunkSize(CHUNK)
                .maxInFlight(1)
                .kernelCopy(kernel);
        for (long n : new long[] {0, -1}) {
            Path target = dir.resolve("copy" + n);
            // in onSubscribe, before anything is open
            Recorder<Long> r =
                    Recorder.subscribe(AioFiles.copy(src, target, opts), new Recorder<>(s -> s.request(n), null));
            r.assertIllegalArgument("copy, in onSubscribe");
            awaitClosed();

            // while copying (or just finished: either way before the value was requested)
            r = Recorder.subscribe(AioFiles.copy(src, target, opts), new Recorder<>());
            TestFiles.await(() -> Files.exists(target) && size(target) > 0, () -> "copy started");
            r.subscription.request(n);
            r.assertIllegalArgument("copy, running");
            awaitClosed();

            // the copy finished and closed both files; the value waits for a request
            Path done = dir.resolve("done" + n);
            r = Recorder.subscribe(AioFiles.copy(src, done, opts), new Recorder<>());
            TestFiles.await(() -> size(done) == (4L << 20), () -> "copy done");
            awaitClosed();
            r.subscription.request(n);
            r.subscription.request(1);
            r.assertIllegalArgument("copy, finished, value not requested");
            assertThat(r.nexts.get()).as("no value after the error").isZero();

            // a copy onto itself (nothing opened), value not requested yet
            r = Recorder.subscribe(AioFiles.copy(src, src, opts), new Recorder<>());
            Thread.sleep(50);
            r.subscription.request(n);
            r.assertIllegalArgument("copy onto itself, value not requested");
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
