package org.aio4j.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.aio4j.AioException;
import org.aio4j.AioFile;
import org.aio4j.internal.NativeLib;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each fault completes with its typed error and the engine keeps serving; deep completion chains stay flat. */
class EngineFaultTest {
    @TempDir
    Path dir;

    static AioException failure(CompletableFuture<?> f) throws Exception {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(AioException.class);
            return (AioException) e.getCause();
        }
        throw new AssertionError("expected a failure, got " + f.join());
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"POSIX_AIO,true", "POSIX_AIO,false", "IO_URING,true", "IO_URING,false"
    })
    void faultsCompleteWithTypedErrorsAndTheEngineKeepsServing(EngineBackend backend, boolean fastPath)
            throws Exception {
        Path ok = dir.resolve("ok");
        Files.writeString(ok, "still serving");
        var base = EngineTestSupport.Baseline.take();
        try (AioEngine engine = EngineTestSupport.builder(backend)
                        .cachedReadFastPath(fastPath)
                        .build();
                AioFile good = AioFile.open(ok)) {
            List<String> seen = new ArrayList<>();
            // a read-only fd used for a write
            AioException e = failure(engine.write(good, 0, AioEngineBasicTest.direct("x")));
            assertThat(e.errnoName()).isEqualTo("EBADF");
            assertThat(e.operation()).isEqualTo("aio_write");
            assertThat(e.path()).isEqualTo(ok);
            seen.add(e.errnoName());
            serves(engine, good);
            // an fd number that is not open
            AioFile bogus = AioFile.adopt(900_000, dir.resolve("bogus"));
            e = failure(engine.read(bogus, 0, ByteBuffer.allocateDirect(8)));
            assertThat(e.errnoName()).isEqualTo("EBADF");
            serves(engine, good);
            // a directory
            int dfd = NativeLib.libc().open((dir + "\0").getBytes(StandardCharsets.UTF_8), 0, 0);
            assertThat(dfd).isNotNegative();
            try (AioFile d = AioFile.adopt(dfd, dir)) {
                e = failure(engine.read(d, 0, ByteBuffer.allocateDirect(8)));
                assertThat(e.errnoName()).isEqualTo("EISDIR");
            }
            serves(engine, good);
            // /dev/full
            try (AioFile full = AioFile.open(Path.of("/dev/full"), StandardOpenOption.WRITE)) {
                e = failure(engine.write(full, 0, AioEngineBasicTest.direct("data")));
                assertThat(e.errnoName()).isEqualTo("ENOSPC");
            }
            serves(engine, good);
            // a file closed before submission
            AioFile closed = AioFile.open(ok);
            closed.close();
            e = failure(engine.read(closed, 0, ByteBuffer.allocateDirect(8)));
            assertThat(e.errnoName()).isEqualTo("EBADF");
            serves(engine, good);
            assertThat(engine.metrics().failed()).isEqualTo(5);
        }
        base.assertBack();
    }

    private static void serves(AioEngine engine, AioFile good) throws Exception {
        ByteBuffer b = ByteBuffer.allocateDirect(13);
        assertThat(engine.read(good, 0, b).get(10, TimeUnit.SECONDS)).isEqualTo(13);
        assertThat(AioEngineBasicTest.string(b)).isEqualTo("still serving");
    }

    /**
     * With the only slot held by a read that cannot finish (a FIFO nobody writes to yet), every further read is
     * refused at once with {@code AioTryAgainException} under {@code Overflow.FAIL}. (The first version submitted 50
     * reads of a cached file and counted on some being refused: on a quiet machine each read could finish before the
     * next was submitted, and CI saw none refused.)
     */
    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void overflowFailRefusesWithTryAgain(EngineBackend backend) throws Exception {
        Path fifo = dir.resolve("overflow-fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor())
                .isZero();
        try (AioEngine engine = EngineTestSupport.builder(backend)
                        .maxInFlight(1)
                        .overflow(Overflow.FAIL)
                        .cachedReadFastPath(false)
                        .build();
                AioFile f = AioFile.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            CompletableFuture<Integer> holder = engine.read(f, 0, ByteBuffer.allocateDirect(8));
            List<CompletableFuture<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < 20; i++) fs.add(engine.read(f, 0, ByteBuffer.allocateDirect(8)));
            for (CompletableFuture<Integer> fu : fs) {
                assertThatThrownBy(() -> fu.get(10, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(org.aio4j.AioTryAgainException.class);
            }
            assertThat(engine.metrics().rejected()).isEqualTo(20);
            try (var out = Files.newOutputStream(fifo)) {
                out.write(new byte[8]);
            }
            assertThat(holder.get(10, TimeUnit.SECONDS)).isEqualTo(8);
        }
    }

    /**
     * A submit call refused with EAGAIN three times in a row (once by the caller's call, twice by the reaper's
     * retries) is retried until it goes through, and the read completes with the right bytes. Before the fix the
     * reaper, whose own {@code wakeup()} is a no-op, did not count the retry it queued itself when a retry was
     * refused again, and slept: 100 ms on POSIX AIO, forever on io_uring (this test timed out there).
     */
    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void aSubmitRefusedWithEagainAgainAndAgainIsRetriedUntilItGoesThrough(EngineBackend backend) throws Exception {
        Path p = dir.resolve("again");
        Files.writeString(p, "retried");
        java.util.concurrent.atomic.AtomicInteger refusals = new java.util.concurrent.atomic.AtomicInteger(3);
        AioEngine.Builder b = EngineTestSupport.builder(backend).cachedReadFastPath(false);
        b.decorate = real -> new org.aio4j.engine.internal.ForwardingBackend(real) {
            @Override
            public int submit(int slot, int op, int fd, long buf, long len, long offset, int fsyncOp) {
                if (refusals.getAndDecrement() > 0) return org.aio4j.internal.Errno.EAGAIN.value();
                return real.submit(slot, op, fd, buf, len, offset, fsyncOp);
            }
        };
        var base = EngineTestSupport.Baseline.take();
        try (AioEngine engine = b.build();
                AioFile f = AioFile.open(p)) {
            ByteBuffer dst = ByteBuffer.allocateDirect(7);
            assertThat(engine.read(f, 0, dst).get(10, TimeUnit.SECONDS)).isEqualTo(7);
            assertThat(AioEngineBasicTest.string(dst)).isEqualTo("retried");
            assertThat(engine.metrics().retries()).isEqualTo(3);
        }
        base.assertBack();
    }

    /**
     * RLIMIT_FSIZE needs a process of its own: a child JVM started under {@code prlimit --fsize}. On io_uring the
     * write runs in the kernel on behalf of the reaper's task (or an io-wq worker of the process): the same EFBIG.
     */
    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void writePastFileSizeLimitFailsWithEfbig(EngineBackend backend) throws Exception {
        EngineTestSupport.builder(backend); // skips where the backend is unavailable
        Path prlimit = Path.of("/usr/bin/prlimit");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(prlimit), "prlimit not installed");
        Path target = dir.resolve("big");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(
                        prlimit.toString(),
                        "--fsize=16777216",
                        "--",
                        javaBin,
                        "-cp",
                        System.getProperty("java.class.path"),
                        EngineChild.class.getName(),
                        "efbig",
                        target.toString(),
                        backend.name())
                .redirectErrorStream(true);
        Process proc = pb.start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(proc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out)
                .as("child output")
                .contains("RESULT EFBIG")
                .contains("SERVING ok")
                .contains("BACKEND " + backend);
        assertThat(proc.exitValue()).as(out).isZero();
    }

    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void deepReadLoopFromCompletionsDoesNotOverflowTheStack(EngineBackend backend) throws Exception {
        Path p = dir.resolve("deep");
        Files.write(p, EngineTestSupport.pattern(4096, 1, 1));
        int iterations = 100_000;
        try (AioEngine engine = EngineTestSupport.builder(backend).build();
                AioFile f = AioFile.open(p)) {
            EngineTestSupport.assumeFastPathWorks(engine, f); // the loop recurses through inline completions
            ByteBuffer buf = ByteBuffer.allocateDirect(4096);
            AtomicLong done = new AtomicLong();
            AtomicReference<Throwable> bad = new AtomicReference<>();
            CountDownLatch end = new CountDownLatch(1);
            int[] maxDepth = {0};
            AioHandler<Object> h = new AioHandler<>() {
                @Override
                public void completed(long result, Object a) {
                    if (done.get() % 10_000 == 0) {
                        maxDepth[0] =
                                Math.max(maxDepth[0], Thread.currentThread().getStackTrace().length);
                    }
                    if (result != 4096) bad.set(new AssertionError("read " + result));
                    if (done.incrementAndGet() == iterations) end.countDown();
                    else engine.read(f, 0, buf, null, this);
                }

                @Override
                public void failed(AioException e, Object a) {
                    bad.set(e);
                    end.countDown();
                }
            };
            engine.read(f, 0, buf, null, h);
            assertThat(end.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(bad.get()).isNull();
            assertThat(done.get()).isEqualTo(iterations);
            assertThat(maxDepth[0]).as("stack depth").isLessThan(200);
            assertThat(engine.metrics().fastPathReads()).isGreaterThan(iterations / 2);
        }
    }

    @Test
    void ioExceptionTypeIsPreservedForEachFailure() {
        assertThatThrownBy(() -> {
                    throw AioException.of("aio_read", org.aio4j.internal.Errno.EFBIG.value());
                })
                .isInstanceOf(IOException.class);
    }
}
