package org.aio4j.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.aio4j.AioException;
import org.aio4j.AioFile;
import org.aio4j.engine.AioEngine;
import org.aio4j.engine.AioHandler;
import org.aio4j.engine.EngineBackend;
import org.aio4j.internal.NativeLib;
import org.aio4j.internal.NativeMemory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;

/**
 * Cancelling a stream whose ops are queued behind busy glibc helper threads. With glibc the engine declines a
 * per-op cancel of an op that shares its fd number with others (glibc's queue-stranding bug), so a stream that
 * cancelled op by op would wait for every queued op to run. Streams own their file and cancel it with {@code
 * aio_cancel(fd, NULL)}: the queued ops complete as cancelled at once, without a helper thread.
 *
 * <p>The set-up (that of the engine's EngineCancelTest): every glibc helper thread is kept busy by 1-byte reads on
 * dup'd read ends of a pipe nobody writes, so the stream's requests stay queued, untaken, until the pipe is written.
 */
class CancelQueuedOpsTest {
    static final int BUSY = 100;
    static final int CHUNK = 4096;
    static final int IN_FLIGHT = 16;

    @TempDir
    Path dir;

    @BeforeEach
    void before() {
        AioEngine.shared(); // its native memory is not this test's
    }

    /** Keeps every glibc helper thread busy until {@link #release()} writes the pipe. */
    static final class BusyHelpers implements AutoCloseable {
        final AioEngine engine;
        final AioFile readEnd;
        final int wfd;
        final List<AioFile> dups = new ArrayList<>();
        final CountDownLatch done = new CountDownLatch(BUSY);
        boolean released;

        BusyHelpers() throws Exception {
            long fds = NativeMemory.allocate(8);
            try {
                assertThat(NativeLib.libc().pipe(fds)).isZero();
                readEnd = AioFile.adopt(NativeMemory.getInt(fds), null);
                wfd = NativeMemory.getInt(fds + 4);
            } finally {
                NativeMemory.free(fds, 8);
            }
            engine = AioEngine.builder()
                    .name("busy")
                    .cachedReadFastPath(false)
                    .maxInFlight(BUSY)
                    .build();
            AioHandler<Object> h = new AioHandler<>() {
                @Override
                public void completed(long result, Object a) {
                    done.countDown();
                }

                @Override
                public void failed(AioException error, Object a) {
                    done.countDown();
                }
            };
            for (int i = 0; i < BUSY; i++) {
                AioFile d = readEnd.dup();
                dups.add(d);
                engine.read(d, 0, ByteBuffer.allocateDirect(1), null, h);
            }
            // glibc hands a request to an idle helper by queueing it; let every helper take one (no call tells).
            Thread.sleep(250);
        }

        void release() throws InterruptedException {
            if (released) return;
            released = true;
            long buf = NativeMemory.allocate(BUSY);
            try {
                long left = BUSY;
                while (left > 0) {
                    long w = NativeLib.libc().write(wfd, buf, left);
                    assertThat(w).isPositive();
                    left -= w;
                }
            } finally {
                NativeMemory.free(buf, BUSY);
            }
            assertThat(done.await(10, TimeUnit.SECONDS))
                    .as("the busy reads finish")
                    .isTrue();
        }

        @Override
        public void close() throws Exception {
            release();
            engine.close();
            for (AioFile d : dups) d.close();
            readEnd.close();
            NativeLib.libc().close(wfd);
        }
    }

    @Test
    void cancelOfAReadStreamWithReadsQueuedBehindBusyHelpersTerminatesPromptly() throws Exception {
        Path f = TestFiles.create(dir.resolve("f"), 64L * CHUNK, 7);
        TestFiles.Probe probe = TestFiles.Probe.take();
        AtomicInteger received = new AtomicInteger();
        AtomicInteger terminal = new AtomicInteger();
        long cancelled;
        try (AioEngine engine = AioEngine.builder()
                .name("cancel-queued")
                .cachedReadFastPath(false)
                .maxInFlight(64)
                .build()) {
            try (BusyHelpers busy = new BusyHelpers()) {
                BaseSubscriber<ByteBuffer> sub = new BaseSubscriber<>() {
                    @Override
                    protected void hookOnNext(ByteBuffer b) {
                        received.incrementAndGet();
                        AioFiles.release(b);
                    }

                    @Override
                    protected void hookOnComplete() {
                        terminal.incrementAndGet();
                    }

                    @Override
                    protected void hookOnError(Throwable t) {
                        terminal.incrementAndGet();
                    }
                };
                AioFiles.read(
                                f,
                                ReadOptions.defaults()
                                        .chunkSize(CHUNK)
                                        .maxInFlight(IN_FLIGHT)
                                        .engine(engine))
                        .subscribe(sub);
                TestFiles.await(
                        () -> engine.metrics().inFlight() == IN_FLIGHT,
                        () -> "reads in flight: " + engine.metrics().inFlight());
                Thread.sleep(250);
                Assumptions.assumeTrue(
                        received.get() == 0 && engine.metrics().completed() == 0,
                        "could not keep every glibc helper thread busy (aio_init with more threads?)");
                assertThat(TestFiles.openFdsUnder(dir)).isEqualTo(1);
                long t0 = System.nanoTime();
                sub.dispose();
                // while the helpers are still busy: nothing but the cancel can finish these reads
                TestFiles.await(
                        () -> AioFiles.outstandingChunks() == probe.chunks() && TestFiles.openFdsUnder(dir) == 0,
                        () -> "cleanup after cancel: chunks " + AioFiles.outstandingChunks() + " (start "
                                + probe.chunks() + "), fds on the file " + TestFiles.openFdsUnder(dir));
                long millis = (System.nanoTime() - t0) / 1_000_000;
                System.out.printf("cancel of a stream with %d queued reads settled in %d ms%n", IN_FLIGHT, millis);
                assertThat(millis).as("cleanup took %d ms", millis).isLessThan(5_000);
                cancelled = engine.metrics().cancelled();
                assertThat(engine.metrics().inFlight()).isZero();
                assertThat(busy.done.getCount())
                        .as("the helpers were busy all along")
                        .isEqualTo(BUSY);
            }
            assertThat(cancelled).as("every queued read completed as cancelled").isEqualTo(IN_FLIGHT);
            assertThat(received.get()).isZero();
            assertThat(terminal.get()).as("nothing signalled after cancel").isZero();
            // the engine still works on a new stream of the same path
            long n = AioFiles.read(f, ReadOptions.defaults().chunkSize(CHUNK).engine(engine))
                    .map(b -> {
                        int r = b.remaining();
                        AioFiles.release(b);
                        return (long) r;
                    })
                    .reduce(0L, Long::sum)
                    .block(java.time.Duration.ofSeconds(10));
            assertThat(n).isEqualTo(64L * CHUNK);
        }
        probe.assertNoLeaksIncludingNative();
    }

    @Test
    void cancelOfAWriteWithWritesQueuedBehindBusyHelpersTerminatesPromptly() throws Exception {
        Path out = dir.resolve("out");
        TestFiles.Probe probe = TestFiles.Probe.take();
        AtomicInteger terminal = new AtomicInteger();
        long cancelled;
        try (AioEngine engine = AioEngine.builder()
                .name("cancel-queued-w")
                .cachedReadFastPath(false)
                .maxInFlight(64)
                .build()) {
            try (BusyHelpers busy = new BusyHelpers()) {
                // heap buffers: each is copied into a pooled chunk, released when its write was reaped
                Flux<ByteBuffer> src = Flux.range(0, 64).map(i -> ByteBuffer.wrap(new byte[CHUNK]));
                Disposable d = AioFiles.write(
                                src,
                                out,
                                WriteOptions.defaults().maxInFlight(IN_FLIGHT).engine(engine))
                        .subscribe(v -> terminal.incrementAndGet(), e -> terminal.incrementAndGet());
                TestFiles.await(
                        () -> engine.metrics().inFlight() == IN_FLIGHT,
                        () -> "writes in flight: " + engine.metrics().inFlight());
                Thread.sleep(250);
                Assumptions.assumeTrue(
                        engine.metrics().completed() == 0,
                        "could not keep every glibc helper thread busy (aio_init with more threads?)");
                assertThat(AioFiles.outstandingChunks()).isEqualTo(probe.chunks() + IN_FLIGHT);
                long t0 = System.nanoTime();
                d.dispose();
                TestFiles.await(
                        () -> AioFiles.outstandingChunks() == probe.chunks() && TestFiles.openFdsUnder(dir) == 0,
                        () -> "cleanup after cancel: chunks " + AioFiles.outstandingChunks() + ", fds on the file "
                                + TestFiles.openFdsUnder(dir));
                long millis = (System.nanoTime() - t0) / 1_000_000;
                assertThat(millis).as("cleanup took %d ms", millis).isLessThan(5_000);
                cancelled = engine.metrics().cancelled();
                assertThat(busy.done.getCount())
                        .as("the helpers were busy all along")
                        .isEqualTo(BUSY);
            }
            assertThat(cancelled)
                    .as("every queued write completed as cancelled")
                    .isEqualTo(IN_FLIGHT);
            assertThat(terminal.get()).isZero();
            assertThat(out.toFile().length()).as("no write ran").isZero();
        }
        probe.assertNoLeaksIncludingNative();
    }

    /**
     * Both backends (no glibc helper threads involved): the engine's only slot is held by a read of a pipe nobody
     * writes, so a read stream's reads all wait in the engine's overflow queue. Cancelling the stream completes them
     * as cancelled at once, releases every chunk and closes the file; the engine serves again once the pipe is
     * written.
     */
    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void cancelOfAReadStreamWhoseReadsWaitForASlotTerminatesPromptly(EngineBackend backend) throws Exception {
        Path f = TestFiles.create(dir.resolve("f"), 64L * CHUNK, 8);
        TestFiles.Probe probe = TestFiles.Probe.take();
        AtomicInteger received = new AtomicInteger();
        AtomicInteger terminal = new AtomicInteger();
        long fds = NativeMemory.allocate(8);
        int rfd, wfd;
        try {
            assertThat(NativeLib.libc().pipe(fds)).isZero();
            rfd = NativeMemory.getInt(fds);
            wfd = NativeMemory.getInt(fds + 4);
        } finally {
            NativeMemory.free(fds, 8);
        }
        CountDownLatch blockerDone = new CountDownLatch(1);
        try (AioFile pipe = AioFile.adopt(rfd, null);
                AioEngine engine = TestFiles.engine(backend)
                        .name("cancel-waiting-" + backend)
                        .cachedReadFastPath(false)
                        .maxInFlight(1)
                        .build()) {
            engine.read(pipe, 0, ByteBuffer.allocateDirect(1), null, new AioHandler<Object>() {
                @Override
                public void completed(long result, Object a) {
                    blockerDone.countDown();
                }

                @Override
                public void failed(AioException error, Object a) {
                    blockerDone.countDown();
                }
            });
            BaseSubscriber<ByteBuffer> sub = new BaseSubscriber<>() {
                @Override
                protected void hookOnNext(ByteBuffer b) {
                    received.incrementAndGet();
                    AioFiles.release(b);
                }

                @Override
                protected void hookOnComplete() {
                    terminal.incrementAndGet();
                }

                @Override
                protected void hookOnError(Throwable t) {
                    terminal.incrementAndGet();
                }
            };
            AioFiles.read(
                            f,
                            ReadOptions.defaults()
                                    .chunkSize(CHUNK)
                                    .maxInFlight(IN_FLIGHT)
                                    .engine(engine))
                    .subscribe(sub);
            TestFiles.await(
                    () -> engine.metrics().queued() == IN_FLIGHT,
                    () -> "reads waiting for a slot: " + engine.metrics().queued());
            long t0 = System.nanoTime();
            sub.dispose();
            TestFiles.await(
                    () -> AioFiles.outstandingChunks() == probe.chunks() && TestFiles.openFdsUnder(dir) == 0,
                    () -> "cleanup after cancel: chunks " + AioFiles.outstandingChunks() + " (start " + probe.chunks()
                            + "), fds on the file " + TestFiles.openFdsUnder(dir));
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertThat(millis).as("cleanup took %d ms", millis).isLessThan(5_000);
            assertThat(engine.metrics().cancelled()).isEqualTo(IN_FLIGHT);
            assertThat(engine.metrics().queued()).isZero();
            assertThat(received.get()).isZero();
            assertThat(terminal.get()).as("nothing signalled after cancel").isZero();
            assertThat(blockerDone.getCount()).as("the slot was held all along").isOne();
            long one = NativeMemory.allocate(1);
            try {
                assertThat(NativeLib.libc().write(wfd, one, 1)).isOne();
            } finally {
                NativeMemory.free(one, 1);
            }
            assertThat(blockerDone.await(10, TimeUnit.SECONDS)).isTrue();
            long n = AioFiles.read(f, ReadOptions.defaults().chunkSize(CHUNK).engine(engine))
                    .map(b -> {
                        int r = b.remaining();
                        AioFiles.release(b);
                        return (long) r;
                    })
                    .reduce(0L, Long::sum)
                    .block(java.time.Duration.ofSeconds(10));
            assertThat(n).isEqualTo(64L * CHUNK);
        } finally {
            NativeLib.libc().close(wfd);
        }
        probe.assertNoLeaksIncludingNative();
    }
}
