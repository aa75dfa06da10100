package org.aio4j.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.aio4j.AioException;
import org.aio4j.AioFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 9: bounded inline completion (every form), engine futures that only the engine completes, and the two
 * fast-path handler hazards (close from a handler, join inside a handler).
 */
class EngineInlineCompletionTest {
    static final int BLOCK = 4096;

    @TempDir
    Path dir;

    private Path cachedFile() throws Exception {
        Path p = dir.resolve("cached");
        byte[] data = new byte[1 << 20];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 31 + (i >> 12));
        Files.write(p, data);
        return p;
    }

    private AioEngine fastPathEngine(EngineBackend backend) throws Exception {
        AioEngine e = EngineTestSupport.builder(backend).build();
        try (AioFile f = AioFile.open(cachedFile(), StandardOpenOption.READ)) {
            assumeTrue(e.cachedReadFastPath(), "the kernel has no preadv2(RWF_NOWAIT): nothing completes inline");
            EngineTestSupport.assumeFastPathWorks(e, f); // qemu-user and some file systems refuse RWF_NOWAIT
        } catch (org.opentest4j.TestAbortedException skipped) {
            e.close();
            throw skipped;
        }
        return e;
    }

    /**
     * Runs {@code count} reads, each submitted from the {@code whenComplete} of the one before, and returns how many
     * completed (the loop ported from AsynchronousFileChannel). Before the fix it stopped after about 1,000 reads:
     * the StackOverflowError was swallowed inside whenComplete.
     */
    static long futureChain(AioEngine engine, AioFile file, long count) throws Exception {
        ByteBuffer buf = ByteBuffer.allocateDirect(BLOCK);
        AtomicLong done = new AtomicLong();
        CompletableFuture<Long> end = new CompletableFuture<>();
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
            long pos = (done.get() * BLOCK) % (1 << 20);
            buf.clear();
            engine.read(file, pos, buf).whenComplete((n, err) -> {
                if (err != null) {
                    end.completeExceptionally(err);
                } else if (n != BLOCK) {
                    end.completeExceptionally(new AssertionError("short read " + n));
                } else if (done.incrementAndGet() == count) {
                    end.complete(done.get());
                } else {
                    try {
                        next[0].run();
                    } catch (Throwable t) {
                        end.completeExceptionally(t);
                    }
                }
            });
        };
        next[0].run();
        return end.get(120, TimeUnit.SECONDS);
    }

    /** On io_uring a tenth of the count: the fast path is the same code; what differs is the reaper's wake-up. */
    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void aMillionChainedFutureReadsFinish(EngineBackend backend) throws Exception {
        Path p = cachedFile();
        try (AioEngine engine = fastPathEngine(backend);
                AioFile file = AioFile.open(p, StandardOpenOption.READ)) {
            long count = Long.getLong("aio4j.engine.chainReads", 1_000_000);
            if (backend == EngineBackend.IO_URING) count = Math.max(1, count / 10);
            assertThat(futureChain(engine, file, count)).isEqualTo(count);
            assertThat(engine.metrics().fastPathReads()).isGreaterThan(count / 2);
            assertThat(engine.metrics().handOffs()).isPositive();
        }
    }

    @Test
    void aMillionChainedFutureReadsFinishOnATinyStack() throws Exception {
        Path p = cachedFile();
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process proc = new ProcessBuilder(
                        javaBin,
                        "-Xss256k",
                        "-cp",
                        System.getProperty("java.class.path"),
                        InlineChainChild.class.getName(),
                        p.toString(),
                        String.valueOf(Long.getLong("aio4j.engine.chainReads", 1_000_000)))
                .redirectErrorStream(true)
                .start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(proc.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("CHAIN DONE");
        assertThat(proc.exitValue()).as(out).isZero();
    }

    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void sixteenHandlerChainsFromOneThreadAllProgressWithinTheFirstSecond(EngineBackend backend) throws Exception {
        Path p = cachedFile();
        int chains = 16;
        try (AioEngine engine = fastPathEngine(backend);
                AioFile file = AioFile.open(p, StandardOpenOption.READ)) {
            AtomicLongArrayCounter counts = new AtomicLongArrayCounter(chains);
            AtomicInteger stop = new AtomicInteger();
            CountDownLatch stopped = new CountDownLatch(chains);
            AioHandler<Integer> handler = new AioHandler<Integer>() {
                final AtomicReferenceArray<ByteBuffer> bufs = new AtomicReferenceArray<>(chains);

                @Override
                public void completed(long result, Integer chain) {
                    counts.inc(chain);
                    next(chain);
                }

                @Override
                public void failed(AioException error, Integer chain) {
                    stopped.countDown();
                }

                void next(int chain) {
                    if (stop.get() != 0) {
                        stopped.countDown();
                        return;
                    }
                    ByteBuffer b = bufs.get(chain);
                    if (b == null) bufs.set(chain, b = ByteBuffer.allocateDirect(BLOCK));
                    b.clear();
                    long pos = (counts.get(chain) * BLOCK) % (1 << 20);
                    engine.read(file, pos, b, chain, this);
                }
            };
            long t0 = System.nanoTime();
            for (int c = 0; c < chains; c++) {
                ByteBuffer b = ByteBuffer.allocateDirect(BLOCK);
                engine.read(file, 0, b, c, handler);
            }
            long startMs = (System.nanoTime() - t0) / 1_000_000;
            Thread.sleep(Math.max(0, 1000 - (System.nanoTime() - t0) / 1_000_000));
            long[] snapshot = counts.snapshot();
            stop.set(1);
            assertThat(stopped.await(10, TimeUnit.SECONDS)).isTrue();
            long total = 0;
            for (long c : snapshot) total += c;
            System.out.printf(
                    "16 chains: started in %d ms, %d completions in the first second, per chain %s, hand-offs %d%n",
                    startMs,
                    total,
                    java.util.Arrays.toString(snapshot),
                    engine.metrics().handOffs());
            assertThat(startMs).as("starting 16 chains returns promptly").isLessThan(500);
            assertThat(total).isPositive();
            for (int c = 0; c < chains; c++) {
                assertThat(snapshot[c]).as("chain %d's share of %d", c, total).isGreaterThanOrEqualTo(total / 100);
            }
        }
    }

    /** A tiny thread-safe counter per chain. */
    static final class AtomicLongArrayCounter {
        private final java.util.concurrent.atomic.AtomicLongArray a;

        AtomicLongArrayCounter(int n) {
            a = new java.util.concurrent.atomic.AtomicLongArray(n);
        }

        void inc(int i) {
            a.incrementAndGet(i);
        }

        long get(int i) {
            return a.get(i);
        }

        long[] snapshot() {
            long[] s = new long[a.length()];
            for (int i = 0; i < s.length; i++) s[i] = a.get(i);
            return s;
        }
    }

    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void closeFromAFastPathHandlerReturnsAtOnceAndTheEngineTerminates(EngineBackend backend) throws Exception {
        Path p = cachedFile();
        AioEngine engine = EngineTestSupport.builder(backend)
                .closeTimeout(java.time.Duration.ofSeconds(5))
                .build();
        assumeTrue(engine.cachedReadFastPath());
        try (AioFile file = AioFile.open(p, StandardOpenOption.READ)) {
            EngineTestSupport.assumeFastPathWorks(engine, file);
            AtomicLong closeMs = new AtomicLong(-1);
            engine.read(file, 0, ByteBuffer.allocateDirect(BLOCK), null, new AioHandler<Object>() {
                @Override
                public void completed(long result, Object a) {
                    long t = System.nanoTime();
                    engine.close();
                    closeMs.set((System.nanoTime() - t) / 1_000_000);
                }

                @Override
                public void failed(AioException error, Object a) {}
            });
            assertThat(closeMs.get()).as("close() inside the handler took (ms)").isBetween(0L, 1000L);
            assertThat(engine.awaitTermination(java.time.Duration.ofSeconds(5))).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void joinInsideAFastPathHandlerOnAnotherReadDoesNotDeadlock(EngineBackend backend) throws Exception {
        Path p = cachedFile();
        try (AioEngine engine = fastPathEngine(backend);
                AioFile file = AioFile.open(p, StandardOpenOption.READ)) {
            AtomicReference<Object> got = new AtomicReference<>();
            CountDownLatch done = new CountDownLatch(1);
            Thread t =
                    new Thread(() -> engine.read(file, 0, ByteBuffer.allocateDirect(BLOCK), null, new AioHandler<>() {
                        @Override
                        public void completed(long result, Object a) {
                            try {
                                got.set(engine.read(file, BLOCK, ByteBuffer.allocateDirect(BLOCK))
                                        .join());
                            } catch (Throwable e) {
                                got.set(e);
                            }
                            done.countDown();
                        }

                        @Override
                        public void failed(AioException error, Object a) {
                            got.set(error);
                            done.countDown();
                        }
                    }));
            t.setDaemon(true);
            t.start();
            assertThat(done.await(10, TimeUnit.SECONDS))
                    .as("the handler's join returned")
                    .isTrue();
            assertThat(got.get()).isEqualTo(BLOCK);
        }
    }

    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void onlyTheEngineCompletesItsFutures(EngineBackend backend) throws Exception {
        Path p = cachedFile();
        try (AioEngine engine = EngineTestSupport.builder(backend).build();
                AioFile file = AioFile.open(p, StandardOpenOption.READ)) {
            CompletableFuture<Integer> f = engine.read(file, 0, ByteBuffer.allocateDirect(BLOCK));
            assertThatThrownBy(() -> f.complete(1)).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> f.completeExceptionally(new RuntimeException()))
                    .isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> f.obtrudeValue(1)).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> f.obtrudeException(new RuntimeException()))
                    .isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> f.completeAsync(() -> 1)).isInstanceOf(UnsupportedOperationException.class);
            assertThat(f.get(5, TimeUnit.SECONDS)).isEqualTo(BLOCK);
            // a dependent future is the caller's own to complete
            CompletableFuture<Integer> copy =
                    engine.read(file, 0, ByteBuffer.allocateDirect(BLOCK)).copy();
            copy.complete(7);
            assertThat(copy.join()).isIn(7, BLOCK);
        }
    }

    /**
     * orTimeout is cancel-and-wait: a read that cannot be cancelled (running on a FIFO) is not reported done while it
     * still owns its buffer; it completes with the TimeoutException once reaped. Before the fix it was done (and the
     * buffer "free") after the timeout, and the read's bytes arrived later.
     */
    @Test
    void orTimeoutCompletesOnlyOnceTheReadReleasedItsBuffer() throws Exception {
        Path fifo = dir.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor())
                .isZero();
        try (AioEngine engine = AioEngine.builder().cachedReadFastPath(false).build();
                AioFile f = AioFile.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(16);
            CompletableFuture<Integer> read = engine.read(f, 0, buf);
            Thread.sleep(100); // let a helper thread take it: running, so it cannot be cancelled
            CompletableFuture<Integer> same = read.orTimeout(50, TimeUnit.MILLISECONDS);
            assertThat(same).isSameAs(read);
            Thread.sleep(400);
            assertThat(read.isDone())
                    .as("done while the read still owns the buffer")
                    .isFalse();
            try (var out = Files.newOutputStream(fifo)) {
                out.write("late".getBytes(StandardCharsets.US_ASCII));
            }
            assertThatThrownBy(() -> read.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(TimeoutException.class);
            assertThat(buf.get(0)).isEqualTo((byte) 'l'); // the read's bytes landed before the future was done
        }
    }

    /**
     * On POSIX AIO the second read waits behind the first on the fd number and is cancelled; on io_uring both wait
     * for the FIFO in the kernel, and the second is cancelled by its {@code user_data}.
     */
    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void orTimeoutOfACancellableReadCompletesWithTheTimeout(EngineBackend backend) throws Exception {
        Path fifo = dir.resolve("fifo2");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor())
                .isZero();
        try (AioEngine engine = EngineTestSupport.builder(backend)
                        .cachedReadFastPath(false)
                        .build();
                AioFile f = AioFile.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // the first read runs (and blocks); the second waits behind it on the same fd number and is cancelled
            CompletableFuture<Integer> first = engine.read(f, 0, ByteBuffer.allocateDirect(16));
            Thread.sleep(100);
            CompletableFuture<Integer> second =
                    engine.read(f, 0, ByteBuffer.allocateDirect(16)).completeOnTimeout(-5, 50, TimeUnit.MILLISECONDS);
            Thread.sleep(300);
            try (var out = Files.newOutputStream(fifo)) {
                out.write(new byte[32]);
            }
            assertThat(first.get(5, TimeUnit.SECONDS)).isPositive();
            assertThat(second.get(5, TimeUnit.SECONDS)).isIn(-5, 16);
        }
    }
}
