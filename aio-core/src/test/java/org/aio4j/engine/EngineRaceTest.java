package org.aio4j.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.aio4j.AioCancelledException;
import org.aio4j.AioException;
import org.aio4j.AioFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Cancel against completion and close against submit, 10,000 iterations each (system property to change). */
class EngineRaceTest {
    static final int ITERATIONS = Integer.getInteger("aio4j.engine.raceIterations", 10_000);

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void cancelRacesCompletion(EngineBackend backend) throws Exception {
        Path p = dir.resolve("r");
        byte[] data = EngineTestSupport.pattern(4096, 7, 1);
        Files.write(p, data);
        var base = EngineTestSupport.Baseline.take();
        int cancelled = 0, completed = 0;
        try (AioEngine engine = EngineTestSupport.builder(backend)
                        .cachedReadFastPath(false)
                        .maxInFlight(8)
                        .build();
                AioFile f = AioFile.open(p)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(4096);
            for (int i = 0; i < ITERATIONS; i++) {
                CompletableFuture<Integer> fut = engine.read(f, 0, buf);
                if ((i & 1) == 0) Thread.onSpinWait();
                boolean asked = fut.cancel(true);
                try {
                    assertThat(fut.get(5, TimeUnit.SECONDS)).isEqualTo(4096);
                    assertThat(EngineTestSupport.matches(buf, 7, 1)).isTrue();
                    completed++;
                } catch (CancellationException e) {
                    assertThat(asked)
                            .as("cancelled although cancel returned false")
                            .isTrue();
                    assertThat(e.getCause()).isInstanceOf(AioCancelledException.class);
                    cancelled++;
                }
                assertThat(fut.isDone()).isTrue();
            }
            assertThat(engine.metrics().cancelled()).isEqualTo(cancelled);
            assertThat(engine.metrics().completed()).isEqualTo(completed);
        }
        System.out.println("cancel vs completion: " + cancelled + " cancelled, " + completed + " completed");
        assertThat(cancelled + completed).isEqualTo(ITERATIONS);
        base.assertBack();
    }

    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void cancelByTokenRacesCompletionOnAnotherThread(EngineBackend backend) throws Exception {
        Path p = dir.resolve("t");
        Files.write(p, new byte[4096]);
        AtomicInteger calls = new AtomicInteger();
        try (AioEngine engine = EngineTestSupport.builder(backend)
                        .cachedReadFastPath(false)
                        .maxInFlight(4)
                        .build();
                AioFile f = AioFile.open(p)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(4096);
            for (int i = 0; i < ITERATIONS / 4; i++) {
                CountDownLatch once = new CountDownLatch(1);
                AioHandler<Object> h = new AioHandler<>() {
                    @Override
                    public void completed(long result, Object a) {
                        calls.incrementAndGet();
                        once.countDown();
                    }

                    @Override
                    public void failed(AioException e, Object a) {
                        calls.incrementAndGet();
                        once.countDown();
                    }
                };
                long token = engine.read(f, 0, buf, null, h);
                Thread canceller = new Thread(() -> engine.cancel(token));
                canceller.start();
                assertThat(once.await(5, TimeUnit.SECONDS)).isTrue();
                canceller.join();
                // a stale token never cancels a later op on the same slot
                assertThat(engine.cancel(token)).isFalse();
            }
        }
        assertThat(calls.get()).isEqualTo(ITERATIONS / 4);
    }

    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void closeRacesSubmit(EngineBackend backend) throws Exception {
        Path p = dir.resolve("c");
        Files.write(p, new byte[8192]);
        var base = EngineTestSupport.Baseline.take();
        // an io_uring engine costs a ring setup and teardown (about 1 ms here): a fifth of the iterations
        int iterations = backend == EngineBackend.IO_URING ? ITERATIONS / 5 : ITERATIONS;
        long rejected = 0, finished = 0;
        try (AioFile f = AioFile.open(p)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(4096);
            for (int i = 0; i < iterations; i++) {
                AioEngine engine = EngineTestSupport.builder(backend)
                        .cachedReadFastPath((i & 1) == 0)
                        .maxInFlight(2)
                        .build();
                AtomicInteger calls = new AtomicInteger();
                AtomicReference<Throwable> bad = new AtomicReference<>();
                AioHandler<Object> h = new AioHandler<>() {
                    @Override
                    public void completed(long result, Object a) {
                        calls.incrementAndGet();
                    }

                    @Override
                    public void failed(AioException e, Object a) {
                        if (!(e instanceof AioCancelledException)) bad.set(e);
                        calls.incrementAndGet();
                    }
                };
                CountDownLatch go = new CountDownLatch(1);
                AtomicInteger accepted = new AtomicInteger();
                AtomicInteger refused = new AtomicInteger();
                Thread submitter = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int k = 0; k < 4; k++) {
                        try {
                            engine.read(f, (k & 1) * 4096L, buf, null, h);
                            accepted.incrementAndGet();
                        } catch (IllegalStateException e) {
                            refused.incrementAndGet();
                        }
                    }
                });
                submitter.start();
                go.countDown();
                if ((i & 3) == 0) Thread.yield();
                engine.close();
                submitter.join();
                assertThat(engine.isTerminated()).isTrue();
                assertThat(bad.get()).isNull();
                assertThat(calls.get()).as("handler calls in iteration %d", i).isEqualTo(accepted.get());
                rejected += refused.get();
                finished += accepted.get();
            }
        }
        System.out.println("close vs submit: " + finished + " ops finished, " + rejected + " refused after close");
        base.assertBack();
    }

    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void futureCancelWhileQueuedForASlot(EngineBackend backend) throws Exception {
        Path p = dir.resolve("q");
        Files.write(p, new byte[4096]);
        try (AioEngine engine = EngineTestSupport.builder(backend)
                        .cachedReadFastPath(false)
                        .maxInFlight(1)
                        .build();
                AioFile f = AioFile.open(p)) {
            int cancelledSeen = 0;
            for (int i = 0; i < 200; i++) {
                CompletableFuture<Integer> a = engine.read(f, 0, ByteBuffer.allocateDirect(16));
                CompletableFuture<Integer> b = engine.read(f, 0, ByteBuffer.allocateDirect(16));
                b.cancel(false);
                assertThat(a.get(5, TimeUnit.SECONDS)).isEqualTo(16);
                try {
                    b.get(5, TimeUnit.SECONDS);
                } catch (CancellationException e) {
                    cancelledSeen++;
                } catch (ExecutionException e) {
                    throw new AssertionError(e);
                }
            }
            assertThat(cancelledSeen).isPositive();
            assertThat(engine.metrics().queued()).isZero();
        }
    }

    /** A running op cannot be cancelled: close() gives up after its timeout, the reaper frees everything later. */
    @Test
    void closeWaitsBoundedForAnOpThatCannotBeCancelled() throws Exception {
        var base = EngineTestSupport.Baseline.take();
        long fds = org.aio4j.internal.NativeMemory.allocate(8);
        int rfd, wfd;
        try {
            assertThat(org.aio4j.internal.NativeLib.libc().pipe(fds)).isZero();
            rfd = org.aio4j.internal.NativeMemory.getInt(fds);
            wfd = org.aio4j.internal.NativeMemory.getInt(fds + 4);
        } finally {
            org.aio4j.internal.NativeMemory.free(fds, 8);
        }
        AtomicReference<String> outcome = new AtomicReference<>();
        CountDownLatch called = new CountDownLatch(1);
        try (AioFile pipe = AioFile.adopt(rfd, null)) {
            AioEngine engine = AioEngine.builder()
                    .closeTimeout(java.time.Duration.ofMillis(200))
                    .build();
            ByteBuffer buf = ByteBuffer.allocateDirect(16);
            engine.read(pipe, 0, buf, null, new AioHandler<Object>() {
                @Override
                public void completed(long result, Object a) {
                    outcome.set("completed " + result);
                    called.countDown();
                }

                @Override
                public void failed(AioException e, Object a) {
                    outcome.set("failed " + e.errnoName());
                    called.countDown();
                }
            });
            Thread.sleep(50); // let a glibc helper start the read: it now blocks in read(2)
            long t0 = System.nanoTime();
            engine.close();
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(150_000_000L);
            assertThat(engine.isTerminated()).isFalse();
            assertThat(called.getCount()).isEqualTo(1);
            long one = org.aio4j.internal.NativeMemory.allocate(1);
            try {
                org.aio4j.internal.NativeMemory.putByte(one, (byte) 'x');
                assertThat(org.aio4j.internal.NativeLib.libc().write(wfd, one, 1))
                        .isEqualTo(1);
            } finally {
                org.aio4j.internal.NativeMemory.free(one, 1);
            }
            assertThat(engine.awaitTermination(java.time.Duration.ofSeconds(10)))
                    .isTrue();
            assertThat(called.await(1, TimeUnit.SECONDS)).isTrue();
            assertThat(outcome.get()).isEqualTo("completed 1");
        } finally {
            org.aio4j.internal.NativeLib.libc().close(wfd);
        }
        base.assertBack();
    }
}
